/**
 * The explorer's stacks: a small model of what an app declares (dataset groups with
 * their datasets, schemas, names, domains, tags, emptyOnDelete, and their members,
 * batch jobs with the solution and version they run on among them), drawn at random,
 * changed at random, and synthesized through the library's public constructs.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Random } from './random';
import {
  AutoTraining, BatchInferenceJob, BatchJobWait, BatchSegmentJob, DatasetGroup, DatasetImportJob, DatasetType, Domain, EventTracker, Filter,
  FilterExpression, IDatasetGroup, ImportSource, MetricAttribution, MetricExpression, Recipe, Recommender, Schema, SchemaDefinition, SchemaField,
  Solution, SolutionVersion, UseCase,
} from '../../src';
import { ACCOUNT } from '../harness/environment';
import { synthesize, SynthesizedStack } from '../harness/stacks';

export interface SchemaModel {
  readonly id: string;
  readonly name?: string;
  readonly domain?: Domain;
  /** The dataset type the fields are made for. */
  readonly forType: DatasetType;
  /** Nullable string fields added to the type's fields: what an in-place schema update adds. */
  readonly extra: readonly string[];
}

export interface DatasetModel {
  readonly id: string;
  readonly type: DatasetType;
  readonly schemaId: string;
  readonly name?: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface GroupModel {
  readonly id: string;
  readonly name?: string;
  readonly domain?: Domain;
  /** Through Tags.of(group), so its datasets get them too. */
  readonly tags: Readonly<Record<string, string>>;
  readonly emptyOnDelete: boolean;
  readonly datasets: readonly DatasetModel[];
  /** Event trackers, filters, metric attributions, import jobs, recommenders and batch jobs of the group. */
  readonly members: readonly MemberModel[];
}

/**
 * What a group holds besides datasets. Names are always generated: a generated name hashes
 * what forces a replacement, so a replacement never collides (explicit names of these kinds
 * are covered by their lifecycle tests, not here).
 */
export type MemberModel =
  | { readonly kind: 'tracker'; readonly id: string; readonly tags: Readonly<Record<string, string>> }
  | { readonly kind: 'filter'; readonly id: string; readonly expression: number; readonly tags: Readonly<Record<string, string>> }
  | { readonly kind: 'attribution'; readonly id: string; readonly metrics: 1 | 2 }
  | {
    readonly kind: 'import';
    readonly id: string;
    readonly datasetType: DatasetType;
    readonly dataVersion?: string;
    readonly tags: Readonly<Record<string, string>>;
  }
  | {
    readonly kind: 'recommender';
    readonly id: string;
    readonly useCase: number;
    readonly running: boolean;
    readonly rps?: number;
    readonly tags: Readonly<Record<string, string>>;
  }
  | {
    /**
     * A batch job with a solution (AutoTraining.off) and a trained version of its own, which it runs on: reading
     * BATCH_INPUT_KEY from a bucket of its own and writing under BATCH_OUTPUT_PREFIX there. Only the job is tagged.
     */
    readonly kind: 'batch';
    readonly id: string;
    readonly variant: BatchVariant;
    /** BatchJobWait.startOnly(), else the default untilActive. */
    readonly startOnly: boolean;
    /** Given `solution` instead of `solutionVersion`: it runs the solution's latest ACTIVE version (its own, trained first). */
    readonly onLatest: boolean;
    readonly dataVersion?: string;
    readonly tags: Readonly<Record<string, string>>;
  };

/** A batch inference job (on a User-Personalization-v2 version) or a batch segment job (on an Item-Affinity version). */
export type BatchVariant = 'inference' | 'segment';

export interface StackModel {
  readonly groups: readonly GroupModel[];
  readonly schemas: readonly SchemaModel[];
  /** Through Tags.of(stack): every taggable resource gets them. */
  readonly stackTags: Readonly<Record<string, string>>;
  /** The next free number for construct IDs and names, so a removed resource's ID is never reused. */
  readonly serial: number;
}

/**
 * One random change to a model. Whether the library refuses it by design is read
 * from the synthesized templates (faults.ts, stepTargets), not predicted here.
 */
export interface Change {
  readonly model: StackModel;
  readonly description: string;
}

const TAG_KEYS = ['team', 'env', 'cost-center'];
const TAG_VALUES = ['a', 'b', 'c'];
const EXTRA_FIELDS = ['COLOR', 'SIZE', 'BRAND', 'MOOD'];
const NAME_STEMS = ['shop', 'news', 'music', 'books', 'films', 'games'];
const DOMAINS = [Domain.ECOMMERCE, Domain.VIDEO_ON_DEMAND];
const CUSTOM_TYPES = [DatasetType.INTERACTIONS, DatasetType.ITEMS, DatasetType.USERS, DatasetType.ACTIONS, DatasetType.ACTION_INTERACTIONS];
const DOMAIN_TYPES = [DatasetType.INTERACTIONS, DatasetType.ITEMS, DatasetType.USERS];
/** Filter expressions by index; each needs an Interactions dataset (every Interactions schema here has EVENT_TYPE). */
const FILTER_EXPRESSIONS = [
  'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ($TYPES)',
  'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")',
];
/** Use cases by domain, each with what it trains on (UseCase.requiredDatasets). */
const USE_CASES: Record<Domain, UseCase[]> = {
  [Domain.ECOMMERCE]: [UseCase.ECOMMERCE_BEST_SELLERS, UseCase.ECOMMERCE_RECOMMENDED_FOR_YOU],
  [Domain.VIDEO_ON_DEMAND]: [UseCase.VOD_MOST_POPULAR, UseCase.VOD_MORE_LIKE_X],
};
const METRICS = [
  { metricName: 'clicks', eventType: 'click', expression: MetricExpression.sampleCount() },
  { metricName: 'purchases', eventType: 'purchase', expression: MetricExpression.sampleCount() },
];
/** The role metric attributions are given: the harness has no IAM, and a given role keeps the templates small. */
const ATTRIBUTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/explorer-metrics`;
const IMPORT_TYPES = [DatasetType.INTERACTIONS, DatasetType.ITEMS, DatasetType.USERS];
/** The recipe each batch variant's solution trains with; both need only Interactions. */
const BATCH_RECIPES: Record<BatchVariant, Recipe> = { inference: Recipe.USER_PERSONALIZATION_V2, segment: Recipe.ITEM_AFFINITY };
/** Where a batch job reads and writes in its bucket; the explorer stages the input before each deploy. */
export const BATCH_INPUT_KEY = 'input.jsonl';
export const BATCH_OUTPUT_PREFIX = 'out/';
/** The most batch members a group holds: with two groups, fewer than the service's 5 running jobs of a kind. */
const MAX_BATCH_MEMBERS = 2;

/** The fields a schema for this dataset type (and domain) needs, plus the extra nullable ones. */
export function fieldsFor(type: DatasetType, domain: Domain | undefined, extra: readonly string[]): SchemaField[] {
  const text = (name: string) => SchemaField.stringField(name);
  const base: Record<DatasetType, SchemaField[]> = {
    [DatasetType.INTERACTIONS]: [text('USER_ID'), text('ITEM_ID'), SchemaField.longField('TIMESTAMP'), text('EVENT_TYPE')],
    [DatasetType.ITEMS]: domain === Domain.ECOMMERCE ? [text('ITEM_ID'), SchemaField.floatField('PRICE'), text('CATEGORY_L1').categorical()]
      : domain === Domain.VIDEO_ON_DEMAND ? [text('ITEM_ID'), text('GENRES').categorical(), SchemaField.longField('CREATION_TIMESTAMP')]
        : [text('ITEM_ID'), text('GENRES').categorical()],
    [DatasetType.USERS]: [text('USER_ID'), SchemaField.intField('AGE').nullable()],
    [DatasetType.ACTIONS]: [text('ACTION_ID'), SchemaField.intField('VALUE').nullable()],
    [DatasetType.ACTION_INTERACTIONS]: [text('USER_ID'), text('ACTION_ID'), SchemaField.longField('TIMESTAMP'), text('EVENT_TYPE')],
  };
  return [...base[type], ...extra.map((name) => text(name).nullable())];
}

/** Synthesizes the model with the public constructs, as `cdk synth` would. */
export function synthesizeModel(model: StackModel): SynthesizedStack {
  return synthesize((stack) => {
    const schemas = new Map<string, Schema>();
    for (const schema of model.schemas) {
      schemas.set(schema.id, new Schema(stack, schema.id, {
        schemaName: schema.name,
        domain: schema.domain,
        definition: SchemaDefinition.fromFields(fieldsFor(schema.forType, schema.domain, schema.extra), { recordName: schema.forType }),
      }));
    }
    const datasets = new Map<string, ReturnType<DatasetGroup['addDataset']>>();
    for (const group of model.groups) {
      const construct = new DatasetGroup(stack, group.id, {
        datasetGroupName: group.name, domain: group.domain, emptyOnDelete: group.emptyOnDelete || undefined,
      });
      addTags(construct, group.tags);
      for (const dataset of group.datasets) {
        const schema = schemas.get(dataset.schemaId);
        if (!schema) throw new Error(`Dataset ${dataset.id} names schema ${dataset.schemaId}, which the model lacks`);
        const added = construct.addDataset(dataset.id, { datasetType: dataset.type, schema, datasetName: dataset.name });
        addTags(added, dataset.tags);
        datasets.set(`${group.id}/${dataset.type}`, added);
      }
      for (const member of group.members) {
        switch (member.kind) {
          case 'tracker':
            addTags(new EventTracker(stack, member.id, { datasetGroup: construct }), member.tags);
            break;
          case 'filter':
            addTags(new Filter(stack, member.id, {
              datasetGroup: construct, expression: FilterExpression.fromText(FILTER_EXPRESSIONS[member.expression]),
            }), member.tags);
            break;
          case 'attribution':
            new MetricAttribution(stack, member.id, {
              datasetGroup: construct, metrics: METRICS.slice(0, member.metrics), role: iam.Role.fromRoleArn(stack, `${member.id}Role`, ATTRIBUTION_ROLE),
            });
            break;
          case 'import': {
            const schema = model.schemas.find((s) => s.id === group.datasets.find((d) => d.type === member.datasetType)!.schemaId)!;
            addTags(new DatasetImportJob(stack, member.id, {
              dataset: datasets.get(`${group.id}/${member.datasetType}`)!,
              source: ImportSource.fromAsset(csvFor(member.datasetType, schema.domain)),
              dataVersion: member.dataVersion,
            }), member.tags);
            break;
          }
          case 'recommender':
            addTags(new Recommender(stack, member.id, {
              datasetGroup: construct,
              useCase: USE_CASES[group.domain!][member.useCase],
              running: member.running ? undefined : false,
              minRecommendationRequestsPerSecond: member.rps,
            }), member.tags);
            break;
          case 'batch':
            addBatchJob(stack, construct, member);
            break;
        }
      }
    }
    addTags(stack, model.stackTags);
  });
}

/**
 * A batch member: its solution, the version it trains, its bucket and the job on that version, or on the solution's latest
 * (IDs `<id>Solution`, `<id>Version`, `<id>Data`, `<id>`).
 */
function addBatchJob(scope: Construct, group: IDatasetGroup, member: Extract<MemberModel, { kind: 'batch' }>): void {
  const solution = new Solution(scope, `${member.id}Solution`, { datasetGroup: group, recipe: BATCH_RECIPES[member.variant], autoTraining: AutoTraining.off() });
  const solutionVersion = new SolutionVersion(scope, `${member.id}Version`, { solution });
  const bucket = new s3.Bucket(scope, `${member.id}Data`);
  const props = {
    ...(member.onLatest ? { solution } : { solutionVersion }),
    inputBucket: bucket,
    inputKey: BATCH_INPUT_KEY,
    outputBucket: bucket,
    outputPrefix: BATCH_OUTPUT_PREFIX,
    dataVersion: member.dataVersion,
    wait: member.startOnly ? BatchJobWait.startOnly() : undefined,
  };
  addTags(member.variant === 'inference' ? new BatchInferenceJob(scope, member.id, props) : new BatchSegmentJob(scope, member.id, props), member.tags);
}

/**
 * Where the explorer's generated CSV files are: one per dataset type and domain, the non-null fields and two rows
 * (1,000 for Interactions, the fewest records an Interactions import takes).
 */
const CSV_DIR = path.join(os.tmpdir(), 'cdk-personalize-explorer-csv');

/** A CSV file with a header of the schema's required fields and its rows; written once, named by its content. */
export function csvFor(type: DatasetType, domain: Domain | undefined): string {
  const definition = JSON.parse(SchemaDefinition.fromFields(fieldsFor(type, domain, []), { recordName: type }).json) as {
    fields: Array<{ name: string; type: unknown }>;
  };
  const fields = definition.fields.filter((f) => !Array.isArray(f.type));
  const value = (f: { name: string; type: unknown }, row: number) => (f.type === 'long' || f.type === 'int' ? String(1_700_000_000 + row)
    : f.type === 'float' ? `${row}.5` : f.name === 'EVENT_TYPE' ? 'click' : `${f.name.toLowerCase()}-${row}`);
  const rows = Array.from({ length: type === DatasetType.INTERACTIONS ? 1000 : 2 }, (_, index) => index + 1);
  const text = [fields.map((f) => f.name).join(','), ...rows.map((row) => fields.map((f) => value(f, row)).join(','))].join('\n') + '\n';
  const file = path.join(CSV_DIR, `${createHash('sha256').update(text).digest('hex').slice(0, 16)}.csv`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(CSV_DIR, { recursive: true });
    fs.writeFileSync(`${file}.${process.pid}`, text);
    fs.renameSync(`${file}.${process.pid}`, file);
  }
  return file;
}

function addTags(scope: Parameters<typeof Tags.of>[0], tags: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(tags)) Tags.of(scope).add(key, value);
}

/** A random stack: one or two groups, each with up to three datasets, and perhaps a schema of its own. */
export function randomModel(random: Random): StackModel {
  let model: StackModel = { groups: [], schemas: [], stackTags: random.chance(0.2) ? randomTags(random) : {}, serial: 1 };
  const groups = random.int(1, 2);
  for (let i = 0; i < groups; i++) model = addGroup(random, model, random.int(0, 3));
  for (const group of model.groups) {
    const members = random.weighted([[2, 0], [3, 1], [3, 2], [2, 3]] as const);
    for (let i = 0; i < members; i++) model = addMember(random, model, model.groups.find((g) => g.id === group.id)!) ?? model;
  }
  if (random.chance(0.25)) model = addLooseSchema(random, model);
  return model;
}

/** One to three random changes to a deployed model. */
export function randomChanges(random: Random, model: StackModel): Change {
  let current = model;
  const descriptions: string[] = [];
  const count = random.weighted([[6, 1], [3, 2], [1, 3]] as const);
  for (let i = 0; i < count; i++) {
    const change = randomChange(random, current, model);
    current = change.model;
    descriptions.push(change.description);
  }
  return { model: current, description: descriptions.join('; ') };
}

/** `start` is the model before the step: what CloudFormation deletes only after it has created what the step adds. */
function randomChange(random: Random, model: StackModel, start: StackModel): Change {
  const before = (group: GroupModel) => start.groups.find((g) => g.id === group.id);
  const groupsWithDatasets = model.groups.filter((group) => group.datasets.length > 0);
  const choices: Array<[number, () => Change]> = [
    [4, () => retagGroup(random, model)],
    [1, () => ({ model: { ...model, stackTags: randomTags(random) }, description: 'stack tags changed' })],
    [1, () => toggleEmptyOnDelete(random, model)],
    [3, () => renameGroup(random, model)],
    [2, () => addDatasetChange(random, model)],
  ];
  if (groupsWithDatasets.length > 0) {
    choices.push([3, () => retagDataset(random, model)], [4, () => extendSchema(random, model)], [2, () => removeDataset(random, model)],
      [1, () => renameDataset(random, model)]);
  }
  if (model.groups.some((group) => group.datasets.length === 0)) choices.push([2, () => changeDomain(random, model)]);
  if (model.groups.some((group) => memberChoices(group, before(group)).length > 0)) choices.push([4, () => addMemberChange(random, model, start)]);
  if (model.groups.some((group) => group.members.length > 0)) {
    choices.push([6, () => changeMember(random, model)], [2, () => removeMember(random, model)]);
  }
  if (model.groups.length < 2) choices.push([1, () => ({ model: addGroup(random, model, random.int(0, 2)), description: 'group added' })]);
  if (model.groups.length > 1) choices.push([1, () => removeGroup(random, model)]);
  const loose = looseSchemas(model);
  if (loose.length === 0) choices.push([1, () => ({ model: addLooseSchema(random, model), description: 'schema added' })]);
  else choices.push([1, () => ({ model: removeSchemas(model, [loose[0].id]), description: `schema ${loose[0].id} removed` })]);
  return random.weighted(choices)();
}

function retagGroup(random: Random, model: StackModel): Change {
  const group = random.pick(model.groups);
  return { model: replaceGroup(model, { ...group, tags: changeTags(random, group.tags) }), description: `tags of ${group.id} changed` };
}

function retagDataset(random: Random, model: StackModel): Change {
  const group = random.pick(model.groups.filter((g) => g.datasets.length > 0));
  const dataset = random.pick(group.datasets);
  const datasets = group.datasets.map((d) => (d === dataset ? { ...d, tags: changeTags(random, d.tags) } : d));
  return { model: replaceGroup(model, { ...group, datasets }), description: `tags of ${group.id}/${dataset.id} changed` };
}

/** The kinds of member a group has room for, given its datasets, domain and what it holds. */
function memberChoices(group: GroupModel, before?: GroupModel): Array<MemberModel['kind']> {
  const has = (type: DatasetType) => group.datasets.some((d) => d.type === type);
  // A tracker or attribution the step removes is deleted only after the step's creates: until then it holds the group's one place.
  const holds = (kind: MemberModel['kind']) => [...group.members, ...before?.members ?? []].some((m) => m.kind === kind);
  const kinds: Array<MemberModel['kind']> = [];
  if (!has(DatasetType.INTERACTIONS)) return kinds;
  // A group holds at most one event tracker and one metric attribution (the API's rule).
  if (!holds('tracker')) kinds.push('tracker');
  if (!holds('attribution')) kinds.push('attribution');
  if (group.members.filter((m) => m.kind === 'filter').length < 2) kinds.push('filter');
  if (group.datasets.some((d) => IMPORT_TYPES.includes(d.type) && !group.members.some((m) => m.kind === 'import' && m.datasetType === d.type))) {
    kinds.push('import');
  }
  if (group.domain && group.members.filter((m) => m.kind === 'recommender').length < 2 && useCasesFor(group).length > 0) kinds.push('recommender');
  if (group.members.filter((m) => m.kind === 'batch').length < MAX_BATCH_MEMBERS) kinds.push('batch');
  return kinds;
}

/** Indexes of the group's domain's use cases whose datasets the group has. */
function useCasesFor(group: GroupModel): number[] {
  if (!group.domain) return [];
  return USE_CASES[group.domain].map((useCase, index) => [useCase, index] as const)
    .filter(([useCase]) => useCase.requiredDatasets.every((type) => group.datasets.some((d) => d.type === type))).map(([, index]) => index);
}

/** Whether a member still fits its group (after a dataset left it). */
function fits(group: GroupModel, member: MemberModel): boolean {
  const has = (type: DatasetType) => group.datasets.some((d) => d.type === type);
  switch (member.kind) {
    case 'import': return has(member.datasetType);
    case 'recommender': return useCasesFor(group).includes(member.useCase);
    default: return has(DatasetType.INTERACTIONS);
  }
}

/** A new member of a kind the group has room for, or undefined if it has none. */
function addMember(random: Random, model: StackModel, group: GroupModel, before?: GroupModel): StackModel | undefined {
  const kinds = memberChoices(group, before);
  if (kinds.length === 0) return undefined;
  // Recommenders fit only Domain groups with the right datasets: they are drawn more often where they fit. Batch jobs are
  // drawn somewhat more often than the other kinds too: each brings a solution and a version along.
  const kind = random.weighted(kinds.map((k) => [k === 'recommender' ? 4 : k === 'batch' ? 2 : 1, k] as const));
  const id = `${group.id}${kind[0].toUpperCase()}${kind.slice(1)}${model.serial}`;
  const tags = () => (random.chance(0.4) ? randomTags(random) : {});
  let member: MemberModel;
  switch (kind) {
    case 'tracker': member = { kind, id, tags: tags() }; break;
    case 'filter': member = { kind, id, expression: random.int(0, 1), tags: tags() }; break;
    case 'attribution': member = { kind, id, metrics: random.pick([1, 2] as const) }; break;
    case 'import': {
      const open = group.datasets.filter((d) => IMPORT_TYPES.includes(d.type) && !group.members.some((m) => m.kind === 'import' && m.datasetType === d.type));
      member = { kind, id, datasetType: random.pick(open).type, dataVersion: random.chance(0.3) ? 'v1' : undefined, tags: tags() };
      break;
    }
    case 'recommender':
      member = {
        kind, id, useCase: random.pick(useCasesFor(group)), running: random.chance(0.8), rps: random.chance(0.3) ? 2 : undefined, tags: tags(),
      };
      break;
    case 'batch':
      member = {
        kind,
        id,
        variant: random.pick(['inference', 'segment'] as const),
        startOnly: random.chance(0.3),
        onLatest: random.chance(0.3),
        dataVersion: random.chance(0.3) ? 'v1' : undefined,
        tags: tags(),
      };
      break;
  }
  return replaceGroup({ ...model, serial: model.serial + 1 }, { ...group, members: [...group.members, member] });
}

function addMemberChange(random: Random, model: StackModel, start: StackModel): Change {
  const before = (group: GroupModel) => start.groups.find((g) => g.id === group.id);
  const group = random.pick(model.groups.filter((g) => memberChoices(g, before(g)).length > 0));
  const next = addMember(random, model, group, before(group))!;
  const member = next.groups.find((g) => g.id === group.id)!.members.slice(-1)[0];
  return { model: next, description: `${member.kind} ${member.id} added` };
}

function removeMember(random: Random, model: StackModel): Change {
  const group = random.pick(model.groups.filter((g) => g.members.length > 0));
  const member = random.pick(group.members);
  return { model: replaceGroup(model, { ...group, members: group.members.filter((m) => m !== member) }), description: `${member.kind} ${member.id} removed` };
}

/**
 * An in-place change (tags, metrics, a recommender's config or running state, a batch job's wait) or a re-run (an import's
 * or a batch job's dataVersion, and with it perhaps what the batch job runs on) of one member.
 */
function changeMember(random: Random, current: StackModel): Change {
  let model = current;
  const group = random.pick(model.groups.filter((g) => g.members.length > 0));
  // A recommender has the most to change (config, running state, use case, tags); a batch job's re-run touches a job, its
  // long wait and the jobs it leaves behind.
  const member = random.weighted(group.members.map((m) => [m.kind === 'recommender' ? 3 : m.kind === 'batch' ? 2 : 1, m] as const));
  let changed: MemberModel;
  let what: string;
  switch (member.kind) {
    case 'attribution':
      changed = { ...member, metrics: member.metrics === 1 ? 2 : 1 };
      what = `now ${changed.metrics} metric(s)`;
      break;
    case 'filter':
      if (random.chance(0.5)) {
        changed = { ...member, expression: 1 - member.expression };
        what = 'expression changed';
      } else {
        changed = { ...member, tags: changeTags(random, member.tags) };
        what = 'tags changed';
      }
      break;
    case 'batch':
    case 'import':
      if (member.kind === 'batch' && random.chance(0.15)) {
        // An update of the job's custom resource: untilActive starts the long wait for the job that has run (or runs still).
        changed = { ...member, startOnly: !member.startOnly };
        what = `wait ${changed.startOnly ? 'startOnly' : 'untilActive'}`;
      } else if (random.chance(0.6)) {
        // Never a version the job had: that job still exists, and the same name would adopt it rather than re-run. So a batch
        // job changes what it runs on (a new job too) only with a new dataVersion: going back would give a name it had.
        const onLatest = member.kind === 'batch' && random.chance(0.3) ? { onLatest: !member.onLatest } : {};
        changed = { ...member, ...onLatest, dataVersion: `v${model.serial}` };
        model = { ...model, serial: model.serial + 1 };
        what = `dataVersion ${changed.dataVersion}${'onLatest' in onLatest ? `, on ${onLatest.onLatest ? 'the solution\'s latest version' : 'its version'}` : ''}`;
      } else {
        changed = { ...member, tags: changeTags(random, member.tags) };
        what = 'tags changed';
      }
      break;
    case 'recommender': {
      const choice = random.weighted([[3, 'running'], [3, 'config'], [1, 'tags'], [1, 'useCase']] as const);
      const others = useCasesFor(group).filter((u) => u !== member.useCase);
      if (choice === 'running') {
        changed = { ...member, running: !member.running };
        what = `running ${changed.running}`;
      } else if (choice === 'config') {
        changed = { ...member, rps: member.rps === 2 ? 3 : 2 };
        what = `minRecommendationRequestsPerSecond ${changed.rps}`;
      } else if (choice === 'useCase' && others.length > 0) {
        changed = { ...member, useCase: random.pick(others) };
        what = `use case ${USE_CASES[group.domain!][changed.useCase].recipeArn.split('/').pop()}`;
      } else {
        changed = { ...member, tags: changeTags(random, member.tags) };
        what = 'tags changed';
      }
      break;
    }
    default:
      changed = { ...member, tags: changeTags(random, member.tags) };
      what = 'tags changed';
  }
  return { model: replaceGroup(model, { ...group, members: group.members.map((m) => (m === member ? changed : m)) }), description: `${member.kind} ${member.id}: ${what}` };
}

function toggleEmptyOnDelete(random: Random, model: StackModel): Change {
  const group = random.pick(model.groups);
  return {
    model: replaceGroup(model, { ...group, emptyOnDelete: !group.emptyOnDelete }),
    description: `emptyOnDelete of ${group.id} turned ${group.emptyOnDelete ? 'off' : 'on'}`,
  };
}

/**
 * A new name (explicit, or generated) replaces the group and with it every dataset
 * in it. A dataset with an explicit name would keep its name: refused.
 */
function renameGroup(random: Random, model: StackModel): Change {
  const group = random.pick(model.groups);
  const [name, named] = group.name !== undefined && random.chance(0.4) ? [undefined, model] : explicitName(model);
  return {
    model: replaceGroup(named, { ...group, name }),
    description: `${group.id} renamed to ${name ?? 'a generated name'}`,
  };
}

/** A new domain replaces the group; with an explicit name the replacement would collide: refused. */
function changeDomain(random: Random, model: StackModel): Change {
  const group = random.pick(model.groups.filter((g) => g.datasets.length === 0));
  const domain = random.pick([undefined, ...DOMAINS].filter((d) => d !== group.domain));
  return {
    model: replaceGroup(model, { ...group, domain }),
    description: `domain of ${group.id} changed to ${domain ?? 'none'}`,
  };
}

/**
 * A nullable field added to a dataset's schema: a new schema, which an Items or Users
 * dataset takes in place. Refused when the schema's explicit name would be kept, or
 * when the dataset type cannot change its schema in place (its slot is taken).
 */
function extendSchema(random: Random, model: StackModel): Change {
  const group = random.pick(model.groups.filter((g) => g.datasets.length > 0));
  const dataset = random.pick(group.datasets);
  const schema = model.schemas.find((s) => s.id === dataset.schemaId)!;
  const fields = EXTRA_FIELDS.filter((f) => !schema.extra.includes(f));
  if (fields.length === 0) return retagDataset(random, model);
  const field = random.pick(fields);
  const extended: SchemaModel = { ...schema, extra: [...schema.extra, field] };
  return {
    model: { ...model, schemas: model.schemas.map((s) => (s === schema ? extended : s)) },
    description: `${field} added to the schema of ${group.id}/${dataset.id}`,
  };
}

/** A dataset's new name needs a new dataset in the slot the old one holds: refused. */
function renameDataset(random: Random, model: StackModel): Change {
  const group = random.pick(model.groups.filter((g) => g.datasets.length > 0));
  const dataset = random.pick(group.datasets);
  const [name, named] = explicitName(model);
  const datasets = group.datasets.map((d) => (d === dataset ? { ...d, name } : d));
  return { model: replaceGroup(named, { ...group, datasets }), description: `${group.id}/${dataset.id} renamed to ${name}` };
}

function addDatasetChange(random: Random, model: StackModel): Change {
  // Personalize deletes no dataset of a group with filters, so the rollback of a step that added one there could not
  // remove it (a documented limit, README): datasets join a group only while it has no filters.
  const open = model.groups.filter((group) => freeTypes(group).length > 0 && !group.members.some((m) => m.kind === 'filter'));
  if (open.length === 0) return retagGroup(random, model);
  const group = random.pick(open);
  const added = addDataset(random, model, group);
  const dataset = added.groups.find((g) => g.id === group.id)!.datasets.slice(-1)[0];
  return { model: added, description: `${dataset.type} dataset added to ${group.id}` };
}

function removeDataset(random: Random, model: StackModel): Change {
  const group = random.pick(model.groups.filter((g) => g.datasets.length > 0));
  const dataset = random.pick(group.datasets);
  const left = { ...group, datasets: group.datasets.filter((d) => d !== dataset) };
  // Personalize deletes no dataset of a group that has filters, nor one that a member uses: they go with it.
  const members = left.members.filter((m) => m.kind !== 'filter' && fits(left, m));
  const gone = group.members.filter((m) => !members.includes(m)).map((m) => m.id);
  const next = replaceGroup(model, { ...left, members });
  return {
    model: removeSchemas(next, [dataset.schemaId]),
    description: `${group.id}/${dataset.id} removed${gone.length > 0 ? ` with ${gone.join(', ')}` : ''}`,
  };
}

function removeGroup(random: Random, model: StackModel): Change {
  const group = random.pick(model.groups);
  const next = { ...model, groups: model.groups.filter((g) => g !== group) };
  return { model: removeSchemas(next, group.datasets.map((d) => d.schemaId)), description: `${group.id} removed` };
}

function addGroup(random: Random, model: StackModel, datasets: number): StackModel {
  const id = `Group${model.serial}`;
  let next: StackModel = { ...model, serial: model.serial + 1 };
  let name: string | undefined;
  if (random.chance(0.5)) [name, next] = explicitName(next);
  const group: GroupModel = {
    id,
    name,
    domain: random.chance(0.4) ? random.pick(DOMAINS) : undefined,
    tags: random.chance(0.5) ? randomTags(random) : {},
    emptyOnDelete: random.chance(0.3),
    datasets: [],
    members: [],
  };
  next = { ...next, groups: [...next.groups, group] };
  for (let i = 0; i < datasets; i++) {
    const current = next.groups.find((g) => g.id === id)!;
    if (freeTypes(current).length === 0) break;
    next = addDataset(random, next, current);
  }
  return next;
}

/** A dataset of a type the group does not have yet, with a schema of its own. */
function addDataset(random: Random, model: StackModel, group: GroupModel): StackModel {
  // Interactions first more often than not: every member kind needs it.
  const type = random.weighted(freeTypes(group).map((t) => [t === DatasetType.INTERACTIONS ? 3 : 1, t] as const));
  let next: StackModel = { ...model, serial: model.serial + 1 };
  const schemaId = `Schema${model.serial}`;
  let schemaName: string | undefined;
  let datasetName: string | undefined;
  if (random.chance(0.3)) [schemaName, next] = explicitName(next);
  if (random.chance(0.3)) [datasetName, next] = explicitName(next);
  const schema: SchemaModel = { id: schemaId, name: schemaName, domain: group.domain, forType: type, extra: [] };
  const dataset: DatasetModel = {
    id: type.replace('_', ''), type, schemaId, name: datasetName, tags: random.chance(0.4) ? randomTags(random) : {},
  };
  next = { ...next, schemas: [...next.schemas, schema] };
  return replaceGroup(next, { ...group, datasets: [...group.datasets, dataset] });
}

function addLooseSchema(random: Random, model: StackModel): StackModel {
  let next: StackModel = { ...model, serial: model.serial + 1 };
  let name: string | undefined;
  if (random.chance(0.5)) [name, next] = explicitName(next);
  const domain = random.chance(0.3) ? random.pick(DOMAINS) : undefined;
  const schema: SchemaModel = { id: `Schema${model.serial}`, name, domain, forType: random.pick(domain ? DOMAIN_TYPES : CUSTOM_TYPES), extra: [] };
  return { ...next, schemas: [...next.schemas, schema] };
}

/** Schemas no dataset uses. */
function looseSchemas(model: StackModel): SchemaModel[] {
  const used = new Set(model.groups.flatMap((group) => group.datasets.map((d) => d.schemaId)));
  return model.schemas.filter((schema) => !used.has(schema.id));
}

function removeSchemas(model: StackModel, ids: string[]): StackModel {
  return { ...model, schemas: model.schemas.filter((schema) => !ids.includes(schema.id)) };
}

function freeTypes(group: GroupModel): DatasetType[] {
  const taken = new Set(group.datasets.map((d) => d.type));
  return (group.domain ? DOMAIN_TYPES : CUSTOM_TYPES).filter((type) => !taken.has(type));
}

function replaceGroup(model: StackModel, group: GroupModel): StackModel {
  return { ...model, groups: model.groups.map((g) => (g.id === group.id ? group : g)) };
}

/** An explicit name no resource of the model has had (a stem and the model's serial), and the model with its serial used up. */
function explicitName(model: StackModel): [string, StackModel] {
  return [`${NAME_STEMS[model.serial % NAME_STEMS.length]}${model.serial}`, { ...model, serial: model.serial + 1 }];
}

function randomTags(random: Random): Record<string, string> {
  return Object.fromEntries(random.sample(TAG_KEYS, random.int(1, 2)).map((key) => [key, random.pick(TAG_VALUES)]));
}

/** Adds, changes or removes one tag. */
function changeTags(random: Random, tags: Readonly<Record<string, string>>): Record<string, string> {
  const next = { ...tags };
  const keys = Object.keys(next);
  if (keys.length > 0 && random.chance(0.4)) {
    delete next[random.pick(keys)];
  } else {
    const key = random.pick(TAG_KEYS);
    next[key] = random.pick(TAG_VALUES.filter((value) => value !== next[key]));
  }
  return next;
}
