import * as fs from 'fs';
import { Arn, ArnFormat, IResource, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Domain } from './domain';
import { AVRO_NAME_PATTERN } from './private/avro';
import { Attributes, SchemaProperties } from '../private/contract';
import { declaredResource } from '../private/declared-resource';
import { validateDefinition } from './private/definition-checks';
import { schemaArnPattern } from './private/grant-patterns';
import { physicalName, PhysicalName } from '../private/names';
import { requireInstance } from '../private/runtime-types';
import { claimName, validateName, validatePersonalizeArn } from '../private/validation';
import { SCHEMA } from './private/declarations';

/**
 * The Avro types Amazon Personalize accepts for a schema field.
 */
export enum FieldType {
  /** Text. Mark it categorical or textual for Personalize to train on it. */
  STRING = 'string',
  /** A 32-bit integer. */
  INT = 'int',
  /** A 64-bit integer, e.g. a Unix timestamp in seconds. */
  LONG = 'long',
  /** A 32-bit floating point number. */
  FLOAT = 'float',
  /** A 64-bit floating point number. */
  DOUBLE = 'double',
  /** true or false. Personalize stores it but does not train or filter on it. */
  BOOLEAN = 'boolean',
}

/**
 * One field of a schema, built with a typed factory and refined with
 * `nullable()`, `categorical()` or `textual()`.
 *
 * @example
 * SchemaField.stringField('GENRES').categorical().nullable();
 */
export class SchemaField {
  /** A string field. */
  public static stringField(name: string): SchemaField {
    return SchemaField.of(name, FieldType.STRING);
  }

  /** A 32-bit integer field. */
  public static intField(name: string): SchemaField {
    return SchemaField.of(name, FieldType.INT);
  }

  /** A 64-bit integer field, the type of TIMESTAMP and CREATION_TIMESTAMP. */
  public static longField(name: string): SchemaField {
    return SchemaField.of(name, FieldType.LONG);
  }

  /** A 32-bit floating point field, the type of EVENT_VALUE and PRICE. */
  public static floatField(name: string): SchemaField {
    return SchemaField.of(name, FieldType.FLOAT);
  }

  /** A 64-bit floating point field. */
  public static doubleField(name: string): SchemaField {
    return SchemaField.of(name, FieldType.DOUBLE);
  }

  /** A boolean field. */
  public static booleanField(name: string): SchemaField {
    return SchemaField.of(name, FieldType.BOOLEAN);
  }

  /** A field of the given type. */
  public static of(name: string, fieldType: FieldType): SchemaField {
    if (!Token.isUnresolved(name) && !AVRO_NAME_PATTERN.test(name)) {
      throw new Error(`Invalid SchemaField name: '${name}'. A field name starts with a letter or underscore and contains `
        + 'only letters, digits and underscores.');
    }
    return new SchemaField(name, fieldType, false, false, false);
  }

  /** The field name, e.g. ITEM_ID. */
  public readonly name: string;
  /** The field's Avro type. */
  public readonly fieldType: FieldType;
  /** Whether the field allows null (blank) values. */
  public readonly isNullable: boolean;
  /** Whether Personalize treats the field's values as categories. */
  public readonly isCategorical: boolean;
  /** Whether Personalize treats the field as unstructured text. */
  public readonly isTextual: boolean;

  private constructor(name: string, fieldType: FieldType, isNullable: boolean, isCategorical: boolean, isTextual: boolean) {
    this.name = name;
    this.fieldType = fieldType;
    this.isNullable = isNullable;
    this.isCategorical = isCategorical;
    this.isTextual = isTextual;
  }

  /** The same field, also allowing null values. */
  public nullable(): SchemaField {
    return new SchemaField(this.name, this.fieldType, true, this.isCategorical, this.isTextual);
  }

  /**
   * The same field, marked categorical: values are categories, several separated by `|`.
   * Only string fields can be categorical.
   */
  public categorical(): SchemaField {
    this.requireString('categorical');
    return new SchemaField(this.name, this.fieldType, this.isNullable, true, this.isTextual);
  }

  /**
   * The same field, marked textual: unstructured text such as a description.
   * Only string fields of an Items schema can be textual.
   */
  public textual(): SchemaField {
    this.requireString('textual');
    return new SchemaField(this.name, this.fieldType, this.isNullable, this.isCategorical, true);
  }

