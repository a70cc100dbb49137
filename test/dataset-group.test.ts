import { App, CfnParameter, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DatasetGroup, DatasetGroupProps, DatasetType, Domain, Schema, SchemaDefinition, SchemaField } from '../src';
import { handlerGrants } from './support/handler-grants';
import { personalizeKeyStatement } from './support/personalize-key-policy';
import { ACCOUNT, newStack, REGION } from './support/stack-fixtures';
import { OWNER_TAG_KEY } from '../src/private/contract';
import { resolvedLength } from '../src/private/handler-access';

const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9\-_]*$/;
/** What the handler does to a group by name; the rest comes from the grants on what the stack made (OWNED). */
const HANDLER_ACTIONS = ['personalize:CreateDatasetGroup', 'personalize:DescribeDatasetGroup'];
const personalizeArn = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:${REGION}:${ACCOUNT}:${resource}`]] });
/** The List actions every delete reads (a group's children, a child's blockers); they take no resource-level permissions. */
const DELETE_LIST = {
  Effect: 'Allow',
  Action: ['personalize:ListBatchInferenceJobs', 'personalize:ListBatchSegmentJobs', 'personalize:ListCampaigns', 'personalize:ListDatasetImportJobs', 'personalize:ListDatasets', 'personalize:ListEventTrackers',
    'personalize:ListFilters', 'personalize:ListMetricAttributionMetrics', 'personalize:ListMetricAttributions', 'personalize:ListRecommenders',
    'personalize:ListSolutionVersions', 'personalize:ListSolutions'],
  Resource: '*',
};
/**
 * Tags, stops and deletes of whatever the stack made, under its owner tag; reads of any resource, which is how the
 * handler proves one gone or its own; the List actions of deletes; the copies of generated-name import jobs; and
 * schemas and attributions, whose tags IAM cannot see.
 */
const OWNED = [
  {
    Effect: 'Allow',
    Action: ['personalize:Delete*', 'personalize:Stop*', 'personalize:TagResource', 'personalize:UntagResource'],
    Condition: { StringLike: { 'aws:ResourceTag/cdk-personalize:owner': { 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '/*']] } } },
    Resource: personalizeArn('*'),
  },
  { Effect: 'Allow', Action: ['personalize:Describe*', 'personalize:ListTagsForResource'], Resource: personalizeArn('*') },
  {
    Effect: 'Allow',
    Action: 's3:DeleteObject',
    Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::*/imports/TestStack_*']] },
  },
  {
    Effect: 'Allow',
    Action: ['personalize:DeleteMetricAttribution', 'personalize:DeleteSchema', 'personalize:DescribeMetricAttribution', 'personalize:DescribeSchema'],
    Resource: [personalizeArn('metric-attribution/*'), personalizeArn('schema/*')],
  },
];
const KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:ListGrants'];

function ownArn(name: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:${REGION}:${ACCOUNT}:dataset-group/${name}`]] };
}

function nameOf(group: DatasetGroup): string {
  const template = Template.fromStack(Stack.of(group));
  const logicalId = Stack.of(group).getLogicalId(group.node.defaultChild as any);
  return template.toJSON().Resources[logicalId].Properties.Name;
}

/** The generated name of a group with these props at this construct path, in a fresh app. */
function generatedName(path: string[], props: (stack: Stack) => DatasetGroupProps = () => ({})): string {
  const stack = newStack();
  let scope: Construct = stack;
  for (const id of path.slice(0, -1)) scope = new Construct(scope, id);
  return nameOf(new DatasetGroup(scope, path[path.length - 1], props(stack)));
}

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

function allStatements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

function actionsOf(statement: Statement): string[] {
  return ([] as string[]).concat(statement.Action);
}

/** The stack's one policy of Personalize grants for the handler, followed by the statements of its policy of actions on "*". */
function handlerAccessPolicy(template: Template): { logicalId: string; statements: Statement[] } {
  const { logicalId, statements } = handlerGrants(template);
  return { logicalId, statements: statements as Statement[] };
}

