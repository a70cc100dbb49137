/**
 * The KMS model itself: a request on a key is decided as AWS's KMS documentation says
 * ("Determining access to an AWS KMS key"): the key policy first, then the identity
 * policies where the key policy leaves it to IAM; service principals only by the key
 * policy, under its conditions; and a denial reads as KMS words it.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { defaultKeyPolicy, KeyPolicy, LocalKms } from '.';
import { TemplateJson } from '../harness/template';
import { DEFAULT_IDENTITY, StackPolicies, plausibleDeployment } from '../local-iam';

const { account, region } = DEFAULT_IDENTITY;
const PERSONALIZE = 'personalize.amazonaws.com';
const IMPORTED_KEY = `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const GROUP_ARN = `arn:aws:personalize:${region}:${account}:dataset-group/retail`;

interface World {
  readonly template: TemplateJson;
  readonly kms: LocalKms;
  /** Logical IDs by construct ID. */
  readonly id: (constructId: string) => string;
}

async function world(build: (stack: Stack) => void, importedKeys: Record<string, KeyPolicy> = {}): Promise<World> {
  const stack = new Stack(new App(), 'LifecycleStack');
  build(stack);
  const template = Template.fromStack(stack).toJSON() as TemplateJson;
  const id = (constructId: string) => {
    const found = Object.keys(template.Resources).find((logicalId) => logicalId.startsWith(constructId));
    if (!found) throw new Error(`no ${constructId}* in the template`);
    return found;
  };
  return { template, kms: await LocalKms.forTemplate(template, { importedKeys }), id };
}

const reader = (stack: Stack, id = 'Reader') => new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

describe('keys of the template', () => {
  test('a key\'s ARN is the one the harness resolves for its Arn, so a local service and the model name the same key', async () => {
    const w = await world((stack) => new kms.Key(stack, 'Key').grantDecrypt(reader(stack)));
    const policies = new StackPolicies(w.template, DEFAULT_IDENTITY, plausibleDeployment(w.template, DEFAULT_IDENTITY));
    const granted = policies.role(w.id('Reader')).policies.flatMap((policy) => policy.document.Statement).map((statement) => statement.Resource);
    expect(granted).toEqual([w.kms.key(w.id('Key')).keyArn]);
    expect(w.kms.key(w.id('Key')).keyArn).toMatch(new RegExp(`^arn:aws:kms:${region}:${account}:key/[0-9a-f-]{36}$`));
  });

  test('a key is found by its ARN, key ID or logical ID; an unknown key fails loudly, naming importedKeys', async () => {
    const w = await world((stack) => new kms.Key(stack, 'Key'));
    const key = w.kms.key(w.id('Key'));
    expect(w.kms.key(key.keyArn)).toBe(key);
    expect(w.kms.key(key.keyId)).toBe(key);
    expect(() => w.kms.key(IMPORTED_KEY)).toThrow(/No key '.*' in the template or in importedKeys .* LocalKmsOptions.importedKeys/);
  });

  test('a bucket\'s SSE-KMS key is known by the bucket\'s name, and buckets outside the template by importedBucketKeys', async () => {
    const stack = new Stack(new App(), 'LifecycleStack');
    const key = new kms.Key(stack, 'Key');
    new s3.Bucket(stack, 'Encrypted', { encryptionKey: key });
    new s3.Bucket(stack, 'Plain', { encryption: s3.BucketEncryption.S3_MANAGED });
    const template = Template.fromStack(stack).toJSON() as TemplateJson;
    const local = await LocalKms.forTemplate(template, { importedBucketKeys: { 'their-data': IMPORTED_KEY }, importedKeys: { [IMPORTED_KEY]: defaultKeyPolicy(DEFAULT_IDENTITY) } });
    const encrypted = Object.keys(template.Resources).find((logicalId) => logicalId.startsWith('Encrypted'))!;
    const plain = Object.keys(template.Resources).find((logicalId) => logicalId.startsWith('Plain'))!;
    expect(local.keyOfBucket(encrypted.toLowerCase())).toBe(local.key(Object.keys(template.Resources).find((l) => l.startsWith('Key'))!).keyArn);
    expect(local.keyOfBucket(plain.toLowerCase())).toBeUndefined();
    expect(local.keyOfBucket('their-data')).toBe(IMPORTED_KEY);
  });
});

