import { App, Fn, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  Dataset, DatasetGroup, DatasetProps, DatasetType, Domain, Schema, SchemaDefinition, SchemaField,
} from '../src';
import { grantedOn, handlerGrants, statementFor } from './support/handler-grants';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9\-_]*$/;

const id = (name: string) => SchemaField.stringField(name);
const FIELDS: Record<DatasetType, SchemaField[]> = {
  [DatasetType.INTERACTIONS]: [id('USER_ID'), id('ITEM_ID'), SchemaField.longField('TIMESTAMP')],
  [DatasetType.ITEMS]: [id('ITEM_ID'), id('GENRES').categorical()],
  [DatasetType.USERS]: [id('USER_ID'), SchemaField.intField('AGE')],
  [DatasetType.ACTIONS]: [id('ACTION_ID'), SchemaField.longField('VALUE').nullable()],
  [DatasetType.ACTION_INTERACTIONS]: [id('USER_ID'), id('ACTION_ID'), SchemaField.longField('TIMESTAMP'), id('EVENT_TYPE')],
};
const ECOMMERCE_FIELDS: Partial<Record<DatasetType, SchemaField[]>> = {
  [DatasetType.INTERACTIONS]: [...FIELDS[DatasetType.INTERACTIONS], id('EVENT_TYPE')],
  [DatasetType.ITEMS]: [id('ITEM_ID'), SchemaField.floatField('PRICE'), id('CATEGORY_L1').categorical()],
  [DatasetType.USERS]: FIELDS[DatasetType.USERS],
};

function newStack(app = new App()): Stack {
  return new Stack(app, 'TestStack', { env: { account: ACCOUNT, region: REGION } });
}

function schemaFor(stack: Stack, type: DatasetType, schemaId = `${type}Schema`, domain?: Domain, fields?: SchemaField[]): Schema {
  const source = fields ?? (domain === Domain.ECOMMERCE ? ECOMMERCE_FIELDS[type]! : FIELDS[type]);
  return new Schema(stack, schemaId, { definition: SchemaDefinition.fromFields(source), domain });
}

/** A custom group with a dataset of the given type (and a fitting schema), in a fresh stack. */
function datasetIn(stack: Stack, type: DatasetType, props: Partial<DatasetProps> = {}): Dataset {
  const datasetGroup = props.datasetGroup ?? new DatasetGroup(stack, 'Group');
  return new Dataset(stack, 'Dataset', { datasetGroup, datasetType: type, schema: props.schema ?? schemaFor(stack, type), ...props });
}

function resourceOf(dataset: Dataset): { logicalId: string; resource: any } {
  const stack = Stack.of(dataset);
  const logicalId = stack.getLogicalId(dataset.node.defaultChild as any);
  return { logicalId, resource: Template.fromStack(stack).toJSON().Resources[logicalId] };
}

function nameOf(dataset: Dataset): string {
  return resourceOf(dataset).resource.Properties.Name;
}

function logicalIdOf(construct: DatasetGroup | Schema): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as any);
}

