/**
 * Input that used to pass synth and fail minutes into a deploy (issue 13, point 4), and
 * messages that showed unresolved tokens instead of something a user can find (point 5).
 */
import { App, Aws, Fn, Lazy, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  Dataset, DatasetGroup, DatasetType, ProviderLogging, Schema, SchemaDefinition, SchemaField,
} from '../src';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

const str = (name: string) => SchemaField.stringField(name);
const INTERACTIONS = [str('USER_ID'), str('ITEM_ID'), SchemaField.longField('TIMESTAMP')];

function newStack(app = new App(), id = 'TestStack', region = REGION): Stack {
  return new Stack(app, id, { env: { account: ACCOUNT, region } });
}

function schemaOf(stack: Stack, id: string, fields: SchemaField[]): Schema {
  return new Schema(stack, id, { definition: SchemaDefinition.fromFields(fields) });
}

describe('KMS alias', () => {
  test('an alias made with key.addAlias is refused as kmsKey, naming the alias and its construct', () => {
    const stack = newStack();
    const alias = new kms.Key(stack, 'Key').addAlias('alias/personalize');

    expect(() => new DatasetGroup(stack, 'Group', { kmsKey: alias })).toThrow(
      "Invalid kmsKey: 'arn:<partition>:kms:us-east-1:123456789012:alias/personalize' of 'TestStack/Key/Alias' is a KMS alias. "
      + 'Expected a KMS key (kms.Key or kms.Key.fromKeyArn), whose ARN is arn:aws...:kms:REGION:ACCOUNT:key/ID; '
      + 'Personalize does not accept an alias.');
  });

  test('an alias in an environment-agnostic stack, whose account and region are tokens too, is refused', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const alias = kms.Alias.fromAliasName(stack, 'Alias', 'alias/personalize');

    expect(() => new DatasetGroup(stack, 'Group', { kmsKey: alias })).toThrow(/^Invalid kmsKey: .* is a KMS alias\./);
  });
});

describe('a dataset in a group of another account or region', () => {
  test('a group imported from another region is refused, naming both regions', () => {
    const stack = newStack();
    const group = DatasetGroup.fromDatasetGroupArn(stack, 'Group', `arn:aws:personalize:eu-west-1:${ACCOUNT}:dataset-group/shared`);

    expect(() => group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema: schemaOf(stack, 'Schema', INTERACTIONS) }))
      .toThrow(`Invalid datasetGroup: dataset group 'arn:aws:personalize:eu-west-1:${ACCOUNT}:dataset-group/shared' is in region `
        + "eu-west-1 (the stack's: us-east-1). A dataset is created in its stack's account and region, so it can be added only to "
        + "a dataset group there; add it in a stack deployed to the group's account and region.");
  });

  test('a group imported from another account is refused, naming both accounts', () => {
    const stack = newStack();
    const group = DatasetGroup.fromDatasetGroupArn(stack, 'Group', `arn:aws:personalize:${REGION}:210987654321:dataset-group/shared`);

    expect(() => group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema: schemaOf(stack, 'Schema', INTERACTIONS) }))
      .toThrow(/^Invalid datasetGroup: dataset group '.*' is in account 210987654321 \(the stack's: 123456789012\)\./);
  });

  test('a group imported into an environment-agnostic stack is accepted: the stack may deploy to its region', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const group = DatasetGroup.fromDatasetGroupArn(stack, 'Group', `arn:aws:personalize:eu-west-1:${ACCOUNT}:dataset-group/shared`);

    expect(() => group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema: schemaOf(stack, 'Schema', INTERACTIONS) }))
      .not.toThrow();
  });
});

