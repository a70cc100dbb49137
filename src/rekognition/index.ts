export * from './project';
export * from './dataset';
