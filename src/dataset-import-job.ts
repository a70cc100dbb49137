// Kept so that imports of 'cdk-personalize/lib/dataset-import-job' still work: the module lives in personalize/.
export * from './personalize/dataset-import-job';