describe('explicit names used twice in one app', () => {
  test('two dataset groups with the same datasetGroupName in one account and region are refused', () => {
    const app = new App();
    new DatasetGroup(newStack(app, 'First'), 'Group', { datasetGroupName: 'retail' });

    expect(() => new DatasetGroup(newStack(app, 'Second'), 'Group', { datasetGroupName: 'retail' })).toThrow(
      "Invalid datasetGroupName: 'retail' is already the datasetGroupName of 'First/Group' in account 123456789012, region "
      + 'us-east-1. Dataset group names are unique per account and region, so the second create would fail; give each a '
      + 'different datasetGroupName, or leave it unset to generate one.');
  });

  test('two schemas with the same schemaName in one stack are refused', () => {
    const stack = newStack();
    new Schema(stack, 'A', { schemaName: 'interactions', definition: SchemaDefinition.fromFields(INTERACTIONS) });

    expect(() => new Schema(stack, 'B', { schemaName: 'interactions', definition: SchemaDefinition.fromFields(INTERACTIONS) }))
      .toThrow(/^Invalid schemaName: 'interactions' is already the schemaName of 'TestStack\/A' in account 123456789012/);
  });

  test('two datasets with the same datasetName in one stack are refused', () => {
    const stack = newStack();
    const schema = schemaOf(stack, 'Schema', INTERACTIONS);
    new DatasetGroup(stack, 'A').addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema, datasetName: 'events' });

    expect(() => new DatasetGroup(stack, 'B').addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema, datasetName: 'events' }))
      .toThrow(/^Invalid datasetName: 'events' is already the datasetName of 'TestStack\/A\/Interactions'/);
  });

  test('the same name in two regions is accepted: names are unique per account and region', () => {
    const app = new App();
    new DatasetGroup(newStack(app, 'East'), 'Group', { datasetGroupName: 'retail' });

    expect(() => new DatasetGroup(newStack(app, 'West', 'us-west-2'), 'Group', { datasetGroupName: 'retail' })).not.toThrow();
  });

  test('the same name in two apps is accepted: each app is checked on its own', () => {
    new DatasetGroup(newStack(), 'Group', { datasetGroupName: 'retail' });

    expect(() => new DatasetGroup(newStack(), 'Group', { datasetGroupName: 'retail' })).not.toThrow();
  });
});

describe('schema fields for the dataset type', () => {
  test('a textual field outside an Items schema is refused, naming the field', () => {
    const stack = newStack();
    const users = schemaOf(stack, 'Users', [str('USER_ID'), str('BIO').textual()]);

    expect(() => new DatasetGroup(stack, 'Group').addDataset('Users', { datasetType: DatasetType.USERS, schema: users }))
      .toThrow("Invalid schema: schema 'TestStack/Users' cannot be used for Users datasets: field BIO is textual, but only "
        + 'Items schemas may have textual fields. Required: USER_ID (string).');
  });

  test('a textual field in an Items schema is accepted', () => {
    const stack = newStack();
    const items = schemaOf(stack, 'Items', [str('ITEM_ID'), str('DESCRIPTION').textual().nullable()]);

    expect(() => new DatasetGroup(stack, 'Group').addDataset('Items', { datasetType: DatasetType.ITEMS, schema: items })).not.toThrow();
  });

  test.each([
    ['EVENT_VALUE as string in Interactions', DatasetType.INTERACTIONS, str('EVENT_VALUE'), 'EVENT_VALUE is string but must be float'],
    ['EVENT_TYPE as int in Interactions', DatasetType.INTERACTIONS, SchemaField.intField('EVENT_TYPE'), 'EVENT_TYPE is int but must be string'],
    ['IMPRESSION as long in Interactions', DatasetType.INTERACTIONS, SchemaField.longField('IMPRESSION'), 'IMPRESSION is long but must be string'],
    ['RECOMMENDATION_ID as int in Interactions', DatasetType.INTERACTIONS, SchemaField.intField('RECOMMENDATION_ID'), 'RECOMMENDATION_ID is int but must be string'],
    ['CREATION_TIMESTAMP as string in Items', DatasetType.ITEMS, str('CREATION_TIMESTAMP'), 'CREATION_TIMESTAMP is string but must be long'],
  ])('a reserved field of the wrong type is refused, naming its documented type: %s', (_case, type, field, problem) => {
    const stack = newStack();
    const base = type === DatasetType.ITEMS ? [str('ITEM_ID'), str('GENRE')] : INTERACTIONS;
    const schema = schemaOf(stack, 'Schema', [...base, field]);

    expect(() => new DatasetGroup(stack, 'Group').addDataset('Dataset', { datasetType: type, schema }))
      .toThrow(`Invalid schema: schema 'TestStack/Schema' cannot be used for ${type} datasets: reserved field ${problem}.`);
  });

  test('reserved fields of their documented types are accepted', () => {
    const stack = newStack();
    const schema = schemaOf(stack, 'Schema', [...INTERACTIONS, str('EVENT_TYPE'), SchemaField.floatField('EVENT_VALUE').nullable(),
      str('IMPRESSION').nullable(), str('RECOMMENDATION_ID').nullable()]);

    expect(() => new DatasetGroup(stack, 'Group').addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema })).not.toThrow();
  });
});

