// Amazon Personalize: exported at the top level, as they were before the tree had a folder per service.
export * from './personalize';
export * from './provider-logging';
export * from './provider-functions';
export * as rekognition from './rekognition';
