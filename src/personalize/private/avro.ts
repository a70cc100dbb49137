/**
 * Avro schema rules as Amazon Personalize applies them. Shared by the constructs
 * (synth-time checks) and the handler (the compatibility check before UpdateDataset),
 * so it imports nothing from aws-cdk-lib.
 */
import { ApiLimits } from '../../private/contract';

/** The Avro types Personalize accepts for a field, alone or in a union with "null". */
export const PERSONALIZE_FIELD_TYPES = ['string', 'int', 'long', 'float', 'double', 'boolean'] as const;

export const AVRO_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface AvroField {
  readonly name: string;
  /** The non-null type, e.g. "string". */
  readonly type: string;
  readonly nullable: boolean;
  readonly categorical: boolean;
  readonly textual: boolean;
}

export interface AvroRecord {
  readonly name: string;
  readonly fields: AvroField[];
}

export interface ParseResult {
  /** Set when the definition has no problems. */
  readonly record?: AvroRecord;
  readonly problems: string[];
}

/** Parses a schema definition and lists every way Personalize would reject it. */
export function parseAvroSchema(text: string): ParseResult {
  if (text.length > ApiLimits.AVRO_SCHEMA_MAX_LENGTH) {
    return { problems: [`it is ${text.length} characters long; Personalize accepts at most ${ApiLimits.AVRO_SCHEMA_MAX_LENGTH}`] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problems: [`it is not valid JSON (${(error as Error).message}): '${excerpt(text)}'`] };
  }
  if (!isObject(value) || value.type !== 'record') {
    const got = isObject(value) ? `"type": ${JSON.stringify(value.type)}` : JSON.stringify(value);
    return { problems: [`it must be an Avro record, {"type": "record", "name": ..., "fields": [...]}; got ${excerpt(got)}`] };
  }

  const problems: string[] = [];
  if (typeof value.name !== 'string' || !value.name.split('.').every((part) => AVRO_NAME_PATTERN.test(part))) {
    problems.push(`the record name ${JSON.stringify(value.name)} is not a valid Avro name (letters, digits and _, not starting with a digit)`);
  }
  if (!Array.isArray(value.fields) || value.fields.length === 0) {
    problems.push(`the record needs a non-empty "fields" array; got ${excerpt(JSON.stringify(value.fields) ?? 'nothing')}`);
    return { problems };
  }

  const fields: AvroField[] = [];
  const seen = new Map<string, string>();
  value.fields.forEach((raw: unknown, index: number) => {
    const field = parseField(raw, index, problems);
    if (!field) return;
    // Personalize compares names without underscores: GENRES_1 and GENRES1 clash.
    const key = field.name.replace(/_/g, '');
    const earlier = seen.get(key);
    if (earlier === field.name) {
      problems.push(`field '${field.name}' is defined more than once`);
    } else if (earlier !== undefined) {
      problems.push(`fields '${earlier}' and '${field.name}' differ only in underscores, which Personalize does not allow`);
    }
    seen.set(key, field.name);
    fields.push(field);
  });
  return problems.length > 0 ? { problems } : { record: { name: value.name as string, fields }, problems };
}

function parseField(raw: unknown, index: number, problems: string[]): AvroField | undefined {
  if (!isObject(raw)) {
    problems.push(`field #${index + 1} must be an object with "name" and "type"; got ${excerpt(JSON.stringify(raw))}`);
    return undefined;
  }
  const name = raw.name;
  if (typeof name !== 'string' || !AVRO_NAME_PATTERN.test(name)) {
    problems.push(`field #${index + 1} has the name ${JSON.stringify(name)}, which is not a valid Avro name `
      + '(letters, digits and _, not starting with a digit)');
    return undefined;
  }
  const type = fieldType(raw.type);
  if (!type) {
    problems.push(`field '${name}' has the type ${excerpt(JSON.stringify(raw.type))}; Personalize accepts `
      + `${PERSONALIZE_FIELD_TYPES.join(', ')}, or one of them in a union with "null" such as ["null", "string"]`);
    return undefined;
  }
  const flags = { categorical: false, textual: false };
  for (const flag of ['categorical', 'textual'] as const) {
    const flagValue = raw[flag];
    if (flagValue === undefined) continue;
    if (typeof flagValue !== 'boolean') {
      problems.push(`field '${name}' sets "${flag}" to ${JSON.stringify(flagValue)}; it must be true or false`);
    } else if (flagValue && type.type !== 'string') {
      problems.push(`field '${name}' is ${type.type} but sets "${flag}": true; only string fields can be ${flag}`);
    } else {
      flags[flag] = flagValue;
    }
  }
  return { name, ...type, ...flags };
}