describe('two imports of one dataset group', () => {
  test('a second Interactions dataset through a second import of the same ARN is refused, naming both imports', () => {
    const stack = newStack();
    const arn = `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset-group/shared`;
    const schema = schemaOf(stack, 'Schema', INTERACTIONS);
    DatasetGroup.fromDatasetGroupArn(stack, 'First', arn).addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema });
    const second = DatasetGroup.fromDatasetGroupArn(stack, 'Second', arn);

    expect(() => second.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema })).toThrow(
      "Invalid datasetType: 'Interactions'. Dataset group 'TestStack/Second' already has a dataset of this type "
      + `('TestStack/First/Interactions', the same group '${arn}' imported as 'TestStack/First'), and a dataset group holds at `
      + 'most one dataset of each type.');
  });

  test('imports of two different groups each take their own Interactions dataset', () => {
    const stack = newStack();
    const schema = schemaOf(stack, 'Schema', INTERACTIONS);
    DatasetGroup.fromDatasetGroupName(stack, 'A', 'a').addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema });

    expect(() => DatasetGroup.fromDatasetGroupName(stack, 'B', 'b').addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema }))
      .not.toThrow();
  });
});

describe('dataset group quota', () => {
  const groupsIn = (count: number) => {
    const stack = newStack();
    for (let i = 1; i <= count; i++) new DatasetGroup(stack, `Group${i}`);
    return Annotations.fromStack(stack);
  };

  test('a sixth dataset group in a stack gets a warning about the regional quota, not an error', () => {
    const annotations = groupsIn(6);

    annotations.hasWarning('/TestStack/Group6', Match.stringLikeRegexp(
      "^Stack 'TestStack' defines 6 dataset groups; Amazon Personalize allows 5 active dataset groups per account and region by default"));
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
  });

  test('five dataset groups in a stack get no quota warning', () => {
    expect(groupsIn(5).findWarning('*', Match.stringLikeRegexp('dataset groups per account and region'))).toEqual([]);
  });
});