describe('custom resource', () => {
  test('carries the service token, contract version, name, domain and tags', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Group', { datasetGroupName: 'retail-recs', domain: Domain.ECOMMERCE });
    group.tags.setTag('team', 'recsys');

    Template.fromStack(stack).hasResourceProperties('Custom::PersonalizeDatasetGroup', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CdkPersonalizeProviderframeworkonEvent'), 'Arn'] },
      ContractVersion: '1',
      Name: 'retail-recs',
      Domain: 'ECOMMERCE',
      Tags: [{ Key: 'team', Value: 'recsys' }],
    });
  });

  test('a custom group without a key has no Domain, KmsKeyArn or RoleArn and an empty tag list', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'Group');

    Template.fromStack(stack).hasResourceProperties('Custom::PersonalizeDatasetGroup', {
      Domain: Match.absent(),
      KmsKeyArn: Match.absent(),
      RoleArn: Match.absent(),
      Tags: [],
    });
  });

  test('with a KMS key, KmsKeyArn is the key\'s ARN and RoleArn the created service role\'s', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new DatasetGroup(stack, 'Group', { kmsKey: key });

    Template.fromStack(stack).hasResourceProperties('Custom::PersonalizeDatasetGroup', {
      KmsKeyArn: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GroupServiceRole'), 'Arn'] },
    });
  });

  test('datasetGroupArn and datasetGroupName are the Arn and Name attributes the handler returns', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Group');
    const logicalId = stack.getLogicalId(group.node.defaultChild as any);

    expect(stack.resolve(group.datasetGroupArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'Arn'] });
    expect(stack.resolve(group.datasetGroupName)).toEqual({ 'Fn::GetAtt': [logicalId, 'Name'] });
  });

  test('depends on the handler grants policy, so the handler has its grants before the first call', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'Group');
    const template = Template.fromStack(stack);
    const { logicalId } = handlerAccessPolicy(template);

    template.hasResource('Custom::PersonalizeDatasetGroup', { DependsOn: Match.arrayWith([logicalId]) });
  });

  test('removal policy defaults to DESTROY', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'Group');

    Template.fromStack(stack).hasResource('Custom::PersonalizeDatasetGroup', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('removal policy RETAIN is honoured', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'Group', { removalPolicy: RemovalPolicy.RETAIN });

    Template.fromStack(stack).hasResource('Custom::PersonalizeDatasetGroup', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('Tags.of(scope) reaches the custom resource', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Group');
    Tags.of(stack).add('cost-center', '42');
    Tags.of(group).add('team', 'recsys');

    Template.fromStack(stack).hasResourceProperties('Custom::PersonalizeDatasetGroup', {
      Tags: [{ Key: 'cost-center', Value: '42' }, { Key: 'team', Value: 'recsys' }],
    });
  });
});