/** The non-null type of a field and whether it allows null; undefined for types Personalize rejects. */
function fieldType(raw: unknown): { type: string; nullable: boolean } | undefined {
  const branches = Array.isArray(raw) ? raw : [raw];
  const names = branches.map((branch) => (isObject(branch) && Object.keys(branch).length === 1 ? branch.type : branch));
  if (names.some((n) => typeof n !== 'string') || new Set(names).size !== names.length) return undefined;
  const nonNull = names.filter((n) => n !== 'null') as string[];
  if (nonNull.length !== 1 || !(PERSONALIZE_FIELD_TYPES as readonly string[]).includes(nonNull[0])) return undefined;
  return { type: nonNull[0], nullable: names.length > 1 };
}

interface FieldRequirement {
  readonly name: string;
  readonly type: string;
  readonly categorical?: boolean;
}

const REQUIRED_FIELDS: Record<string, FieldRequirement[]> = {
  Interactions: [{ name: 'USER_ID', type: 'string' }, { name: 'ITEM_ID', type: 'string' }, { name: 'TIMESTAMP', type: 'long' }],
  Items: [{ name: 'ITEM_ID', type: 'string' }],
  Users: [{ name: 'USER_ID', type: 'string' }],
  Actions: [{ name: 'ACTION_ID', type: 'string' }],
  Action_Interactions: [
    { name: 'USER_ID', type: 'string' }, { name: 'ACTION_ID', type: 'string' },
    { name: 'TIMESTAMP', type: 'long' }, { name: 'EVENT_TYPE', type: 'string' },
  ],
};

/** What a Domain dataset group adds to the custom requirements. */
const DOMAIN_REQUIRED_FIELDS: Record<string, Record<string, FieldRequirement[]>> = {
  ECOMMERCE: {
    Interactions: [{ name: 'EVENT_TYPE', type: 'string' }],
    Items: [{ name: 'PRICE', type: 'float' }, { name: 'CATEGORY_L1', type: 'string', categorical: true }],
  },
  VIDEO_ON_DEMAND: {
    Interactions: [{ name: 'EVENT_TYPE', type: 'string' }],
    Items: [{ name: 'GENRES', type: 'string', categorical: true }, { name: 'CREATION_TIMESTAMP', type: 'long' }],
  },
};

/**
 * Reserved fields a schema may have, with the type Personalize documents for them. A
 * field with one of these names but another type is refused when the dataset is created.
 */
const RESERVED_FIELDS: Record<string, FieldRequirement[]> = {
  Interactions: [
    { name: 'EVENT_TYPE', type: 'string' }, { name: 'EVENT_VALUE', type: 'float' },
    { name: 'IMPRESSION', type: 'string' }, { name: 'RECOMMENDATION_ID', type: 'string' },
  ],
  Items: [{ name: 'CREATION_TIMESTAMP', type: 'long' }],
  Action_Interactions: [{ name: 'IMPRESSION', type: 'string' }, { name: 'RECOMMENDATION_ID', type: 'string' }],
};

/** The only dataset type whose fields may be textual (unstructured text). */
const TEXTUAL_DATASET_TYPE = 'Items';

/** Dataset types whose schema needs at least one field beyond the required ones. */
const NEEDS_METADATA_FIELD = new Set(['Items', 'Users', 'Actions']);

