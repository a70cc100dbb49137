// Kept so that imports of 'cdk-personalize/lib/metric-attribution' still work: the module lives in personalize/.
export * from './personalize/metric-attribution';