describe('provider', () => {
  test('three groups in one stack share one onEvent function, one isComplete function and one state machine', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'First');
    new DatasetGroup(stack, 'Second', { domain: Domain.ECOMMERCE });
    new DatasetGroup(stack, 'Third', { kmsKey: new kms.Key(stack, 'Key') });
    const template = Template.fromStack(stack);

    expect(Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.onEvent' } }))).toHaveLength(1);
    expect(Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.isComplete' } }))).toHaveLength(1);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    const tokens = Object.values(template.findResources('Custom::PersonalizeDatasetGroup')).map((r) => JSON.stringify(r.Properties.ServiceToken));
    expect(tokens).toHaveLength(3);
    expect(new Set(tokens).size).toBe(1);
  });

  test('each stack gets its own provider', () => {
    const app = new App();
    const first = new Stack(app, 'First');
    const second = new Stack(app, 'Second');
    new DatasetGroup(first, 'Group');
    new DatasetGroup(second, 'Group');

    for (const stack of [first, second]) {
      expect(Object.keys(Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.onEvent' } })))
        .toHaveLength(1);
    }
  });
});

describe('handler permissions', () => {
  test('the handler gets CreateDatasetGroup and DescribeDatasetGroup on the group\'s own ARN only, and the rest on what the stack made', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'Group', { datasetGroupName: 'retail-recs' });
    const template = Template.fromStack(stack);

    const { statements } = handlerAccessPolicy(template);
    expect(statements).toEqual([{ Effect: 'Allow', Action: HANDLER_ACTIONS, Resource: ownArn('retail-recs') }, ...OWNED, DELETE_LIST]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^CdkPersonalizeProviderPersonalizeAccess'),
      Roles: [{ Ref: Match.stringLikeRegexp('^CdkPersonalizeProviderHandlerRole') }],
    });
  });

  test('groups share one statement that names each group\'s own ARN and nothing else', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'First', { datasetGroupName: 'first' });
    new DatasetGroup(stack, 'Second', { datasetGroupName: 'second' });

    expect(handlerAccessPolicy(Template.fromStack(stack)).statements).toEqual([
      { Effect: 'Allow', Action: HANDLER_ACTIONS, Resource: [ownArn('first'), ownArn('second')] },
      ...OWNED,
      DELETE_LIST,
    ]);
  });

  test('generated names are granted by one pattern for the stack, which also matches the names replacements get', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Group');
    const replaced = generatedName(['Group'], (s) => ({ domain: Domain.ECOMMERCE, kmsKey: new kms.Key(s, 'Key') }));
    const [statement] = handlerAccessPolicy(Template.fromStack(stack)).statements;

    expect(statement.Resource).toEqual(ownArn('TestStack_*'));
    for (const name of [nameOf(group), replaced]) {
      expect(name).toMatch(/^TestStack_Group-[0-9a-f]{8}$/);
    }
  });

  test('the grants policy stays the same size however many groups with generated names the stack holds', () => {
    const grantsFor = (groups: number) => {
      const stack = newStack();
      for (let index = 0; index < groups; index++) new DatasetGroup(stack, `Group${index}`);
      return handlerAccessPolicy(Template.fromStack(stack)).statements;
    };

    expect(grantsFor(50)).toEqual(grantsFor(1));
    expect(grantsFor(50)).toEqual([{ Effect: 'Allow', Action: HANDLER_ACTIONS, Resource: ownArn('TestStack_*') }, ...OWNED, DELETE_LIST]);
  });

  test('the stack pattern does not match generated names of a stack whose name extends this one\'s', () => {
    const nameIn = (stackName: string) => nameOf(new DatasetGroup(new Stack(new App(), stackName), 'Group'));

    expect(nameIn('Shop')).toMatch(/^Shop_/);
    expect(nameIn('Shop-Prod')).not.toMatch(/^Shop_/);
  });

  test('a long stack name is shortened with a hash in generated names, which stay valid', () => {
    const stackName = 'AVeryLongStackNameForTheRecommendationsTeamProduction';
    const name = nameOf(new DatasetGroup(new Stack(new App(), stackName), 'Group'));

    expect(name).toMatch(/^AVeryLongStackN-[0-9a-f]{8}_Group-[0-9a-f]{8}$/);
    expect(name.length).toBeLessThanOrEqual(63);
  });

  test('no policy in the stack allows personalize:* or a Personalize action on Resource "*" other than the List actions', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'Plain');
    new DatasetGroup(stack, 'Encrypted', { kmsKey: new kms.Key(stack, 'Key'), domain: Domain.VIDEO_ON_DEMAND });

    // What a policy allows: the ownership guard's Deny (any Delete*, Stop*, tag change of another stack's resources) allows nothing.
    const personalizeStatements = allStatements(Template.fromStack(stack)).filter((statement) => (statement as any).Effect === 'Allow')
      .filter((statement) => actionsOf(statement).some((action) => action.startsWith('personalize:')));
    expect(personalizeStatements.length).toBeGreaterThan(0);
    for (const statement of personalizeStatements) {
      expect(actionsOf(statement)).not.toContain('personalize:*');
      if (JSON.stringify(statement.Resource) === '"*"') expect(statement).toEqual(DELETE_LIST);
      else expect(statement.Resource).not.toEqual(expect.arrayContaining(['*']));
    }
  });

  test('emptyOnDelete grants the child delete actions on the child resource types, and the property reaches the handler', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'Group', { datasetGroupName: 'shop', emptyOnDelete: true });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('Custom::PersonalizeDatasetGroup', { EmptyOnDelete: 'true' });
    const deletes = handlerAccessPolicy(template).statements.find((statement: any) => actionsOf(statement).includes('personalize:DeleteSolution'))!;
    // ListTagsForResource tells what the stack manages, which the deletes of the group's datasets and solutions leave alone.
    expect(actionsOf(deletes).sort()).toEqual(['personalize:DeleteCampaign', 'personalize:DeleteDataset', 'personalize:DeleteEventTracker',
      'personalize:DeleteFilter', 'personalize:DeleteMetricAttribution', 'personalize:DeleteRecommender', 'personalize:DeleteSolution',
      'personalize:ListTagsForResource', 'personalize:StopSolutionVersionCreation']);
    expect(JSON.stringify(deletes.Resource)).toMatch(/:solution\/\*/);
  });

  test('without emptyOnDelete no child delete action is granted and the property is absent', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'Group', { datasetGroupName: 'shop' });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('Custom::PersonalizeDatasetGroup', { EmptyOnDelete: Match.absent() });
    expect(JSON.stringify(handlerAccessPolicy(template).statements)).not.toContain('DeleteSolution');
  });

  test('with a key, iam:PassRole is allowed on the group\'s role only, and only to Personalize', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'Group', { kmsKey: new kms.Key(stack, 'Key') });
    const template = Template.fromStack(stack);

    const passRole = allStatements(template).filter((statement) => actionsOf(statement).includes('iam:PassRole'));
    expect(passRole).toEqual([{
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^GroupServiceRole/), 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } },
    }]);
    expect(handlerAccessPolicy(template).statements).toContainEqual(passRole[0]);
  });

  test('with a key and a given role, iam:PassRole names the given role', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'KeyRole', { assumedBy: new iam.ServicePrincipal('personalize.amazonaws.com') });
    new DatasetGroup(stack, 'Group', { kmsKey: new kms.Key(stack, 'Key'), role });

    const passRole = allStatements(Template.fromStack(stack)).filter((statement) => actionsOf(statement).includes('iam:PassRole'));
    expect(passRole).toHaveLength(1);
    expect(passRole[0].Resource).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as iam.CfnRole), 'Arn'] });
  });

  test('without a key no policy allows iam:PassRole', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'Group', { domain: Domain.ECOMMERCE });

    const passRole = allStatements(Template.fromStack(stack)).filter((statement) => actionsOf(statement).includes('iam:PassRole'));
    expect(passRole).toEqual([]);
  });
});

