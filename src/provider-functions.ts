import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { validateHandlerRuntime } from './private/handler-runtime';
import { PersonalizeProvider } from './private/provider';

/**
 * Settings for the Lambda functions of the custom-resource provider that cdk-personalize
 * adds to each stack: the library's handler functions and, where aws-cdk-lib's Provider
 * framework allows it, the framework's own functions.
 */
export interface ProviderFunctionsOptions {
  /**
   * A fixed Node.js runtime for the library's functions, at least `nodejs22.x`.
   *
   * cdk-nag's AwsSolutions-L1 and Serverless-LambdaLatestVersion report any function whose
   * runtime is older than the newest Node.js runtime your aws-cdk-lib knows, so a fixed
   * runtime is reported as soon as you upgrade to an aws-cdk-lib that knows a newer one.
   *
   * @default - the newest Node.js runtime of the app's aws-cdk-lib (`lambda.Runtime.ALL`), which
   * is what cdk-nag compares with; at least `nodejs22.x`
   */
  readonly runtime?: lambda.Runtime;

  /**
   * A VPC to run the library's functions and the Provider framework's functions in.
   *
   * The functions call Personalize, Rekognition, S3, Lambda, Step Functions and the
   * CloudFormation wait-condition endpoint; the subnets need a NAT gateway or VPC endpoints
   * for those services. The functions' roles get the network-interface permissions Lambda
   * needs in a VPC (those of the AWS managed `AWSLambdaVPCAccessExecutionRole`).
   *
   * @default - the functions run outside any VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Where in `vpc` the functions run.
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the functions in `vpc`.
   *
   * @default - one security group per function, allowing all outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Concurrency reserved for each of the library's functions.
   *
   * The functions run only while a deploy creates, updates or deletes the library's
   * resources, one invocation per resource operation. Each function takes this much from
   * the account's unreserved concurrency; too low a value throttles deploys with many
   * resources (the Provider framework retries throttled invocations).
   *
   * @default - no reserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * A dead-letter queue for the library's functions.
   *
   * Lambda sends an event there only when an asynchronous invocation fails after its
   * retries. The Provider framework and the waiting state machine invoke the library's
   * functions synchronously and see every failure themselves, so in practice the queue
   * stays empty; it is offered for compliance packs that require one on every function.
   *
   * @default - no dead-letter queue
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * Settings for the Lambda functions of the custom-resource provider that cdk-personalize
 * adds to each stack. The provider is shared by every resource of the library in the
 * stack, so its settings are per stack, and they must be set before the stack's first
 * construct of this library.
 *
 * @example
 * ProviderFunctions.configure(stack, { runtime: lambda.Runtime.NODEJS_22_X, reservedConcurrentExecutions: 5 });
 * new DatasetGroup(stack, 'Group');
 */
export class ProviderFunctions {
  /**
   * Configures the provider functions of the stack that `scope` belongs to.
   *
   * @param scope any construct in the stack
   * @param options the settings
   */
  public static configure(scope: IConstruct, options: ProviderFunctionsOptions): void {
    if (options.runtime) validateHandlerRuntime('runtime', options.runtime);
    const concurrency = options.reservedConcurrentExecutions;
    if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
      throw new Error(`Invalid reservedConcurrentExecutions: ${concurrency}. Expected a whole number of at least 1.`);
    }
    if (!options.vpc && (options.vpcSubnets || options.securityGroups)) {
      throw new Error('Invalid vpcSubnets or securityGroups: they place the functions in a VPC, so they need vpc as well.');
    }
    PersonalizeProvider.configureFunctions(scope, options);
  }

  private constructor() {}
}
