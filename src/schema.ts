// Kept so that imports of 'cdk-personalize/lib/schema' still work: the module lives in personalize/.
export * from './personalize/schema';