describe('generated names', () => {
  test('are valid Personalize names of at most 63 characters', () => {
    const name = generatedName(['Group']);

    expect(name).toMatch(NAME_PATTERN);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^TestStack_Group-[0-9a-f]{8}$/);
  });

  test('stay valid and at most 63 characters for very long construct paths', () => {
    const long = 'AVeryLongConstructIdentifierThatKeepsGoingOnAndOn';
    const name = generatedName([long, `${long}Again`, `${long}AndOnceMore`, 'Group']);

    expect(name).toMatch(NAME_PATTERN);
    expect(name.length).toBeLessThanOrEqual(63);
  });

  test('stay valid when construct IDs hold characters a name cannot', () => {
    const name = generatedName(['__ Scope!', '-Group.v2']);

    expect(name).toMatch(NAME_PATTERN);
    expect(name.length).toBeLessThanOrEqual(63);
  });

  test('differ between stacks that share a construct path but not a stack name', () => {
    const nameIn = (stackName: string) => {
      const stack = new Stack(new App(), 'Recs', { stackName, env: { account: '123456789012', region: 'us-east-1' } });
      return nameOf(new DatasetGroup(stack, 'Group'));
    };

    expect(nameIn('recs-dev')).not.toBe(nameIn('recs-prod'));
  });

  test('are the same across two synths of identical apps', () => {
    const withKey = (stack: Stack) => ({ kmsKey: new kms.Key(stack, 'Key'), domain: Domain.ECOMMERCE });

    expect(generatedName(['Recs', 'Group'], withKey)).toBe(generatedName(['Recs', 'Group'], withKey));
  });

  test('differ for different construct paths, even with the same ID', () => {
    expect(generatedName(['Retail', 'Group'])).not.toBe(generatedName(['Video', 'Group']));
  });

  test('differ for long paths that differ only in the middle', () => {
    const long = 'AVeryLongConstructIdentifierThatKeepsGoingOnAndOn';

    expect(generatedName([long, 'A', long, 'Group'])).not.toBe(generatedName([long, 'B', long, 'Group']));
  });

  test('change when the domain changes, so a replacement gets a fresh name', () => {
    expect(generatedName(['Group'], () => ({ domain: Domain.ECOMMERCE })))
      .not.toBe(generatedName(['Group'], () => ({ domain: Domain.VIDEO_ON_DEMAND })));
    expect(generatedName(['Group'])).not.toBe(generatedName(['Group'], () => ({ domain: Domain.ECOMMERCE })));
  });

  test('change when the KMS key changes', () => {
    const keyArn = (id: string) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;
    const importedKey = (id: string) => (stack: Stack) => ({ kmsKey: kms.Key.fromKeyArn(stack, 'Key', keyArn(id)) });

    expect(generatedName(['Group'], importedKey('1111'))).not.toBe(generatedName(['Group'], importedKey('2222')));
    expect(generatedName(['Group'])).not.toBe(generatedName(['Group'], importedKey('1111')));
  });

  test('do not change when only tags change, since tags are updated in place', () => {
    const stack = newStack();
    const tagged = new DatasetGroup(stack, 'Group');
    tagged.tags.setTag('team', 'recsys');

    expect(nameOf(tagged)).toBe(generatedName(['Group']));
  });

  test('an explicit name is passed through unchanged', () => {
    expect(generatedName(['Group'], () => ({ datasetGroupName: 'My_Recs-2024' }))).toBe('My_Recs-2024');
  });
});

