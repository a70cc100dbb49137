import { Annotations, Arn, ArnFormat, IResource, ITaggable, Lazy, RemovalPolicy, Resource, Stack, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { Dataset, DatasetOptions } from './dataset';
import { Domain } from './domain';
import { Attributes, DatasetGroupProperties, ResourceTypes, TagProperty } from '../private/contract';
import { childArnPatterns, datasetGroupArnPattern } from './private/grant-patterns';
import { markOwnGroup } from './private/own-group';
import { declaredResource } from '../private/declared-resource';
import { grantPersonalizeKeyUse } from '../private/key-access';
import { describeValue } from '../private/messages';
import { physicalName, PhysicalName } from '../private/names';
import { requireOptionalConstruct } from '../private/runtime-types';
import { personalizeServiceRole } from '../private/service-role';
import {
  claimName, tagProblems, validateKmsKeyArn, validateName, validatePersonalizeArn, validateRoleArn,
} from '../private/validation';
import { DATASET_GROUP } from './private/declarations';

/**
 * An Amazon Personalize dataset group, owned by this app or imported.
 */
export interface IDatasetGroup extends IResource {
  /**
   * The ARN of the dataset group.
   * @attribute
   */
  readonly datasetGroupArn: string;

  /**
   * The name of the dataset group.
   * @attribute
   */
  readonly datasetGroupName: string;

  /**
   * The domain of the dataset group, when known.
   *
   * Undefined for a custom dataset group, and for an imported group whose domain
   * was not given.
   */
  readonly domain?: Domain;

  /**
   * Grants the given actions on this dataset group.
   */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /**
   * Grants permission to describe this dataset group and list its tags.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;

  /**
   * Adds a dataset to this dataset group.
   */
  addDataset(id: string, options: DatasetOptions): Dataset;
}

/**
 * What is needed to import an existing dataset group. Give the ARN, the name, or both.
 */
export interface DatasetGroupAttributes {
  /**
   * The ARN of the dataset group.
   * @default - built from `datasetGroupName` in this stack's account and region
   */
  readonly datasetGroupArn?: string;

  /**
   * The name of the dataset group.
   * @default - parsed from `datasetGroupArn`
   */
  readonly datasetGroupName?: string;

  /**
   * The domain of the dataset group, used to check datasets added to it.
   * @default - unknown: domain rules are checked by the service at deploy time
   */
  readonly domain?: Domain;
}

const READ_ACTIONS = ['personalize:DescribeDatasetGroup', 'personalize:ListTagsForResource'];
abstract class DatasetGroupBase extends Resource implements IDatasetGroup {
  public abstract readonly datasetGroupArn: string;
  public abstract readonly datasetGroupName: string;
  public abstract readonly domain?: Domain;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.datasetGroupArn] });
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...READ_ACTIONS);
  }

  public addDataset(id: string, options: DatasetOptions): Dataset {
    return new Dataset(this, id, { ...options, datasetGroup: this });
  }
}

/**
 * Properties of a dataset group.
 */
export interface DatasetGroupProps {
  /**
   * The name of the dataset group: 1-63 letters, digits, hyphens and underscores,
   * starting with a letter or digit. Names are unique per account and region.
   *
   * @default - a unique name generated from the construct path. It changes when a
   * property that forces a replacement changes, so replacements never collide.
   */
  readonly datasetGroupName?: string;

  /**
   * The domain, for a Domain dataset group.
   * @default - a custom dataset group
   */
  readonly domain?: Domain;

  /**
   * A customer managed KMS key to encrypt the datasets with.
   *
   * If no `role` is given, a service role for Personalize is created and both the
   * role and the Personalize service principal are granted use of the key.
   *
   * @default - data is encrypted with a key owned by Amazon Personalize
   */
  readonly kmsKey?: kms.IKey;

  /**
   * The role Personalize assumes to use `kmsKey`. Valid only together with `kmsKey`;
   * it is granted use of the key.
   *
   * @default - a role is created when `kmsKey` is given
   */
  readonly role?: iam.IRole;