describe('a role', () => {
  test('may use a key whose policy leaves it to IAM when its identity policy allows the action', async () => {
    const w = await world((stack) => new kms.Key(stack, 'Key').grantDecrypt(reader(stack)));
    expect(w.kms.check({ principal: w.id('Reader'), keyArn: w.id('Key'), action: 'kms:Decrypt' })).toBeUndefined();
  });

  test('is denied an action its identity policy does not allow, in KMS\'s words, naming the session, the action and the key', async () => {
    const w = await world((stack) => new kms.Key(stack, 'Key').grantDecrypt(reader(stack)));
    const denied = w.kms.check({ principal: w.id('Reader'), keyArn: w.id('Key'), action: 'kms:GenerateDataKey' });
    const role = w.kms.policies.role(w.id('Reader'));
    expect(denied?.code).toBe('AccessDeniedException');
    expect(denied?.decision.deniedBy).toBe('identity policy');
    expect(denied?.message).toBe(`User: ${role.sessionArn} is not authorized to perform: kms:GenerateDataKey on resource: `
      + `${w.kms.key(w.id('Key')).keyArn} because no identity-based policy allows the kms:GenerateDataKey action`);
  });

  test('is denied by a key policy that does not leave it to IAM, whatever its identity policy allows', async () => {
    const w = await world((stack) => {
      const key = new kms.Key(stack, 'Key', {
        policy: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ principals: [new iam.ServicePrincipal(PERSONALIZE)], actions: ['kms:Decrypt'], resources: ['*'] })] }),
      });
      reader(stack).addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn] }));
    });
    const denied = w.kms.check({ principal: w.id('Reader'), keyArn: w.id('Key'), action: 'kms:Decrypt' });
    expect(denied?.decision.deniedBy).toBe('key policy');
    expect(denied?.message).toMatch(/is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:.* because no resource-based policy allows the kms:Decrypt action$/);
  });

  test('may use a key whose policy names it, without any identity policy', async () => {
    const w = await world((stack) => {
      const role = reader(stack);
      new kms.Key(stack, 'Key', {
        policy: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ principals: [role], actions: ['kms:Decrypt'], resources: ['*'] })] }),
      });
    });
    expect(w.kms.check({ principal: w.id('Reader'), keyArn: w.id('Key'), action: 'kms:Decrypt' })).toBeUndefined();
  });

  test('reads through S3 under a kms:ViaService condition, and is denied the same action called directly', async () => {
    const w = await world((stack) => {
      const role = reader(stack);
      new kms.Key(stack, 'Key', {
        policy: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({
            principals: [role], actions: ['kms:Decrypt'], resources: ['*'], conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
          })],
        }),
      });
    });
    expect(w.kms.check({ principal: w.id('Reader'), keyArn: w.id('Key'), action: 'kms:Decrypt', context: w.kms.viaS3('data', 'a.csv') })).toBeUndefined();
    expect(w.kms.check({ principal: w.id('Reader'), keyArn: w.id('Key'), action: 'kms:Decrypt' })?.decision.deniedBy).toBe('key policy');
  });

  test('is denied by an explicit deny in the key policy, though IAM allows it', async () => {
    const w = await world((stack) => {
      const key = new kms.Key(stack, 'Key');
      key.addToResourcePolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: ['kms:Decrypt'], resources: ['*'] }));
      key.grantDecrypt(reader(stack));
    });
    const denied = w.kms.check({ principal: w.id('Reader'), keyArn: w.id('Key'), action: 'kms:Decrypt' });
    expect(denied?.decision.result).toBe('ExplicitlyDenied');
    expect(denied?.message).toMatch(/kms:Decrypt on resource: .* with an explicit deny in a resource-based policy$/);
  });
});