describe('validation', () => {
  test('rejects an invalid datasetName, showing it', () => {
    expect(() => datasetIn(newStack(), DatasetType.INTERACTIONS, { datasetName: 'my interactions' }))
      .toThrow(/^Invalid datasetName: 'my interactions' \(15 characters\)/);
  });

  test.each([DatasetType.ACTIONS, DatasetType.ACTION_INTERACTIONS])('rejects an %s dataset in a Domain dataset group', (type) => {
    const stack = newStack();
    const datasetGroup = new DatasetGroup(stack, 'Group', { domain: Domain.ECOMMERCE });

    expect(() => datasetIn(stack, type, { datasetGroup }))
      .toThrow(`Invalid datasetType: '${type}' datasets cannot be created in a Domain dataset group, and dataset group `
        + '\'TestStack/Group\' has domain ECOMMERCE. Use a custom dataset group (without a domain) for Actions and Action_Interactions datasets.');
  });

  test('rejects a second dataset of the same type in one group, naming the first', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Group');
    group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema: schemaFor(stack, DatasetType.INTERACTIONS) });

    expect(() => group.addDataset('MoreInteractions', { datasetType: DatasetType.INTERACTIONS, schema: schemaFor(stack, DatasetType.INTERACTIONS, 'Other') }))
      .toThrow('Invalid datasetType: \'Interactions\'. Dataset group \'TestStack/Group\' already has a dataset of this type '
        + '(\'TestStack/Group/Interactions\'), and a dataset group holds at most one dataset of each type.');
  });

  test('rejects a second dataset of the same type in one imported group', () => {
    const stack = newStack();
    const group = DatasetGroup.fromDatasetGroupName(stack, 'Imported', 'existing');
    const schema = schemaFor(stack, DatasetType.USERS);
    new Dataset(stack, 'First', { datasetGroup: group, datasetType: DatasetType.USERS, schema });

    expect(() => new Dataset(stack, 'Second', { datasetGroup: group, datasetType: DatasetType.USERS, schema }))
      .toThrow(/^Invalid datasetType: 'Users'. Dataset group 'TestStack\/Imported' already has a dataset of this type \('TestStack\/First'\)/);
  });

  test('allows the same type in two groups, and every type once in one group', () => {
    const stack = newStack();
    const first = new DatasetGroup(stack, 'First');
    const second = new DatasetGroup(stack, 'Second');
    const schema = schemaFor(stack, DatasetType.INTERACTIONS);
    first.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema });
    second.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema });
    for (const type of [DatasetType.ITEMS, DatasetType.USERS, DatasetType.ACTIONS, DatasetType.ACTION_INTERACTIONS]) {
      first.addDataset(type, { datasetType: type, schema: schemaFor(stack, type) });
    }

    Template.fromStack(stack).resourceCountIs('Custom::PersonalizeDataset', 6);
  });

  test('rejects a domain schema in a custom dataset group', () => {
    const stack = newStack();
    const schema = schemaFor(stack, DatasetType.INTERACTIONS, 'Schema', Domain.ECOMMERCE);

    expect(() => datasetIn(stack, DatasetType.INTERACTIONS, { schema }))
      .toThrow('Invalid schema: schema \'TestStack/Schema\' has domain ECOMMERCE, but dataset group \'TestStack/Group\' has no domain. '
        + 'A schema\'s domain must match the domain of its dataset group.');
  });

  test('rejects a schema without a domain in a Domain dataset group', () => {
    const stack = newStack();
    const datasetGroup = new DatasetGroup(stack, 'Group', { domain: Domain.VIDEO_ON_DEMAND });

    expect(() => datasetIn(stack, DatasetType.USERS, { datasetGroup }))
      .toThrow(/^Invalid schema: schema 'TestStack\/UsersSchema' has no domain, but dataset group 'TestStack\/Group' has domain VIDEO_ON_DEMAND/);
  });

  test('rejects a schema of another domain', () => {
    const stack = newStack();
    const datasetGroup = new DatasetGroup(stack, 'Group', { domain: Domain.VIDEO_ON_DEMAND });
    const schema = schemaFor(stack, DatasetType.USERS, 'Schema', Domain.ECOMMERCE);

    expect(() => datasetIn(stack, DatasetType.USERS, { datasetGroup, schema }))
      .toThrow(/has domain ECOMMERCE, but dataset group 'TestStack\/Group' has domain VIDEO_ON_DEMAND/);
  });

  test('skips the domain check when an imported group\'s or schema\'s domain is unknown', () => {
    const stack = newStack();
    const importedGroup = DatasetGroup.fromDatasetGroupName(stack, 'ImportedGroup', 'existing');
    const importedSchema = Schema.fromSchemaName(stack, 'ImportedSchema', 'existing-users');
    new Dataset(stack, 'A', { datasetGroup: importedGroup, datasetType: DatasetType.USERS, schema: schemaFor(stack, DatasetType.USERS, 'S', Domain.ECOMMERCE) });

    expect(() => new Dataset(stack, 'B', {
      datasetGroup: new DatasetGroup(stack, 'Group', { domain: Domain.ECOMMERCE }), datasetType: DatasetType.USERS, schema: importedSchema,
    })).not.toThrow();
  });

  test.each([
    [DatasetType.INTERACTIONS, 'field TIMESTAMP is missing', 'USER_ID (string), ITEM_ID (string), TIMESTAMP (long)'],
    [DatasetType.ITEMS, 'field ITEM_ID is missing', 'ITEM_ID (string)'],
    [DatasetType.USERS, 'field USER_ID is missing', 'USER_ID (string)'],
    [DatasetType.ACTIONS, 'field ACTION_ID is missing', 'ACTION_ID (string)'],
    [DatasetType.ACTION_INTERACTIONS, 'field EVENT_TYPE is missing',
      'USER_ID (string), ACTION_ID (string), TIMESTAMP (long), EVENT_TYPE (string)'],
  ])('rejects a schema without a required field of %s datasets, listing what the type requires', (type, problem, required) => {
    const stack = newStack();
    const missing = { Interactions: 'TIMESTAMP', Items: 'ITEM_ID', Users: 'USER_ID', Actions: 'ACTION_ID', Action_Interactions: 'EVENT_TYPE' }[type];
    const fields = [...FIELDS[type].filter((field) => field.name !== missing), id('EXTRA_METADATA')];
    const schema = schemaFor(stack, type, 'Schema', undefined, fields);

    expect(() => datasetIn(stack, type, { schema }))
      .toThrow(`Invalid schema: schema 'TestStack/Schema' cannot be used for ${type} datasets: ${problem}. Required: ${required}.`);
  });

  test('rejects a required field of the wrong type', () => {
    const stack = newStack();
    const schema = schemaFor(stack, DatasetType.INTERACTIONS, 'Schema', undefined, [id('USER_ID'), id('ITEM_ID'), SchemaField.intField('TIMESTAMP')]);

    expect(() => datasetIn(stack, DatasetType.INTERACTIONS, { schema })).toThrow(/: field TIMESTAMP is int but must be long\./);
  });

  test.each([DatasetType.ITEMS, DatasetType.USERS, DatasetType.ACTIONS])('rejects a schema with no metadata field for %s datasets', (type) => {
    const stack = newStack();
    const schema = schemaFor(stack, type, 'Schema', undefined, FIELDS[type].slice(0, 1));

    expect(() => datasetIn(stack, type, { schema })).toThrow(`${type} schemas need at least one metadata field besides ${FIELDS[type][0].name}`);
  });

  test('adds the domain\'s required fields: an ECOMMERCE Interactions schema needs EVENT_TYPE', () => {
    const stack = newStack();
    const datasetGroup = new DatasetGroup(stack, 'Group', { domain: Domain.ECOMMERCE });
    const schema = schemaFor(stack, DatasetType.INTERACTIONS, 'Schema', Domain.ECOMMERCE, FIELDS[DatasetType.INTERACTIONS]);

    expect(() => datasetIn(stack, DatasetType.INTERACTIONS, { datasetGroup, schema }))
      .toThrow('Invalid schema: schema \'TestStack/Schema\' cannot be used for Interactions datasets in an ECOMMERCE dataset group: '
        + 'field EVENT_TYPE is missing. Required: USER_ID (string), ITEM_ID (string), TIMESTAMP (long), EVENT_TYPE (string).');
  });

  test('a domain field that must be categorical is rejected without "categorical": true', () => {
    const stack = newStack();
    const datasetGroup = new DatasetGroup(stack, 'Group', { domain: Domain.ECOMMERCE });
    const schema = schemaFor(stack, DatasetType.ITEMS, 'Schema', Domain.ECOMMERCE, [id('ITEM_ID'), SchemaField.floatField('PRICE'), id('CATEGORY_L1')]);

    expect(() => datasetIn(stack, DatasetType.ITEMS, { datasetGroup, schema })).toThrow(/: field CATEGORY_L1 must set "categorical": true\./);
  });

  test('a VIDEO_ON_DEMAND Items schema needs GENRES and CREATION_TIMESTAMP', () => {
    const stack = newStack();
    const datasetGroup = new DatasetGroup(stack, 'Group', { domain: Domain.VIDEO_ON_DEMAND });
    const schema = schemaFor(stack, DatasetType.ITEMS, 'Schema', Domain.VIDEO_ON_DEMAND, [id('ITEM_ID'), id('GENRES').categorical()]);

    expect(() => datasetIn(stack, DatasetType.ITEMS, { datasetGroup, schema })).toThrow(/: field CREATION_TIMESTAMP is missing\./);
  });

  test('checks the fields of an imported schema whose definition is given', () => {
    const stack = newStack();
    const schema = Schema.fromSchemaAttributes(stack, 'Imported', {
      schemaName: 'existing', definition: SchemaDefinition.fromFields([id('USER_ID'), id('ITEM_ID')]),
    });

    expect(() => datasetIn(stack, DatasetType.INTERACTIONS, { schema })).toThrow(/schema 'TestStack\/Imported' cannot be used for Interactions datasets/);
  });

  test('skips the field check for an imported schema without a definition, or a definition that is a token', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Group');
    const tokenSchema = new Schema(stack, 'TokenSchema', { definition: SchemaDefinition.fromJson(Fn.importValue('ItemsSchema')) });

    expect(() => group.addDataset('Users', { datasetType: DatasetType.USERS, schema: Schema.fromSchemaName(stack, 'Imported', 'existing') })).not.toThrow();
    expect(() => group.addDataset('Items', { datasetType: DatasetType.ITEMS, schema: tokenSchema })).not.toThrow();
  });

  test('rejects invalid tags at synth, naming the key', () => {
    const stack = newStack();
    const dataset = datasetIn(stack, DatasetType.INTERACTIONS);
    Tags.of(dataset).add('aws:reserved', 'x');

    expect(() => Template.fromStack(stack)).toThrow(/Invalid tag key 'aws:reserved': keys starting with 'aws:' are reserved by AWS/);
  });
});

