import * as fs from 'fs';
import * as path from 'path';
import { App, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Domain, FieldType, Schema, SchemaDefinition, SchemaField, SchemaProps } from '../src';
import { grantedOn, handlerGrants, isOwnedGrant } from './support/handler-grants';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9\-_]*$/;

const INTERACTIONS_FIELDS = [
  { name: 'USER_ID', type: 'string' },
  { name: 'ITEM_ID', type: 'string' },
  { name: 'TIMESTAMP', type: 'long' },
];

function newStack(app = new App()): Stack {
  return new Stack(app, 'TestStack', { env: { account: ACCOUNT, region: REGION } });
}

function avro(fields: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type: 'record', name: 'Interactions', namespace: 'com.amazonaws.personalize.schema', fields, ...extra });
}

function schemaWith(json: string): () => Schema {
  return () => new Schema(newStack(), 'Schema', { definition: SchemaDefinition.fromJson(json) });
}

function schemaProperties(schema: Schema): Record<string, any> {
  const stack = Stack.of(schema);
  const logicalId = stack.getLogicalId(schema.node.defaultChild as any);
  return Template.fromStack(stack).toJSON().Resources[logicalId].Properties;
}

/** The generated name of a schema with these props, in a fresh app. */
function generatedName(props: SchemaProps): string {
  return schemaProperties(new Schema(newStack(), 'Schema', props)).Name;
}

const interactions = SchemaDefinition.fromJson(avro(INTERACTIONS_FIELDS));

