/**
 * Stacks for scenarios, built from the library's real constructs and synthesized
 * the way `cdk synth` would, so the harness deploys exactly what users deploy.
 */
import { App, CfnResource, CustomResource, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { ACCOUNT, DEFAULT_STACK_NAME, REGION } from './environment';
import { isLibraryResourceType, TemplateJson } from './template';
import { DatasetGroup, DatasetGroupProps, DatasetType, Schema, SchemaDefinition, SchemaField } from '../../src';

export interface SynthesizedStack {
  readonly template: TemplateJson;
  /** Logical ID of each construct's custom resource, keyed by the construct's path below the stack (e.g. 'Group'). */
  readonly logicalIds: Record<string, string>;
}

/** Synthesizes a stack that `build` fills; the stack name matches the environment's. */
export function synthesize(build: (stack: Stack) => void, stackName = DEFAULT_STACK_NAME): SynthesizedStack {
  // No construct stack traces: they only serve synthesis errors and make each synthesis several times slower.
  const app = new App({ stackTraces: false, context: { 'aws:cdk:disable-asset-staging': true } });
  const stack = new Stack(app, stackName);
  build(stack);
  const template = Template.fromStack(stack).toJSON() as TemplateJson;
  const logicalIds: Record<string, string> = {};
  for (const construct of stack.node.findAll()) {
    if (!(construct instanceof CustomResource)) continue;
    const cfn = construct.node.defaultChild as CfnResource;
    if (!isLibraryResourceType(cfn.cfnResourceType)) continue;
    // A construct's main custom resource ('Resource') goes by the construct's path; others (a training's result) by their own.
    const named = construct.node.id === 'Resource' ? construct.node.scope as IConstruct : construct;
    logicalIds[named.node.path.split('/').slice(1).join('/')] = stack.getLogicalId(cfn);
  }
  return { template, logicalIds };
}

export interface GroupSpec extends DatasetGroupProps {
  /** Tags through `Tags.of(group)`, as users set them. */
  readonly tags?: Record<string, string>;
}

/** A stack of dataset groups, keyed by construct ID. */
export function groupStack(groups: Record<string, GroupSpec>): SynthesizedStack {
  return synthesize((stack) => {
    for (const [id, { tags, ...props }] of Object.entries(groups)) {
      const group = new DatasetGroup(stack, id, props);
      for (const [key, value] of Object.entries(tags ?? {})) Tags.of(group).add(key, value);
    }
  });
}

export const INTERACTIONS_FIELDS = [SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP')];
export const ITEMS_FIELDS = [SchemaField.stringField('ITEM_ID'), SchemaField.stringField('GENRES').categorical()];
export const USERS_FIELDS = [SchemaField.stringField('USER_ID'), SchemaField.intField('AGE').nullable()];

export interface DataModelSpec {
  /** Fields of the Interactions schema. @default INTERACTIONS_FIELDS */
  readonly interactionsFields?: SchemaField[];
  /** Fields of the Items schema. @default ITEMS_FIELDS */
  readonly itemsFields?: SchemaField[];
  /** Tags on the Items dataset. */
  readonly itemsTags?: Record<string, string>;
}

/**
 * A dataset group 'retail' with an Interactions, an Items and a Users dataset, each
 * with a schema of its own (generated names, so a new definition is a new schema).
 * Construct paths: Group, InteractionsSchema, ItemsSchema, UsersSchema, Group/Interactions, Group/Items, Group/Users.
 */
export function dataModelStack(spec: DataModelSpec = {}): SynthesizedStack {
  return synthesize((stack) => {
    const group = new DatasetGroup(stack, 'Group', { datasetGroupName: 'retail' });
    const schema = (id: string, fields: SchemaField[]) =>
      new Schema(stack, id, { definition: SchemaDefinition.fromFields(fields, { recordName: id }) });
    group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema: schema('InteractionsSchema', spec.interactionsFields ?? INTERACTIONS_FIELDS) });
    const items = group.addDataset('Items', { datasetType: DatasetType.ITEMS, schema: schema('ItemsSchema', spec.itemsFields ?? ITEMS_FIELDS) });
    group.addDataset('Users', { datasetType: DatasetType.USERS, schema: schema('UsersSchema', USERS_FIELDS) });
    for (const [key, value] of Object.entries(spec.itemsTags ?? {})) Tags.of(items).add(key, value);
  });
}

/**
 * Adds group 'retail' with an Interactions dataset (with EVENT_TYPE) and an Items dataset,
 * each with a schema of its own: what the kinds built on a group (filters, solutions) need.
 * Paths: Group, InteractionsSchema, ItemsSchema, Group/Interactions, Group/Items.
 */
export function addRetailGroup(stack: Stack): DatasetGroup {
  const group = new DatasetGroup(stack, 'Group', { datasetGroupName: 'retail' });
  const schema = (id: string, fields: SchemaField[]) =>
    new Schema(stack, id, { definition: SchemaDefinition.fromFields(fields, { recordName: id }) });
  group.addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS, schema: schema('InteractionsSchema', [...INTERACTIONS_FIELDS, SchemaField.stringField('EVENT_TYPE')]),
  });
  group.addDataset('Items', { datasetType: DatasetType.ITEMS, schema: schema('ItemsSchema', ITEMS_FIELDS) });
  return group;
}

/** The Name property the construct synthesized for a resource (generated when not given). */
export function nameIn(stack: SynthesizedStack, constructPath: string): string {
  const logicalId = stack.logicalIds[constructPath];
  const name = stack.template.Resources[logicalId]?.Properties?.Name;
  if (typeof name !== 'string') throw new Error(`${constructPath} has no literal Name in the template`);
  return name;
}

/** The ARN a Personalize resource of this stack gets in the local service. */
export function arnOf(resource: string): string {
  return `arn:aws:personalize:${REGION}:${ACCOUNT}:${resource}`;
}