describe('Dataset', () => {
  test('is a Custom::PersonalizeDataset with the name, group ARN, type as the API spells it, schema ARN and tags', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Group');
    const schema = schemaFor(stack, DatasetType.ACTION_INTERACTIONS);
    new Dataset(stack, 'Dataset', { datasetGroup: group, datasetType: DatasetType.ACTION_INTERACTIONS, schema, datasetName: 'nba-events' });

    Template.fromStack(stack).hasResourceProperties('Custom::PersonalizeDataset', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CdkPersonalizeProvider'), 'Arn'] },
      ContractVersion: '1',
      Name: 'nba-events',
      DatasetGroupArn: { 'Fn::GetAtt': [logicalIdOf(group), 'Arn'] },
      DatasetType: 'Action_Interactions',
      SchemaArn: { 'Fn::GetAtt': [logicalIdOf(schema), 'Arn'] },
      Tags: [],
    });
  });

  test('refers to an imported group and schema by their ARNs', () => {
    const stack = newStack();
    const groupArn = `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset-group/existing`;
    const schemaArn = `arn:aws:personalize:${REGION}:${ACCOUNT}:schema/existing-users`;
    new Dataset(stack, 'Dataset', {
      datasetGroup: DatasetGroup.fromDatasetGroupArn(stack, 'Group', groupArn),
      datasetType: DatasetType.USERS,
      schema: Schema.fromSchemaArn(stack, 'Schema', schemaArn),
    });

    Template.fromStack(stack).hasResourceProperties('Custom::PersonalizeDataset', { DatasetGroupArn: groupArn, SchemaArn: schemaArn });
  });

  test('a group with emptyOnDelete passes it on as GroupEmptyOnDelete; a group without it and an imported group pass nothing', () => {
    const stack = newStack();
    const emptied = new DatasetGroup(stack, 'Emptied', { emptyOnDelete: true });
    const kept = new DatasetGroup(stack, 'Kept');
    const imported = DatasetGroup.fromDatasetGroupArn(stack, 'Imported', `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset-group/existing`);
    emptied.addDataset('Items', { datasetType: DatasetType.ITEMS, schema: schemaFor(stack, DatasetType.ITEMS) });
    kept.addDataset('Users', { datasetType: DatasetType.USERS, schema: schemaFor(stack, DatasetType.USERS) });
    imported.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema: schemaFor(stack, DatasetType.INTERACTIONS) });

    const byType = Object.fromEntries(Object.values(Template.fromStack(stack).findResources('Custom::PersonalizeDataset'))
      .map((resource: any) => [resource.Properties.DatasetType, resource.Properties.GroupEmptyOnDelete]));
    expect(byType).toEqual({ Items: 'true', Users: undefined, Interactions: undefined });
  });

  test('datasetArn, datasetName and trackingId are the Arn, Name and TrackingId attributes the handler returns', () => {
    const stack = newStack();
    const dataset = datasetIn(stack, DatasetType.ACTION_INTERACTIONS);
    const { logicalId } = resourceOf(dataset);

    expect(stack.resolve(dataset.datasetArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'Arn'] });
    expect(stack.resolve(dataset.datasetName)).toEqual({ 'Fn::GetAtt': [logicalId, 'Name'] });
    expect(stack.resolve(dataset.trackingId)).toEqual({ 'Fn::GetAtt': [logicalId, 'TrackingId'] });
  });

  test('trackingId of a dataset that is not Action_Interactions throws, naming the type', () => {
    const dataset = datasetIn(newStack(), DatasetType.INTERACTIONS);

    expect(() => dataset.trackingId).toThrow('trackingId exists only for Action_Interactions datasets; dataset \'TestStack/Dataset\' is Interactions.');
  });

  test('addDataset creates the dataset inside the group, in the group', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Group');
    const dataset = group.addDataset('Items', { datasetType: DatasetType.ITEMS, schema: schemaFor(stack, DatasetType.ITEMS) });

    expect(dataset.node.path).toBe('TestStack/Group/Items');
    expect(dataset.datasetGroup).toBe(group);
    Template.fromStack(stack).hasResourceProperties('Custom::PersonalizeDataset', { DatasetGroupArn: { 'Fn::GetAtt': [logicalIdOf(group), 'Arn'] } });
  });

  test('removal policy defaults to DESTROY', () => {
    const stack = newStack();
    datasetIn(stack, DatasetType.INTERACTIONS);

    Template.fromStack(stack).hasResource('Custom::PersonalizeDataset', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('removal policy RETAIN is honoured', () => {
    const stack = newStack();
    datasetIn(stack, DatasetType.INTERACTIONS, { removalPolicy: RemovalPolicy.RETAIN });

    Template.fromStack(stack).hasResource('Custom::PersonalizeDataset', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('Tags.of(scope) reaches the dataset; schemas, which the API cannot tag, get none', () => {
    const stack = newStack();
    const dataset = datasetIn(stack, DatasetType.INTERACTIONS);
    Tags.of(stack).add('cost-center', '42');
    Tags.of(dataset).add('team', 'recsys');
    const template = Template.fromStack(stack);

    template.hasResourceProperties('Custom::PersonalizeDataset', { Tags: [{ Key: 'cost-center', Value: '42' }, { Key: 'team', Value: 'recsys' }] });
    template.hasResourceProperties('Custom::PersonalizeSchema', { Tags: Match.absent() });
  });

  test('grantRead gives DescribeDataset and ListTagsForResource on the dataset', () => {
    const stack = newStack();
    const dataset = datasetIn(stack, DatasetType.INTERACTIONS);
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    dataset.grantRead(role);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^ReaderDefaultPolicy'),
      PolicyDocument: { Statement: [{ Action: ['personalize:DescribeDataset', 'personalize:ListTagsForResource'], Resource: stack.resolve(dataset.datasetArn) }] },
    });
  });
});

describe('generated names', () => {
  /** The generated name of a dataset built in a fresh stack by `build`. */
  function generated(build: (stack: Stack) => Dataset): string {
    return nameOf(build(newStack()));
  }
  const itemsWith = (fields: SchemaField[]) => (stack: Stack) =>
    datasetIn(stack, DatasetType.ITEMS, { schema: schemaFor(stack, DatasetType.ITEMS, 'Schema', undefined, fields) });
  const interactionsWith = (fields: SchemaField[]) => (stack: Stack) =>
    datasetIn(stack, DatasetType.INTERACTIONS, { schema: schemaFor(stack, DatasetType.INTERACTIONS, 'Schema', undefined, fields) });

  test('are valid Personalize names derived from the construct path, and the same on every synth', () => {
    const name = generated((stack) => datasetIn(stack, DatasetType.INTERACTIONS));

    expect(name).toMatch(NAME_PATTERN);
    expect(name).toMatch(/^TestStack_Dataset-[0-9a-f]{8}$/);
    expect(generated((stack) => datasetIn(stack, DatasetType.INTERACTIONS))).toBe(name);
  });

  test('change with the dataset type', () => {
    expect(generated((stack) => datasetIn(stack, DatasetType.USERS))).not.toBe(generated((stack) => datasetIn(stack, DatasetType.ITEMS)));
  });

  test('change when the group is replaced under a new name', () => {
    const inGroup = (groupProps: { datasetGroupName?: string; domain?: Domain }) => (stack: Stack) =>
      datasetIn(stack, DatasetType.USERS, { datasetGroup: new DatasetGroup(stack, 'Group', groupProps) });

    expect(generated(inGroup({ datasetGroupName: 'first' }))).not.toBe(generated(inGroup({ datasetGroupName: 'second' })));
  });

  test('change with an imported group\'s ARN', () => {
    const inImported = (name: string) => (stack: Stack) =>
      datasetIn(stack, DatasetType.USERS, { datasetGroup: DatasetGroup.fromDatasetGroupName(stack, 'Group', name) });

    expect(generated(inImported('first'))).not.toBe(generated(inImported('second')));
  });

  test('change with the schema of an Interactions dataset, whose schema change is a replacement', () => {
    const extended = [...FIELDS[DatasetType.INTERACTIONS], id('EVENT_TYPE')];

    expect(generated(interactionsWith(extended))).not.toBe(generated(interactionsWith(FIELDS[DatasetType.INTERACTIONS])));
  });

  test('stay the same when the schema of an Items dataset changes, since that is updated in place', () => {
    const extended = [...FIELDS[DatasetType.ITEMS], id('COLOR').categorical().nullable()];

    expect(generated(itemsWith(extended))).toBe(generated(itemsWith(FIELDS[DatasetType.ITEMS])));
  });

  test('an explicit datasetName is used as given', () => {
    expect(generated((stack) => datasetIn(stack, DatasetType.INTERACTIONS, { datasetName: 'clicks' }))).toBe('clicks');
  });
});

describe('handler permissions', () => {
  const arn = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:${REGION}:${ACCOUNT}:${resource}`]] });
  /** By name; deleting and tagging a dataset the stack made come from the grant on its owner tag. */
  const DATASET_ACTIONS = ['personalize:CreateDataset', 'personalize:DescribeDataset', 'personalize:UpdateDataset'];

  test('the handler gets the dataset actions on dataset/GROUP/TYPE, CreateDataset on the group, and DescribeSchema on the schema only', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Group');
    const schema = schemaFor(stack, DatasetType.ACTION_INTERACTIONS);
    new Dataset(stack, 'Dataset', { datasetGroup: group, datasetType: DatasetType.ACTION_INTERACTIONS, schema });
    const template = Template.fromStack(stack);

    expect(statementFor(template, DATASET_ACTIONS).Resource).toEqual(arn('dataset/TestStack_*/ACTION_INTERACTIONS'));
    expect(grantedOn(template, 'personalize:CreateDataset')).toEqual(expect.arrayContaining([arn('dataset-group/TestStack_*'), arn('dataset/TestStack_*/ACTION_INTERACTIONS')]));
    expect(grantedOn(template, 'personalize:CreateDataset')).toHaveLength(2);
    // CreateDataset and UpdateDataset authorize the dataset and the group, never the schema (service authorization reference).
    expect(statementFor(template, ['personalize:DescribeSchema']).Resource).toEqual(arn('schema/TestStack_*'));
  });

  test('a refused delete may list what blocks it: only List actions, on "*"', () => {
    const stack = newStack();
    datasetIn(stack, DatasetType.ITEMS);

    const template = Template.fromStack(stack);
    for (const action of ['personalize:ListFilters', 'personalize:ListEventTrackers', 'personalize:ListMetricAttributions',
      'personalize:ListMetricAttributionMetrics', 'personalize:ListDatasetImportJobs', 'personalize:ListRecommenders',
      'personalize:ListSolutions', 'personalize:ListSolutionVersions', 'personalize:ListCampaigns']) {
      expect(grantedOn(template, action)).toEqual(['*']);
    }
  });

  test('grants never refer to another custom resource\'s attributes, which would make a dependency cycle', () => {
    const stack = newStack();
    datasetIn(stack, DatasetType.ITEMS);

    expect(JSON.stringify(handlerGrants(Template.fromStack(stack)).statements)).not.toContain('Fn::GetAtt');
  });

  test('for an imported group and schema, the grants name their ARNs, with the dataset in the group\'s account and region', () => {
    const stack = newStack();
    const datasetGroup = DatasetGroup.fromDatasetGroupArn(stack, 'Group', `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset-group/shared`);
    const schema = Schema.fromSchemaAttributes(stack, 'Schema', {
      schemaArn: `arn:aws:personalize:${REGION}:${ACCOUNT}:schema/users-v1`,
      definition: SchemaDefinition.fromFields(FIELDS[DatasetType.USERS]),
    });
    datasetIn(stack, DatasetType.USERS, { datasetGroup, schema });
    const template = Template.fromStack(stack);

    expect(statementFor(template, DATASET_ACTIONS).Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:${REGION}:${ACCOUNT}:dataset/shared/USERS`]],
    });
    expect(grantedOn(template, 'personalize:CreateDataset')).toContain(datasetGroup.datasetGroupArn);
    expect(grantedOn(template, 'personalize:CreateDataset')).toHaveLength(2);
    expect(statementFor(template, ['personalize:DescribeSchema']).Resource).toBe(schema.schemaArn);
  });

  test('no statement grants personalize:* or any resource \'*\' other than the read-only List actions', () => {
    const stack = newStack();
    datasetIn(stack, DatasetType.ITEMS);
    const statements = handlerGrants(Template.fromStack(stack)).statements;

    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(([] as string[]).concat(statement.Action)).not.toContain('personalize:*');
      if (statement.Resource === '*') expect(([] as string[]).concat(statement.Action).every((action) => action.startsWith('personalize:List'))).toBe(true);
    }
  });

  test('the dataset depends on the grants policy, and refers to its group and schema so that it is deleted before them', () => {
    const stack = newStack();
    const dataset = datasetIn(stack, DatasetType.INTERACTIONS);
    const { logicalId: policyId } = handlerGrants(Template.fromStack(stack));

    const { resource } = resourceOf(dataset);
    expect(resource.DependsOn).toContain(policyId);
    expect(resource.Properties.DatasetGroupArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(dataset.datasetGroup as DatasetGroup), 'Arn'] });
    expect(resource.Properties.SchemaArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(dataset.schema as Schema), 'Arn'] });
  });
});

