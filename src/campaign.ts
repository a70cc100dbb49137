// Kept so that imports of 'cdk-personalize/lib/campaign' still work: the module lives in personalize/.
export * from './personalize/campaign';