  /** @internal */
  public _toAvro(): Record<string, unknown> {
    return {
      name: this.name,
      type: this.isNullable ? ['null', this.fieldType] : this.fieldType,
      ...(this.isCategorical ? { categorical: true } : {}),
      ...(this.isTextual ? { textual: true } : {}),
    };
  }

  private requireString(flag: string): void {
    if (this.fieldType !== FieldType.STRING) {
      throw new Error(`Invalid SchemaField '${this.name}': it is ${this.fieldType}, but only string fields can be ${flag}.`);
    }
  }
}

/**
 * Options for a schema built from fields.
 */
export interface SchemaFieldsOptions {
  /**
   * The name of the Avro record. Personalize's own examples name it after the
   * dataset type, such as Interactions or Items.
   *
   * @default 'Schema'
   */
  readonly recordName?: string;
}

/**
 * The Avro definition of a schema: JSON text, a JSON file, or typed fields.
 *
 * The definition is sent in compact form, so reformatting a JSON file does not
 * replace the schema.
 */
export abstract class SchemaDefinition {
  /**
   * A definition from Avro JSON text.
   */
  public static fromJson(json: string): SchemaDefinition {
    if (Token.isUnresolved(json)) return new JsonDefinition(json);
    try {
      return new JsonDefinition(JSON.stringify(JSON.parse(json)));
    } catch {
      // Kept as given; the Schema reports where the JSON breaks.
      return new JsonDefinition(json);
    }
  }

  /**
   * A definition read from an Avro JSON file at synth time.
   */
  public static fromFile(path: string): SchemaDefinition {
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`SchemaDefinition.fromFile could not read '${path}': ${(error as Error).message}`);
    }
    return SchemaDefinition.fromJson(text);
  }

  /**
   * A definition rendered from typed fields.
   *
   * @example
   * SchemaDefinition.fromFields([
   *   SchemaField.stringField('USER_ID'),
   *   SchemaField.stringField('ITEM_ID'),
   *   SchemaField.longField('TIMESTAMP'),
   * ], { recordName: 'Interactions' });
   */
  public static fromFields(fields: SchemaField[], options: SchemaFieldsOptions = {}): SchemaDefinition {
    return new JsonDefinition(JSON.stringify({
      type: 'record',
      name: options.recordName ?? 'Schema',
      namespace: 'com.amazonaws.personalize.schema',
      fields: fields.map((field) => field._toAvro()),
      version: '1.0',
    }));
  }

  /**
   * The Avro schema as JSON text.
   */
  public abstract readonly json: string;
}

class JsonDefinition extends SchemaDefinition {
  constructor(public readonly json: string) {
    super();
  }
}

/**
 * An Amazon Personalize schema, owned by this app or imported.
 */
export interface ISchema extends IResource {
  /**
   * The ARN of the schema.
   * @attribute
   */
  readonly schemaArn: string;

  /**
   * The name of the schema.
   * @attribute
   */
  readonly schemaName: string;

  /**
   * The domain of the schema, when it has one and it is known.
   */
  readonly domain?: Domain;

  /**
   * The definition, when known. Datasets check their required fields against it.
   */
  readonly definition?: SchemaDefinition;

  /**
   * Grants the given actions on this schema.
   */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /**
   * Grants permission to describe this schema.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/**
 * What is needed to import an existing schema. Give the ARN, the name, or both.
 */
export interface SchemaAttributes {
  /**
   * The ARN of the schema.
   * @default - built from `schemaName` in this stack's account and region
   */
  readonly schemaArn?: string;

  /**
   * The name of the schema.
   * @default - parsed from `schemaArn`
   */
  readonly schemaName?: string;

  /**
   * The domain of the schema, used to check the dataset groups it is used in.
   * @default - unknown: the service checks the domain at deploy time
   */
  readonly domain?: Domain;

  /**
   * The schema's definition, used to check the datasets it is used for.
   * @default - unknown: the service checks the fields at deploy time
   */
  readonly definition?: SchemaDefinition;
}

/**
 * Properties of a schema.
 */
export interface SchemaProps {
  /**
   * The Avro definition: at most 20,000 characters, a record whose fields use the
   * types Personalize accepts.
   */
  readonly definition: SchemaDefinition;

  /**
   * The domain, for a schema used in a Domain dataset group. It must match the
   * group's domain.
   *
   * @default - a schema for a custom dataset group
   */
  readonly domain?: Domain;