describe('KMS key', () => {
  test('creates a service role trusted by Personalize for this account and region only', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'Group', { kmsKey: new kms.Key(stack, 'Key') });

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'personalize.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:${REGION}:${ACCOUNT}:*`]] } },
          },
        }],
      },
    });
  });

  test('the service role may decrypt, generate data keys, describe the key and list its grants', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new DatasetGroup(stack, 'Group', { kmsKey: key });

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^GroupServiceRole') }],
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: KEY_ACTIONS,
          Resource: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
        }],
      },
    });
  });

  test('the key policy lets the Personalize service principal use the key and create grants, for this account and region only', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'Group', { kmsKey: new kms.Key(stack, 'Key') });

    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([personalizeKeyStatement(ACCOUNT, REGION)]),
      },
    });
  });

  test('two groups with one key add one statement for Personalize to its policy', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new DatasetGroup(stack, 'Group', { kmsKey: key });
    new DatasetGroup(stack, 'Other', { kmsKey: key });

    const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key')).map((k: any) => k.Properties.KeyPolicy);
    expect(policy.Statement.filter((s: any) => s.Principal?.Service === 'personalize.amazonaws.com')).toHaveLength(1);
  });

  test('the custom resource waits for the service role and its key grants', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'Group', { kmsKey: new kms.Key(stack, 'Key') });

    const template = Template.fromStack(stack);

    template.hasResource('Custom::PersonalizeDatasetGroup', { DependsOn: Match.arrayWith([Match.stringLikeRegexp('^GroupServiceRole[0-9A-F]+$')]) });
    template.hasResource('Custom::PersonalizeDatasetGroup', {
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^GroupServiceRoleDefaultPolicy')]),
    });
  });

  test('with a given role, no service role is created and the given role gets the key grants', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const role = new iam.Role(stack, 'KeyRole', { assumedBy: new iam.ServicePrincipal('personalize.amazonaws.com') });
    const group = new DatasetGroup(stack, 'Group', { kmsKey: key, role });
    const template = Template.fromStack(stack);

    expect(group.role).toBe(role);
    expect(group.node.tryFindChild('ServiceRole')).toBeUndefined();
    expect(Object.keys(template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'personalize.amazonaws.com' } })] } },
    }))).toEqual([stack.getLogicalId(role.node.defaultChild as iam.CfnRole)]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: KEY_ACTIONS })] },
    });
    template.hasResourceProperties('Custom::PersonalizeDatasetGroup', {
      RoleArn: { 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as iam.CfnRole), 'Arn'] },
    });
  });

  test('an imported key yields a warning naming the key policy statement Personalize needs, with its conditions', () => {
    const stack = newStack();
    const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    new DatasetGroup(stack, 'Group', { kmsKey: kms.Key.fromKeyArn(stack, 'Key', keyArn) });

    Annotations.fromStack(stack).hasWarning('/TestStack/Group', `The policy of the imported key '${keyArn}' cannot be changed by this app. `
      + 'It must let personalize.amazonaws.com use the key for this account and region, or the dataset group fails to create. '
      + 'Add this statement: {"Effect":"Allow","Principal":{"Service":"personalize.amazonaws.com"},'
      + '"Action":["kms:Decrypt","kms:GenerateDataKey","kms:DescribeKey","kms:ListGrants","kms:CreateGrant"],"Resource":"*",'
      + `"Condition":{"StringEquals":{"aws:SourceAccount":"${ACCOUNT}"},"ArnLike":{"aws:SourceArn":"arn:<partition>:personalize:${REGION}:${ACCOUNT}:*"}}}. `
      + 'It must also let this account\'s IAM policies allow use of the key (the default key policy does), for the role '
      + '\'TestStack/Group/ServiceRole\' (known only at deploy time). Replace each <…> with the stack\'s value. [ack: cdk-personalize:importedKeyPolicy]');
  });

  test('a key created in the stack yields no warning', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'Group', { kmsKey: new kms.Key(stack, 'Key') });

    Annotations.fromStack(stack).hasNoWarning('/TestStack/Group', Match.anyValue());
  });
});

