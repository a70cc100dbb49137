/** IAM evaluated locally: see local-iam.ts for the hook the local services call, and ADR 0013. */
export * from './local-iam';
export * from './policy-model';
export * from './reference';
export * from './requests';