  /**
   * The name of the schema: 1-63 letters, digits, hyphens and underscores, starting
   * with a letter or digit. Names are unique per account and region.
   *
   * @default - a unique name generated from the construct path and the definition.
   * A changed definition gets a new name, so the replacement never collides.
   */
  readonly schemaName?: string;

  /**
   * What happens to the schema when it leaves the stack.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

const READ_ACTIONS = ['personalize:DescribeSchema'];

abstract class SchemaBase extends Resource implements ISchema {
  public abstract readonly schemaArn: string;
  public abstract readonly schemaName: string;
  public abstract readonly domain?: Domain;
  public abstract readonly definition?: SchemaDefinition;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.schemaArn] });
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...READ_ACTIONS);
  }
}

/**
 * An Amazon Personalize schema: the Avro definition of a dataset's fields.
 *
 * Backed by a custom resource rather than CfnSchema, so definitions may be as long
 * as the API allows (20,000 characters, where CloudFormation stops at 10,000).
 * A schema cannot change: a changed definition, domain or name replaces it.
 *
 * @resource Custom::PersonalizeSchema
 */
export class Schema extends SchemaBase {
  /**
   * Imports a schema by its ARN.
   */
  public static fromSchemaArn(scope: Construct, id: string, schemaArn: string): ISchema {
    return Schema.fromSchemaAttributes(scope, id, { schemaArn });
  }

  /**
   * Imports a schema in this stack's account and region by its name.
   */
  public static fromSchemaName(scope: Construct, id: string, schemaName: string): ISchema {
    return Schema.fromSchemaAttributes(scope, id, { schemaName });
  }

  /**
   * Imports a schema from its attributes.
   */
  public static fromSchemaAttributes(scope: Construct, id: string, attrs: SchemaAttributes): ISchema {
    if (attrs.schemaArn === undefined && attrs.schemaName === undefined) {
      throw new Error('Schema.fromSchemaAttributes needs schemaArn or schemaName; got neither.');
    }
    validateName('schemaName', attrs.schemaName);
    if (attrs.definition) validateDefinition('definition', attrs.definition.json);
    let arn = attrs.schemaArn;
    let name = attrs.schemaName;
    if (arn !== undefined) {
      validatePersonalizeArn('schemaArn', arn);
      const parts = Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME);
      if (!Token.isUnresolved(arn) && parts.resource !== 'schema') {
        throw new Error(`Invalid schemaArn: '${arn}' is a Personalize '${parts.resource}' ARN, not a schema ARN (…:schema/NAME).`);
      }
      name ??= parts.resourceName!;
    } else {
      arn = Stack.of(scope).formatArn({ service: 'personalize', resource: 'schema', resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    }

    class Import extends SchemaBase {
      public readonly schemaArn = arn!;
      public readonly schemaName = name!;
      public readonly domain = attrs.domain;
      public readonly definition = attrs.definition;
    }
    return new Import(scope, id, { environmentFromArn: attrs.schemaArn });
  }

  public readonly schemaArn: string;
  public readonly schemaName: string;
  public readonly domain?: Domain;
  /** Always set for a schema defined in this app; optional only because imported schemas may lack it. */
  public readonly definition?: SchemaDefinition;

  /**
   * The name the schema is created with and the pattern the handler is granted;
   * unlike `schemaName` both are known at synth time.
   * @internal
   */
  public readonly _physicalName: PhysicalName;

  constructor(scope: Construct, id: string, props: SchemaProps) {
    super(scope, id);
    validateName('schemaName', props.schemaName);
    requireInstance('definition', props.definition, SchemaDefinition, 'a SchemaDefinition (SchemaDefinition.fromFields, fromJson or fromFile)');
    validateDefinition('definition', props.definition.json);
    claimName(this, 'Schema', 'schemaName', props.schemaName);

    this.definition = props.definition;
    this.domain = props.domain;
    this._physicalName = physicalName(this, props.schemaName, [props.definition.json, props.domain]);

    const resource = declaredResource<SchemaProperties>(this, SCHEMA, {
      properties: {
        Name: this._physicalName.name,
        Definition: props.definition.json,
        Domain: props.domain,
      },
      removalPolicy: props.removalPolicy,
      resources: { self: [schemaArnPattern(this, this._physicalName)] },
    });


    this.schemaArn = resource.getAttString(Attributes.ARN);
    this.schemaName = resource.getAttString(Attributes.NAME);
  }
}