describe('validation', () => {
  function synthesizeWithTags(tags: Record<string, string>): () => void {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Group');
    for (const [key, value] of Object.entries(tags)) group.tags.setTag(key, value);
    return () => Template.fromStack(stack);
  }

  test('a role without a key is refused', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleArn(stack, 'Role', `arn:aws:iam::${ACCOUNT}:role/KeyAccess`);

    expect(() => new DatasetGroup(stack, 'Group', { role })).toThrow(
      `Invalid role: 'arn:aws:iam::${ACCOUNT}:role/KeyAccess' was given without kmsKey. Personalize uses the role only to access `
      + 'a customer managed KMS key; give kmsKey as well, or remove role.');
  });

  test('a name longer than 63 characters is refused', () => {
    const name = 'a'.repeat(64);

    expect(() => new DatasetGroup(newStack(), 'Group', { datasetGroupName: name })).toThrow(
      `Invalid datasetGroupName: '${name}' (64 characters). A name must be 1-63 characters, start with a letter or digit, `
      + 'and contain only letters, digits, hyphens (-) and underscores (_).');
  });

  test('a name of exactly 63 characters is accepted', () => {
    expect(() => new DatasetGroup(newStack(), 'Group', { datasetGroupName: 'a'.repeat(63) })).not.toThrow();
  });

  test('an empty name is refused', () => {
    expect(() => new DatasetGroup(newStack(), 'Group', { datasetGroupName: '' })).toThrow(/Invalid datasetGroupName: '' \(0 characters\)/);
  });

  test('a name with characters other than letters, digits, - and _ is refused', () => {
    expect(() => new DatasetGroup(newStack(), 'Group', { datasetGroupName: 'retail recs!' })).toThrow(
      /Invalid datasetGroupName: 'retail recs!' \(12 characters\)\. .*only letters, digits, hyphens \(-\) and underscores \(_\)/);
  });

  test.each(['-recs', '_recs'])('a name starting with %s is refused', (name) => {
    expect(() => new DatasetGroup(newStack(), 'Group', { datasetGroupName: name })).toThrow(
      new RegExp(`Invalid datasetGroupName: '${name}'.*start with a letter or digit`));
  });

  test('an imported role whose ARN is not an IAM role ARN is refused', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const role = iam.Role.fromRoleArn(stack, 'Role', `arn:aws:iam::${ACCOUNT}:user/bob`);

    expect(() => new DatasetGroup(stack, 'Group', { kmsKey: key, role })).toThrow(
      `Invalid role: 'arn:aws:iam::${ACCOUNT}:user/bob'. Expected an IAM role ARN of the form arn:PARTITION:iam::ACCOUNT:role/NAME, `
      + 'at most 256 characters.');
  });

  test('an imported KMS key given by an alias ARN is refused', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/recs`);

    expect(() => new DatasetGroup(stack, 'Group', { kmsKey: key })).toThrow(
      `Invalid kmsKey: 'arn:aws:kms:${REGION}:${ACCOUNT}:alias/recs'. Expected a KMS key ARN of the form `
      + 'arn:aws...:kms:REGION:ACCOUNT:key/ID (an alias ARN is not accepted), at most 2048 characters.');
  });

  test('50 user tags are refused, since one of the 50 Personalize allows is reserved', () => {
    const tags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`tag${i}`, 'x']));

    expect(synthesizeWithTags(tags)).toThrow(
      `Too many tags: 50. Personalize allows 50 tags per resource and this library reserves one ('${OWNER_TAG_KEY}'), so at most 49 may be set.`);
  });

  test('49 user tags are accepted', () => {
    const tags = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`tag${i}`, 'x']));

    expect(synthesizeWithTags(tags)).not.toThrow();
  });

  test('a tag key longer than 128 characters is refused', () => {
    const key = 'k'.repeat(129);

    expect(synthesizeWithTags({ [key]: 'x' })).toThrow(`Invalid tag key '${key}': must be 1-128 characters (got 129).`);
  });

  test('a tag key with characters outside letters, digits, spaces and _ . : / = + - @ is refused', () => {
    expect(synthesizeWithTags({ 'team#1': 'x' })).toThrow(
      'Invalid tag key \'team#1\': only letters, digits, spaces and _ . : / = + - @ are allowed.');
  });

  test.each(['aws:createdBy', 'AWS:team'])('a tag key starting with aws: (%s) is refused', (key) => {
    expect(synthesizeWithTags({ [key]: 'x' })).toThrow(`Invalid tag key '${key}': keys starting with 'aws:' are reserved by AWS.`);
  });

  test('the reserved owner tag key is refused', () => {
    expect(synthesizeWithTags({ [OWNER_TAG_KEY]: 'OtherStack/Group' })).toThrow(
      `Invalid tag key '${OWNER_TAG_KEY}': this key is reserved by cdk-personalize to mark the resources it creates.`);
  });

  test('a tag value longer than 256 characters is refused', () => {
    expect(synthesizeWithTags({ team: 'v'.repeat(257) })).toThrow(
      'Invalid value for tag \'team\': must be at most 256 characters (got 257).');
  });

  test('a tag value with characters outside the allowed set is refused', () => {
    expect(synthesizeWithTags({ team: 'recs;drop' })).toThrow(
      'Invalid value \'recs;drop\' for tag \'team\': only letters, digits, spaces and _ . : / = + - @ are allowed.');
  });

  test('an empty tag value and Unicode letters are accepted', () => {
    expect(synthesizeWithTags({ équipe: 'données', empty: '' })).not.toThrow();
  });

  test('every tag problem is reported in one synthesis', () => {
    expect(synthesizeWithTags({ 'aws:x': 'ok', 'team#': 'ok' })).toThrow(/aws:x[\s\S]*team#/);
  });

  test('a name from a CfnParameter skips the checks and is passed through as a reference', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'GroupName');
    new DatasetGroup(stack, 'Group', { datasetGroupName: name.valueAsString });
    const template = Template.fromStack(stack);

    template.hasResourceProperties('Custom::PersonalizeDatasetGroup', { Name: { Ref: 'GroupName' } });
    expect(handlerAccessPolicy(template).statements[0].Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:${REGION}:${ACCOUNT}:dataset-group/`, { Ref: 'GroupName' }]],
    });
  });

  test('tag values from a CfnParameter skip the checks', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Group');
    group.tags.setTag('team', new CfnParameter(stack, 'Team').valueAsString);

    Template.fromStack(stack).hasResourceProperties('Custom::PersonalizeDatasetGroup', { Tags: [{ Key: 'team', Value: { Ref: 'Team' } }] });
  });
});