  /**
   * What happens to the dataset group when it leaves the stack.
   *
   * The default is DESTROY because only 5 dataset groups may be active per region,
   * and a retained group with a fixed name blocks the next deploy.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Delete everything in the dataset group when the group is deleted: recommenders
   * and campaigns, solutions (stopping any training), event trackers, filters,
   * metric attributions and datasets, in that order, including those made outside
   * this stack. Their data and models are lost.
   *
   * The group's datasets and solutions in this app follow it too: CloudFormation
   * deletes them before the group, and each first deletes what blocks its own delete
   * and this stack does not manage (filters, the event tracker, metric attributions
   * and campaigns made outside the stack; trainings are stopped). What the stack
   * manages is left to the stack.
   *
   * Without it, a delete that resources made outside the stack block fails after a
   * few minutes, listing them.
   *
   * @default false
   */
  readonly emptyOnDelete?: boolean;
}

/**
 * An Amazon Personalize dataset group.
 *
 * Backed by a custom resource that waits until the group is ACTIVE, updates tags
 * in place, and on deletion waits until the group is gone.
 *
 * @resource Custom::PersonalizeDatasetGroup
 */
export class DatasetGroup extends DatasetGroupBase implements ITaggable {
  /**
   * Imports a dataset group by its ARN.
   */
  public static fromDatasetGroupArn(scope: Construct, id: string, datasetGroupArn: string): IDatasetGroup {
    return DatasetGroup.fromDatasetGroupAttributes(scope, id, { datasetGroupArn });
  }

  /**
   * Imports a dataset group in this stack's account and region by its name.
   */
  public static fromDatasetGroupName(scope: Construct, id: string, datasetGroupName: string): IDatasetGroup {
    return DatasetGroup.fromDatasetGroupAttributes(scope, id, { datasetGroupName });
  }

