// Kept so that imports of 'cdk-personalize/lib/solution' still work: the module was split into personalize/.
export * from './personalize/recipe';
export * from './personalize/auto-training';
export * from './personalize/hyperparameters';
export * from './personalize/solution';
