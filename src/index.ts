export * from './dataset-group';
export * from './schema';
export * from './dataset';
export * from './provider-logging';
export * from './event-tracker';
export * from './filter-expression';
export * from './filter';
export * from './metric-attribution';
export * as rekognition from './rekognition';