/** The fields a dataset type requires, as "NAME (type)" for messages. */
export function requiredFieldsSummary(datasetType: string, domain?: string): string {
  return requirementsFor(datasetType, domain).map(describeRequirement).join(', ');
}

/** Lists how a schema falls short of what a dataset of this type (and domain) requires. */
export function datasetFieldProblems(record: AvroRecord, datasetType: string, domain?: string): string[] {
  const requirements = requirementsFor(datasetType, domain);
  const byName = new Map(record.fields.map((field) => [field.name, field]));
  const problems: string[] = [];
  for (const requirement of requirements) {
    const field = byName.get(requirement.name);
    if (!field) {
      problems.push(`field ${requirement.name} is missing`);
    } else if (field.type !== requirement.type) {
      problems.push(`field ${requirement.name} is ${field.type} but must be ${requirement.type}`);
    } else if (requirement.categorical && !field.categorical) {
      problems.push(`field ${requirement.name} must set "categorical": true`);
    }
  }
  const required = new Set(requirements.map((requirement) => requirement.name));
  for (const reserved of RESERVED_FIELDS[datasetType] ?? []) {
    const field = byName.get(reserved.name);
    if (field && !required.has(reserved.name) && field.type !== reserved.type) {
      problems.push(`reserved field ${reserved.name} is ${field.type} but must be ${reserved.type}`);
    }
  }
  if (datasetType !== TEXTUAL_DATASET_TYPE) {
    for (const field of record.fields.filter((candidate) => candidate.textual)) {
      problems.push(`field ${field.name} is textual, but only ${TEXTUAL_DATASET_TYPE} schemas may have textual fields`);
    }
  }
  // Fields a domain requires (PRICE, GENRES, ...) are metadata themselves; only the ID fields are not.
  const idFields = REQUIRED_FIELDS[datasetType] ?? [];
  if (NEEDS_METADATA_FIELD.has(datasetType) && record.fields.length <= idFields.length) {
    problems.push(`${datasetType} schemas need at least one metadata field besides ${idFields.map((r) => r.name).join(', ')}`);
  }
  return problems;
}

function requirementsFor(datasetType: string, domain?: string): FieldRequirement[] {
  return [...(REQUIRED_FIELDS[datasetType] ?? []), ...(domain ? DOMAIN_REQUIRED_FIELDS[domain]?.[datasetType] ?? [] : [])];
}

function describeRequirement(requirement: FieldRequirement): string {
  return `${requirement.name} (${requirement.categorical ? 'categorical ' : ''}${requirement.type})`;
}

/**
 * Why `replacement` cannot replace `current` as a dataset's schema with UpdateDataset:
 * every current field must stay with the same type, and every added field must allow null.
 */
export function schemaReplacementProblems(current: AvroRecord, replacement: AvroRecord): string[] {
  const problems: string[] = [];
  const replacementFields = new Map(replacement.fields.map((field) => [field.name, field]));
  for (const field of current.fields) {
    const next = replacementFields.get(field.name);
    if (!next) {
      problems.push(`field ${field.name} is removed; an updated schema must keep every existing field`);
    } else if (next.type !== field.type || next.nullable !== field.nullable) {
      problems.push(`field ${field.name} changes type from ${describeType(field)} to ${describeType(next)}; existing fields must keep their type`);
    }
  }
  const currentNames = new Set(current.fields.map((field) => field.name));
  for (const field of replacement.fields) {
    if (!currentNames.has(field.name) && !field.nullable) {
      problems.push(`new field ${field.name} is ${field.type} without null; fields added by an update must allow null, e.g. ["null", "${field.type}"]`);
    }
  }
  return problems;
}

function describeType(field: AvroField): string {
  return field.nullable ? `["null", "${field.type}"]` : `"${field.type}"`;
}

/** Whether two JSON texts hold the same value, ignoring formatting and key order. */
export function sameJson(a: string, b: string): boolean {
  try {
    return canonical(JSON.parse(a)) === canonical(JSON.parse(b));
  } catch {
    return a === b;
  }
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function excerpt(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