describe('imported groups', () => {
  const importedArn = 'arn:aws:personalize:eu-west-1:111122223333:dataset-group/shared-recs';

  test('fromDatasetGroupArn parses the name and takes account and region from the ARN', () => {
    const group = DatasetGroup.fromDatasetGroupArn(newStack(), 'Imported', importedArn);

    expect(group.datasetGroupArn).toBe(importedArn);
    expect(group.datasetGroupName).toBe('shared-recs');
    expect(group.env).toEqual({ account: '111122223333', region: 'eu-west-1' });
    expect(group.domain).toBeUndefined();
  });

  test('fromDatasetGroupName builds the ARN in the stack\'s account and region', () => {
    const stack = newStack();
    const group = DatasetGroup.fromDatasetGroupName(stack, 'Imported', 'shared-recs');

    expect(group.datasetGroupName).toBe('shared-recs');
    expect(stack.resolve(group.datasetGroupArn)).toEqual(ownArn('shared-recs'));
    expect(group.env).toEqual({ account: ACCOUNT, region: REGION });
  });

  test('fromDatasetGroupAttributes keeps the given domain', () => {
    const group = DatasetGroup.fromDatasetGroupAttributes(newStack(), 'Imported', { datasetGroupArn: importedArn, domain: Domain.VIDEO_ON_DEMAND });

    expect(group.domain).toBe(Domain.VIDEO_ON_DEMAND);
    expect(group.datasetGroupName).toBe('shared-recs');
  });

  test('fromDatasetGroupArn accepts an unresolved ARN', () => {
    const stack = newStack();
    const arn = new CfnParameter(stack, 'GroupArn').valueAsString;

    const group = DatasetGroup.fromDatasetGroupArn(stack, 'Imported', arn);

    expect(stack.resolve(group.datasetGroupArn)).toEqual({ Ref: 'GroupArn' });
  });

  test('a Personalize ARN of another resource type is refused', () => {
    const schemaArn = 'arn:aws:personalize:eu-west-1:111122223333:schema/shared-schema';

    expect(() => DatasetGroup.fromDatasetGroupArn(newStack(), 'Imported', schemaArn)).toThrow(
      `Invalid datasetGroupArn: '${schemaArn}' is a Personalize 'schema' ARN, not a dataset group ARN (…:dataset-group/NAME).`);
  });

  test('an ARN of another service is refused', () => {
    expect(() => DatasetGroup.fromDatasetGroupArn(newStack(), 'Imported', 'arn:aws:s3:::my-bucket')).toThrow(
      /Invalid datasetGroupArn: 'arn:aws:s3:::my-bucket'\. Expected an Amazon Personalize ARN/);
  });

  test('attributes with neither ARN nor name are refused', () => {
    expect(() => DatasetGroup.fromDatasetGroupAttributes(newStack(), 'Imported', { domain: Domain.ECOMMERCE })).toThrow(
      'DatasetGroup.fromDatasetGroupAttributes needs datasetGroupArn or datasetGroupName; got neither.');
  });

  test('an invalid name is refused', () => {
    expect(() => DatasetGroup.fromDatasetGroupName(newStack(), 'Imported', 'shared recs')).toThrow(/Invalid datasetGroupName: 'shared recs'/);
  });
});

