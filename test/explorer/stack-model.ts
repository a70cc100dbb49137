/**
 * The explorer's stacks: a small model of what an app declares (dataset groups with
 * their datasets, schemas, names, domains, tags, emptyOnDelete), drawn at random,
 * changed at random, and synthesized through the library's public constructs.
 */
import { Tags } from 'aws-cdk-lib';
import { Random } from './random';
import { DatasetGroup, DatasetType, Domain, Schema, SchemaDefinition, SchemaField } from '../../src';
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
}

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

/** The fields a schema for this dataset type (and domain) needs, plus the extra nullable ones. */
export function fieldsFor(type: DatasetType, domain: Domain | undefined, extra: readonly string[]): SchemaField[] {
  const text = (name: string) => SchemaField.stringField(name);
  const base: Record<DatasetType, SchemaField[]> = {
    [DatasetType.INTERACTIONS]: [text('USER_ID'), text('ITEM_ID'), SchemaField.longField('TIMESTAMP'), ...(domain ? [text('EVENT_TYPE')] : [])],
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
    for (const group of model.groups) {
      const construct = new DatasetGroup(stack, group.id, {
        datasetGroupName: group.name, domain: group.domain, emptyOnDelete: group.emptyOnDelete || undefined,
      });
      addTags(construct, group.tags);
      for (const dataset of group.datasets) {
        const schema = schemas.get(dataset.schemaId);
        if (!schema) throw new Error(`Dataset ${dataset.id} names schema ${dataset.schemaId}, which the model lacks`);
        addTags(construct.addDataset(dataset.id, { datasetType: dataset.type, schema, datasetName: dataset.name }), dataset.tags);
      }
    }
    addTags(stack, model.stackTags);
  });
}

function addTags(scope: Parameters<typeof Tags.of>[0], tags: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(tags)) Tags.of(scope).add(key, value);
}

/** A random stack: one or two groups, each with up to three datasets, and perhaps a schema of its own. */
export function randomModel(random: Random): StackModel {
  let model: StackModel = { groups: [], schemas: [], stackTags: random.chance(0.2) ? randomTags(random) : {}, serial: 1 };
  const groups = random.int(1, 2);
  for (let i = 0; i < groups; i++) model = addGroup(random, model, random.int(0, 3));
  if (random.chance(0.25)) model = addLooseSchema(random, model);
  return model;
}

/** One to three random changes to a deployed model. */
export function randomChanges(random: Random, model: StackModel): Change {
  let current = model;
  const descriptions: string[] = [];
  const count = random.weighted([[6, 1], [3, 2], [1, 3]] as const);
  for (let i = 0; i < count; i++) {
    const change = randomChange(random, current);
    current = change.model;
    descriptions.push(change.description);
  }
  return { model: current, description: descriptions.join('; ') };
}

function randomChange(random: Random, model: StackModel): Change {
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
  const open = model.groups.filter((group) => freeTypes(group).length > 0);
  if (open.length === 0) return retagGroup(random, model);
  const group = random.pick(open);
  const added = addDataset(random, model, group);
  const dataset = added.groups.find((g) => g.id === group.id)!.datasets.slice(-1)[0];
  return { model: added, description: `${dataset.type} dataset added to ${group.id}` };
}

function removeDataset(random: Random, model: StackModel): Change {
  const group = random.pick(model.groups.filter((g) => g.datasets.length > 0));
  const dataset = random.pick(group.datasets);
  const next = replaceGroup(model, { ...group, datasets: group.datasets.filter((d) => d !== dataset) });
  return { model: removeSchemas(next, [dataset.schemaId]), description: `${group.id}/${dataset.id} removed` };
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
    domain: random.chance(0.3) ? random.pick(DOMAINS) : undefined,
    tags: random.chance(0.5) ? randomTags(random) : {},
    emptyOnDelete: random.chance(0.3),
    datasets: [],
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
  const type = random.pick(freeTypes(group));
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
