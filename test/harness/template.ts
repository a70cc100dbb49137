/**
 * What the harness reads from a synthesized template: the custom resources of
 * this library, the order CloudFormation must respect between them, and their
 * properties with every intrinsic function resolved the way CloudFormation would.
 */
import { createHash } from 'crypto';
import { ResourceTypes } from '../../src/private/contract';

/** The custom resource types of this library, whatever the service. */
const LIBRARY_RESOURCE_TYPES: ReadonlySet<string> = new Set(Object.values(ResourceTypes));

export function isLibraryResourceType(type: string): boolean {
  return LIBRARY_RESOURCE_TYPES.has(type);
}

/** CloudFormation's own resource types the harness plays itself, beside the library's custom resources. */
export const WAIT_CONDITION_HANDLE = 'AWS::CloudFormation::WaitConditionHandle';
export const WAIT_CONDITION = 'AWS::CloudFormation::WaitCondition';
const PLAYED_TYPES: ReadonlySet<string> = new Set([WAIT_CONDITION_HANDLE, WAIT_CONDITION]);

export function isPlayedType(type: string): boolean {
  return PLAYED_TYPES.has(type);
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
  readonly Condition?: string;
}

export interface TemplateJson {
  readonly Resources: Record<string, TemplateResource>;
  readonly Parameters?: Record<string, { readonly Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
}

/** Where the stack lives: the values of pseudo parameters. */
export interface StackIdentity {
  readonly stackName: string;
  readonly stackId: string;
  readonly region: string;
  readonly account: string;
  readonly partition: string;
}

/** What CloudFormation knows about a custom resource it has created. */
export interface DeployedAttributes {
  readonly physicalId: string;
  readonly data: Record<string, unknown>;
}

/** A failure CloudFormation reports without calling the provider (like a missing GetAtt attribute). */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

export class StackTemplate {
  private readonly directDependencies = new Map<string, Set<string>>();

  constructor(public readonly json: TemplateJson) {
    if (json.Conditions && Object.keys(json.Conditions).length > 0) {
      throw new TemplateError('The harness does not evaluate template Conditions; add support in test/harness/template.ts');
    }
    for (const [logicalId, resource] of Object.entries(json.Resources)) {
      const dependsOn = resource.DependsOn === undefined ? [] : ([] as string[]).concat(resource.DependsOn);
      const referenced = referencedIds(resource.Properties).filter((id) => id in json.Resources);
      this.directDependencies.set(logicalId, new Set([...dependsOn, ...referenced]));
    }
  }

  /** Logical IDs of this library's custom resources and of the resources the harness plays, in template order. */
  public customResourceIds(): string[] {
    return Object.entries(this.json.Resources).filter(([, r]) => isCustomResource(r)).map(([id]) => id);
  }

  public resource(logicalId: string): TemplateResource {
    const resource = this.json.Resources[logicalId];
    if (!resource) throw new TemplateError(`No resource ${logicalId} in the template`);
    return resource;
  }

  /**
   * The custom resources this one must wait for: reached through DependsOn, Ref
   * or Fn::GetAtt, directly or through resources the harness does not simulate
   * (such as the IAM policy that grants the handler access).
   */
  public customDependenciesOf(logicalId: string): Set<string> {
    const found = new Set<string>();
    const seen = new Set<string>();
    const visit = (id: string) => {
      for (const dependency of this.directDependencies.get(id) ?? []) {
        if (seen.has(dependency)) continue;
        seen.add(dependency);
        if (isCustomResource(this.json.Resources[dependency])) found.add(dependency);
        visit(dependency);
      }
    };
    visit(logicalId);
    found.delete(logicalId);
    return found;
  }

  /**
   * The properties CloudFormation sends for a custom resource: intrinsics
   * resolved, AWS::NoValue dropped, and every number and boolean turned into a string.
   */
  public resolveProperties(
    logicalId: string, stack: StackIdentity, deployed: (logicalId: string) => DeployedAttributes | undefined,
  ): Record<string, unknown> {
    const resolver = new Resolver(this.json, stack, deployed);
    return stringifyScalars(resolver.resolve(this.resource(logicalId).Properties ?? {})) as Record<string, unknown>;
  }
}

function isCustomResource(resource: TemplateResource | undefined): boolean {
  return resource !== undefined && (isLibraryResourceType(resource.Type) || isPlayedType(resource.Type));
}

class Resolver {
  constructor(
    private readonly template: TemplateJson,
    private readonly stack: StackIdentity,
    private readonly deployed: (logicalId: string) => DeployedAttributes | undefined,
  ) {}