  /**
   * Imports a dataset group from its attributes.
   */
  public static fromDatasetGroupAttributes(scope: Construct, id: string, attrs: DatasetGroupAttributes): IDatasetGroup {
    if (attrs.datasetGroupArn === undefined && attrs.datasetGroupName === undefined) {
      throw new Error('DatasetGroup.fromDatasetGroupAttributes needs datasetGroupArn or datasetGroupName; got neither.');
    }
    validateName('datasetGroupName', attrs.datasetGroupName);
    const stack = Stack.of(scope);
    let arn = attrs.datasetGroupArn;
    let name = attrs.datasetGroupName;
    if (arn !== undefined) {
      validatePersonalizeArn('datasetGroupArn', arn);
      const parts = Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME);
      if (!Token.isUnresolved(arn) && parts.resource !== 'dataset-group') {
        throw new Error(`Invalid datasetGroupArn: '${arn}' is a Personalize '${parts.resource}' ARN, not a dataset group ARN (…:dataset-group/NAME).`);
      }
      name ??= parts.resourceName!;
    } else {
      arn = stack.formatArn({ service: 'personalize', resource: 'dataset-group', resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    }

    class Import extends DatasetGroupBase {
      public readonly datasetGroupArn = arn!;
      public readonly datasetGroupName = name!;
      public readonly domain = attrs.domain;
    }
    return new Import(scope, id, { environmentFromArn: attrs.datasetGroupArn });
  }

  public readonly datasetGroupArn: string;
  public readonly datasetGroupName: string;
  public readonly domain?: Domain;

  /**
   * The role Personalize uses to access `kmsKey`, when a key is used.
   */
  public readonly role?: iam.IRole;

  /**
   * The key the datasets are encrypted with, when one was given.
   */
  public readonly kmsKey?: kms.IKey;

  /**
   * Tags for the dataset group. Tags set with `Tags.of(scope)` land here too.
   */
  public readonly tags: TagManager;

  /**
   * The name the group is created with and the pattern the handler is granted; unlike
   * `datasetGroupName` both are known at synth time, so datasets can derive theirs from them.
   * @internal
   */
  public readonly _physicalName: PhysicalName;

  /**
   * Whether the group deletes what it holds when it is deleted. Its datasets and solutions carry it too:
   * CloudFormation deletes them before the group, and they remove what blocks them and the stack does not manage.
   * @internal
   */
  public readonly _emptyOnDelete: boolean;

  constructor(scope: Construct, id: string, props: DatasetGroupProps = {}) {
    super(scope, id);
    markOwnGroup(this);
    requireOptionalConstruct('kmsKey', props.kmsKey, 'a KMS key (kms.IKey: kms.Key or kms.Key.fromKeyArn)', 'keyArn');
    requireOptionalConstruct('role', props.role, 'an IAM role (iam.IRole: iam.Role or iam.Role.fromRoleArn)', 'roleArn');
    validateName('datasetGroupName', props.datasetGroupName);
    if (props.role && !props.kmsKey) {
      throw new Error(`Invalid role: ${describeValue(props.role.roleArn, props.role)} was given without kmsKey. Personalize uses the role only to `
        + 'access a customer managed KMS key; give kmsKey as well, or remove role.');
    }
    if (props.role) validateRoleArn('role', props.role.roleArn);
    if (props.kmsKey) validateKmsKeyArn('kmsKey', props.kmsKey.keyArn, props.kmsKey);
    claimName(this, 'Dataset group', 'datasetGroupName', props.datasetGroupName);
    warnAboveGroupQuota(this);

    this.domain = props.domain;
    this.kmsKey = props.kmsKey;
    this._emptyOnDelete = props.emptyOnDelete ?? false;
    this.role = props.kmsKey ? (props.role ?? this.createServiceRole()) : undefined;
    // The role and Personalize's own principal use the key; the key policy's statement for the principal carries
    // the confused-deputy conditions (src/private/key-access.ts).
    if (this.kmsKey && this.role) grantPersonalizeKeyUse(this, this.kmsKey, this.role, 'the dataset group fails to create');

    this._physicalName = physicalName(this, props.datasetGroupName, [props.domain, props.kmsKey?.keyArn, this.role?.roleArn]);
    this.tags = new TagManager(TagType.KEY_VALUE, ResourceTypes.DATASET_GROUP);
    this.node.addValidation({ validate: () => tagProblems(this.renderTags()) });

    const resource = declaredResource<DatasetGroupProperties>(this, DATASET_GROUP, {
      properties: {
        Name: this._physicalName.name,
        Domain: props.domain,
        KmsKeyArn: this.kmsKey?.keyArn,
        RoleArn: this.role?.roleArn,
        Tags: Lazy.any({ produce: () => this.renderTags() }) as unknown as TagProperty[],
        EmptyOnDelete: props.emptyOnDelete ? 'true' : undefined,
      },
      removalPolicy: props.removalPolicy,
      resources: {
        self: [datasetGroupArnPattern(this, this._physicalName)],
        children: props.emptyOnDelete ? childArnPatterns(this, this._physicalName) : undefined,
        role: this.role ? [this.role.roleArn] : undefined,
      },
    });
    // Personalize checks the role's access to the key at create time, so the grants must exist first.
    if (this.role) resource.node.addDependency(this.role);

    this.datasetGroupArn = resource.getAttString(Attributes.ARN);
    this.datasetGroupName = resource.getAttString(Attributes.NAME);
  }

  private renderTags(): TagProperty[] {
    return (this.tags.renderTags() as TagProperty[] | undefined) ?? [];
  }

  private createServiceRole(): iam.Role {
    return personalizeServiceRole(this, 'Lets Amazon Personalize use the dataset group KMS key');
  }
}

/** Amazon Personalize's default quota of active dataset groups per account and region. */
const DATASET_GROUP_QUOTA = 5;
const groupsPerStack = new WeakMap<Stack, number>();

/** A warning, not an error: the quota can be raised, and other stacks may hold groups too. */
function warnAboveGroupQuota(group: DatasetGroup): void {
  const stack = Stack.of(group);
  const count = (groupsPerStack.get(stack) ?? 0) + 1;
  groupsPerStack.set(stack, count);
  if (count <= DATASET_GROUP_QUOTA) return;
  Annotations.of(group).addWarningV2('cdk-personalize:datasetGroupQuota',
    `Stack '${stack.node.path}' defines ${count} dataset groups; Amazon Personalize allows ${DATASET_GROUP_QUOTA} active `
    + 'dataset groups per account and region by default, so the deploy fails with LimitExceededException unless the '
    + 'quota was raised (Service Quotas, "Active dataset groups"). Ignore this warning if it was.');
}