describe('a service principal', () => {
  const personalizeStatement = (conditions?: Record<string, Record<string, unknown>>) => new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal(PERSONALIZE)], actions: ['kms:Decrypt', 'kms:CreateGrant'], resources: ['*'], conditions,
  });
  const conditioned = {
    StringEquals: { 'aws:SourceAccount': account },
    ArnLike: { 'aws:SourceArn': `arn:aws:personalize:${region}:${account}:*` },
  };

  test('may use a key whose policy names it, only with the source account and source ARN the statement requires', async () => {
    const w = await world((stack) => new kms.Key(stack, 'Key').addToResourcePolicy(personalizeStatement(conditioned)));
    const request = { principal: PERSONALIZE, keyArn: w.id('Key'), action: 'kms:CreateGrant' };
    expect(w.kms.check({ ...request, context: w.kms.personalizeSource(GROUP_ARN) })).toBeUndefined();
    expect(w.kms.check({ ...request, context: w.kms.personalizeSource(GROUP_ARN.replace(account, '999999999999'), '999999999999') })?.message)
      .toBe(`User: ${PERSONALIZE} is not authorized to perform: kms:CreateGrant on resource: ${w.kms.key(w.id('Key')).keyArn} `
        + 'because no resource-based policy allows the kms:CreateGrant action');
    expect(w.kms.check(request)?.decision.deniedBy).toBe('key policy');
  });

  test('is denied by a key policy that leaves everything to IAM: a service principal has no identity policy', async () => {
    const w = await world((stack) => new kms.Key(stack, 'Key'));
    const denied = w.kms.check({ principal: PERSONALIZE, keyArn: w.id('Key'), action: 'kms:Decrypt', context: w.kms.personalizeSource(GROUP_ARN) });
    expect(denied?.decision.deniedBy).toBe('key policy');
  });

  test('may use a key whose statement carries no conditions from any account (what the conditions close)', async () => {
    const w = await world((stack) => new kms.Key(stack, 'Key').addToResourcePolicy(personalizeStatement()));
    expect(w.kms.check({ principal: PERSONALIZE, keyArn: w.id('Key'), action: 'kms:Decrypt', context: w.kms.personalizeSource(GROUP_ARN.replace(account, '999999999999'), '999999999999') }))
      .toBeUndefined();
  });
});

describe('imported keys and requests the model refuses', () => {
  test('an imported key is decided by the policy the test gives', async () => {
    const w = await world((stack) => {
      kms.Key.fromKeyArn(stack, 'Theirs', IMPORTED_KEY).grantDecrypt(reader(stack));
    }, { [IMPORTED_KEY]: defaultKeyPolicy(DEFAULT_IDENTITY) });
    expect(w.kms.key(IMPORTED_KEY).owned).toBe(false);
    expect(w.kms.check({ principal: w.id('Reader'), keyArn: IMPORTED_KEY, action: 'kms:Decrypt' })).toBeUndefined();
    const locked = await world((stack) => {
      kms.Key.fromKeyArn(stack, 'Theirs', IMPORTED_KEY).grantDecrypt(reader(stack));
    }, { [IMPORTED_KEY]: { Statement: [] } });
    expect(locked.kms.check({ principal: locked.id('Reader'), keyArn: IMPORTED_KEY, action: 'kms:Decrypt' })?.decision.deniedBy).toBe('key policy');
  });

  test('a role ARN the template does not hold is a role with no identity policies', async () => {
    const w = await world((stack) => new kms.Key(stack, 'Key'));
    expect(w.kms.check({ principal: `arn:aws:iam::${account}:role/Outside`, keyArn: w.id('Key'), action: 'kms:Decrypt' })?.message)
      .toMatch(new RegExp(`^User: arn:aws:sts::${account}:assumed-role/Outside/Outside is not authorized .* no identity-based policy allows`));
  });

  test('an action that is not KMS\'s, or not authorized on a key, is a mistake of the caller and fails loudly', async () => {
    const w = await world((stack) => new kms.Key(stack, 'Key'));
    expect(() => w.kms.check({ principal: PERSONALIZE, keyArn: w.id('Key'), action: 'kms:Decrypted' })).toThrow(/not a KMS action/);
    expect(() => w.kms.check({ principal: PERSONALIZE, keyArn: w.id('Key'), action: 'kms:CreateKey' })).toThrow(/not authorized on a key/);
  });

  test('every decision is recorded, and the summary names each denial', async () => {
    const w = await world((stack) => new kms.Key(stack, 'Key').grantDecrypt(reader(stack)));
    w.kms.check({ principal: w.id('Reader'), keyArn: w.id('Key'), action: 'kms:Decrypt' });
    w.kms.check({ principal: PERSONALIZE, keyArn: w.id('Key'), action: 'kms:Decrypt' });
    expect(w.kms.decisions.map((decision) => decision.allowed)).toEqual([true, false]);
    expect(w.kms.summary()).toMatch(/^KMS decided 2 request\(s\): 1 allowed, 1 denied\n- User: personalize.amazonaws.com is not authorized/);
  });
});
