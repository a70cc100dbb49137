/**
 * The IAM side of a synthesized stack: every role (AWS::IAM::Role, and roles the
 * template only names, such as an imported role a policy is attached to) with the
 * identity policies attached to it — its inline `Policies`, and every AWS::IAM::Policy
 * and AWS::IAM::ManagedPolicy that lists it — resolved to plain strings.
 *
 * Intrinsics resolve exactly as the lifecycle harness resolves them
 * (test/harness/template.ts): a role's Ref is its logical ID and its Arn
 * `arn:aws:iam::ACCOUNT:role/LOGICALID`, a Lambda function's Arn `…:function:LOGICALID`,
 * and a custom resource's attributes are what CloudFormation holds for it (`deployed`).
 * So the ARNs a local service sees and the ARNs evaluated here are the same.
 */
import { createHash } from 'crypto';
import { ResourceTypes } from '../../src/private/contract';
import {
  DeployedAttributes, isLibraryResourceType, StackIdentity, StackTemplate, TemplateError, TemplateJson, uuidFrom, WAIT_CONDITION,
  WAIT_CONDITION_HANDLE,
} from '../harness/template';

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement[];
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** One identity policy attached to a role: where it comes from in the template, and its document. */
export interface AttachedPolicy {
  /** `LOGICALID` of an AWS::IAM::Policy or ManagedPolicy, or `ROLE/POLICYNAME` of an inline policy. */
  readonly name: string;
  readonly document: PolicyDocument;
}

export interface RoleModel {
  /** The role's logical ID, or for a role the template only names, that name. */
  readonly logicalId: string;
  readonly roleName: string;
  readonly arn: string;
  /** `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`: a Lambda function's session is named after the function. */
  readonly sessionArn: string;
  readonly policies: AttachedPolicy[];
  /** AWS managed policies attached by ARN, which this model cannot read (the library attaches none). */
  readonly unreadManagedPolicies: string[];
}

/** What CloudFormation holds for a custom resource of the template, or undefined while it is not created. */
export type DeployedLookup = (logicalId: string) => DeployedAttributes | undefined;

export class StackPolicies {
  private readonly template: StackTemplate;

  private readonly json: TemplateJson;
  private allResolved?: RoleModel[];

  constructor(json: TemplateJson, public readonly identity: StackIdentity, private readonly deployed: DeployedLookup) {
    this.json = withServiceArns(json);
    this.template = new StackTemplate(this.json);
  }

  /**
   * Every role with the policies that exist now. A policy whose document reads a custom
   * resource CloudFormation has not created yet does not exist yet either (it depends on it).
   */
  public roles(): RoleModel[] {
    if (this.allResolved) return this.allResolved;
    let complete = true;
    const { partition, account } = this.identity;
    const roles = new Map<string, { logicalId: string; roleName: string; policies: AttachedPolicy[]; managed: string[] }>();
    const roleNamed = (name: string) => {
      let role = roles.get(name);
      if (!role) {
        role = { logicalId: name, roleName: name, policies: [], managed: [] };
        roles.set(name, role);
      }
      return role;
    };

    for (const [logicalId, resource] of Object.entries(this.json.Resources)) {
      if (resource.Type !== 'AWS::IAM::Role') continue;
      const role = roleNamed(logicalId);
      const properties = this.resolve(logicalId);
      if (!properties) {
        complete = false;
        continue;
      }
      for (const inline of (properties.Policies as Array<{ PolicyName: string; PolicyDocument: PolicyDocument }> | undefined) ?? []) {
        role.policies.push({ name: `${logicalId}/${inline.PolicyName}`, document: inline.PolicyDocument });
      }
      const attached = (resource.Properties?.ManagedPolicyArns as unknown[] | undefined) ?? [];
      attached.forEach((raw, index) => {
        const managed = refOf(raw);
        if (managed !== undefined && this.json.Resources[managed]?.Type === 'AWS::IAM::ManagedPolicy') {
          const document = this.resolve(managed)?.PolicyDocument as PolicyDocument | undefined;
          if (document) role.policies.push({ name: managed, document });
        } else {
          role.managed.push(String((properties.ManagedPolicyArns as unknown[])[index]));
        }
      });
    }
    for (const [logicalId, resource] of Object.entries(this.json.Resources)) {
      if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
      const properties = this.resolve(logicalId);
      if (!properties) {
        complete = false;
        continue;
      }
      // A role's Ref is its logical ID; a role the app imports is named as it is.
      for (const name of (properties.Roles as string[] | undefined) ?? []) {
        roleNamed(name).policies.push({ name: logicalId, document: properties.PolicyDocument as PolicyDocument });
      }
    }

    const models = [...roles.values()].map((role): RoleModel => {
      const arn = `arn:${partition}:iam::${account}:role/${role.roleName}`;
      return {
        logicalId: role.logicalId,
        roleName: role.roleName,
        arn,
        sessionArn: `arn:${partition}:sts::${account}:assumed-role/${role.roleName}/${this.sessionNameOf(role.logicalId)}`,
        policies: role.policies,
        unreadManagedPolicies: role.managed,
      };
    });
    // Once every policy exists, the roles stay as they are for this template.
    if (complete) this.allResolved = models;
    return models;
  }