describe('definition validation', () => {
  test('rejects text that is not JSON, quoting the text', () => {
    expect(schemaWith('{"type": "record", "fields": [')).toThrow(/^Invalid definition: it is not valid JSON \(.*\): '\{"type": "record", "fields": \['/);
  });

  test('rejects JSON that is not an Avro record, showing its type', () => {
    expect(schemaWith('{"type": "enum", "name": "E", "symbols": ["A"]}'))
      .toThrow('Invalid definition: it must be an Avro record, {"type": "record", "name": ..., "fields": [...]}; got "type": "enum".');
  });

  test('rejects a record name that is not a valid Avro name', () => {
    expect(schemaWith(avro(INTERACTIONS_FIELDS, { name: 'my-record' }))).toThrow(/the record name "my-record" is not a valid Avro name/);
  });

  test('rejects a record without fields', () => {
    expect(schemaWith(avro([]))).toThrow('Invalid definition: the record needs a non-empty "fields" array; got [].');
  });

  test('rejects a field that is not an object', () => {
    expect(schemaWith(avro([...INTERACTIONS_FIELDS, 'GENRES']))).toThrow(/field #4 must be an object with "name" and "type"; got "GENRES"/);
  });

  test('rejects a field name that is not a valid Avro name', () => {
    expect(schemaWith(avro([...INTERACTIONS_FIELDS, { name: '2ND_ID', type: 'string' }])))
      .toThrow(/field #4 has the name "2ND_ID", which is not a valid Avro name/);
  });

  test('rejects a field defined twice', () => {
    expect(schemaWith(avro([...INTERACTIONS_FIELDS, { name: 'ITEM_ID', type: 'string' }])))
      .toThrow(/field 'ITEM_ID' is defined more than once/);
  });

  test('rejects field names that differ only in underscores', () => {
    expect(schemaWith(avro([...INTERACTIONS_FIELDS, { name: 'GENRE_L1', type: 'string' }, { name: 'GENREL1', type: 'string' }])))
      .toThrow(/fields 'GENRE_L1' and 'GENREL1' differ only in underscores/);
  });

  test.each([
    ['an array', { type: 'array', items: 'string' }, '{"type":"array","items":"string"}'],
    ['a map', { type: 'map', values: 'long' }, '{"type":"map","values":"long"}'],
    ['bytes', 'bytes', '"bytes"'],
    ['a union of two non-null types', ['string', 'long'], '["string","long"]'],
    ['null alone', 'null', '"null"'],
  ])('rejects a field type Personalize does not accept: %s', (_label, type, shown) => {
    expect(schemaWith(avro([...INTERACTIONS_FIELDS, { name: 'EXTRA', type }])))
      .toThrow(`field 'EXTRA' has the type ${shown}; Personalize accepts string, int, long, float, double, boolean, `
        + 'or one of them in a union with "null" such as ["null", "string"]');
  });

  test.each(['categorical', 'textual'])('rejects %s: true on a field that is not a string', (flag) => {
    expect(schemaWith(avro([...INTERACTIONS_FIELDS, { name: 'AGE', type: ['null', 'int'], [flag]: true }])))
      .toThrow(`field 'AGE' is int but sets "${flag}": true; only string fields can be ${flag}`);
  });

  test('rejects a categorical flag that is not a boolean', () => {
    expect(schemaWith(avro([...INTERACTIONS_FIELDS, { name: 'GENRES', type: 'string', categorical: 'yes' }])))
      .toThrow('field \'GENRES\' sets "categorical" to "yes"; it must be true or false');
  });

  test('rejects a definition over the API limit of 20,000 characters, with its length', () => {
    const fields = [...INTERACTIONS_FIELDS, ...Array.from({ length: 500 }, (_, i) => ({ name: `METADATA_FIELD_${i}`, type: ['null', 'string'] }))];
    const json = avro(fields);
    expect(json.length).toBeGreaterThan(20_000);
    expect(schemaWith(json)).toThrow(`Invalid definition: it is ${json.length} characters long; Personalize accepts at most 20000.`);
  });

  test('accepts a definition longer than CloudFormation\'s 10,000 characters and passes it whole', () => {
    const fields = [...INTERACTIONS_FIELDS, ...Array.from({ length: 300 }, (_, i) => ({ name: `METADATA_FIELD_${i}`, type: ['null', 'string'] }))];
    const json = avro(fields);
    expect(json.length).toBeGreaterThan(10_000);
    expect(json.length).toBeLessThan(20_000);

    const schema = schemaWith(json)();

    expect(schemaProperties(schema).Definition).toBe(json);
  });

  test('accepts nullable unions in either order and the {"type": ...} form of a primitive', () => {
    const json = avro([...INTERACTIONS_FIELDS,
      { name: 'EVENT_VALUE', type: ['float', 'null'] },
      { name: 'GENRES', type: ['null', 'string'], categorical: true },
      { name: 'DEVICE', type: { type: 'string' } }]);
    expect(schemaWith(json)).not.toThrow();
  });

  test('skips the checks when the definition is a token', () => {
    const stack = newStack();
    const schema = new Schema(stack, 'Schema', { definition: SchemaDefinition.fromJson(Fn.importValue('SchemaJson')) });

    expect(schemaProperties(schema).Definition).toEqual({ 'Fn::ImportValue': 'SchemaJson' });
  });

  test('an imported schema\'s definition is checked too', () => {
    expect(() => Schema.fromSchemaAttributes(newStack(), 'Imported', {
      schemaName: 'existing', definition: SchemaDefinition.fromJson(avro([])),
    })).toThrow(/^Invalid definition: the record needs a non-empty "fields" array/);
  });
});

describe('SchemaField', () => {
  test('rejects a name that is not a valid Avro name', () => {
    expect(() => SchemaField.stringField('item-id'))
      .toThrow('Invalid SchemaField name: \'item-id\'. A field name starts with a letter or underscore and contains only letters, digits and underscores.');
  });

  test.each([
    ['categorical', (field: SchemaField) => field.categorical()],
    ['textual', (field: SchemaField) => field.textual()],
  ])('refuses %s on a field that is not a string', (flag, apply) => {
    expect(() => apply(SchemaField.longField('PRICE_CENTS')))
      .toThrow(`Invalid SchemaField 'PRICE_CENTS': it is long, but only string fields can be ${flag}.`);
  });

  test('modifiers return new fields and leave the original unchanged', () => {
    const plain = SchemaField.stringField('GENRES');
    const refined = plain.categorical().nullable();

    expect([plain.isCategorical, plain.isNullable]).toEqual([false, false]);
    expect([refined.isCategorical, refined.isNullable, refined.isTextual]).toEqual([true, true, false]);
  });

  test('each factory sets its type', () => {
    const fields = [
      SchemaField.stringField('A'), SchemaField.intField('B'), SchemaField.longField('C'),
      SchemaField.floatField('D'), SchemaField.doubleField('E'), SchemaField.booleanField('F'), SchemaField.of('G', FieldType.LONG),
    ];
    expect(fields.map((field) => field.fieldType)).toEqual(['string', 'int', 'long', 'float', 'double', 'boolean', 'long']);
  });
});

describe('SchemaDefinition', () => {
  test('fromFields renders an Avro record with nullable unions and categorical and textual flags', () => {
    const definition = SchemaDefinition.fromFields([
      SchemaField.stringField('ITEM_ID'),
      SchemaField.stringField('GENRES').categorical().nullable(),
      SchemaField.stringField('DESCRIPTION').textual().nullable(),
      SchemaField.floatField('PRICE'),
      SchemaField.longField('CREATION_TIMESTAMP'),
    ], { recordName: 'Items' });

    expect(JSON.parse(definition.json)).toEqual({
      type: 'record',
      name: 'Items',
      namespace: 'com.amazonaws.personalize.schema',
      fields: [
        { name: 'ITEM_ID', type: 'string' },
        { name: 'GENRES', type: ['null', 'string'], categorical: true },
        { name: 'DESCRIPTION', type: ['null', 'string'], textual: true },
        { name: 'PRICE', type: 'float' },
        { name: 'CREATION_TIMESTAMP', type: 'long' },
      ],
      version: '1.0',
    });
  });

  test('fromFields names the record Schema by default', () => {
    expect(JSON.parse(SchemaDefinition.fromFields([SchemaField.stringField('USER_ID')]).json).name).toBe('Schema');
  });

  test('fromFields with no fields is rejected when the schema is created', () => {
    expect(() => new Schema(newStack(), 'Schema', { definition: SchemaDefinition.fromFields([]) }))
      .toThrow('Invalid definition: the record needs a non-empty "fields" array; got [].');
  });

  test('fromJson keeps the content but not the formatting', () => {
    const pretty = JSON.stringify(JSON.parse(avro(INTERACTIONS_FIELDS)), undefined, 2);

    expect(SchemaDefinition.fromJson(pretty).json).toBe(avro(INTERACTIONS_FIELDS));
  });

  test('fromFile reads the definition from a file', () => {
    const file = path.join(fs.mkdtempSync(path.join(process.env.CDK_OUTDIR!, 'schema-')), 'interactions.json');
    fs.writeFileSync(file, avro(INTERACTIONS_FIELDS));

    expect(SchemaDefinition.fromFile(file).json).toBe(avro(INTERACTIONS_FIELDS));
  });

  test('fromFile names the file it cannot read', () => {
    expect(() => SchemaDefinition.fromFile('/nonexistent/interactions.json'))
      .toThrow(/^SchemaDefinition.fromFile could not read '\/nonexistent\/interactions.json': ENOENT/);
  });
});

describe('Schema', () => {
  test('is a Custom::PersonalizeSchema custom resource with the contract version, name, definition and domain', () => {
    const stack = newStack();
    new Schema(stack, 'Schema', { schemaName: 'retail-interactions', definition: interactions, domain: Domain.ECOMMERCE });

    Template.fromStack(stack).hasResourceProperties('Custom::PersonalizeSchema', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CdkPersonalizeProvider'), 'Arn'] },
      ContractVersion: '1',
      Name: 'retail-interactions',
      Definition: avro(INTERACTIONS_FIELDS),
      Domain: 'ECOMMERCE',
    });
  });

  test('a schema without a domain has no Domain property and no Tags', () => {
    const stack = newStack();
    new Schema(stack, 'Schema', { definition: interactions });

    Template.fromStack(stack).hasResourceProperties('Custom::PersonalizeSchema', { Domain: Match.absent(), Tags: Match.absent() });
  });

  test('schemaArn and schemaName are the Arn and Name attributes the handler returns', () => {
    const stack = newStack();
    const schema = new Schema(stack, 'Schema', { definition: interactions });
    const logicalId = stack.getLogicalId(schema.node.defaultChild as any);

    expect(stack.resolve(schema.schemaArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'Arn'] });
    expect(stack.resolve(schema.schemaName)).toEqual({ 'Fn::GetAtt': [logicalId, 'Name'] });
  });

  test('keeps its definition and domain for the datasets that use it', () => {
    const schema = new Schema(newStack(), 'Schema', { definition: interactions, domain: Domain.VIDEO_ON_DEMAND });

    expect(schema.definition).toBe(interactions);
    expect(schema.domain).toBe(Domain.VIDEO_ON_DEMAND);
  });

  test('rejects an invalid schemaName, showing it', () => {
    expect(() => new Schema(newStack(), 'Schema', { schemaName: '-interactions', definition: interactions }))
      .toThrow(/^Invalid schemaName: '-interactions' \(13 characters\)/);
  });

  test('removal policy defaults to DESTROY', () => {
    const stack = newStack();
    new Schema(stack, 'Schema', { definition: interactions });

    Template.fromStack(stack).hasResource('Custom::PersonalizeSchema', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('removal policy RETAIN is honoured', () => {
    const stack = newStack();
    new Schema(stack, 'Schema', { definition: interactions, removalPolicy: RemovalPolicy.RETAIN });

    Template.fromStack(stack).hasResource('Custom::PersonalizeSchema', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('grantRead gives DescribeSchema on the schema', () => {
    const stack = newStack();
    const schema = new Schema(stack, 'Schema', { definition: interactions });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    schema.grantRead(role);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: { Statement: [{ Action: 'personalize:DescribeSchema', Effect: 'Allow', Resource: stack.resolve(schema.schemaArn) }] },
    });
  });
});

describe('generated names', () => {
  test('are valid Personalize names derived from the construct path', () => {
    const name = generatedName({ definition: interactions });

    expect(name).toMatch(NAME_PATTERN);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^TestStack_Schema-[0-9a-f]{8}$/);
  });

  test('are the same on every synth', () => {
    expect(generatedName({ definition: interactions })).toBe(generatedName({ definition: interactions }));
  });

  test('do not change when only the JSON formatting changes', () => {
    const pretty = SchemaDefinition.fromJson(JSON.stringify(JSON.parse(avro(INTERACTIONS_FIELDS)), undefined, 4));

    expect(generatedName({ definition: pretty })).toBe(generatedName({ definition: interactions }));
  });

  test('change when the definition changes, so a changed schema is a clean replacement', () => {
    const extended = SchemaDefinition.fromJson(avro([...INTERACTIONS_FIELDS, { name: 'EVENT_TYPE', type: 'string' }]));

    expect(generatedName({ definition: extended })).not.toBe(generatedName({ definition: interactions }));
  });

  test('change when the domain changes', () => {
    expect(generatedName({ definition: interactions, domain: Domain.ECOMMERCE })).not.toBe(generatedName({ definition: interactions }));
  });

  test('an explicit schemaName is used as given', () => {
    expect(generatedName({ definition: interactions, schemaName: 'my-schema' })).toBe('my-schema');
  });
});

describe('handler permissions', () => {
  test('the handler gets exactly CreateSchema, DescribeSchema and DeleteSchema on the schema\'s own ARN, and reads which datasets use it', () => {
    const stack = newStack();
    new Schema(stack, 'Schema', { schemaName: 'retail-interactions', definition: interactions });

    const template = Template.fromStack(stack);
    const statements = handlerGrants(template).statements;
    // Besides the grants on what the stack made, which every kind brings, only the schema's own name.
    expect(statements.filter((s) => !isOwnedGrant(s))).toEqual([{
      Effect: 'Allow',
      Action: ['personalize:CreateSchema', 'personalize:DeleteSchema', 'personalize:DescribeSchema'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:${REGION}:${ACCOUNT}:schema/retail-interactions`]] },
    }]);
    // A refused delete names the datasets, in any group, that use the schema: ListDatasets, and DescribeDataset, the only
    // call that shows a dataset's schema, come with the reads of what the stack made.
    expect(grantedOn(template, 'personalize:ListDatasets')).toEqual(['*']);
    expect(grantedOn(template, 'personalize:Describe*'))
      .toEqual([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:${REGION}:${ACCOUNT}:*`]] }]);
  });

  test('a schema the template no longer names is still read and deleted, whatever its name: IAM sees no tags on schemas', () => {
    const stack = newStack();
    new Schema(stack, 'Two', { schemaName: 'two', definition: interactions });
    const template = Template.fromStack(stack);

    const schemasByAnyName = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:${REGION}:${ACCOUNT}:schema/*`]] };
    expect(grantedOn(template, 'personalize:DeleteSchema')).toContainEqual(schemasByAnyName);
    const policy = Object.values(template.findResources('AWS::IAM::Policy'))
      .find((resource: any) => JSON.stringify(resource.Properties.PolicyDocument).includes('personalize:DeleteSchema')) as any;
    expect(policy.Metadata.cdk_nag.rules_to_suppress.filter((rule: any) => JSON.stringify(rule.applies_to).includes(':schema/*"'))).toEqual([{
      id: 'AwsSolutions-IAM5',
      reason: expect.stringMatching(/IAM sees no tags on these kinds, the handler deletes only what it proves its own/),
      applies_to: expect.arrayContaining([`Resource::arn:<AWS::Partition>:personalize:${REGION}:${ACCOUNT}:schema/*`]),
    }]);
  });

  test('a generated name is granted by the stack\'s pattern, so the grant covers the schema a content change replaces it with', () => {
    const stack = newStack();
    new Schema(stack, 'Schema', { definition: interactions });
    const [statement] = handlerGrants(Template.fromStack(stack)).statements;

    expect(statement.Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:${REGION}:${ACCOUNT}:schema/TestStack_*`]],
    });
  });

  test('the custom resource depends on the handler grants policy', () => {
    const stack = newStack();
    new Schema(stack, 'Schema', { definition: interactions });
    const template = Template.fromStack(stack);

    template.hasResource('Custom::PersonalizeSchema', { DependsOn: Match.arrayWith([handlerGrants(template).logicalId]) });
  });
});

describe('imports', () => {
  const arn = `arn:aws:personalize:${REGION}:${ACCOUNT}:schema/existing-interactions`;

  test('fromSchemaArn takes the name from the ARN', () => {
    const schema = Schema.fromSchemaArn(newStack(), 'Imported', arn);

    expect(schema.schemaArn).toBe(arn);
    expect(schema.schemaName).toBe('existing-interactions');
    expect(schema.domain).toBeUndefined();
    expect(schema.definition).toBeUndefined();
  });

  test('fromSchemaName builds the ARN in the stack\'s account and region', () => {
    const stack = newStack();
    const schema = Schema.fromSchemaName(stack, 'Imported', 'existing-interactions');

    expect(stack.resolve(schema.schemaArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:${REGION}:${ACCOUNT}:schema/existing-interactions`]],
    });
  });

  test('fromSchemaAttributes keeps the domain and definition it is given', () => {
    const schema = Schema.fromSchemaAttributes(newStack(), 'Imported', { schemaArn: arn, domain: Domain.ECOMMERCE, definition: interactions });

    expect(schema.domain).toBe(Domain.ECOMMERCE);
    expect(schema.definition).toBe(interactions);
  });

  test('rejects an ARN of another Personalize resource', () => {
    expect(() => Schema.fromSchemaArn(newStack(), 'Imported', `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset-group/retail`))
      .toThrow(/^Invalid schemaArn: '.*:dataset-group\/retail' is a Personalize 'dataset-group' ARN, not a schema ARN/);
  });

  test('rejects an ARN that is not a Personalize ARN', () => {
    expect(() => Schema.fromSchemaArn(newStack(), 'Imported', 'arn:aws:s3:::bucket')).toThrow(/^Invalid schemaArn: 'arn:aws:s3:::bucket'/);
  });

  test('fromSchemaAttributes needs an ARN or a name', () => {
    expect(() => Schema.fromSchemaAttributes(newStack(), 'Imported', {}))
      .toThrow('Schema.fromSchemaAttributes needs schemaArn or schemaName; got neither.');
  });

  test('an imported schema creates no resources', () => {
    const stack = newStack();
    Schema.fromSchemaArn(stack, 'Imported', arn);

    expect(Template.fromStack(stack).toJSON().Resources ?? {}).toEqual({});
  });
});
