export * from './dataset-group';