describe('provider', () => {
  test('groups, schemas and datasets in one stack share one onEvent function, one isComplete function and one state machine', () => {
    const stack = newStack();
    const custom = new DatasetGroup(stack, 'Custom');
    const retail = new DatasetGroup(stack, 'Retail', { domain: Domain.ECOMMERCE });
    custom.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema: schemaFor(stack, DatasetType.INTERACTIONS) });
    custom.addDataset('Actions', { datasetType: DatasetType.ACTIONS, schema: schemaFor(stack, DatasetType.ACTIONS) });
    retail.addDataset('Items', { datasetType: DatasetType.ITEMS, schema: schemaFor(stack, DatasetType.ITEMS, 'RetailItems', Domain.ECOMMERCE) });
    const template = Template.fromStack(stack);

    expect(Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.onEvent' } }))).toHaveLength(1);
    expect(Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.isComplete' } }))).toHaveLength(1);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    const tokens = ['Custom::PersonalizeDatasetGroup', 'Custom::PersonalizeSchema', 'Custom::PersonalizeDataset']
      .flatMap((type) => Object.values(template.findResources(type)))
      .map((resource) => JSON.stringify(resource.Properties.ServiceToken));
    expect(tokens).toHaveLength(8);
    expect(new Set(tokens).size).toBe(1);
  });

  test('a complete model synthesizes without warnings or errors', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Group');
    for (const type of Object.values(DatasetType)) group.addDataset(type, { datasetType: type, schema: schemaFor(stack, type) });

    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });
});

