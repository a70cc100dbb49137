/**
 * Request shapes as botocore's service models declare them, and a validator that
 * checks a request against them the way an AWS JSON front end does.
 *
 * Constraint violations (required, length, pattern, enum, range) are collected
 * and reported together as one validation error of the service's own name, in
 * the "N validation error(s) detected: ..." wording of AWS. A member of the wrong
 * JSON type is a SerializationException, as with the real JSON protocol.
 * Members the model does not know are ignored.
 */
import { SerializationError, ServiceError, ValidationError } from './errors';

export interface StringShape {
  readonly type: 'string';
  readonly min?: number;
  readonly max?: number;
  /** A model pattern. Like the service, the whole value must match it. */
  readonly pattern?: string;
  readonly enum?: readonly string[];
  /** Values are not echoed in error messages. */
  readonly sensitive?: boolean;
}

export interface IntegerShape {
  readonly type: 'integer';
  readonly min?: number;
  readonly max?: number;
}

export interface ListShape {
  readonly type: 'list';
  readonly member: Shape;
  readonly min?: number;
  readonly max?: number;
}

export interface StructureShape {
  readonly type: 'structure';
  readonly members: Readonly<Record<string, Shape>>;
  readonly required?: readonly string[];
}

export interface DoubleShape {
  readonly type: 'double';
  readonly min?: number;
  readonly max?: number;
}

export interface BooleanShape {
  readonly type: 'boolean';
}

export interface MapShape {
  readonly type: 'map';
  readonly key: StringShape;
  readonly value: Shape;
  readonly max?: number;
}

export type Shape = StringShape | IntegerShape | DoubleShape | BooleanShape | ListShape | MapShape | StructureShape;

const compiled = new Map<string, RegExp>();

/** Model patterns are matched against the whole value (as the service's Java front end does). */
export function fullMatch(pattern: string, value: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`, 'u');
    compiled.set(pattern, re);
  }
  return re.test(value);
}

function describe(value: unknown, shape: Shape): string {
  if (value === undefined || value === null) return 'null';
  if (shape.type === 'string' && shape.sensitive) return '\'***\'';
  if (typeof value === 'string') return `'${value}'`;
  return `'${JSON.stringify(value)}'`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Checks `input` against `shape`. Throws a SerializationException for a member
 * of the wrong JSON type, and a ValidationError of `errorType` listing every
 * constraint violation.
 */
export function validateInput(shape: StructureShape, input: unknown, errorType: string): void {
  const problems: string[] = [];
  check(shape, input, '', problems);
  if (problems.length > 0) {
    const count = problems.length === 1 ? '1 validation error' : `${problems.length} validation errors`;
    throw new ValidationError(errorType, `${count} detected: ${problems.join('; ')}`);
  }
}

function check(shape: Shape, value: unknown, path: string, problems: string[]): void {
  const at = path === '' ? 'input' : path;
  const fail = (constraint: string) =>
    problems.push(`Value ${describe(value, shape)} at '${at}' failed to satisfy constraint: Member must ${constraint}`);

  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new ServiceError(SerializationError, `Expected an object at '${at}' but found ${typeName(value)}`);
      }
      const record = value as Record<string, unknown>;
      for (const name of shape.required ?? []) {
        if (record[name] === undefined || record[name] === null) {
          problems.push(`Value null at '${join(path, name)}' failed to satisfy constraint: Member must not be null`);
        }
      }
      for (const [name, member] of Object.entries(shape.members)) {
        const memberValue = record[name];
        if (memberValue !== undefined && memberValue !== null) check(member, memberValue, join(path, name), problems);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) {
        throw new ServiceError(SerializationError, `Expected a list at '${at}' but found ${typeName(value)}`);
      }
      if (shape.min !== undefined && value.length < shape.min) fail(`have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max) fail(`have length less than or equal to ${shape.max}`);
      value.forEach((item, i) => {
        if (item === null || item === undefined) {
          problems.push(`Value null at '${at}.${i + 1}.member' failed to satisfy constraint: Member must not be null`);
        } else {
          check(shape.member, item, `${at}.${i + 1}.member`, problems);
        }
      });
      return;
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new ServiceError(SerializationError, `Expected a map at '${at}' but found ${typeName(value)}`);
      }
      const entries = Object.entries(value as Record<string, unknown>);
      if (shape.max !== undefined && entries.length > shape.max) fail(`have length less than or equal to ${shape.max}`);
      for (const [key, item] of entries) {
        check(shape.key, key, `${at}.key`, problems);
        if (item !== null && item !== undefined) check(shape.value, item, `${at}.${key}`, problems);
      }
      return;
    }
    case 'boolean': {
      if (typeof value !== 'boolean') {
        throw new ServiceError(SerializationError, `Expected a boolean at '${at}' but found ${typeName(value)}`);
      }
      return;
    }
    case 'integer':
    case 'double': {
      const integer = shape.type === 'integer';
      if (typeof value !== 'number' || (integer && !Number.isInteger(value))) {
        throw new ServiceError(SerializationError, `Expected ${integer ? 'an integer' : 'a number'} at '${at}' but found ${typeName(value)}`);
      }
      if (shape.min !== undefined && value < shape.min) fail(`have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value > shape.max) fail(`have value less than or equal to ${shape.max}`);
      return;
    }
    case 'string': {
      if (typeof value !== 'string') {
        throw new ServiceError(SerializationError, `Expected a string at '${at}' but found ${typeName(value)}`);
      }
      // Lengths count Unicode code points, as the service does.
      const length = [...value].length;
      if (shape.min !== undefined && length < shape.min) fail(`have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && length > shape.max) fail(`have length less than or equal to ${shape.max}`);
      if (shape.pattern !== undefined && !fullMatch(shape.pattern, value)) fail(`satisfy regular expression pattern: ${shape.pattern}`);
      if (shape.enum !== undefined && !shape.enum.includes(value)) fail(`satisfy enum value set: [${shape.enum.join(', ')}]`);
      return;
    }
  }
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}
