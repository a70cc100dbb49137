import * as path from 'path';
import {
  CreateDatasetGroupCommand, DeleteDatasetGroupCommand, DescribeDatasetGroupCommand, ListTagsForResourceCommand, PersonalizeClient,
  TagResourceCommand, UntagResourceCommand,
} from '@aws-sdk/client-personalize';
import { App, Aspects, CfnResource, CustomResource, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import * as nag3 from 'cdk-nag3';
import { createHandlers } from '../lambda';
import { DEFAULT_WAIT_POLICY } from '../lambda/engine';
import {
  AutoTraining, BatchInferenceJob, BatchSegmentJob, Campaign, Dataset, DatasetGroup, DatasetImportJob, DatasetType, Domain, EventTracker, Filter,
  FilterExpression, ImportMode,
  ImportSource, MetricAttribution, MetricExpression, Recipe, Recommender, Schema, SchemaDefinition, SchemaField, Solution, SolutionVersion,
  UseCase,
} from '../src';
import { addInteractionsAndActions, INTERACTION_FIELDS } from './support/custom-datasets';
import {
  createGroupEvent, deleteGroupEvent, describedGroup, GROUP_ARN, isCompleteEvent, KEY_ARN, ROLE_ARN, SHORT_WAIT_POLICY, updateGroupEvent,
} from './support/dataset-group-fixtures';
import { inUse, notFound, throttled } from './support/personalize-errors';
import { VirtualClock } from './support/virtual-clock';
import { grantHandler } from '../src/private/handler-access';
import { PersonalizeProvider } from '../src/private/provider';

process.env.CDK_PERSONALIZE_SILENT = 'true';
process.env.AWS_REGION = 'us-east-1';

const IMPORTED_ROLE_ARN = 'arn:aws:iam::123456789012:role/team/PersonalizeKeyAccess';

interface EveryConstruct {
  readonly stack: Stack;
  /** Dataset groups that pass a role to Personalize. */
  readonly groupsWithRoles: DatasetGroup[];
  /** Every role the handler passes to Personalize. */
  readonly passedRoles: iam.IRole[];
}

/** A stack with every construct and option of the library, as a security review would want it covered. */
function stackWithEveryConstruct(): EveryConstruct {
  const app = new App();
  const stack = new Stack(app, 'Security', { env: { account: '123456789012', region: 'us-east-1' } });
  const key = new kms.Key(stack, 'DatasetKey', { enableKeyRotation: true });

  const custom = new DatasetGroup(stack, 'Custom');
  const video = new DatasetGroup(stack, 'Domain', { datasetGroupName: 'video', domain: Domain.VIDEO_ON_DEMAND });
  const withCreatedRole = new DatasetGroup(stack, 'EncryptedCreatedRole', { domain: Domain.ECOMMERCE, kmsKey: key });
  const withImportedRole = new DatasetGroup(stack, 'EncryptedImportedRole', {
    kmsKey: key,
    role: iam.Role.fromRoleArn(stack, 'ImportedRole', IMPORTED_ROLE_ARN),
  });

  const customInteractions = addInteractionsAndActions(stack, custom);
  const videoInteractions = new Schema(stack, 'VideoInteractionsSchema', {
    domain: Domain.VIDEO_ON_DEMAND, definition: SchemaDefinition.fromFields(INTERACTION_FIELDS),
  });
  video.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema: videoInteractions });
  // A dataset in a group and with a schema that this app imports.
  new Dataset(stack, 'ImportedGroupUsers', {
    datasetGroup: DatasetGroup.fromDatasetGroupArn(stack, 'ImportedGroup', 'arn:aws:personalize:us-east-1:123456789012:dataset-group/shared'),
    datasetType: DatasetType.USERS,
    schema: Schema.fromSchemaArn(stack, 'ImportedSchema', 'arn:aws:personalize:us-east-1:123456789012:schema/shared-users'),
  });
  new EventTracker(stack, 'Tracker', { datasetGroup: custom });
  new EventTracker(stack, 'VideoTracker', { datasetGroup: video, eventTrackerName: 'video-clicks' });
  const purchased = FilterExpression.fromText('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")');
  new Filter(stack, 'Purchased', { datasetGroup: custom, expression: purchased });
  new Filter(stack, 'VideoPurchased', { datasetGroup: video, expression: purchased, filterName: 'video' });
  const metricsBucket = new s3.Bucket(stack, 'MetricsBucket', {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    enforceSSL: true,
    serverAccessLogsPrefix: 'access/',
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  });
  const attribution = new MetricAttribution(stack, 'Metrics', {
    datasetGroup: custom, outputBucket: metricsBucket, metrics: [{ metricName: 'CLICKS', eventType: 'click', expression: MetricExpression.sampleCount() }],
  });
  // Imports from a CSV asset (copied into the construct's bucket) and from a KMS-encrypted prefix.
  const fromAsset = new DatasetImportJob(stack, 'ImportEvents', {
    dataset: customInteractions, source: ImportSource.fromAsset(path.join(__dirname, 'fixtures', 'import', 'events.csv')),
  });
  const fromPrefix = new DatasetImportJob(stack, 'ImportMoreEvents', {
    dataset: customInteractions, source: ImportSource.fromBucket(metricsBucket, 'imports/'), importMode: ImportMode.INCREMENTAL,
  });
  new Recommender(stack, 'TopPicks', { datasetGroup: video, useCase: UseCase.VOD_TOP_PICKS });
  new Recommender(stack, 'Trending', { datasetGroup: video, useCase: UseCase.VOD_TRENDING_NOW, recommenderName: 'video' });
  const recs = new Solution(stack, 'Recs', { datasetGroup: custom, recipe: Recipe.USER_PERSONALIZATION_V2, autoTraining: AutoTraining.off() });
  const recsTraining = new SolutionVersion(stack, 'RecsTraining', { solution: recs });
  new Campaign(stack, 'Campaign', { solutionVersion: recsTraining });
  const named = new Solution(stack, 'VideoRecs', { datasetGroup: video, recipe: Recipe.SIMS, autoTraining: AutoTraining.off(), solutionName: 'video-recs' });
  new SolutionVersion(stack, 'VideoRecsTraining', { solution: named });
  // Batch recommendations with recurring runs (a schedule, its role and dead-letter queue), and segments, on a KMS bucket.
  const nightly = new BatchInferenceJob(stack, 'Nightly', {
    solutionVersion: recsTraining,
    inputBucket: metricsBucket,
    inputKey: 'batch/users.jsonl',
    outputBucket: metricsBucket,
    outputPrefix: 'batch/out/',
    recurringRuns: { schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }) },
  });
  const affinity = new Solution(stack, 'Affinity', { datasetGroup: custom, recipe: Recipe.ITEM_AFFINITY, autoTraining: AutoTraining.off() });
  const segments = new BatchSegmentJob(stack, 'Segments', {
    solutionVersion: new SolutionVersion(stack, 'AffinityTraining', { solution: affinity }),
    inputBucket: metricsBucket,
    inputKey: 'batch/items/',
    outputBucket: metricsBucket,
    outputPrefix: 'batch/segments/',
  });
  Tags.of(stack).add('cost-center', 'recommendations');
  return {
    stack,
    groupsWithRoles: [withCreatedRole, withImportedRole],
    passedRoles: [withCreatedRole.role!, withImportedRole.role!, attribution.role, fromAsset.role, fromPrefix.role, nightly.role, segments.role],
  };
}

