// Kept so that imports of 'cdk-personalize/lib/recommender' still work: the module lives in personalize/.
export * from './personalize/recommender';
