import * as path from 'path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';

/**
 * Timings, kept in step with lambda/engine.ts DEFAULT_WAIT_POLICY: onEvent polls for
 * up to 2 minutes, each isComplete invocation for up to 1 minute, and the engine
 * fails the operation after 30 minutes with the last status it saw.
 */
const ON_EVENT_TIMEOUT = Duration.minutes(5);
const IS_COMPLETE_TIMEOUT = Duration.minutes(2);
/** Between isComplete invocations; each invocation polls on its own schedule. */
const QUERY_INTERVAL = Duration.seconds(1);
/** A backstop only: the engine's own 30-minute deadline fails first, with a clearer reason. */
const TOTAL_TIMEOUT = Duration.minutes(45);

const HANDLER_ASSET = path.join(__dirname, '..', '..', 'assets', 'provider-handler');

/**
 * The stack's single provider: one onEvent function, one isComplete function and
 * one waiter state machine, however many Personalize resources the stack holds.
 */
export class PersonalizeProvider extends Construct {
  public static getOrCreate(scope: IConstruct): PersonalizeProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PersonalizeProvider.ID);
    return (existing as PersonalizeProvider | undefined) ?? new PersonalizeProvider(stack, PersonalizeProvider.ID);
  }

  private static readonly ID = 'CdkPersonalizeProvider';

  public readonly serviceToken: string;
  /** The role both handler functions run as; resources add their own narrow grants to it. */
  public readonly handlerRole: iam.Role;

  private constructor(scope: Construct, id: string) {
    super(scope, id);

    this.handlerRole = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the cdk-personalize custom resource handler',
    });
    const handlerLogs = new logs.LogGroup(this, 'HandlerLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    handlerLogs.grantWrite(this.handlerRole);

    const code = lambda.Code.fromAsset(HANDLER_ASSET);
    const handlerFunction = (functionId: string, handler: string, timeout: Duration) => {
      const fn = new lambda.Function(this, functionId, {
        code,
        handler,
        timeout,
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 256,
        role: this.handlerRole,
        logGroup: handlerLogs,
        loggingFormat: lambda.LoggingFormat.JSON,
        description: `cdk-personalize ${handler}`,
      });
      // Log permissions must exist before the function runs, or its first logs are lost.
      fn.node.addDependency(this.handlerRole);
      return fn;
    };

    const frameworkLogs = new logs.LogGroup(this, 'FrameworkLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: handlerFunction('OnEventHandler', 'index.onEvent', ON_EVENT_TIMEOUT),
      isCompleteHandler: handlerFunction('IsCompleteHandler', 'index.isComplete', IS_COMPLETE_TIMEOUT),
      queryInterval: QUERY_INTERVAL,
      totalTimeout: TOTAL_TIMEOUT,
      logGroup: frameworkLogs,
      waiterStateMachineLogOptions: {
        destination: frameworkLogs,
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    this.serviceToken = provider.serviceToken;
  }
}
