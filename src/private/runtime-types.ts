/**
 * Runtime type checks of construct-valued props. TypeScript and jsii's typed languages
 * refuse a wrong type at compile time, but plain JavaScript and Python without a type
 * checker pass anything: a SchemaDefinition given as `schema` would otherwise synthesize
 * a policy statement without a Resource, which only `cloudformation validate` notices.
 * Each check names the prop and the type it expects (team inference: jsii's own runtime
 * checks cover struct shapes, not interfaces that constructs implement).
 */
import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { describeValue } from './messages';

/** Fails unless `value` is a construct with the string attribute `attribute` (e.g. a Schema's `schemaArn`). */
export function requireConstruct(prop: string, value: unknown, expected: string, attribute: string): void {
  if (Construct.isConstruct(value) && typeof (value as unknown as Record<string, unknown>)[attribute] === 'string') return;
  throw new Error(`Invalid ${prop}: received ${describeReceived(value)}. Expected ${expected}. `
    + `Pass the construct itself (its '${attribute}' identifies it), not its props, definition or ARN.`);
}

/** Like requireConstruct, for an optional prop: undefined passes. */
export function requireOptionalConstruct(prop: string, value: unknown, expected: string, attribute: string): void {
  if (value !== undefined && value !== null) requireConstruct(prop, value, expected, attribute);
}

/** Fails unless `value` is an instance of `type` (an enum-like class such as Recipe or FilterExpression). */
export function requireInstance(prop: string, value: unknown, type: { readonly prototype: object }, expected: string): void {
  // isPrototypeOf, not instanceof: the enum-like classes have private constructors.
  if (typeof value === 'object' && value !== null && type.prototype.isPrototypeOf(value)) return;
  throw new Error(`Invalid ${prop}: received ${describeReceived(value)}. Expected ${expected}.`);
}

/** Like requireInstance, for an optional prop: undefined passes. */
export function requireOptionalInstance(prop: string, value: unknown, type: { readonly prototype: object }, expected: string): void {
  if (value !== undefined && value !== null) requireInstance(prop, value, type, expected);
}

/** What a wrong value is, in a user's words: its class, or its type and value. */
export function describeReceived(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (Construct.isConstruct(value)) return `the ${publicClassName(value)} construct '${value.node.path}'`;
  if (typeof value === 'object') {
    // A value object's private subclass (JsonDefinition) is shown as the public class at the root of its hierarchy (SchemaDefinition).
    let root: { name: string } | undefined;
    for (let proto = Object.getPrototypeOf(value); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      root = proto.constructor;
    }
    return root ? `a ${root.name} object` : `a plain object with keys ${Object.keys(value as object).slice(0, 5).join(', ') || '(none)'}`;
  }
  if (typeof value === 'string' && Token.isUnresolved(value)) return describeValue(value);
  const shown = typeof value === 'string' ? `'${value.length > 60 ? `${value.slice(0, 60)}…` : value}'` : String(value);
  return `the ${typeof value} ${shown}`;
}

/** A construct's class as users know it: its jsii name (aws-cdk-lib's Bucket, not the bundled Bucket2), else its own name. */
function publicClassName(construct: Construct): string {
  const symbol = Symbol.for('jsii.rtti');
  const bare = (name: string) => name.replace(/\d+$/, '');
  const own = bare(construct.constructor.name);
  // aws-cdk-lib wraps a class in same-named subclasses (Bucket2 over Bucket2); only an own annotation counts, since a
  // subclass without one inherits its base's (Resource) as a static property.
  for (let type = construct.constructor; type && bare(type.name) === own; type = Object.getPrototypeOf(type)) {
    const rtti = Object.prototype.hasOwnProperty.call(type, symbol) ? (type as unknown as Record<symbol, { fqn?: string }>)[symbol] : undefined;
    if (rtti?.fqn) return rtti.fqn.split('.').pop()!;
  }
  return own;
}