  public resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item)).filter((item) => item !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
      return this.intrinsic(entries[0][0], entries[0][1]);
    }
    const resolved: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const result = this.resolve(item);
      if (result !== NO_VALUE) resolved[key] = result;
    }
    return resolved;
  }

  private intrinsic(name: string, argument: unknown): unknown {
    switch (name) {
      case 'Ref':
        return this.ref(String(argument));
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument) ? argument.map(String) : String(argument).split(/\.(.*)/);
        return this.getAtt(logicalId, attribute);
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return (this.resolve(parts) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = argument as [unknown, unknown];
        return (this.resolve(list) as unknown[])[Number(this.resolve(index))];
      }
      case 'Fn::Split': {
        const [separator, text] = argument as [string, unknown];
        return String(this.resolve(text)).split(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = (Array.isArray(argument) ? argument : [argument, {}]) as [string, Record<string, unknown>];
        const values = this.resolve(variables) as Record<string, unknown>;
        return text.replace(/\$\{([^}]+)\}/g, (_, expression: string) => {
          if (expression in values) return String(values[expression]);
          const [logicalId, attribute] = expression.split(/\.(.*)/);
          return String(attribute ? this.getAtt(logicalId, attribute) : this.ref(logicalId));
        });
      }
      default:
        throw new TemplateError(`The harness cannot resolve ${name}; add it to test/harness/template.ts`);
    }
  }

  private ref(target: string): unknown {
    switch (target) {
      case 'AWS::Partition': return this.stack.partition;
      case 'AWS::Region': return this.stack.region;
      case 'AWS::AccountId': return this.stack.account;
      case 'AWS::StackName': return this.stack.stackName;
      case 'AWS::StackId': return this.stack.stackId;
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::NoValue': return NO_VALUE;
    }
    const parameter = this.template.Parameters?.[target];
    if (parameter) return parameter.Default;
    const resource = this.template.Resources[target];
    if (!resource) throw new TemplateError(`Ref to unknown resource ${target}`);
    if (isCustomResource(resource)) return this.deployedCustomResource(target).physicalId;
    return fakeRef(target, resource.Type, this.stack);
  }

  private getAtt(logicalId: string, attribute: string): unknown {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new TemplateError(`Fn::GetAtt of unknown resource ${logicalId}`);
    if (!isCustomResource(resource)) return fakeAttribute(logicalId, resource.Type, attribute, this.stack, resource.Properties);
    const deployed = this.deployedCustomResource(logicalId);
    if (!(attribute in deployed.data)) {
      // CloudFormation's wording when a custom resource's response lacks an attribute another resource reads.
      throw new TemplateError(`CustomResource attribute error: Vendor response doesn't contain ${attribute} attribute in object ${deployed.physicalId}`);
    }
    return deployed.data[attribute];
  }

  private deployedCustomResource(logicalId: string): DeployedAttributes {
    const deployed = this.deployed(logicalId);
    if (!deployed) throw new TemplateError(`${logicalId} is read before CloudFormation created it: a dependency is missing`);
    return deployed;
  }
}

const NO_VALUE = Symbol('AWS::NoValue');

/** A stable UUID-shaped value derived from a logical ID, for key IDs and the like. */
export function uuidFrom(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** What Ref gives for a resource the harness does not simulate: its physical ID, as AWS forms it. */
function fakeRef(logicalId: string, type: string, stack: StackIdentity): string {
  switch (type) {
    case 'AWS::KMS::Key': return uuidFrom(logicalId);
    // A state machine's Ref is its ARN; a bucket's, its name (lower case, as bucket names are).
    case 'AWS::StepFunctions::StateMachine': return fakeAttribute(logicalId, type, 'Arn', stack);
    case 'AWS::S3::Bucket': return bucketNameOf(logicalId);
    default: return logicalId;
  }
}

/** The name the harness gives a bucket of the template (its Ref): the logical ID in lower case. */
export function bucketNameOf(logicalId: string): string {
  return logicalId.toLowerCase().slice(0, 63);
}

/** Well-formed values for attributes of resources the harness does not simulate. */
function fakeAttribute(logicalId: string, type: string, attribute: string, stack: StackIdentity, properties?: Record<string, unknown>): string {
  const { partition, region, account } = stack;
  if (attribute === 'Arn') {
    switch (type) {
      case 'AWS::IAM::Role': return `arn:${partition}:iam::${account}:role/${logicalId}`;
      case 'AWS::KMS::Key': return `arn:${partition}:kms:${region}:${account}:key/${uuidFrom(logicalId)}`;
      case 'AWS::Lambda::Function': return `arn:${partition}:lambda:${region}:${account}:function:${logicalId}`;
      case 'AWS::Logs::LogGroup': return `arn:${partition}:logs:${region}:${account}:log-group:${logicalId}:*`;
      case 'AWS::StepFunctions::StateMachine': return `arn:${partition}:states:${region}:${account}:stateMachine:${logicalId}`;
      case 'AWS::S3::Bucket': return `arn:${partition}:s3:::${bucketNameOf(logicalId)}`;
      case 'AWS::Scheduler::ScheduleGroup': {
        const name = typeof properties?.Name === 'string' ? properties.Name : logicalId;
        return `arn:${partition}:scheduler:${region}:${account}:schedule-group/${name}`;
      }
      case 'AWS::SQS::Queue': return `arn:${partition}:sqs:${region}:${account}:${logicalId}`;
      default: {
        const service = type.split('::')[1]?.toLowerCase() ?? 'unknown';
        return `arn:${partition}:${service}:${region}:${account}:${type.split('::')[2]?.toLowerCase() ?? 'resource'}/${logicalId}`;
      }
    }
  }
  if (type === 'AWS::KMS::Key' && attribute === 'KeyId') return uuidFrom(logicalId);
  return `${logicalId}.${attribute}`;
}

/** All logical IDs a value refers to through Ref, Fn::GetAtt or Fn::Sub. */
function referencedIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (value === null || typeof value !== 'object') return [];
  const ids: string[] = [];
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'Ref' && typeof item === 'string') {ids.push(item);} else if (key === 'Fn::GetAtt') {ids.push(Array.isArray(item) ? String(item[0]) : String(item).split('.')[0]);} else if (key === 'Fn::Sub') {
      const text = Array.isArray(item) ? String(item[0]) : String(item);
      for (const match of text.matchAll(/\$\{([^}.]+)/g)) ids.push(match[1]);
      if (Array.isArray(item)) ids.push(...referencedIds(item[1]));
    } else {ids.push(...referencedIds(item));}
  }
  return ids;
}

function stringifyScalars(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringifyScalars);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, stringifyScalars(item)]));
}
