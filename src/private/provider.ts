import * as path from 'path';
import { AspectPriority, Aspects, CfnResource, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
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

/** The newest Node.js runtime that aws-cdk-lib 2.257 knows; cdk-nag's AwsSolutions-L1 asks for it. */
const HANDLER_RUNTIME = lambda.Runtime.NODEJS_24_X;
/** Every log group of the provider keeps a month of logs: enough to debug a deploy, never kept forever. */
const LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

const HANDLER_ASSET = path.join(__dirname, '..', '..', 'assets', 'provider-handler');

/**
 * The cdk-nag finding for the grant on a stack's generated names: a Personalize
 * dataset group, schema or dataset ARN whose only wildcard follows a stack token
 * and its `_` (for a dataset, in its group's name), as src/private/names.ts makes them.
 */
const GENERATED_NAME_GRANT_FINDING =
  '/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):personalize:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|\\d{12}):'
  + '(dataset-group|schema|dataset)\\/[A-Za-z0-9][A-Za-z0-9-]*_\\*(\\/[A-Z_]+)?$/';

/**
 * A cdk-nag suppression, written in the metadata format cdk-nag reads from every
 * CfnResource (`cdk_nag.rules_to_suppress`), so the library needs no dependency on cdk-nag.
 */
export interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  /** The exact findings suppressed, or a regex of them, for rules that report findings (such as IAM5). */
  readonly appliesTo?: Array<string | { readonly regex: string }>;
}

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
    const handlerLogs = this.logGroup('HandlerLogs');
    handlerLogs.grantWrite(this.handlerRole);

    const code = lambda.Code.fromAsset(HANDLER_ASSET);
    const handlerFunction = (functionId: string, handler: string, timeout: Duration) => {
      const fn = new lambda.Function(this, functionId, {
        code,
        handler,
        timeout,
        runtime: HANDLER_RUNTIME,
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
    const onEventHandler = handlerFunction('OnEventHandler', 'index.onEvent', ON_EVENT_TIMEOUT);
    const isCompleteHandler = handlerFunction('IsCompleteHandler', 'index.isComplete', IS_COMPLETE_TIMEOUT);

    // Roles of our own for the framework's functions: the default ones carry the
    // AWS managed AWSLambdaBasicExecutionRole, which may write to any log group.
    const frameworkLogs = this.logGroup('FrameworkLogs');
    const frameworkRole = (roleId: string, description: string) => {
      const role = new iam.Role(this, roleId, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
      frameworkLogs.grantWrite(role);
      return role;
    };
    const frameworkOnEventRole = frameworkRole('FrameworkOnEventRole', 'Runs the cdk-personalize provider framework onEvent function');
    const frameworkWaiterRole = frameworkRole('FrameworkWaiterRole',
      'Runs the cdk-personalize provider framework isComplete and onTimeout functions');

    // Step Functions log delivery keeps the account's log resource policy small only for /aws/vendedlogs/ names.
    const waiterLogs = this.logGroup('WaiterLogs',
      `/aws/vendedlogs/states/cdk-personalize-${Names.uniqueResourceName(this, { maxLength: 128, separator: '-' })}`);

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler,
      isCompleteHandler,
      queryInterval: QUERY_INTERVAL,
      totalTimeout: TOTAL_TIMEOUT,
      logGroup: frameworkLogs,
      frameworkOnEventRole,
      frameworkCompleteAndTimeoutRole: frameworkWaiterRole,
      // The framework leaves the waiter's logging off unless told otherwise, even with log options.
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: {
        destination: waiterLogs,
        level: sfn.LogLevel.ALL,
        // Execution data holds the resource properties (role and key ARNs); states and errors are enough.
        includeExecutionData: false,
      },
    });
    this.serviceToken = provider.serviceToken;

    this.suppressFrameworkFindings(provider, [onEventHandler, isCompleteHandler], [frameworkOnEventRole, frameworkWaiterRole]);

    // The grants policy appears only as resources are added, after this constructor. A mutating
    // aspect visits this construct before any read-only aspect (cdk-nag) visits its children.
    let grantsChecked = false;
    Aspects.of(this).add({
      visit: (node) => {
        if (node !== this || grantsChecked) return;
        grantsChecked = true;
        this.suppressGrantPatternFindings();
      },
    }, { priority: AspectPriority.MUTATING });
  }

  /**
   * Generated names are granted by one pattern per resource kind and stack
   * (`STACKTOKEN_*`, see ADR 0002). That wildcard is the design, not an accident,
   * so cdk-nag's IAM5 is suppressed for exactly that shape of ARN and nothing wider.
   */
  private suppressGrantPatternFindings(): void {
    const stack = Stack.of(this);
    for (const policy of this.node.children.filter((child): child is iam.Policy => child instanceof iam.Policy)) {
      if (!JSON.stringify(stack.resolve(policy.document.toJSON())).includes('*')) continue;
      addNagSuppressions(policy.node.defaultChild as CfnResource, [{
        id: 'AwsSolutions-IAM5',
        reason: 'Generated names are STACKTOKEN_PATH-HASH, and the hash changes when a replacement is needed. One '
          + 'pattern per resource kind (STACKTOKEN_*) covers every generated name of this stack, including the names '
          + 'replacements get, and no name of another stack, since stack names cannot contain an underscore. '
          + 'Explicit names are granted by exact ARN.',
        appliesTo: [{ regex: GENERATED_NAME_GRANT_FINDING }],
      }]);
    }
  }

  private logGroup(id: string, logGroupName?: string): logs.LogGroup {
    return new logs.LogGroup(this, id, { logGroupName, retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
  }

  /**
   * The cdk-nag AwsSolutions findings on the parts of the Provider framework that
   * this library cannot change, each suppressed on its own resource and, where the
   * rule reports findings, on the exact finding. Everything else is fixed instead.
   */
  private suppressFrameworkFindings(provider: cr.Provider, handlers: lambda.Function[], frameworkRoles: iam.Role[]): void {
    const stack = Stack.of(this);
    const invokeAnyVersion = (fn: IConstruct) => `Resource::<${stack.resolve((fn.node.defaultChild as CfnResource).logicalId)}.Arn>:*`;
    const frameworkFunction = (name: string) => provider.node.tryFindChild(`framework-${name}`);
    const waiter = provider.node.tryFindChild('waiter-state-machine');

    const invokeReason = 'lambda:InvokeFunction is granted by Function.grantInvoke in the CDK Provider framework, '
      + 'which adds ARN:* so that versions and aliases of that one function can be invoked; no other function is covered.';
    const runtimeReason = 'The Provider framework picks its own Node.js runtime (aws-cdk-lib latest-node regional fact) '
      + 'and moves it forward with aws-cdk-lib releases; this library runs no code in these functions.';

    const plan: Array<[IConstruct | undefined, NagSuppression[]]> = [
      ...['onEvent', 'isComplete', 'onTimeout'].map((name): [IConstruct | undefined, NagSuppression[]] =>
        [frameworkFunction(name), [{ id: 'AwsSolutions-L1', reason: runtimeReason }]]),
      ...frameworkRoles.map((role): [IConstruct | undefined, NagSuppression[]] =>
        [role.node.tryFindChild('DefaultPolicy'), [{ id: 'AwsSolutions-IAM5', reason: invokeReason, appliesTo: handlers.map(invokeAnyVersion) }]]),
      [waiter?.node.tryFindChild('Role')?.node.tryFindChild('DefaultPolicy'), [
        {
          id: 'AwsSolutions-IAM5',
          reason: invokeReason,
          appliesTo: ['isComplete', 'onTimeout'].flatMap((name) => {
            const fn = frameworkFunction(name);
            return fn ? [invokeAnyVersion(fn)] : [];
          }),
        },
        {
          id: 'AwsSolutions-IAM5',
          reason: 'Step Functions log delivery to CloudWatch Logs (logs:CreateLogDelivery and related actions) '
            + 'does not support resource-level permissions, so AWS requires Resource * for it.',
          appliesTo: ['Resource::*'],
        },
      ]],
      [waiter, [{
        id: 'AwsSolutions-SF2',
        reason: 'The framework waiter only calls the isComplete and onTimeout functions in a retry loop; every state '
          + 'and error is logged at level ALL, and X-Ray would add Resource * permissions and cost without more insight.',
      }]],
    ];

    for (const [construct, suppressions] of plan) {
      const resource = construct?.node.defaultChild ?? construct;
      // A newer aws-cdk-lib may reshape the framework; then cdk-nag reports what changed rather than synth failing.
      if (CfnResource.isCfnResource(resource)) addNagSuppressions(resource, suppressions);
    }
  }
}

/** Adds suppressions to a resource's `cdk_nag` metadata, keeping any that are there already. */
export function addNagSuppressions(resource: CfnResource, suppressions: NagSuppression[]): void {
  const existing = (resource.getMetadata('cdk_nag') as { rules_to_suppress?: unknown[] } | undefined)?.rules_to_suppress ?? [];
  const rules = suppressions.map(({ id, reason, appliesTo }) => (appliesTo ? { id, reason, applies_to: appliesTo } : { id, reason }));
  resource.addMetadata('cdk_nag', { rules_to_suppress: [...existing, ...rules] });
}