  /** A role by its logical ID, name, role ARN or assumed-role ARN (`…:assumed-role/NAME/SESSION`). */
  public role(principal: string): RoleModel {
    const name = roleNameOf(principal);
    const role = this.roles().find((candidate) => candidate.logicalId === name || candidate.roleName === name);
    if (!role) throw new Error(`No role '${principal}' in the template (roles: ${this.roles().map((r) => r.logicalId).join(', ')})`);
    if (principal.includes(':assumed-role/')) return { ...role, sessionArn: principal };
    return role;
  }

  private resolve(logicalId: string): Record<string, unknown> | undefined {
    try {
      return this.template.resolveProperties(logicalId, this.identity, this.deployed);
    } catch (error) {
      if (error instanceof TemplateError && /before CloudFormation created it|attribute error/.test(error.message)) return undefined;
      throw error;
    }
  }

  /** Lambda names a function's session after the function: the first function that runs as the role. */
  private sessionNameOf(roleLogicalId: string): string {
    const fn = Object.entries(this.json.Resources).find(([, resource]) => resource.Type === 'AWS::Lambda::Function'
      && JSON.stringify(resource.Properties?.Role) === JSON.stringify({ 'Fn::GetAtt': [roleLogicalId, 'Arn'] }));
    return fn?.[0] ?? roleLogicalId;
  }
}

function refOf(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null && 'Ref' in value ? String((value as { Ref: unknown }).Ref) : undefined;
}

/** `NAME` from a role name, role ARN (`role/PATH/NAME`) or assumed-role ARN (`assumed-role/NAME/SESSION`). */
export function roleNameOf(principal: string): string {
  const assumed = /:assumed-role\/([^/]+)\//.exec(principal);
  if (assumed) return assumed[1];
  const role = /:role\/(?:.*\/)?([^/]+)$/.exec(principal);
  return role ? role[1] : principal;
}

/**
 * Attributes CloudFormation would hold for each custom resource of the template after a
 * deploy, for tests that evaluate policies without running the handler: ARNs as
 * the services form them, from each resource's own properties. In the lifecycle
 * harness, use what LocalCloudFormation really holds instead.
 */
