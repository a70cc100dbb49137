/** KMS key policies evaluated locally: see local-kms.ts for the hook the local services call, and ADR 0016. */
export * from './key-policies';
export * from './local-kms';