describe('grants', () => {
  test('grantRead on an owned group allows describing it and listing its tags, on its ARN', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Group');
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });

    group.grantRead(reader);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(reader.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: ['personalize:DescribeDatasetGroup', 'personalize:ListTagsForResource'],
          Resource: { 'Fn::GetAtt': [stack.getLogicalId(group.node.defaultChild as any), 'Arn'] },
        }],
      },
    });
  });

  test('grant on an imported group allows the given actions on the imported ARN', () => {
    const stack = newStack();
    const arn = `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset-group/shared-recs`;
    const group = DatasetGroup.fromDatasetGroupArn(stack, 'Imported', arn);
    const user = new iam.Role(stack, 'User', { assumedBy: new iam.AccountRootPrincipal() });

    group.grant(user, 'personalize:CreateSolution', 'personalize:CreateDataset');

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(user.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['personalize:CreateSolution', 'personalize:CreateDataset'], Resource: arn }] },
    });
  });

  test('grantRead on a group imported by name allows reading it on the built ARN', () => {
    const stack = newStack();
    const group = DatasetGroup.fromDatasetGroupName(stack, 'Imported', 'shared-recs');
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });

    group.grantRead(reader);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(reader.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: ['personalize:DescribeDatasetGroup', 'personalize:ListTagsForResource'],
          Resource: ownArn('shared-recs'),
        }],
      },
    });
  });
});

describe('IAM limits', () => {
  test('a stack whose handler grants would exceed IAM\'s 10,240 characters of inline policy per role fails at synth', () => {
    const stack = newStack();
    for (let index = 0; index < 120; index++) {
      new DatasetGroup(stack, `Group${index}`, { datasetGroupName: `explicitly-named-dataset-group-number-${index}` });
    }

    expect(() => Template.fromStack(stack)).toThrow(/inline IAM policies would be about \d+ characters, above the 10240 IAM allows per role/);
  });

  test('a realistic stack of 5 groups (the default quota), each with 3 datasets and schemas, all explicitly named, stays within the limit', () => {
    const stack = newStack();
    const fields = {
      [DatasetType.INTERACTIONS]: [SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP')],
      [DatasetType.ITEMS]: [SchemaField.stringField('ITEM_ID'), SchemaField.stringField('GENRE').categorical()],
      [DatasetType.USERS]: [SchemaField.stringField('USER_ID'), SchemaField.stringField('SEGMENT').categorical()],
    };
    for (let index = 0; index < 5; index++) {
      const group = new DatasetGroup(stack, `Group${index}`, { datasetGroupName: `retail-recommendations-${index}` });
      for (const [type, typeFields] of Object.entries(fields)) {
        const schema = new Schema(stack, `${type}Schema${index}`, {
          schemaName: `retail-recommendations-${type.toLowerCase()}-${index}`,
          definition: SchemaDefinition.fromFields(typeFields),
        });
        group.addDataset(type, { datasetType: type as DatasetType, schema, datasetName: `retail-${type.toLowerCase()}-${index}` });
      }
    }

    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});

describe('resolvedLength', () => {
  test('counts a partition reference as its longest value and joins the parts of Fn::Join', () => {
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':personalize:us-east-1:123456789012:dataset-group/g']] };

    expect(resolvedLength({ Resource: arn })).toBe(JSON.stringify({ Resource: 'arn:aws-us-gov:personalize:us-east-1:123456789012:dataset-group/g' }).length);
  });
});
