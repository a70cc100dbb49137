/**
 * The KMS side of a synthesized stack: every AWS::KMS::Key with its key policy, and the
 * key each AWS::S3::Bucket encrypts with by default, resolved to plain strings the way
 * the lifecycle harness resolves the template (test/harness/template.ts), so the key
 * ARNs a local service sees and the ARNs evaluated here are the same.
 */
import { bucketNameOf, DeployedAttributes, StackIdentity, StackTemplate, TemplateJson, uuidFrom } from '../harness/template';
import { PolicyStatement, withServiceArns } from '../local-iam/policy-model';

/** A statement of a key policy: a resource-based policy, so it names its principals. */
export interface KeyPolicyStatement extends PolicyStatement {
  readonly Principal?: '*' | Record<string, string | string[]>;
  readonly NotPrincipal?: Record<string, string | string[]>;
}

export interface KeyPolicy {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: KeyPolicyStatement[];
}

export interface KeyModel {
  /** The key's logical ID, or for a key the template does not hold, its ARN. */
  readonly logicalId: string;
  readonly keyArn: string;
  readonly keyId: string;
  /** The key policy, as CloudFormation gives it to KMS (AWS's default key policy when the template sets none). */
  readonly policy: KeyPolicy;
  /** Whether the key is the stack's own (false: imported, its policy given by the test). */
  readonly owned: boolean;
}

/**
 * The policy KMS gives a key created without one ("Default key policy", AWS KMS developer
 * guide): the account may use the key through IAM policies, and nothing else.
 */
export function defaultKeyPolicy(identity: Pick<StackIdentity, 'partition' | 'account'>): KeyPolicy {
  return {
    Version: '2012-10-17',
    Statement: [{
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:${identity.partition}:iam::${identity.account}:root` },
      Action: 'kms:*',
      Resource: '*',
    }],
  };
}

/** The ARN the harness gives a key of the template (test/harness/template.ts, fakeAttribute): `…:key/<uuid from the logical ID>`. */
export function keyArnOf(logicalId: string, identity: StackIdentity): string {
  return `arn:${identity.partition}:kms:${identity.region}:${identity.account}:key/${uuidFrom(logicalId)}`;
}

export class StackKeys {
  private readonly json: TemplateJson;
  private readonly template: StackTemplate;

  constructor(json: TemplateJson, public readonly identity: StackIdentity,
    private readonly deployed: (logicalId: string) => DeployedAttributes | undefined) {
    this.json = withServiceArns(json);
    this.template = new StackTemplate(this.json);
  }

  /** Every key of the template with its resolved key policy. */
  public keys(): KeyModel[] {
    return Object.entries(this.json.Resources).filter(([, resource]) => resource.Type === 'AWS::KMS::Key').map(([logicalId]) => {
      const properties = this.template.resolveProperties(logicalId, this.identity, this.deployed);
      const keyArn = keyArnOf(logicalId, this.identity);
      return {
        logicalId,
        keyArn,
        keyId: keyArn.slice(keyArn.lastIndexOf('/') + 1),
        policy: (properties.KeyPolicy as KeyPolicy | undefined) ?? defaultKeyPolicy(this.identity),
        owned: true,
      };
    });
  }

  /**
   * The key each bucket of the template encrypts new objects with (SSE-KMS default
   * encryption), by the bucket's name as the harness names it (its Ref: the logical ID in
   * lower case, whatever BucketName says); buckets without a KMS key are left out.
   */
  public bucketKeys(): Map<string, string> {
    const keys = new Map<string, string>();
    for (const [logicalId, resource] of Object.entries(this.json.Resources)) {
      if (resource.Type !== 'AWS::S3::Bucket') continue;
      const properties = this.template.resolveProperties(logicalId, this.identity, this.deployed);
      const encryption = properties.BucketEncryption as { ServerSideEncryptionConfiguration?: unknown[] } | undefined;
      const rules = encryption?.ServerSideEncryptionConfiguration ?? [];
      for (const rule of rules as Array<{ ServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: string } }>) {
        const byDefault = rule.ServerSideEncryptionByDefault;
        if (byDefault?.KMSMasterKeyID && /^aws:kms/.test(byDefault.SSEAlgorithm ?? '')) {
          keys.set(bucketNameOf(logicalId), byDefault.KMSMasterKeyID);
        }
      }
    }
    return keys;
  }
}