describe('messages never show unresolved tokens', () => {
  const TOKEN = '${Token[';

  /** Runs `build`, returning the error it throws, if any, and every warning and error annotation of the stack. */
  function messagesOf(build: (stack: Stack) => void, stack = new Stack(new App(), 'Tokens')): string[] {
    const messages: string[] = [];
    try {
      build(stack);
    } catch (error) {
      messages.push((error as Error).message);
    }
    const annotations = Annotations.fromStack(stack);
    for (const entry of [...annotations.findWarning('*', Match.anyValue()), ...annotations.findError('*', Match.anyValue())]) {
      messages.push(String(entry.entry.data));
    }
    return messages;
  }

  const token = (value: string) => Lazy.string({ produce: () => value });

  test.each<[string, (stack: Stack) => void]>([
    ['role: a created role without kmsKey', (stack) => {
      new DatasetGroup(stack, 'Group', { role: new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() }) });
    }],
    ['kmsKey: an imported key whose ARN holds the partition as a token', (stack) => {
      new DatasetGroup(stack, 'Group', { kmsKey: kms.Key.fromKeyArn(stack, 'Key', `arn:${Aws.PARTITION}:kms:us-east-1:${ACCOUNT}:key/abc`) });
    }],
    ['kmsKey: an imported key whose ARN is a token', (stack) => {
      new DatasetGroup(stack, 'Group', { kmsKey: kms.Key.fromKeyArn(stack, 'Key', Fn.importValue('KeyArn')) });
    }],
    ['kmsKey: an alias', (stack) => {
      new DatasetGroup(stack, 'Group', { kmsKey: new kms.Key(stack, 'Key').addAlias('alias/x') });
    }],
    ['encryptionKey: an imported logs key whose ARN holds tokens', (stack) => {
      new DatasetGroup(stack, 'Group');
      ProviderLogging.configure(stack, { encryptionKey: kms.Key.fromKeyArn(stack, 'LogKey', `arn:${Aws.PARTITION}:kms:${Aws.REGION}:${Aws.ACCOUNT_ID}:key/abc`) });
    }],
    ['encryptionKey: an alias for the logs', (stack) => {
      ProviderLogging.configure(stack, { encryptionKey: new kms.Key(stack, 'Key').addAlias('alias/logs') });
    }],
    ['names and ARNs given as tokens', (stack) => {
      const group = new DatasetGroup(stack, 'Group', { datasetGroupName: token('group') });
      const schema = new Schema(stack, 'Schema', { schemaName: token('schema'), definition: SchemaDefinition.fromJson(token('{}')) });
      group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema, datasetName: token('dataset') });
      const imported = DatasetGroup.fromDatasetGroupArn(stack, 'Imported', token('arn'));
      imported.addDataset('Users', { datasetType: DatasetType.USERS, schema: Schema.fromSchemaArn(stack, 'ImportedSchema', token('schema-arn')) });
      Dataset.fromDatasetAttributes(stack, 'ImportedDataset', { datasetArn: token('dataset-arn'), datasetType: DatasetType.ITEMS });
      Tags.of(group).add(token('key'), token('value'));
    }],
    ['datasetGroup: a group of another region, imported with a token partition', (stack) => {
      const group = DatasetGroup.fromDatasetGroupArn(stack, 'Group', `arn:${Aws.PARTITION}:personalize:eu-west-1:${ACCOUNT}:dataset-group/shared`);
      group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema: schemaOf(stack, 'Schema', INTERACTIONS) });
    }],
  ])('%s', (_name, build) => {
    const stack = new Stack(new App(), 'Tokens', { env: { account: ACCOUNT, region: REGION } });
    const messages = messagesOf(build, stack);
    for (const message of messages) expect(message).not.toContain(TOKEN);
  });

  test('the role message names the role construct when its ARN is only known at deploy time', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });

    expect(() => new DatasetGroup(stack, 'Group', { role })).toThrow(
      "Invalid role: 'TestStack/Role' (known only at deploy time) was given without kmsKey. Personalize uses the role only to "
      + 'access a customer managed KMS key; give kmsKey as well, or remove role.');
  });

  test('the imported-key warning shows the literal parts of the key ARN and the key construct', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'Group', { kmsKey: kms.Key.fromKeyArn(stack, 'Key', `arn:${Aws.PARTITION}:kms:us-east-1:${ACCOUNT}:key/abc`) });

    Annotations.fromStack(stack).hasWarning('/TestStack/Group', Match.stringLikeRegexp(
      "^The policy of the imported key 'arn:<partition>:kms:us-east-1:123456789012:key/abc' of 'TestStack/Key' cannot be changed"));
  });
});
