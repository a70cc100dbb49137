// Kept so that imports of 'cdk-personalize/lib/filter' still work: the module lives in personalize/.
export * from './personalize/filter';
