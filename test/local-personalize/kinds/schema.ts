/** Schemas: no status, no group; they exist at once and go at once. */
import { Input, KindFactory, Output, paginate, ResourceRecord, ServiceCore } from '../core';
import { alreadyExists, invalidInput, LimitExceeded, ServiceError } from '../errors';
import { epoch } from '../lifecycle';

export interface SchemaRecord extends ResourceRecord {
  readonly name: string;
  readonly schema: string;
  readonly domain?: string;
  readonly createdAt: number;
}

export function findSchema(core: ServiceCore, arn: string): SchemaRecord {
  return core.find<SchemaRecord>(arn, 'schema');
}

export const schemaKind: KindFactory = (core) => {
  const { config } = core;

  function create(input: Input, now: number): Output {
    const name: string = input.name;
    try {
      JSON.parse(input.schema);
    } catch {
      throw invalidInput('The schema is not valid JSON.');
    }
    if (config.strictSchemas && parseAvroRecord(input.schema) === undefined) {
      throw invalidInput('The schema is not a valid Avro record schema: it must be a JSON object with "type": "record" and a "fields" array of named fields.');
    }
    const arn = core.arn(`schema/${name}`);
    if (core.has(arn)) throw alreadyExists(`Schema with name ${name} already exists.`);
    if (core.ofKind('schema').length >= config.maxSchemas) {
      throw new ServiceError(LimitExceeded, `The limit of ${config.maxSchemas} schemas has been reached.`);
    }
    const record: SchemaRecord = { kind: 'schema', name, arn, schema: input.schema, domain: input.domain, createdAt: now, tags: new Map() };
    core.put(record);
    return { schemaArn: arn };
  }

  function output(s: SchemaRecord): Output {
    return {
      name: s.name,
      schemaArn: s.arn,
      schema: s.schema,
      creationDateTime: epoch(s.createdAt),
      lastUpdatedDateTime: epoch(s.createdAt),
      domain: s.domain,
    };
  }

  return {
    label: 'Schema',
    hasStatus: false,
    operations: {
      CreateSchema: create,
      DescribeSchema: (input) => ({ schema: output(findSchema(core, input.schemaArn)) }),
      DeleteSchema: (input, now) => {
        const schema = findSchema(core, input.schemaArn);
        core.refuseIfBlocked(schema, core.blockersOf(schema, now));
        core.remove(schema.arn);
        return {};
      },
      ListSchemas: (input) => {
        const { page, nextToken } = paginate(core.ofKind<SchemaRecord>('schema'), input);
        return {
          schemas: page.map((s) => {
            const { name, schemaArn, creationDateTime, lastUpdatedDateTime, domain } = output(s);
            return { name, schemaArn, creationDateTime, lastUpdatedDateTime, domain };
          }),
          nextToken,
        };
      },
    },
    snapshot: (s: SchemaRecord) => ({ kind: s.kind, arn: s.arn, name: s.name, tags: Object.fromEntries(s.tags), domain: s.domain }),
  };
};

interface AvroField { readonly name: string; readonly type: unknown }

/** The fields of an Avro record schema, or undefined if the text is not one. */
export function parseAvroRecord(text: string): AvroField[] | undefined {
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || parsed.type !== 'record' || !Array.isArray(parsed.fields)) return undefined;
  const fields = parsed.fields as unknown[];
  const ok = fields.every((f: any) => typeof f === 'object' && f !== null && typeof f.name === 'string' && f.type !== undefined);
  return ok ? (fields as AvroField[]) : undefined;
}

/**
 * The rules of a schema replacement: every old field stays with the same type,
 * and every new field allows null.
 */
export function schemaReplacementProblem(oldText: string, newText: string): string | undefined {
  const oldFields = parseAvroRecord(oldText) ?? [];
  const newFields = parseAvroRecord(newText) ?? [];
  const byName = new Map(newFields.map((f) => [f.name, f]));
  for (const f of oldFields) {
    const replacement = byName.get(f.name);
    if (!replacement) return `field ${f.name} is missing.`;
    if (JSON.stringify(replacement.type) !== JSON.stringify(f.type)) return `field ${f.name} changes its type.`;
  }
  const oldNames = new Set(oldFields.map((f) => f.name));
  for (const f of newFields) {
    if (oldNames.has(f.name)) continue;
    const nullable = f.type === 'null' || (Array.isArray(f.type) && f.type.includes('null'));
    if (!nullable) return `new field ${f.name} must allow null.`;
  }
  return undefined;
}
