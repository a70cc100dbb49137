// Kept so that imports of 'cdk-personalize/lib/event-tracker' still work: the module lives in personalize/.
export * from './personalize/event-tracker';