export function plausibleDeployment(original: TemplateJson, identity: StackIdentity): DeployedLookup {
  const json = withServiceArns(original);
  const template = new StackTemplate(json);
  const known = new Map<string, DeployedAttributes>();
  const { partition, region, account } = identity;
  const personalize = (resource: string) => `arn:${partition}:personalize:${region}:${account}:${resource}`;
  const hex = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

  const deployed: DeployedLookup = (logicalId) => {
    const cached = known.get(logicalId);
    if (cached) return cached;
    const resource = json.Resources[logicalId];
    if (!resource) return undefined;
    if (resource.Type === WAIT_CONDITION_HANDLE) return { physicalId: `https://signals.invalid/${logicalId}`, data: {} };
    if (resource.Type === WAIT_CONDITION) return { physicalId: logicalId, data: { Data: '{}' } };
    if (!isLibraryResourceType(resource.Type)) return undefined;
    const properties = template.resolveProperties(logicalId, identity, deployed) as Record<string, string>;
    // A long work result reads the work it follows: its Arn is the work's.
    if (resource.Type === ResourceTypes.LONG_WORK_RESULT) return { physicalId: `${properties.WorkArn}/result`, data: { Arn: properties.WorkArn } };
    const name = properties.Name;
    const arn = ((): string => {
      switch (resource.Type) {
        case ResourceTypes.DATASET_GROUP: return personalize(`dataset-group/${name}`);
        case ResourceTypes.SCHEMA: return personalize(`schema/${name}`);
        case ResourceTypes.DATASET:
          return `${properties.DatasetGroupArn.replace(':dataset-group/', ':dataset/')}/${properties.DatasetType.toUpperCase()}`;
        case ResourceTypes.EVENT_TRACKER: return personalize(`event-tracker/${hex(logicalId, 32)}`);
        case ResourceTypes.FILTER: return personalize(`filter/${name}`);
        case ResourceTypes.METRIC_ATTRIBUTION: return personalize(`metric-attribution/${name}`);
        case ResourceTypes.DATASET_IMPORT_JOB: return personalize(`dataset-import-job/${name}`);
        case ResourceTypes.SOLUTION: return personalize(`solution/${name}`);
        case ResourceTypes.SOLUTION_VERSION: return `${properties.SolutionArn}/${hex(logicalId, 8)}`;
        case ResourceTypes.CAMPAIGN: return personalize(`campaign/${name}`);
        case ResourceTypes.RECOMMENDER: return personalize(`recommender/${name}`);
        case ResourceTypes.REKOGNITION_DATASET:
          return `arn:${partition}:rekognition:${region}:${account}:project/${properties.ProjectName}/dataset/`
            + `${properties.DatasetType.toLowerCase()}/1700000000000`;
        default: throw new Error(`plausibleDeployment: no ARN for ${resource.Type}`);
      }
    })();
    const attributes: DeployedAttributes = {
      physicalId: arn,
      data: { Arn: arn, Name: name ?? '', TrackingId: uuidFrom(logicalId), TrainingMode: properties.TrainingMode ?? '' },
    };
    known.set(logicalId, attributes);
    return attributes;
  };
  return deployed;
}

/**
 * The template with the ARNs of resources the harness fakes in another shape than AWS
 * gives them written out: a bucket's Arn is `arn:aws:s3:::NAME` (no region, no account),
 * a state machine's Ref is its ARN, `…:stateMachine:NAME`, and a Custom Labels project's
 * Arn is `…:project/NAME/CREATIONTIME`. Other names stay the harness's
 * (the logical ID), so a bucket a local service sees by name has the ARN evaluated here.
 */
export function withServiceArns(json: TemplateJson): TemplateJson {
  const typeOf = (logicalId: unknown) => (typeof logicalId === 'string' ? json.Resources[logicalId]?.Type : undefined);
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    const node = value as Record<string, unknown>;
    const getAtt = node['Fn::GetAtt'] as unknown[] | undefined;
    if (Array.isArray(getAtt) && getAtt[1] === 'Arn' && typeOf(getAtt[0]) === 'AWS::S3::Bucket') {
      return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: getAtt[0] }]] };
    }
    if (Array.isArray(getAtt) && getAtt[1] === 'Arn' && typeOf(getAtt[0]) === 'AWS::Rekognition::Project') {
      const name = json.Resources[getAtt[0] as string].Properties?.ProjectName ?? getAtt[0];
      return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rekognition:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':project/', name, '/1700000000000']] };
    }
    if (Object.keys(node).length === 1 && typeof node.Ref === 'string' && typeOf(node.Ref) === 'AWS::StepFunctions::StateMachine') {
      return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:stateMachine:${node.Ref}`]] };
    }
    return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, rewrite(item)]));
  };
  const resources = Object.entries(json.Resources).map(([id, resource]) => [id, rewrite(resource) as typeof resource]);
  return { ...json, Resources: Object.fromEntries(resources) };
}
