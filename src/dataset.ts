// Kept so that imports of 'cdk-personalize/lib/dataset' still work: the module lives in personalize/.
export * from './personalize/dataset';
