import {
  Arn, ArnFormat, CustomResource, IResource, ITaggable, Lazy, RemovalPolicy, Stack, TagManager, TagType, Token, TokenComparison,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { IDatasetGroup } from './dataset-group';
import { Domain } from './domain';
import { datasetFieldProblems, requiredFieldsSummary } from './private/avro';
import { DATASET } from './private/declarations';
import { ISchema, Schema } from './schema';
import { groupEmptyOnDelete } from '../private/blocked-deletes';
import { Attributes, DatasetProperties, ResourceTypes, TagProperty } from '../private/contract';
import { recordOf } from './private/definition-checks';
import { datasetGroupArnPattern, emptyOnDeleteChildArns, schemaArnPattern } from './private/grant-patterns';
import { isOwnGroup, requireDatasetGroup } from './private/own-group';
import { declaredResource } from '../private/declared-resource';
import { GrantableDataset } from '../private/grantable-dataset';
import { article, describeValue } from '../private/messages';
import { PhysicalName, physicalName, replacementKeyOf } from '../private/names';
import { requireConstruct } from '../private/runtime-types';
import { claimSlot } from '../private/slots';
import { claimName, tagProblems, validateName, validatePersonalizeArn } from '../private/validation';

/**
 * The type of a dataset. A dataset group holds at most one dataset of each type.
 */
export enum DatasetType {
  /** Interactions between users and items. Every dataset group needs one to train. */
  INTERACTIONS = 'Interactions',
  /** Item metadata. Its schema can be replaced in place with a compatible one. */
  ITEMS = 'Items',
  /** User metadata. Its schema can be replaced in place with a compatible one. */
  USERS = 'Users',
  /** Actions to recommend, for the Next-Best-Action recipe. Custom dataset groups only. */
  ACTIONS = 'Actions',
  /** Interactions between users and actions. Custom dataset groups only. */
  ACTION_INTERACTIONS = 'Action_Interactions',
}

/** Types whose schema UpdateDataset replaces in place; any other type is replaced. */
const SCHEMA_UPDATABLE_TYPES: ReadonlySet<DatasetType> = new Set([DatasetType.ITEMS, DatasetType.USERS]);
const DOMAINLESS_TYPES: ReadonlySet<DatasetType> = new Set([DatasetType.ACTIONS, DatasetType.ACTION_INTERACTIONS]);

/**
 * An Amazon Personalize dataset, owned by this app or imported.
 */
export interface IDataset extends IResource {
  /**
   * The ARN of the dataset: `…:dataset/GROUP_NAME/TYPE`.
   * @attribute
   */
  readonly datasetArn: string;

  /**
   * The name of the dataset.
   * @attribute
   */
  readonly datasetName: string;

  /**
   * The type of the dataset.
   */
  readonly datasetType: DatasetType;

  /**
   * Grants the given actions on this dataset.
   */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /**
   * Grants permission to describe this dataset and list its tags.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/**
 * What is needed to import an existing dataset.
 */
export interface DatasetAttributes {
  /**
   * The ARN of the dataset.
   */
  readonly datasetArn: string;

  /**
   * The type of the dataset.
   * @default - parsed from `datasetArn`; required when the ARN is a token
   */
  readonly datasetType?: DatasetType;

  /**
   * The name of the dataset. It is not part of the ARN.
   * @default - unknown: reading `datasetName` throws
   */
  readonly datasetName?: string;
}

/**
 * Properties of a dataset added to a known dataset group.
 */
export interface DatasetOptions {
  /**
   * The type of the dataset.
   */
  readonly datasetType: DatasetType;

  /**
   * The schema of the dataset: it must have the fields this dataset type requires,
   * and a domain schema must match the group's domain.
   *
   * Changing the schema of an Items or Users dataset updates it in place, provided
   * the new schema keeps every field with its type and every added field allows
   * null. For any other type it needs a replacement, which Personalize refuses while
   * the old dataset exists (one dataset per type per group): remove the dataset,
   * deploy, then add it back.
   */
  readonly schema: ISchema;

  /**
   * The name of the dataset: 1-63 letters, digits, hyphens and underscores,
   * starting with a letter or digit.
   *
   * @default - a name generated from the construct path and the properties that
   * force a replacement
   */
  readonly datasetName?: string;

  /**
   * What happens to the dataset when it leaves the stack. A retained dataset keeps
   * its dataset group from being deleted.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Properties of a dataset.
 */
export interface DatasetProps extends DatasetOptions {
  /**
   * The dataset group the dataset belongs to.
   */
  readonly datasetGroup: IDatasetGroup;
}

const READ_ACTIONS = ['personalize:DescribeDataset', 'personalize:ListTagsForResource'];
/**
 * An Amazon Personalize dataset: a container for one type of training data in a
 * dataset group.
 *
 * Backed by a custom resource that waits until the dataset is ACTIVE, replaces the
 * schema of Items and Users datasets in place, updates tags in place, and on
 * deletion waits until the dataset is gone, so that its group and schema can follow.
 *
 * @resource Custom::PersonalizeDataset
 */
export class Dataset extends GrantableDataset implements IDataset, ITaggable {
  /**
   * Imports a dataset by its ARN, `…:dataset/GROUP_NAME/TYPE`.
   */
  public static fromDatasetArn(scope: Construct, id: string, datasetArn: string): IDataset {
    return Dataset.fromDatasetAttributes(scope, id, { datasetArn });
  }

  /**
   * Imports a dataset from its attributes.
   */
  public static fromDatasetAttributes(scope: Construct, id: string, attrs: DatasetAttributes): IDataset {
    validatePersonalizeArn('datasetArn', attrs.datasetArn);
    validateName('datasetName', attrs.datasetName);
    const datasetType = attrs.datasetType ?? typeFromArn(attrs.datasetArn);

    class Import extends GrantableDataset implements IDataset {
      public readonly datasetArn = attrs.datasetArn;
      public readonly datasetType = datasetType;
      protected readonly _readActions = READ_ACTIONS;

      public get datasetName(): string {
        if (attrs.datasetName === undefined) {
          throw new Error(`The name of imported dataset '${this.node.path}' is unknown: it is not part of the ARN. `
            + 'Import it with Dataset.fromDatasetAttributes({ datasetArn, datasetName }) to use it.');
        }
        return attrs.datasetName;
      }
    }
    return new Import(scope, id, { environmentFromArn: attrs.datasetArn });
  }

  /**
   * The ARN of the dataset: `…:dataset/GROUP_NAME/TYPE`.
   * @attribute
   */
  public readonly datasetArn: string;
  public readonly datasetName: string;
  public readonly datasetType: DatasetType;
  /** @internal */
  protected readonly _readActions = READ_ACTIONS;

  /**
   * The dataset group the dataset belongs to.
   */
  public readonly datasetGroup: IDatasetGroup;

  /**
   * The schema of the dataset.
   */
  public readonly schema: ISchema;

  /**
   * Tags for the dataset. Tags set with `Tags.of(scope)` land here too.
   */
  public readonly tags: TagManager;

  /**
   * The name the dataset is created with, known at synth time: it changes whenever the
   * dataset is replaced, so imports into it can derive theirs from it.
   * @internal
   */
  public readonly _physicalName: PhysicalName;

  private readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: DatasetProps) {
    super(scope, id);
    const { datasetGroup: group, datasetType: type, schema } = props;
    requireDatasetGroup(group);
    requireConstruct('schema', schema, 'ISchema (a Schema construct, or Schema.fromSchemaArn); a SchemaDefinition goes into new Schema(this, id, { definition })', 'schemaArn');
    validateName('datasetName', props.datasetName);
    checkGroupEnvironment(this, group);
    checkTypeAllowedInGroup(group, type);
    claimType(group, type, this);
    checkSchemaDomain(group, schema);
    checkSchemaFields(group, schema, type);
    claimName(this, 'Dataset', 'datasetName', props.datasetName);

    this.datasetGroup = group;
    this.datasetType = type;
    this.schema = schema;

    // The name changes with everything that forces a replacement, so a replacement never reuses it.
    const replacementKey = [
      replacementKeyOf(group, group.datasetGroupArn), type, SCHEMA_UPDATABLE_TYPES.has(type) ? null : replacementKeyOf(schema, schema.schemaArn),
    ];
    const name = physicalName(this, props.datasetName, replacementKey);
    this._physicalName = name;
    this.tags = new TagManager(TagType.KEY_VALUE, ResourceTypes.DATASET);
    this.node.addValidation({ validate: () => tagProblems(this.renderTags()) });

    // Grants name the group and schema by synth-time ARNs (patterns for generated names),
    // never by their custom resources' attributes: the grants policy comes before every resource.
    const ownGroup = isOwnGroup(group) ? group : undefined;
    const ownArn = Stack.of(this).formatArn({
      service: DATASET.service,
      resource: DATASET.arn!.resource,
      resourceName: `${ownGroup ? ownGroup._physicalName.grantPattern : group.datasetGroupName}/${type.toUpperCase()}`,
      account: group.env.account,
      region: group.env.region,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.resource = declaredResource<DatasetProperties>(this, DATASET, {
      properties: {
        Name: name.name,
        DatasetGroupArn: group.datasetGroupArn,
        DatasetType: type,
        SchemaArn: schema.schemaArn,
        Tags: Lazy.any({ produce: () => this.renderTags() }) as unknown as TagProperty[],
        GroupEmptyOnDelete: groupEmptyOnDelete(group),
      },
      removalPolicy: props.removalPolicy,
      resources: {
        self: [ownArn],
        group: [ownGroup ? datasetGroupArnPattern(ownGroup, ownGroup._physicalName) : group.datasetGroupArn],
        schema: [schema instanceof Schema ? schemaArnPattern(schema, schema._physicalName) : schema.schemaArn],
        groupChildren: emptyOnDeleteChildArns(group),
      },
    });

    this.datasetArn = this.resource.getAttString(Attributes.ARN);
    this.datasetName = this.resource.getAttString(Attributes.NAME);
  }

  /**
   * The ID of the event tracker of an Action_Interactions dataset, used with
   * PutActionInteractions. Only Action_Interactions datasets have one.
   *
   * CloudFormation gets it with NoEcho: a stack output of it (or of the dataset's other
   * attributes) shows `*****`; resources that use it get the real value.
   *
   * @attribute
   */
  public get trackingId(): string {
    if (this.datasetType !== DatasetType.ACTION_INTERACTIONS) {
      throw new Error(`trackingId exists only for Action_Interactions datasets; dataset '${this.node.path}' is ${this.datasetType}.`);
    }
    return this.resource.getAttString(Attributes.TRACKING_ID);
  }

  private renderTags(): TagProperty[] {
    return (this.tags.renderTags() as TagProperty[] | undefined) ?? [];
  }
}

function typeFromArn(arn: string): DatasetType {
  if (Token.isUnresolved(arn)) {
    throw new Error('Dataset.fromDatasetArn cannot read the dataset type from a token ARN; '
      + 'use Dataset.fromDatasetAttributes({ datasetArn, datasetType }).');
  }
  const { resource, resourceName } = Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME);
  const suffix = resourceName?.split('/')[1];
  const type = Object.values(DatasetType).find((value) => value.toUpperCase() === suffix?.toUpperCase());
  if (resource !== 'dataset' || !type) {
    throw new Error(`Invalid datasetArn: '${arn}'. Expected a dataset ARN, …:dataset/GROUP_NAME/TYPE, with TYPE one of `
      + `${Object.values(DatasetType).map((value) => value.toUpperCase()).join(', ')}.`);
  }
  return type;
}

/** An owned group's domain is known even when it has none; an imported group's only when given. */
function knownDomainOfGroup(group: IDatasetGroup): { known: boolean; domain?: Domain } {
  return { known: isOwnGroup(group) || group.domain !== undefined, domain: group.domain };
}

function knownDomainOfSchema(schema: ISchema): { known: boolean; domain?: Domain } {
  return { known: schema instanceof Schema || schema.domain !== undefined, domain: schema.domain };
}

function checkTypeAllowedInGroup(group: IDatasetGroup, type: DatasetType): void {
  if (DOMAINLESS_TYPES.has(type) && group.domain !== undefined) {
    throw new Error(`Invalid datasetType: '${type}' datasets cannot be created in a Domain dataset group, and dataset group `
      + `'${group.node.path}' has domain ${group.domain}. Use a custom dataset group (without a domain) for Actions and `
      + 'Action_Interactions datasets.');
  }
}

/**
 * A group holds one dataset of each type. A group this app owns is keyed by itself; an imported
 * group by its ARN when that is known, so two imports of the same group share their datasets.
 */
function claimType(group: IDatasetGroup, type: DatasetType, dataset: Dataset): void {
  const imported = !isOwnGroup(group) && !Token.isUnresolved(group.datasetGroupArn);
  const existing = claimSlot(dataset, imported ? `arn ${group.datasetGroupArn}` : group, type) as Dataset | undefined;
  if (existing) {
    const sameGroup = existing.datasetGroup === group ? ''
      : `, the same group '${group.datasetGroupArn}' imported as '${existing.datasetGroup.node.path}'`;
    throw new Error(`Invalid datasetType: '${type}'. Dataset group '${group.node.path}' already has a dataset of this type `
      + `('${existing.node.path}'${sameGroup}), and a dataset group holds at most one dataset of each type.`);
  }
}

/**
 * The handler runs in the stack's account and region and creates the dataset there, so a
 * group imported from another account or region cannot hold it.
 */
function checkGroupEnvironment(dataset: Dataset, group: IDatasetGroup): void {
  const stack = Stack.of(dataset);
  const differs = (groupValue: string, stackValue: string) => Token.compareStrings(groupValue, stackValue) === TokenComparison.DIFFERENT;
  const mismatches = [
    differs(group.env.account, stack.account) ? `account ${group.env.account} (the stack's: ${stack.account})` : undefined,
    differs(group.env.region, stack.region) ? `region ${group.env.region} (the stack's: ${stack.region})` : undefined,
  ].filter((mismatch): mismatch is string => mismatch !== undefined);
  if (mismatches.length === 0) return;
  throw new Error(`Invalid datasetGroup: dataset group ${describeValue(group.datasetGroupArn, group)} is in `
    + `${mismatches.join(' and ')}. A dataset is created in its stack's account and region, so it can be added only to `
    + 'a dataset group there; add it in a stack deployed to the group\'s account and region.');
}

function checkSchemaDomain(group: IDatasetGroup, schema: ISchema): void {
  const groupDomain = knownDomainOfGroup(group);
  const schemaDomain = knownDomainOfSchema(schema);
  if (!groupDomain.known || !schemaDomain.known || groupDomain.domain === schemaDomain.domain) return;
  const describe = (domain?: Domain) => (domain ? `domain ${domain}` : 'no domain');
  throw new Error(`Invalid schema: schema '${schema.node.path}' has ${describe(schemaDomain.domain)}, but dataset group `
    + `'${group.node.path}' has ${describe(groupDomain.domain)}. A schema's domain must match the domain of its dataset group.`);
}

function checkSchemaFields(group: IDatasetGroup, schema: ISchema, type: DatasetType): void {
  const record = recordOf(schema.definition?.json);
  if (!record) return;
  const domain = group.domain ?? schema.domain;
  const problems = datasetFieldProblems(record, type, domain);
  if (problems.length > 0) {
    throw new Error(`Invalid schema: schema '${schema.node.path}' cannot be used for ${type} datasets`
      + `${domain ? ` in ${article(domain)} dataset group` : ''}: ${problems.join('; ')}. Required: ${requiredFieldsSummary(type, domain)}.`);
  }
}

