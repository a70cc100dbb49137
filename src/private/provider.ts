import * as path from 'path';
import { Annotations, AspectPriority, Aspects, CfnResource, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { KindDeclaration, PERSONALIZE_NAME } from './declaration';
import { newestNodeRuntime } from './handler-runtime';
import { HANDLER_TIMINGS } from './handler-timings';
import { LongWait } from './long-wait';
import { describeValue } from './messages';
import { addNagSuppressions, flattenForNag, NagSuppression } from './nag';
import { EVENT_TRACKER, groupChildKinds, PERSONALIZE_KINDS, SOLUTION_VERSION } from '../personalize/private/declarations';
import type { ProviderFunctionsOptions } from '../provider-functions';

const ON_EVENT_TIMEOUT = Duration.millis(HANDLER_TIMINGS.onEventTimeoutMs);
const IS_COMPLETE_TIMEOUT = Duration.millis(HANDLER_TIMINGS.isCompleteTimeoutMs);
/** Between isComplete invocations; each invocation polls on its own schedule. */
const QUERY_INTERVAL = Duration.seconds(1);
const TOTAL_TIMEOUT = Duration.millis(HANDLER_TIMINGS.providerTotalTimeoutMs);

/**
 * The handler's grants on "*": actions that take no resource-level permission (List and
 * Describe actions such as personalize:ListDatasets and rekognition:DescribeProjects). They
 * are a policy of their own because cdk-nag suppressions apply per policy: the one for
 * `Resource::*` covers this policy and nothing a later grant adds to PersonalizeAccess.
 */
export const RESOURCELESS_POLICY_ID = 'ResourcelessActions';

/** Every log group of the provider keeps a month of logs: enough to debug a deploy, never kept forever. */
const LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

const HANDLER_ASSET = path.join(__dirname, '..', '..', 'assets', 'provider-handler');

/** The KMS key each stack's provider logs are encrypted with, set through ProviderLogging.configure. */
const LOG_KEYS = new WeakMap<Stack, kms.IKey>();
/** Each stack's function settings, set through ProviderFunctions.configure before its provider exists. */
const FUNCTION_SETTINGS = new WeakMap<Stack, ProviderFunctionsOptions>();
/** What Lambda needs to attach a function to a VPC: the actions of the AWS managed AWSLambdaVPCAccessExecutionRole. */
const VPC_NETWORK_INTERFACE_ACTIONS = [
  'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
];
/** What CloudWatch Logs needs on a customer managed key to encrypt and read a log group with it. */
const LOGS_KEY_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

/** How cdk-nag names a finding on a Personalize resource ARN of the stack's partition, region and account. */
const PERSONALIZE_FINDING_PREFIX = '^Resource::arn:(<AWS::Partition>|aws[a-z-]*):personalize:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|\\d{12}):';
const arnResourcesOf = (kinds: readonly KindDeclaration[]) => kinds.map((kind) => kind.arn!.resource).join('|');

/** The delete grants of emptyOnDelete: every resource of a child type, in this account and region. */
const EMPTY_ON_DELETE_FINDING = new RegExp(`${PERSONALIZE_FINDING_PREFIX}(${arnResourcesOf(groupChildKinds())})\\/\\*$`);

/** Event trackers: the service picks the ID in their ARN, so the handler's grant names every tracker of the account and region. */
const EVENT_TRACKER_FINDING = new RegExp(`${PERSONALIZE_FINDING_PREFIX}${EVENT_TRACKER.arn!.resource}\\/\\*$`);

/** A solution's versions, `solution/NAME/*`: the service picks the ID that ends a version's ARN. */
const SOLUTION_VERSIONS_FINDING = new RegExp(`${PERSONALIZE_FINDING_PREFIX}${SOLUTION_VERSION.arn!.resource}\\/${PERSONALIZE_NAME}\\/\\*$`);

/** The kinds whose names the stack generates, all granted by one pattern per kind (src/private/names.ts). */
const GENERATED_NAME_KINDS = PERSONALIZE_KINDS.filter((kind) => kind.arn && !kind.arn.idPickedByService);
/**
 * The cdk-nag finding for the grant on a stack's generated names: an ARN of a kind whose names
 * the stack generates, whose only wildcard follows a stack token and its `_` (for a dataset,
 * in its group's name), as src/private/names.ts makes them.
 */
const GENERATED_NAME_GRANT_FINDING = `/${PERSONALIZE_FINDING_PREFIX}(${arnResourcesOf(GENERATED_NAME_KINDS)})\\/[A-Za-z0-9][A-Za-z0-9-]*_\\*(\\/[A-Z_]+)?$/`;

/**
 * The grants of Rekognition Custom Labels datasets (ADR 0006): a dataset ARN ends in its
 * creation time, so the handler is granted a project's datasets of one type
 * (`project/NAME/dataset/train/*`) and CreateDataset on the project (`project/NAME/*`).
 * The image reads a manifest needs are acknowledged where they are granted, each with its own reason.
 */
const REKOGNITION_GRANT_FINDING =
  /^Resource::arn:(<AWS::Partition>|aws[a-z-]*):rekognition:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|\d{12}):project\/[^*/]+\/(dataset\/(train|test)\/)?\*$/;

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

  /**
   * Encrypts the log groups of the stack's provider with `key`, whether the provider
   * exists yet or is created later. One key per stack; setting a different one fails.
   */
  public static encryptLogsWith(scope: IConstruct, key: kms.IKey): void {
    const stack = Stack.of(scope);
    const current = LOG_KEYS.get(stack);
    if (current && current !== key) {
      throw new Error(`Invalid encryptionKey: the provider logs of stack '${stack.node.path}' are already encrypted with key `
        + `'${current.node.path}', and a stack has one provider, so one logs key; got key '${key.node.path}'.`);
    }
    LOG_KEYS.set(stack, key);
    const existing = stack.node.tryFindChild(PersonalizeProvider.ID) as PersonalizeProvider | undefined;
    existing?.applyLogKey(key);
  }

  /**
   * Sets the function settings of the stack `scope` belongs to. They shape functions and
   * roles as they are created, so they must come before the stack's provider exists.
   */
  public static configureFunctions(scope: IConstruct, options: ProviderFunctionsOptions): void {
    const stack = Stack.of(scope);
    if (stack.node.tryFindChild(PersonalizeProvider.ID)) {
      throw new Error(`ProviderFunctions.configure was called for stack '${stack.node.path}' after its first cdk-personalize `
        + 'construct: the provider functions already exist. Call it before defining the stack\'s Personalize and Rekognition resources.');
    }
    if (FUNCTION_SETTINGS.has(stack)) {
      throw new Error(`ProviderFunctions.configure was already called for stack '${stack.node.path}': a stack has one provider, `
        + 'so one set of function settings. Pass every setting in one call.');
    }
    FUNCTION_SETTINGS.set(stack, options);
  }

  private static readonly ID = 'CdkPersonalizeProvider';

  public readonly serviceToken: string;
  /** The role both handler functions run as; resources add their own narrow grants to it. */
  public readonly handlerRole: iam.Role;
  private readonly logGroups: logs.LogGroup[] = [];
  private logKey?: kms.IKey;
  private readonly code: lambda.Code;
  private readonly handlerLogs: logs.LogGroup;
  private longWaits?: LongWait;

  /** What every function of the library shares: runtime, placement, concurrency and dead-letter queue. */
  private readonly functionSettings: Pick<lambda.FunctionProps,
  'vpc' | 'vpcSubnets' | 'securityGroups' | 'reservedConcurrentExecutions' | 'deadLetterQueue'> & { readonly runtime: lambda.Runtime };

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const settings = FUNCTION_SETTINGS.get(Stack.of(this)) ?? {};
    this.functionSettings = {
      runtime: settings.runtime ?? newestNodeRuntime(),
      vpc: settings.vpc,
      vpcSubnets: settings.vpcSubnets,
      securityGroups: settings.securityGroups,
      reservedConcurrentExecutions: settings.reservedConcurrentExecutions,
      deadLetterQueue: settings.deadLetterQueue,
    };

    this.handlerRole = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the cdk-personalize custom resource handler',
    });
    const handlerLogs = this.logGroup('HandlerLogs');
    handlerLogs.grantWrite(this.handlerRole);
    this.handlerLogs = handlerLogs;

    const code = lambda.Code.fromAsset(HANDLER_ASSET);
    this.code = code;
    const handlerFunction = (functionId: string, handler: string, timeout: Duration) => {
      const fn = new lambda.Function(this, functionId, {
        ...this.functionSettings,
        code,
        handler,
        timeout,
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

    for (const role of [this.handlerRole, frameworkOnEventRole, frameworkWaiterRole]) this.allowVpcNetworking(role);
    const provider = new cr.Provider(this, 'Provider', {
      vpc: this.functionSettings.vpc,
      vpcSubnets: this.functionSettings.vpcSubnets,
      securityGroups: this.functionSettings.securityGroups,
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

    const logKey = LOG_KEYS.get(Stack.of(this));
    if (logKey) this.applyLogKey(logKey);

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
   * The stack's long wait (ADR 0014), made on first use, so that only stacks with work
   * that outlasts a custom resource (training, imports) have it. The handler may start waits.
   */
  public longWait(): LongWait {
    if (!this.longWaits) {
      this.longWaits = new LongWait(this, 'LongWait', {
        code: this.code,
        functionSettings: this.functionSettings,
        logGroup: this.handlerLogs,
        logRetention: LOG_RETENTION,
      });
      this.allowVpcNetworking(this.longWaits.node.findChild('Role') as iam.Role);
      this.longWaits.grantStart(this.handlerRole);
      for (const logGroup of this.longWaits.logGroups) this.logGroups.push(logGroup);
      if (this.logKey) this.applyLogKey(this.logKey, true);
    }
    return this.longWaits;
  }

  /**
   * Generated names are granted by one pattern per resource kind and stack
   * (`STACKTOKEN_*`, see ADR 0002). That wildcard is the design, not an accident,
   * so cdk-nag's IAM5 is suppressed for exactly that shape of ARN and nothing wider.
   */
  private suppressGrantPatternFindings(): void {
    const stack = Stack.of(this);
    const grantPolicies = [...this.node.children, ...this.longWaits?.node.children ?? []]
      .filter((child): child is iam.Policy => child instanceof iam.Policy);
    for (const policy of grantPolicies) {
      const document = stack.resolve(policy.document.toJSON()) as { Statement?: Array<{ Effect?: string; Action?: unknown; Resource?: unknown }> };
      if (policy.node.id === RESOURCELESS_POLICY_ID) {
        // Only this policy may grant on "*": a statement on "*" anywhere else is reported by cdk-nag.
        const actions = [...new Set((document.Statement ?? []).flatMap((statement) => [statement.Action].flat() as string[]))].sort();
        addNagSuppressions(policy.node.defaultChild as CfnResource, [{
          id: 'AwsSolutions-IAM5',
          reason: 'This policy holds only read-only actions that take no resource-level permission, so AWS authorizes them on "*" '
            + `only: ${actions.join(', ')}. The handler reads them to find what it manages (a Custom Labels project, a solution `
            + 'version by name) and to name the resources that block a delete.',
          appliesTo: ['Resource::*'],
        }]);
        continue;
      }
      if (!JSON.stringify(document).includes('*')) continue;
      // cdk-nag reports wildcards of Allow statements only: the ownership guard (a Deny) needs no suppression.
      if ((document.Statement ?? []).every((statement) => statement.Effect === 'Deny')) continue;
      // cdk-nag 3 matches exact findings only: list the ones the pattern admits, each as cdk-nag names it.
      const [, pattern, flags] = GENERATED_NAME_GRANT_FINDING.match(/^\/(.*)\/(\w*)$/)!;
      const admitted = new RegExp(pattern, flags);
      const findings = [...new Set((document.Statement ?? [])
        .flatMap((statement) => (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]))
        .map((resource) => `Resource::${flattenForNag(resource)}`)
        .filter((finding) => finding.includes('*')))];
      const exactFindings = findings.filter((finding) => admitted.test(finding));
      const trackerFindings = findings.filter((finding) => EVENT_TRACKER_FINDING.test(finding));
      const childFindings = findings.filter((finding) => EMPTY_ON_DELETE_FINDING.test(finding) && !trackerFindings.includes(finding));
      const rekognitionFindings = findings.filter((finding) => REKOGNITION_GRANT_FINDING.test(finding));
      const versionFindings = findings.filter((finding) => SOLUTION_VERSIONS_FINDING.test(finding));
      const suppressions: NagSuppression[] = [];
      if (trackerFindings.length > 0) {
        suppressions.push({
          id: 'AwsSolutions-IAM5',
          reason: 'An event tracker ARN ends in an ID the service picks at create time, so no grant can name it in advance: '
            + 'the handler may describe, tag and delete event trackers of this account and region, and deletes only one that '
            + 'carries its own stack resource\'s owner tag (a dataset group with emptyOnDelete deletes its group\'s trackers too).',
          appliesTo: trackerFindings,
        });
      }
      if (childFindings.length > 0) {
        suppressions.push({
          id: 'AwsSolutions-IAM5',
          reason: 'A dataset group with emptyOnDelete deletes every child the group holds when it is deleted, including '
            + 'children made outside the stack, whose names the stack cannot know: the delete actions cover those resource types.',
          appliesTo: childFindings,
        });
      }
      if (versionFindings.length > 0) {
        suppressions.push({
          id: 'AwsSolutions-IAM5',
          reason: 'A solution version ARN ends in an ID the service picks when training starts, so no grant can name it in advance: '
            + 'the handler (which starts and stops training) and the long wait (which describes it) are granted the versions '
            + 'of one solution, solution/NAME/*.',
          appliesTo: versionFindings,
        });
      }
      if (rekognitionFindings.length > 0) {
        suppressions.push({
          id: 'AwsSolutions-IAM5',
          reason: 'A Rekognition Custom Labels dataset ARN ends in its creation time, unknown before CreateDataset: the handler '
            + 'is granted the datasets of one type in one project, and CreateDataset on that project.',
          appliesTo: rekognitionFindings,
        });
      }
      addNagSuppressions(policy.node.defaultChild as CfnResource, [...suppressions, {
        id: 'AwsSolutions-IAM5',
        reason: 'Generated names are STACKTOKEN_PATH-HASH, and the hash changes when a replacement is needed. One '
          + 'pattern per resource kind (STACKTOKEN_*) covers every generated name of this stack, including the names '
          + 'replacements get, and no name of another stack, since stack names cannot contain an underscore. '
          + 'Explicit names are granted by exact ARN.',
        appliesTo: [{ regex: GENERATED_NAME_GRANT_FINDING }],
        exactFindings,
      }]);
    }
  }

  /**
   * Lets a function role create and remove the network interfaces Lambda attaches a function
   * in a VPC with, when the stack's functions run in one; these actions take no resource-level
   * permissions when Lambda calls them for a function, so AWS's own managed policy grants them on "*".
   */
  private allowVpcNetworking(role: iam.Role): void {
    if (!this.functionSettings.vpc) return;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: VPC_NETWORK_INTERFACE_ACTIONS, resources: ['*'] }));
    const policy = role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (CfnResource.isCfnResource(policy)) {
      addNagSuppressions(policy, [{
        id: 'AwsSolutions-IAM5',
        reason: 'In a VPC, Lambda creates and deletes the function\'s network interfaces with its role: the actions of the AWS '
          + 'managed AWSLambdaVPCAccessExecutionRole, which AWS grants on "*" because the interfaces do not exist before.',
        appliesTo: ['Resource::*'],
      }]);
    }
  }

  private logGroup(id: string, logGroupName?: string): logs.LogGroup {
    const logGroup = new logs.LogGroup(this, id, { logGroupName, retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
    this.logGroups.push(logGroup);
    return logGroup;
  }

  /**
   * Encrypts every log group of the provider with `key`, and lets CloudWatch Logs in
   * this region use the key for the account's log groups, as CloudWatch Logs requires.
   */
  private applyLogKey(key: kms.IKey, logGroupsAddedLater = false): void {
    if (this.logKey === key && !logGroupsAddedLater) return;
    this.logKey = key;
    const stack = Stack.of(this);
    for (const logGroup of this.logGroups) {
      (logGroup.node.defaultChild as logs.CfnLogGroup).kmsKeyId = key.keyArn;
      // The key policy must allow CloudWatch Logs before the log group is created with the key.
      logGroup.node.addDependency(key);
    }
    // The key's statement for CloudWatch Logs covers every log group of the account; it is added once.
    if (logGroupsAddedLater) return;
    const logsPrincipal = `logs.${stack.region}.amazonaws.com`;
    const { statementAdded } = key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(logsPrincipal)],
      actions: LOGS_KEY_ACTIONS,
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
      },
    }));
    if (!statementAdded) {
      Annotations.of(this).addWarningV2('cdk-personalize:importedLogKeyPolicy',
        `The policy of the imported key ${describeValue(key.keyArn, key)} cannot be changed by this app. It must allow `
        + `${Token.isUnresolved(stack.region) ? 'logs.REGION.amazonaws.com' : logsPrincipal} ${LOGS_KEY_ACTIONS.join(', ')} `
        + 'on log groups of this account, or the provider log groups will fail to create.');
    }
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
        [frameworkFunction(name), [
          { id: 'AwsSolutions-L1', reason: runtimeReason },
          // The Serverless pack's names for the same two facts about the framework's functions.
          { id: 'Serverless-LambdaLatestVersion', reason: runtimeReason },
          {
            id: 'Serverless-LambdaDefaultMemorySize',
            reason: 'The Provider framework sets no memory size on its own functions and offers no option to; they only '
              + 'relay events to the handler functions, which set theirs (256 MB).',
          },
        ]]),
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
      [waiter, ['AwsSolutions-SF2', 'Serverless-StepFunctionStateMachineXray'].map((id) => ({
        id,
        reason: 'The framework waiter only calls the isComplete and onTimeout functions in a retry loop; every state '
          + 'and error is logged at level ALL, and X-Ray would add Resource * permissions and cost without more insight.',
      }))],
    ];

    for (const [construct, suppressions] of plan) {
      const resource = construct?.node.defaultChild ?? construct;
      // A newer aws-cdk-lib may reshape the framework; then cdk-nag reports what changed rather than synth failing.
      if (CfnResource.isCfnResource(resource)) addNagSuppressions(resource, suppressions);
    }
  }
}
