/**
 * One B1 sample, in a fresh process: builds and synthesizes a stack of N dataset
 * groups, each with Interactions, Items and Users datasets and their schemas,
 * with this library's constructs (generated or explicit names) or with the L1 constructs.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as personalize from 'aws-cdk-lib/aws-personalize';
import { DatasetGroup, DatasetType, Schema, SchemaDefinition, SchemaField } from '../src';
import { childMain } from './lib/processes';
import { resolvedLength } from '../src/private/handler-access';
import { PersonalizeProvider } from '../src/private/provider';

/** `library` leaves every name to the library (the default); `library-explicit` names every resource, as the L1 must. */
export type Variant = 'library' | 'library-explicit' | 'l1';

export interface SynthJob {
  readonly variant: Variant;
  readonly groups: number;
}

export interface SynthSample {
  /** Constructing the stack, synthesizing it and running its validations, in ms. */
  readonly synthMs: number;
  readonly templateBytes: number;
  readonly personalizeResources: number;
  readonly resources: number;
  readonly resourcesByType: Record<string, number>;
  /** Template bytes taken by each resource type, formatted as in the template file. */
  readonly bytesByType: Record<string, number>;
  /** The handler role's inline policies as the library's synth-time check estimates them (resolvedLength); 0 without a handler. */
  readonly handlerPolicyChars: number;
  /** The same, with the partition, region and account resolved to this stack's: closer to what IAM counts. */
  readonly handlerPolicyCharsResolved: number;
  /** Why `cdk synth` would refuse this stack (its validation errors), if it would. */
  readonly refusal?: string;
}

const DATASETS: Array<{ type: DatasetType; recordName: string; fields: () => SchemaField[] }> = [
  {
    type: DatasetType.INTERACTIONS,
    recordName: 'Interactions',
    fields: () => [
      SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP'),
      SchemaField.stringField('EVENT_TYPE'),
    ],
  },
  {
    type: DatasetType.ITEMS,
    recordName: 'Items',
    fields: () => [SchemaField.stringField('ITEM_ID'), SchemaField.stringField('GENRES').categorical().nullable()],
  },
  {
    type: DatasetType.USERS,
    recordName: 'Users',
    fields: () => [SchemaField.stringField('USER_ID'), SchemaField.intField('AGE').nullable()],
  },
];

/** The same Avro text for every variant, so template sizes differ only by what the constructs add. */
function avroJson(dataset: (typeof DATASETS)[number]): string {
  return SchemaDefinition.fromFields(dataset.fields(), { recordName: dataset.recordName }).json;
}

/** The names the L1 variant must give, used by `library-explicit` too, so both grant and create the same names. */
const groupName = (index: number) => `bench-group-${index}`;
const memberName = (index: number, dataset: (typeof DATASETS)[number]) => `${groupName(index)}-${dataset.recordName.toLowerCase()}`;

function buildWithLibrary(stack: Stack, groups: number, explicitNames: boolean): void {
  for (let index = 0; index < groups; index++) {
    const group = new DatasetGroup(stack, `Group${index}`, { datasetGroupName: explicitNames ? groupName(index) : undefined });
    for (const dataset of DATASETS) {
      const name = explicitNames ? memberName(index, dataset) : undefined;
      const schema = new Schema(group, `${dataset.recordName}Schema`, { definition: SchemaDefinition.fromJson(avroJson(dataset)), schemaName: name });
      group.addDataset(dataset.recordName, { datasetType: dataset.type, schema, datasetName: name });
    }
  }
}

/** What a user writes with aws-cdk-lib alone; L1 names are required, so they follow the construct IDs. */
function buildWithL1(stack: Stack, groups: number): void {
  for (let index = 0; index < groups; index++) {
    const group = new personalize.CfnDatasetGroup(stack, `Group${index}`, { name: groupName(index) });
    for (const dataset of DATASETS) {
      const schema = new personalize.CfnSchema(stack, `Group${index}${dataset.recordName}Schema`, {
        name: memberName(index, dataset),
        schema: avroJson(dataset),
      });
      new personalize.CfnDataset(stack, `Group${index}${dataset.recordName}`, {
        name: memberName(index, dataset),
        datasetGroupArn: group.attrDatasetGroupArn,
        datasetType: dataset.type,
        schemaArn: schema.attrSchemaArn,
      });
    }
  }
}

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: any;
}

const PSEUDO_PARAMETERS: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012' };

