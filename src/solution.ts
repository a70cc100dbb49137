// Kept so that imports of 'cdk-personalize/lib/solution' still work: the module lives in personalize/.
export * from './personalize/solution';