interface Statement {
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource: unknown[];
  readonly Condition?: Record<string, Record<string, unknown>>;
  readonly Principal?: unknown;
}

/** Every statement of every identity and key policy in the template, with Action and Resource as lists. */
function allStatements(template: Template): Statement[] {
  const documents: Array<{ Statement: any[] }> = [];
  for (const resource of Object.values<any>(template.toJSON().Resources)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') documents.push(props.PolicyDocument);
    if (resource.Type === 'AWS::IAM::Role') for (const policy of props.Policies ?? []) documents.push(policy.PolicyDocument);
    if (resource.Type === 'AWS::KMS::Key') documents.push(props.KeyPolicy);
  }
  const asList = (value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
  return documents.flatMap((document) => document.Statement.map((s) => ({ ...s, Action: asList(s.Action), Resource: asList(s.Resource) })));
}

function resourcesOfType(template: Template, type: string): Array<[string, any]> {
  return Object.entries<any>(template.toJSON().Resources).filter(([, resource]) => resource.Type === type);
}

describe('cdk-nag AwsSolutions', () => {
  const { stack } = stackWithEveryConstruct();
  Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
  const annotations = Annotations.fromStack(stack);
  const describeFindings = (findings: Array<{ id: string; entry: { data?: unknown } }>) =>
    findings.map((finding) => `${finding.id}: ${String(finding.entry.data).split('\n')[0]}`);

  test('reports no errors on a stack with every construct and option', () => {
    expect(describeFindings(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')))).toEqual([]);
  });

  test('reports no warnings on a stack with every construct and option', () => {
    expect(describeFindings(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')))).toEqual([]);
  });

  test('reports nothing in an environment-agnostic stack either, where ARNs hold the region and account as tokens', () => {
    const agnostic = new Stack(new App(), 'Agnostic');
    const group = new DatasetGroup(agnostic, 'Group', { kmsKey: new kms.Key(agnostic, 'Key', { enableKeyRotation: true }) });
    group.addDataset('Interactions', {
      datasetType: DatasetType.INTERACTIONS,
      schema: new Schema(agnostic, 'Schema', {
        definition: SchemaDefinition.fromFields([SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP')]),
      }),
    });
    Aspects.of(agnostic).add(new AwsSolutionsChecks());
    const found = Annotations.fromStack(agnostic);
    expect(describeFindings([
      ...found.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...found.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ])).toEqual([]);
  });

  test('every suppression sits on a Provider framework resource or the generated-name grants, with a reason and its findings', () => {
    const template = Template.fromStack(stack);
    const suppressed = Object.entries<any>(template.toJSON().Resources)
      .filter(([, resource]) => resource.Metadata?.cdk_nag)
      .flatMap(([logicalId, resource]) => resource.Metadata.cdk_nag.rules_to_suppress.map((rule: any) => ({ logicalId, ...rule })));

    expect(suppressed.map((rule) => `${rule.logicalId} ${rule.id}`).sort()).toEqual([
      'CdkPersonalizeProviderFrameworkOnEventRoleDefaultPolicyCFA3D4D5 AwsSolutions-IAM5',
      'CdkPersonalizeProviderFrameworkWaiterRoleDefaultPolicy4EBBB2D2 AwsSolutions-IAM5',
      // The long wait's grants: the versions of a named solution, and the stack's generated solution and import job names.
      'CdkPersonalizeProviderLongWaitAccess3B257C05 AwsSolutions-IAM5',
      'CdkPersonalizeProviderLongWaitAccess3B257C05 AwsSolutions-IAM5',
      // The long wait's state machine, as the framework's waiter: ARN:* of its one function, log delivery, no X-Ray.
      'CdkPersonalizeProviderLongWaitStateMachine4B1BE8A0 AwsSolutions-SF2',
      'CdkPersonalizeProviderLongWaitStateMachine4B1BE8A0 Serverless-StepFunctionStateMachineXray',
      'CdkPersonalizeProviderLongWaitStateMachineRoleDefaultPolicyF44BE08F AwsSolutions-IAM5',
      'CdkPersonalizeProviderLongWaitStateMachineRoleDefaultPolicyF44BE08F AwsSolutions-IAM5',
      // The handler's grants, one suppression per reason: tagging, stops and deletes under the owner tag; reads of any
      // resource; generated-name import copies; schemas and attributions by any name; an import's own bucket; the
      // account's event trackers; emptyOnDelete's child types; a named solution's versions; and the
      // stack's generated-name patterns. (The List actions on "*" are in a policy of their own, ResourcelessActions.)
      'CdkPersonalizeProviderPersonalizeAccess594E90D0 AwsSolutions-IAM5',
      'CdkPersonalizeProviderPersonalizeAccess594E90D0 AwsSolutions-IAM5',
      'CdkPersonalizeProviderPersonalizeAccess594E90D0 AwsSolutions-IAM5',
      'CdkPersonalizeProviderPersonalizeAccess594E90D0 AwsSolutions-IAM5',
      'CdkPersonalizeProviderPersonalizeAccess594E90D0 AwsSolutions-IAM5',
      'CdkPersonalizeProviderPersonalizeAccess594E90D0 AwsSolutions-IAM5',
      'CdkPersonalizeProviderPersonalizeAccess594E90D0 AwsSolutions-IAM5',
      'CdkPersonalizeProviderPersonalizeAccess594E90D0 AwsSolutions-IAM5',
      'CdkPersonalizeProviderPersonalizeAccess594E90D0 AwsSolutions-IAM5',
      // Resource::*, on the policy that holds only the actions without resource-level permission.
      'CdkPersonalizeProviderResourcelessActions289F3FA0 AwsSolutions-IAM5',
      ...['isComplete295C33AB', 'onEventD4ED7E21', 'onTimeout25AA84CB'].flatMap((fn) => [
        `CdkPersonalizeProviderframework${fn} AwsSolutions-L1`,
        `CdkPersonalizeProviderframework${fn} Serverless-LambdaDefaultMemorySize`,
        `CdkPersonalizeProviderframework${fn} Serverless-LambdaLatestVersion`,
      ]),
      'CdkPersonalizeProviderwaiterstatemachine6205A66B AwsSolutions-SF2',
      'CdkPersonalizeProviderwaiterstatemachine6205A66B Serverless-StepFunctionStateMachineXray',
      'CdkPersonalizeProviderwaiterstatemachineRoleDefaultPolicy363CC3E2 AwsSolutions-IAM5',
      'CdkPersonalizeProviderwaiterstatemachineRoleDefaultPolicy363CC3E2 AwsSolutions-IAM5',
      'ImportEventsSourceBucket51A7EEED AwsSolutions-S1',
      'ImportMoreEventsServiceRoleDefaultPolicy2C664C09 AwsSolutions-IAM5',
      'MetricsServiceRoleDefaultPolicy420C06B5 AwsSolutions-IAM5',
      // The dead-letter queue of the recurring runs, and the runs' role on the names of its runs (prefix-<execution ID>).
      'NightlyFailedRunsE74F3B70 AwsSolutions-SQS3',
      'NightlyRunsRoleDefaultPolicyFF3B1378 AwsSolutions-IAM5',
      // The batch jobs' roles write their output folders.
      'NightlyServiceRoleDefaultPolicy482987F1 AwsSolutions-IAM5',
      'SegmentsServiceRoleDefaultPolicy3E9D2EB3 AwsSolutions-IAM5',
    ]);
    for (const rule of suppressed) {
      expect(rule.reason.length).toBeGreaterThanOrEqual(10);
      if (rule.id === 'AwsSolutions-IAM5') expect(rule.applies_to.length).toBeGreaterThan(0);
    }
    // Exact findings on function ARNs (ARN:* for versions), Resource::* for log delivery, one regex for name prefixes, and
    // the grant on what the stack made (its owner tag): Describe*, Delete* and Stop* on the account's Personalize resources.
    const findings = suppressed.flatMap((rule) => rule.applies_to ?? []);
    for (const finding of findings) {
      if (typeof finding === 'string') {
        expect(finding).toMatch(/^(Action::personalize:(Describe|Delete|Stop)\*|Resource::((<CdkPersonalizeProvider\w+\.Arn>:)?\*|arn:<AWS::Partition>:personalize:us-east-1:123456789012:(\*|(event-tracker|schema|metric-attribution|solution\/video-recs)\/\*)|arn:<AWS::Partition>:s3:::\*\/imports\/Security_\*|<(MetricsBucket|ImportEventsSourceBucket)\w+\.Arn>\/(metrics|imports|batch\/out|batch\/items|batch\/segments)\/\*|arn:<AWS::Partition>:personalize:us-east-1:123456789012:batch-inference-job\/Security_Nightly-[0-9a-f]{8}-\*))$/);
      } else {expect(finding.regex).toMatch(/^\/\^Resource::arn:\(<AWS::Partition>\|aws\[a-z-\]\*\):personalize:/);}
    }
  });

  test('Resource::* is acknowledged, among the handler\'s policies, only on its policy of actions on "*", which holds nothing else', () => {
    const template = Template.fromStack(stack);
    const handlerPolicies = Object.entries<any>(template.findResources('AWS::IAM::Policy'))
      .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes('CdkPersonalizeProviderHandlerRole'));
    const acknowledging = handlerPolicies.filter(([, policy]) => (policy.Metadata?.cdk_nag?.rules_to_suppress ?? [])
      .some((rule: any) => rule.id === 'AwsSolutions-IAM5' && (rule.applies_to ?? []).includes('Resource::*')));

    expect(acknowledging.map(([logicalId]) => logicalId)).toEqual([expect.stringMatching(/^CdkPersonalizeProviderResourcelessActions/)]);
    const [[, unscoped]] = acknowledging;
    const statements = unscoped.Properties.PolicyDocument.Statement as Array<{ Effect: string; Resource: unknown }>;
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.filter((statement) => statement.Effect !== 'Allow' || statement.Resource !== '*')).toEqual([]);
  });

  test('a statement on "*" added later to the handler\'s grants policy is reported by cdk-nag: no acknowledgment covers it', () => {
    const { stack: later } = stackWithEveryConstruct();
    const grants = later.node.findAll().find((construct) => construct.node.path === 'Security/CdkPersonalizeProvider/PersonalizeAccess') as iam.Policy;
    grants.addStatements(new iam.PolicyStatement({ actions: ['personalize:CreateSolution'], resources: ['*'] }));
    Aspects.of(later).add(new AwsSolutionsChecks());

    const errors = Annotations.fromStack(later).findError('*', Match.stringLikeRegexp('AwsSolutions-IAM5\\[Resource::\\*\\]'));
    expect(errors.map((error) => error.id)).toEqual(['/Security/CdkPersonalizeProvider/PersonalizeAccess/Resource']);
  });

  test('the generated-name grant suppression matches a stack\'s name pattern only, never a wider wildcard', () => {
    const [regex] = Object.values<any>(Template.fromStack(stack).toJSON().Resources)
      .flatMap((resource) => resource.Metadata?.cdk_nag?.rules_to_suppress ?? [])
      .flatMap((rule: any) => rule.applies_to ?? [])
      .filter((finding: unknown): finding is { regex: string } => typeof finding === 'object')
      .map((finding) => finding.regex.match(/^\/(.*)\/(\w*)$/)!)
      .map(([, pattern, flags]) => new RegExp(pattern, flags));
    const arn = (rest: string) => `Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:${rest}`;

    for (const allowed of [arn('dataset-group/Stack_*'), arn('schema/Stack-Prod_*'), arn('dataset/Stack_*/ACTION_INTERACTIONS'), arn('solution/Stack_*')]) {
      expect(regex.test(allowed)).toBe(true);
    }
    for (const wider of ['Resource::*', arn('*'), arn('dataset-group/*'), arn('dataset-group/_*'), arn('dataset/*/ITEMS'),
      arn('dataset-group/Stack-*'), arn('dataset-group/Stack_*_*'), arn('solution/*'), arn('dataset-group/Stack_x*'),
      'Resource::arn:<AWS::Partition>:personalize:*:*:dataset-group/Stack_*']) {
      expect(regex.test(wider)).toBe(false);
    }
  });

  test('every suppression is used: each listed finding is one cdk-nag actually raised', () => {
    const { stack: logged } = stackWithEveryConstruct();
    Aspects.of(logged).add(new AwsSolutionsChecks({ logIgnores: true }));
    const raised = Annotations.fromStack(logged).findInfo('*', Match.stringLikeRegexp('was triggered but suppressed'))
      .map((info) => String(info.entry.data).match(/^CdkNagSuppression(?:\[(.*)\])?: (\S+) was triggered/)!)
      .map(([, finding, ruleId]) => ({ ruleId, finding }));

    const declared = Object.values<any>(Template.fromStack(logged).toJSON().Resources)
      .flatMap((resource) => resource.Metadata?.cdk_nag?.rules_to_suppress ?? [])
      .filter((rule: any) => rule.id.startsWith('AwsSolutions-'))
      .flatMap((rule: any) => (rule.applies_to ?? [undefined]).map((finding: unknown) => ({ ruleId: rule.id, finding })));
    const covers = (entry: { ruleId: string; finding: unknown }, hit: { ruleId: string; finding?: string }) => {
      if (entry.ruleId !== hit.ruleId) return false;
      if (entry.finding === undefined || typeof entry.finding === 'string') return entry.finding === hit.finding;
      const [, pattern, flags] = (entry.finding as { regex: string }).regex.match(/^\/(.*)\/(\w*)$/)!;
      return new RegExp(pattern, flags).test(hit.finding ?? '');
    };

    expect(raised.filter((hit) => !declared.some((entry) => covers(entry, hit)))).toEqual([]);
    expect(declared.filter((entry) => !raised.some((hit) => covers(entry, hit)))).toEqual([]);
  });

  test('a suppression the library applies survives suppressions a consumer adds to the same resource', () => {
    const app = new App();
    const consumerStack = new Stack(app, 'Consumer');
    new DatasetGroup(consumerStack, 'Group');
    NagSuppressions.addResourceSuppressionsByPath(consumerStack, '/Consumer/CdkPersonalizeProvider/Provider/waiter-state-machine/Resource',
      [{ id: 'AwsSolutions-SF1', reason: 'A consumer suppression for the test.' }]);

    const rules = Template.fromStack(consumerStack).findResources('AWS::StepFunctions::StateMachine');
    const ids = Object.values<any>(rules)[0].Metadata.cdk_nag.rules_to_suppress.map((rule: any) => rule.id);
    expect(ids).toEqual(['AwsSolutions-SF2', 'Serverless-StepFunctionStateMachineXray', 'AwsSolutions-SF1']);
  });
});

/** Runs a cdk-nag 3 pack over a stack and returns its violations as `RULE PATH`, recording every acknowledgment it honoured. */
function runNag3(pack: nag3.NagPack, stack: Stack): { violations: string[]; acknowledged: Array<{ path: string; ruleId: string }> } {
  Template.fromStack(stack); // runs the aspects, as synthesis does before the validation plugins
  const acknowledged: Array<{ path: string; ruleId: string }> = [];
  const recorder = pack as unknown as { isAcknowledged(node: CfnResource, ruleId: string): boolean };
  const isAcknowledged = recorder.isAcknowledged.bind(pack);
  recorder.isAcknowledged = (node, ruleId) => {
    const result = isAcknowledged(node, ruleId);
    if (result) acknowledged.push({ path: node.node.path, ruleId });
    return result;
  };
  const report = pack.validateScope(stack);
  const violations = report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} ${resource.constructPath}`));
  return { violations, acknowledged };
}

/** The rule IDs the library acknowledges for cdk-nag 3, per construct path. */
function acknowledgmentsOf(stack: Stack): Array<{ path: string; ruleId: string }> {
  return stack.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
    .flatMap((entry) => Object.keys(entry.data as object).map((ruleId) => ({ path: construct.node.path, ruleId }))));
}

describe('cdk-nag 3 AwsSolutions (policy validation plugin)', () => {
  test('reports no violations on a stack with every construct and option', () => {
    const { stack } = stackWithEveryConstruct();
    expect(runNag3(new nag3.AwsSolutionsChecks(), stack).violations).toEqual([]);
  });

  test('reports no violations in an environment-agnostic stack, where ARNs hold the region and account as tokens', () => {
    const agnostic = new Stack(new App(), 'Agnostic');
    const group = new DatasetGroup(agnostic, 'Group', { kmsKey: new kms.Key(agnostic, 'Key', { enableKeyRotation: true }) });
    group.addDataset('Interactions', {
      datasetType: DatasetType.INTERACTIONS,
      schema: new Schema(agnostic, 'Schema', {
        definition: SchemaDefinition.fromFields([SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP')]),
      }),
    });
    expect(runNag3(new nag3.AwsSolutionsChecks(), agnostic).violations).toEqual([]);
  });

  test('every AwsSolutions acknowledgment the library writes is one cdk-nag 3 honoured, so none is stale', () => {
    const { stack } = stackWithEveryConstruct();
    const { acknowledged } = runNag3(new nag3.AwsSolutionsChecks(), stack);
    const written = acknowledgmentsOf(stack).filter((entry) => entry.ruleId.startsWith('AwsSolutions-'));
    const key = (entry: { path: string; ruleId: string }) => `${entry.path} ${entry.ruleId}`;
    expect(written.length).toBeGreaterThan(0);
    expect(written.map(key).filter((entry) => !acknowledged.map(key).includes(entry))).toEqual([]);
  });

  test('the generated-name grant is acknowledged by exact finding, one per ARN pattern and owned-resource wildcard', () => {
    const { stack } = stackWithEveryConstruct();
    Template.fromStack(stack);
    const grants = acknowledgmentsOf(stack).filter((entry) => entry.path.endsWith('PersonalizeAccess/Resource')).map((entry) => entry.ruleId);
    expect(grants.sort()).toEqual([
      // What the stack made, whatever its name: actions and resources IAM confines to this stack's owner tag.
      'AwsSolutions-IAM5[Action::personalize:Delete*]',
      'AwsSolutions-IAM5[Action::personalize:Describe*]',
      'AwsSolutions-IAM5[Action::personalize:Stop*]',
      'AwsSolutions-IAM5[Resource::<ImportEventsSourceBucket51A7EEED.Arn>/imports/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:us-east-1:123456789012:*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:us-east-1:123456789012:batch-inference-job/Security_*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:us-east-1:123456789012:batch-segment-job/Security_*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:us-east-1:123456789012:campaign/Security_*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:us-east-1:123456789012:dataset-group/Security_*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:us-east-1:123456789012:dataset-import-job/Security_*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:us-east-1:123456789012:dataset/Security_*/ACTIONS]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:us-east-1:123456789012:dataset/Security_*/INTERACTIONS]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:us-east-1:123456789012:event-tracker/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:us-east-1:123456789012:filter/Security_*]',
      // Schemas and attributions, whose tags IAM cannot see, by any name (also under emptyOnDelete's own reason).
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:us-east-1:123456789012:metric-attribution/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:us-east-1:123456789012:metric-attribution/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:us-east-1:123456789012:metric-attribution/Security_*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:us-east-1:123456789012:recommender/Security_*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:us-east-1:123456789012:schema/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:us-east-1:123456789012:schema/Security_*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:us-east-1:123456789012:solution/Security_*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:us-east-1:123456789012:solution/video-recs/*]',
      // The copies of generated-name import jobs, in any of the stack's import buckets.
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::*/imports/Security_*]',
    ]);
  });

  test('Resource::* is acknowledged on the handler\'s policy of actions on "*" alone', () => {
    const { stack } = stackWithEveryConstruct();
    Template.fromStack(stack);
    const acknowledged = acknowledgmentsOf(stack).filter((entry) => entry.ruleId === 'AwsSolutions-IAM5[Resource::*]').map((entry) => entry.path);
    expect(acknowledged.filter((at) => at.startsWith('Security/CdkPersonalizeProvider/') && !/(waiter-state-machine|LongWait\/StateMachine)\/Role/.test(at)))
      .toEqual(['Security/CdkPersonalizeProvider/ResourcelessActions/Resource']);
  });
});

describe('least-privilege IAM', () => {
  const { stack, passedRoles } = stackWithEveryConstruct();
  const template = Template.fromStack(stack);
  const statements = allStatements(template);
  const personalizeStatements = statements.filter((s) => s.Action.some((action) => action.startsWith('personalize:')));

  test('the library grants Personalize actions, so the checks below have something to check', () => {
    expect(personalizeStatements.length).toBeGreaterThanOrEqual(4);
  });

  test('no policy grants personalize:* ; wildcard Personalize actions (Describe*, Delete*, Stop*) apply only where this stack\'s owner tag is', () => {
    // The ownership guard denies Delete* and Stop* of another stack's resources: a Deny grants nothing.
    const wildcard = statements.filter((s) => s.Effect === 'Allow' && s.Action.some((action) => action === '*' || (action.startsWith('personalize:') && action.includes('*'))));
    expect(wildcard.flatMap((s) => s.Action).filter((action) => action === '*' || action === 'personalize:*')).toEqual([]);
    expect(wildcard.map((s) => s.Condition)).toEqual([{ StringLike: { 'aws:ResourceTag/cdk-personalize:owner': { 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '/*']] } } }]);
  });

  test('only the read-only List actions are granted on Resource "*"', () => {
    const onEverything = personalizeStatements.filter((statement) => JSON.stringify(statement.Resource) === '"*"');
    expect(onEverything.flatMap((statement) => statement.Action).every((action) => action.startsWith('personalize:List'))).toBe(true);
  });

  test('apart from the List actions, no Personalize action is granted on Resource "*"; the only wildcards are the stack\'s generated-name '
    + 'patterns, the account\'s event trackers, reads of any resource, and schemas and attributions by any name', () => {
    const joined = (resource: unknown): string => (typeof resource === 'string' ? resource : !(resource as any)['Fn::Join'] ? '${token}'
      : (resource as any)['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : '${token}')).join(''));
    const joinedAll = (resources: unknown): string[] => (Array.isArray(resources) ? resources : [resources]).map(joined);
    const namesOf = (type: string) => resourcesOfType(template, type).map(([, resource]) => resource.Properties.Name as string);
    const names: Record<string, string[]> = {
      'dataset-group': namesOf('Custom::PersonalizeDatasetGroup'),
      'schema': namesOf('Custom::PersonalizeSchema'),
      'dataset': namesOf('Custom::PersonalizeDatasetGroup'), // a dataset ARN holds its group's name
      'filter': namesOf('Custom::PersonalizeFilter'),
      'metric-attribution': namesOf('Custom::PersonalizeMetricAttribution'),
      'dataset-import-job': namesOf('Custom::PersonalizeDatasetImportJob'),
      'campaign': namesOf('Custom::PersonalizeCampaign'),
      'recommender': namesOf('Custom::PersonalizeRecommender'),
      'solution': namesOf('Custom::PersonalizeSolution'),
      'batch-inference-job': namesOf('Custom::PersonalizeBatchInferenceJob'),
      'batch-segment-job': namesOf('Custom::PersonalizeBatchSegmentJob'),
    };

    // The grants on what the stack made cover the account's resources of every type: writes under its owner tag
    // (checked by IAM), reads (Describe*, ListTagsForResource), and schemas and attributions, whose tags IAM cannot see.
    const ownedReads = ['personalize:Describe*', 'personalize:ListTagsForResource'];
    const untaggedKinds = ['personalize:DeleteMetricAttribution', 'personalize:DeleteSchema', 'personalize:DescribeMetricAttribution',
      'personalize:DescribeSchema'];
    for (const s of personalizeStatements.filter((st) => joinedAll(st.Resource).some((arn) => arn.endsWith(':123456789012:*')) && st.Condition === undefined)) {
      expect(s.Action).toEqual(ownedReads);
    }
    for (const s of personalizeStatements.filter((st) => joinedAll(st.Resource).some((arn) => /:(schema|metric-attribution)\/\*$/.test(arn)))) {
      expect(s.Action).toEqual(untaggedKinds);
    }
    const wildcards = personalizeStatements.filter((s) => JSON.stringify(s.Resource) !== '"*"' && s.Condition === undefined)
      .flatMap((s) => s.Resource).map(joined).filter((arn) => arn.includes('*'))
      .filter((arn) => !arn.endsWith(':123456789012:*') && !/:(schema|metric-attribution)\/\*$/.test(arn));
    expect(wildcards.length).toBeGreaterThan(0);
    for (const arn of wildcards) {
      if (arn === '*') continue; // within a statement that also lists ARNs; checked by the List-only test above
      // The service picks an event tracker's ID, so trackers are granted by type; the handler proves ownership by tag.
      if (arn === 'arn:${token}:personalize:us-east-1:123456789012:event-tracker/*') continue;
      // The service picks a solution version's ID too: an explicitly named solution's versions are granted as NAME/*.
      if (arn === 'arn:${token}:personalize:us-east-1:123456789012:solution/video-recs/*') continue;
      // The recurring runs' role creates runs named after the deploy's job: narrower than the generated-name pattern.
      if (names['batch-inference-job'].some((name) => arn === `arn:\${token}:personalize:us-east-1:123456789012:batch-inference-job/${name}-*`)) continue;
      const match = arn.match(/^arn:\$\{token\}:personalize:us-east-1:123456789012:(dataset-group|schema|dataset|filter|metric-attribution|dataset-import-job|solution|campaign|recommender|batch-inference-job|batch-segment-job)\/([A-Za-z0-9-]+_)\*(\/[A-Z_]+)?$/);
      expect(match).not.toBeNull();
      const [, type, prefix] = match!;
      expect(prefix).toBe('Security_');
      // It covers the generated names in this stack, and no explicit name.
      expect(names[type].filter((name) => name.startsWith(prefix)).length).toBeGreaterThan(0);
      expect(names[type].filter((name) => !name.startsWith(prefix)))
        .toEqual(({
          'schema': ['actions'],
          'metric-attribution': [],
          'solution': ['video-recs'],
          'dataset-import-job': [],
          'campaign': [],
          'batch-inference-job': [],
          'batch-segment-job': [],
        } as Record<string, string[]>)[type] ?? ['video']);
    }
  });

  test.each([
    ['an action that is not a List or Describe', { actions: ['personalize:DeleteSolution'], resources: ['*'] }],
    ['"*" beside an ARN', { actions: ['personalize:ListSolutions'], resources: ['*', 'arn:aws:personalize:us-east-1:123456789012:solution/x'] }],
    ['a condition', { actions: ['personalize:ListSolutions'], resources: ['*'], conditions: { Bool: { 'aws:SecureTransport': 'true' } } }],
  ])('a handler grant on "*" with %s is refused at synth, so the policy of actions on "*" holds only what its acknowledgment says', (_what, grant) => {
    const refused = new Stack(new App(), 'Refused');
    const resource = new CustomResource(refused, 'Resource', { serviceToken: PersonalizeProvider.getOrCreate(refused).serviceToken });
    expect(() => grantHandler(PersonalizeProvider.getOrCreate(refused), resource, [grant]))
      .toThrow(/^A handler grant on "\*" must hold only List or Describe actions that take no resource-level permission/);
  });

  test('iam:PassRole is granted only on the roles dataset groups, metric attributions, import and batch jobs pass to Personalize, and only to Personalize', () => {
    const passRole = statements.filter((s) => s.Action.includes('iam:PassRole'));
    const passed = passedRoles.map((role) => stack.resolve(role.roleArn));
    const granted = [...new Set(passRole.flatMap((s) => s.Resource).map((arn) => JSON.stringify(arn)))].map((arn) => JSON.parse(arn));
    expect(granted).toEqual(expect.arrayContaining(passed));
    expect(granted).toHaveLength(passed.length);
    for (const statement of passRole) {
      expect(statement.Action).toEqual(['iam:PassRole']);
      expect(statement.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } });
    }
  });

  test('the handler role may not delete, stop, tag or untag a resource whose owner tag names another stack', () => {
    const ownerPattern = { 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '/*']] };
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^CdkPersonalizeProviderOwnershipGuard'),
      Roles: [{ Ref: Match.stringLikeRegexp('^CdkPersonalizeProviderHandlerRole') }],
      PolicyDocument: {
        Statement: [{
          Effect: 'Deny',
          Action: ['personalize:Delete*', 'personalize:Stop*', 'personalize:TagResource', 'personalize:UntagResource',
            'rekognition:DeleteDataset', 'rekognition:TagResource', 'rekognition:UntagResource'],
          Resource: '*',
          Condition: {
            Null: { 'aws:ResourceTag/cdk-personalize:owner': 'false' },
            StringNotLike: { 'aws:ResourceTag/cdk-personalize:owner': ownerPattern },
          },
        }],
      },
    });
  });

  test('no identity policy allows iam:* or a wildcard PassRole', () => {
    const iamWildcards = statements.flatMap((s) => s.Action).filter((action) => /^iam:.*\*/.test(action));
    expect(iamWildcards).toEqual([]);
  });
});

describe('KMS', () => {
  const { stack } = stackWithEveryConstruct();
  const template = Template.fromStack(stack);
  const keyActions = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:ListGrants'];

  test('the created service role can be assumed only by Personalize acting for this account and region', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'personalize.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': '123456789012' },
            ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':personalize:us-east-1:123456789012:*']] } },
          },
        }],
      },
    });
  });

  test('the key policy lets the Personalize service principal use the key and create grants on it, for this account and region only', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Allow',
          Principal: { Service: 'personalize.amazonaws.com' },
          Action: [...keyActions, 'kms:CreateGrant'],
          Condition: {
            StringEquals: { 'aws:SourceAccount': '123456789012' },
            ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':personalize:us-east-1:123456789012:*']] } },
          },
        })]),
      },
    });
  });

  test('no key policy statement names a service principal without confused-deputy conditions', () => {
    const unconditioned = resourcesOfType(template, 'AWS::KMS::Key')
      .flatMap(([, key]) => key.Properties.KeyPolicy.Statement as any[])
      .filter((statement) => statement.Principal?.Service && !statement.Condition);
    expect(unconditioned).toEqual([]);
  });

  test('the created role and the imported role may use the key, and only the key', () => {
    const keyArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatasetKey'), 'Arn'] };
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: keyActions, Resource: keyArn }] },
      Roles: [{ Ref: Match.stringLikeRegexp('^EncryptedCreatedRoleServiceRole') }],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: keyActions, Resource: keyArn }] },
      Roles: ['PersonalizeKeyAccess'],
    });
  });
});

describe('provider logging and timeouts', () => {
  const { stack } = stackWithEveryConstruct();
  const template = Template.fromStack(stack);
  const logGroups = new Map(resourcesOfType(template, 'AWS::Logs::LogGroup'));

  test('every log group keeps its logs for a bounded time', () => {
    expect(logGroups.size).toBeGreaterThanOrEqual(3);
    for (const [, logGroup] of logGroups) expect(logGroup.Properties.RetentionInDays).toBe(30);
    template.resourceCountIs('Custom::LogRetention', 0);
  });

  test('every function writes JSON logs to one of those log groups', () => {
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');
    // The provider's five, and the long wait's function of a stack that trains.
    expect(functions).toHaveLength(6);
    for (const [, fn] of functions) {
      expect(fn.Properties.LoggingConfig.LogFormat).toBe('JSON');
      expect(logGroups.has(fn.Properties.LoggingConfig.LogGroup.Ref)).toBe(true);
    }
  });

  test('the waiter state machine logs every state, without execution data, to a log group with retention', () => {
    const [[, machine]] = resourcesOfType(template, 'AWS::StepFunctions::StateMachine');
    const logging = machine.Properties.LoggingConfiguration;
    expect(logging.Level).toBe('ALL');
    expect(logging.IncludeExecutionData).toBe(false);
    const [logGroupId] = logging.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'];
    expect(logGroups.get(logGroupId).Properties.RetentionInDays).toBe(30);
  });

  test('the waiter gives up after at most 45 minutes, later than the engine\'s own 30-minute deadline', () => {
    const [[, machine]] = resourcesOfType(template, 'AWS::StepFunctions::StateMachine');
    const parts: unknown[] = machine.Properties.DefinitionString['Fn::Join'][1];
    const definition = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'function-arn')).join(''));
    const task = definition.States[definition.StartAt];
    const [retry] = task.Retry;
    expect(retry.BackoffRate).toBe(1);
    expect(retry.IntervalSeconds * retry.MaxAttempts).toBeLessThanOrEqual(45 * 60);
    expect(task.Catch[0].Next).toBe('framework-onTimeout-task');
    expect(DEFAULT_WAIT_POLICY.totalTimeoutMs).toBeLessThan(retry.IntervalSeconds * retry.MaxAttempts * 1000);
  });

  test('every function has a timeout within Lambda\'s 15-minute limit', () => {
    for (const [, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) expect(fn.Properties.Timeout).toBeLessThanOrEqual(900);
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.onEvent', Timeout: 300 });
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.isComplete', Timeout: 120 });
  });
});

describe('handler logs', () => {
  const personalizeMock = mockClient(PersonalizeClient);
  let lines: string[];
  let clock: VirtualClock;

  beforeEach(() => {
    personalizeMock.reset();
    clock = new VirtualClock();
    lines = [];
    delete process.env.CDK_PERSONALIZE_SILENT;
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(' '));
      });
    }
  });

  afterEach(() => {
    jest.restoreAllMocks();
    process.env.CDK_PERSONALIZE_SILENT = 'true';
  });

  const secretValues = [ROLE_ARN, KEY_ARN, 'PersonalizeKeyAccess', '1234abcd-12ab-34cd-56ef-1234567890ab'];

  function expectCleanJsonLogs() {
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(() => JSON.parse(line)).not.toThrow();
      for (const secret of secretValues) expect(line).not.toContain(secret);
    }
  }

  test('a create with a key and role that is throttled and waits logs JSON lines without the role or key ARN', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).rejectsOnce(throttled()).resolves({ datasetGroupArn: GROUP_ARN });
    personalizeMock.on(DescribeDatasetGroupCommand).resolvesOnce(describedGroup('CREATE PENDING')).resolves(describedGroup('ACTIVE'));
    const handlers = createHandlers({ clock, waitPolicy: SHORT_WAIT_POLICY });

    const request = createGroupEvent({ Domain: 'ECOMMERCE', KmsKeyArn: KEY_ARN, RoleArn: ROLE_ARN });
    const started = await handlers.onEvent(request);
    await handlers.isComplete(isCompleteEvent(request, started.PhysicalResourceId, started.Lifecycle));

    expectCleanJsonLogs();
  });

  test('updates, replacements and deletes of an encrypted group log no role or key ARN', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: GROUP_ARN.replace(/[^/]+$/, 'replacement') });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));
    personalizeMock.on(ListTagsForResourceCommand).rejectsOnce(throttled()).resolves({ tags: [] });
    personalizeMock.on(TagResourceCommand).resolves({});
    personalizeMock.on(UntagResourceCommand).resolves({});
    personalizeMock.on(DeleteDatasetGroupCommand).rejectsOnce(inUse()).resolves({});
    const handlers = createHandlers({ clock, waitPolicy: SHORT_WAIT_POLICY });
    const encrypted = { KmsKeyArn: KEY_ARN, RoleArn: ROLE_ARN };

    await handlers.onEvent(updateGroupEvent(encrypted, { ...encrypted, Tags: [{ Key: 'team', Value: 'search' }] }));
    await handlers.onEvent(updateGroupEvent(encrypted, { ...encrypted, Name: 'replacement', RoleArn: `${ROLE_ARN}2` }));
    personalizeMock.on(DescribeDatasetGroupCommand).rejects(notFound());
    await handlers.onEvent(deleteGroupEvent());

    expectCleanJsonLogs();
  });

  test('a failed create logs no role or key ARN even when the failure reason names them', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: GROUP_ARN });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('CREATE FAILED', `Role ${ROLE_ARN} cannot use key ${KEY_ARN}`));
    const handlers = createHandlers({ clock, waitPolicy: SHORT_WAIT_POLICY });

    const request = createGroupEvent({ KmsKeyArn: KEY_ARN, RoleArn: ROLE_ARN });
    // The failure surfaces from onEvent or from the first isComplete, depending on when it is seen.
    const outcome = handlers.onEvent(request)
      .then((started) => handlers.isComplete(isCompleteEvent(request, started.PhysicalResourceId, started.Lifecycle)));
    await expect(outcome).rejects.toThrow(/CREATE FAILED/);

    expectCleanJsonLogs();
  });
});
