import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { PersonalizeProvider } from './private/provider';
import { requireOptionalConstruct } from './private/runtime-types';
import { validateKmsKeyArn } from './private/validation';

/**
 * Options for the logs of a stack's cdk-personalize provider.
 */
export interface ProviderLoggingOptions {
  /**
   * A customer managed KMS key to encrypt the provider's log groups with: the handler's,
   * the Provider framework functions', and the waiter state machine's.
   *
   * The key policy of a key defined in the app gets a statement that lets CloudWatch Logs
   * in the stack's region use the key for log groups of the stack's account. An imported
   * key's policy cannot be changed, and a synth warning says what it must allow.
   *
   * @default - CloudWatch Logs encrypts the log groups with its own key
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Settings for the logs of the custom-resource provider that cdk-personalize adds to
 * each stack. The provider is shared by every Personalize resource of the stack, so its
 * settings are per stack.
 *
 * @example
 * const logKey = new kms.Key(stack, 'LogKey', { enableKeyRotation: true });
 * ProviderLogging.configure(stack, { encryptionKey: logKey });
 */
export class ProviderLogging {
  /**
   * Configures the provider logs of the stack that `scope` belongs to. It may be called
   * before or after the stack's Personalize resources are defined.
   *
   * @param scope any construct in the stack
   * @param options the settings
   */
  public static configure(scope: IConstruct, options: ProviderLoggingOptions): void {
    requireOptionalConstruct('encryptionKey', options.encryptionKey, 'a KMS key (kms.IKey: kms.Key or kms.Key.fromKeyArn)', 'keyArn');
    if (options.encryptionKey) {
      validateKmsKeyArn('encryptionKey', options.encryptionKey.keyArn, options.encryptionKey);
      PersonalizeProvider.encryptLogsWith(scope, options.encryptionKey);
    }
  }

  private constructor() {}
}
