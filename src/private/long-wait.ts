/**
 * The stack's long wait (ADR 0014): one Step Functions state machine and one function
 * that wait for work outlasting a custom resource (training, imports) and signal its
 * CloudFormation wait condition. Made on first use, so only stacks with long work have it.
 *
 *   Look ──(next = look)──▶ Pause (Wait delaySeconds) ──▶ Look
 *     │ (next = done)                                       │ Catch: any error after its retries
 *     ▼                                                     ▼
 *   Done                                     Report (signals FAILURE with the cause) ──▶ Failed
 *
 * No function invokes itself: the loop is the state machine's, so Lambda's recursive loop
 * detection never stops it, and it lasts as long as the wait condition it serves.
 */
import { CfnResource, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { addNagSuppressions } from './nag';

/** A look is one Describe with its retries; the function stops retrying 10 s before this (DEFAULT_LONG_WAIT_POLICY). */
const LOOK_TIMEOUT = Duration.minutes(1);
/** Longer than the longest wait condition (12 hours): an execution that outlives every wait it could signal ends. */
const EXECUTION_TIMEOUT = Duration.hours(13);

/** The errors Lambda's Invoke raises when the service, not the function, failed or throttled. */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

export interface LongWaitProps {
  readonly code: lambda.Code;
  /** Runtime, placement and the rest of the settings every function of the library shares. */
  readonly functionSettings: Partial<lambda.FunctionProps> & { readonly runtime: lambda.Runtime };
  readonly logGroup: logs.ILogGroup;
  readonly logRetention: logs.RetentionDays;
}

export class LongWait extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  /** What the long-wait function may read: each kind that waits adds its Describe action on its resources. */
  private readonly access: iam.Policy;

  constructor(scope: Construct, id: string, props: LongWaitProps) {
    super(scope, id);

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the cdk-personalize long-wait function',
    });
    props.logGroup.grantWrite(role);
    const fn = new lambda.Function(this, 'Function', {
      ...props.functionSettings,
      code: props.code,
      handler: 'index.longWait',
      timeout: LOOK_TIMEOUT,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      role,
      logGroup: props.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      description: 'cdk-personalize long wait: looks at long work and signals its wait condition',
    });
    fn.node.addDependency(role);
    // A policy of its own, not the role's default one: the function depends on that one, and kinds add to this one.
    this.access = new iam.Policy(this, 'Access', { roles: [role] });

    const look = new tasks.LambdaInvoke(this, 'Look', {
      lambdaFunction: fn,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      comment: 'Asks whether the work has ended, and signals the wait condition when it has',
    });
    // Lambda throttled or failed: wait and ask again, up to about 25 minutes, before the wait gives up.
    look.addRetry({ errors: LAMBDA_SERVICE_ERRORS, interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 10, maxDelay: Duration.minutes(5) });
    // The look itself failed (an error it could not absorb, a timeout): twice more, then Report says why.
    look.addRetry({ errors: ['States.TaskFailed', 'States.Timeout'], interval: Duration.seconds(10), backoffRate: 2, maxAttempts: 2 });
    const report = new tasks.LambdaInvoke(this, 'Report', {
      lambdaFunction: fn,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      comment: 'Signals the wait condition that the wait failed, with the cause',
    });
    report.addRetry({ errors: [...LAMBDA_SERVICE_ERRORS, 'States.TaskFailed', 'States.Timeout'], interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 6 });
    look.addCatch(report.next(new sfn.Fail(this, 'Failed', { error: 'LongWaitFailed', cause: 'The wait broke; its wait condition was told why' })),
      { errors: ['States.ALL'], resultPath: '$.failure' });
    const pause = new sfn.Wait(this, 'Pause', { time: sfn.WaitTime.secondsPath('$.delaySeconds') });
    const definition = look.next(new sfn.Choice(this, 'Ended?')
      .when(sfn.Condition.stringEquals('$.next', 'look'), pause.next(look))
      .otherwise(new sfn.Succeed(this, 'Done')));

    // Step Functions log delivery keeps the account's log resource policy small only for /aws/vendedlogs/ names.
    const executionLogs = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/cdk-personalize-wait-${Names.uniqueResourceName(this, { maxLength: 100, separator: '-' })}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: EXECUTION_TIMEOUT,
      comment: 'cdk-personalize long wait (ADR 0014)',
      // Execution data holds the signal URL, which lets anyone who reads it signal the wait condition.
      logs: { destination: executionLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    this.suppressFindings(fn);
  }

  /** The log groups of the long wait, for the provider's logs key. */
  public get logGroups(): logs.LogGroup[] {
    return [this.node.findChild('Logs') as logs.LogGroup];
  }

  /** Lets the long-wait function look at `resources` with `actions` (a kind's Describe). */
  public watch(actions: string[], resources: string[]): void {
    this.access.addStatements(new iam.PolicyStatement({ actions, resources }));
  }

  /** Lets `role` start waits. */
  public grantStart(role: iam.IRole): void {
    this.stateMachine.grantStartExecution(role);
  }

  private suppressFindings(fn: lambda.Function): void {
    const stack = Stack.of(this);
    const machine = this.stateMachine.node.defaultChild as CfnResource;
    addNagSuppressions(machine, ['AwsSolutions-SF2', 'Serverless-StepFunctionStateMachineXray'].map((id) => ({
      id,
      reason: 'The long wait only calls one function in a Wait loop; every state and error is logged at level ALL, and X-Ray '
        + 'would add Resource * permissions and cost without more insight.',
    })));
    const policy = this.stateMachine.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (CfnResource.isCfnResource(policy)) {
      addNagSuppressions(policy, [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'lambda:InvokeFunction is granted by the Step Functions task construct, which adds ARN:* so that versions and '
            + 'aliases of that one function can be invoked; no other function is covered.',
          appliesTo: [`Resource::<${stack.resolve((fn.node.defaultChild as CfnResource).logicalId)}.Arn>:*`],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason: 'Step Functions log delivery to CloudWatch Logs (logs:CreateLogDelivery and related actions) does not support '
            + 'resource-level permissions, so AWS requires Resource * for it.',
          appliesTo: ['Resource::*'],
        },
      ]);
    }
  }
}
