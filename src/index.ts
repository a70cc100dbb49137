export * from './dataset-group';
export * from './schema';
export * from './dataset';
export * from './provider-logging';
export * from './event-tracker';