describe('imports', () => {
  const groupArn = `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset-group/retail`;

  test.each([
    ['INTERACTIONS', DatasetType.INTERACTIONS],
    ['ITEMS', DatasetType.ITEMS],
    ['USERS', DatasetType.USERS],
    ['ACTIONS', DatasetType.ACTIONS],
    ['ACTION_INTERACTIONS', DatasetType.ACTION_INTERACTIONS],
  ])('fromDatasetArn reads the type from …/%s', (suffix, type) => {
    const dataset = Dataset.fromDatasetArn(newStack(), 'Imported', `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset/retail/${suffix}`);

    expect(dataset.datasetType).toBe(type);
  });

  test('rejects an ARN that is not a dataset ARN, listing the expected shape', () => {
    expect(() => Dataset.fromDatasetArn(newStack(), 'Imported', groupArn))
      .toThrow(`Invalid datasetArn: '${groupArn}'. Expected a dataset ARN, …:dataset/GROUP_NAME/TYPE, with TYPE one of `
        + 'INTERACTIONS, ITEMS, USERS, ACTIONS, ACTION_INTERACTIONS.');
  });

  test('fromDatasetArn cannot read the type from a token, and says to use fromDatasetAttributes', () => {
    expect(() => Dataset.fromDatasetArn(newStack(), 'Imported', Fn.importValue('DatasetArn')))
      .toThrow('Dataset.fromDatasetArn cannot read the dataset type from a token ARN; use Dataset.fromDatasetAttributes({ datasetArn, datasetType }).');
  });

  test('fromDatasetAttributes accepts a token ARN with the type given', () => {
    const dataset = Dataset.fromDatasetAttributes(newStack(), 'Imported', { datasetArn: Fn.importValue('DatasetArn'), datasetType: DatasetType.USERS });

    expect(dataset.datasetType).toBe(DatasetType.USERS);
  });

  test('the name of a dataset imported by ARN is unknown, and reading it says how to give it', () => {
    const dataset = Dataset.fromDatasetArn(newStack(), 'Imported', `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset/retail/USERS`);

    expect(() => dataset.datasetName).toThrow(/^The name of imported dataset 'TestStack\/Imported' is unknown: it is not part of the ARN/);
  });

  test('fromDatasetAttributes keeps the name it is given', () => {
    const dataset = Dataset.fromDatasetAttributes(newStack(), 'Imported', {
      datasetArn: `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset/retail/USERS`, datasetName: 'retail-users',
    });

    expect(dataset.datasetName).toBe('retail-users');
  });

  test('an imported dataset creates no resources', () => {
    const stack = newStack();
    Dataset.fromDatasetArn(stack, 'Imported', `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset/retail/ITEMS`);

    expect(Template.fromStack(stack).toJSON().Resources ?? {}).toEqual({});
  });
});