/** Replaces `Ref`s to pseudo parameters with this stack's values; other intrinsics stay for resolvedLength to estimate. */
function withPseudoParameters(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withPseudoParameters);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1 && keys[0] === 'Ref' && typeof object.Ref === 'string' && object.Ref in PSEUDO_PARAMETERS) return PSEUDO_PARAMETERS[object.Ref];
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    const resolved = parts.map(withPseudoParameters);
    if (resolved.every((part) => typeof part === 'string')) return resolved.join(separator);
    return { 'Fn::Join': [separator, resolved] };
  }
  return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, withPseudoParameters(item)]));
}

/** Every inline policy document of the handler role: its own `Policies` and each AWS::IAM::Policy attached to it. */
function handlerPolicyDocuments(stack: Stack, resources: Record<string, TemplateResource>): unknown[] {
  const provider = stack.node.children.find((child): child is PersonalizeProvider => child instanceof PersonalizeProvider);
  if (!provider) return [];
  const roleId = stack.getLogicalId(provider.handlerRole.node.defaultChild as CfnResource);
  const documents: unknown[] = (resources[roleId]?.Properties?.Policies ?? []).map((policy: { PolicyDocument: unknown }) => policy.PolicyDocument);
  for (const resource of Object.values(resources)) {
    const attached = resource.Type === 'AWS::IAM::Policy' && (resource.Properties.Roles ?? []).some((role: { Ref?: string }) => role.Ref === roleId);
    if (attached) documents.push(resource.Properties.PolicyDocument);
  }
  return documents;
}

/** Builds one stack into a fresh App. */
function build(variant: Variant, groups: number, outdir: string): { app: App; stack: Stack } {
  // Every variant passes CloudFormation's 500-resource limit at some N; the table reports where, synth measures on.
  const app = new App({ outdir, context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new Stack(app, 'Bench', { env: { account: '123456789012', region: 'us-east-1' } });
  if (variant === 'l1') buildWithL1(stack, groups);
  else buildWithLibrary(stack, groups, variant === 'library-explicit');
  return { app, stack };
}

/**
 * Synthesizes with the validations run after the template is written rather than
 * before: the same work as `app.synth()`, but a stack that synth would refuse
 * (the handler role's policy size check) still yields a template to measure.
 */
function synthesize(app: App) {
  const assembly = app.synth({ skipValidation: true });
  const problems = app.node.findAll().flatMap((construct) => construct.node.validate().map((problem) => `[${construct.node.path}] ${problem}`));
  return { assembly, refusal: problems.length > 0 ? problems.join('\n') : undefined };
}

childMain<SynthJob, SynthSample>(async (job) => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-personalize-bench-'));
  // aws-cdk-lib loads parts of itself on first use; a one-group stack first keeps that one-off cost out of the measurement.
  synthesize(build(job.variant, 1, path.join(outdir, 'warm-up')).app);
  return async () => {
    const started = performance.now();
    const { app, stack } = build(job.variant, job.groups, path.join(outdir, 'measured'));
    const { assembly, refusal } = synthesize(app);
    const synthMs = performance.now() - started;

    const templateFile = path.join(assembly.directory, assembly.getStackByName('Bench').templateFile);
    const templateBytes = fs.statSync(templateFile).size;
    const template = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
    fs.rmSync(outdir, { recursive: true, force: true });

    const resourcesByType: Record<string, number> = {};
    const bytesByType: Record<string, number> = {};
    for (const resource of Object.values(template.Resources) as TemplateResource[]) {
      resourcesByType[resource.Type] = (resourcesByType[resource.Type] ?? 0) + 1;
      bytesByType[resource.Type] = (bytesByType[resource.Type] ?? 0) + JSON.stringify(resource, undefined, 1).length;
    }
    const personalizeResources = Object.entries(resourcesByType)
      .filter(([type]) => type.startsWith('AWS::Personalize::') || type.startsWith('Custom::Personalize'))
      .reduce((sum, [, count]) => sum + count, 0);
    const policies = handlerPolicyDocuments(stack, template.Resources);
    return {
      synthMs,
      templateBytes,
      personalizeResources,
      resources: Object.keys(template.Resources).length,
      resourcesByType,
      bytesByType,
      handlerPolicyChars: policies.reduce((sum: number, document) => sum + resolvedLength(document), 0),
      handlerPolicyCharsResolved: policies.reduce((sum: number, document) => sum + resolvedLength(withPseudoParameters(document)), 0),
      refusal,
    };
  };
});
