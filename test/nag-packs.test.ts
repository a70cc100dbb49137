/**
 * cdk-nag's compliance packs beyond AwsSolutions (cdk-nag 2, as an aspect): which findings
 * remain on the provider, with and without a KMS key for its logs. The README's
 * "Other cdk-nag packs" table lists the findings that the consumer app of
 * `.ci/ecosystem.sh nag` pins in test/smoke/nag/expected-findings.txt; these tests keep it honest.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Aspects, IAspect, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import {
  AutoTraining, DatasetGroup, DatasetType, Domain, ProviderLogging, Recipe, Schema, SchemaDefinition, SchemaField, Solution, SolutionVersion,
} from '../src';

const ACCOUNT = '123456789012';

/** A stack with a domain group encrypted with a key, a custom group and two datasets, a solution and its training; optionally a logs key. */
function stackWithProvider(withLogKey: boolean): Stack {
  const stack = new Stack(new App(), 'Regulated', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const dataKey = new kms.Key(stack, 'DataKey', { enableKeyRotation: true });
  const retail = new DatasetGroup(stack, 'Retail', { domain: Domain.ECOMMERCE, kmsKey: dataKey });
  const custom = new DatasetGroup(stack, 'Custom');
  const interactions = [SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP'),
    SchemaField.stringField('EVENT_TYPE')];
  retail.addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS,
    schema: new Schema(stack, 'RetailInteractions', { domain: Domain.ECOMMERCE, definition: SchemaDefinition.fromFields(interactions) }),
  });
  custom.addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS,
    schema: new Schema(stack, 'CustomInteractions', { definition: SchemaDefinition.fromFields(interactions) }),
  });
  const solution = new Solution(stack, 'Recs', { datasetGroup: custom, recipe: Recipe.USER_PERSONALIZATION_V2, autoTraining: AutoTraining.off() });
  new SolutionVersion(stack, 'RecsTraining', { solution });
  if (withLogKey) ProviderLogging.configure(stack, { encryptionKey: new kms.Key(stack, 'LogKey', { enableKeyRotation: true }) });
  return stack;
}

/** The rule IDs a pack reports (errors and warnings), each once, sorted. */
function findings(pack: IAspect, withLogKey: boolean): string[] {
  const stack = stackWithProvider(withLogKey);
  Aspects.of(stack).add(pack);
  const annotations = Annotations.fromStack(stack);
  const ruleIds = [...annotations.findError('*', Match.anyValue()), ...annotations.findWarning('*', Match.anyValue())]
    .map((entry) => String(entry.entry.data).match(/^([\w.-]+-[\w]+):/)?.[1])
    .filter((ruleId): ruleId is string => ruleId !== undefined);
  return [...new Set(ruleIds)].sort();
}

describe('cdk-nag 2 compliance packs on a stack using the library', () => {
  const lambdaAndInlinePolicies = (prefix: string, rules: string[]) => rules.map((rule) => `${prefix}-${rule}`);

  test('HIPAA Security: with a logs key, only the inline-policy and Lambda DLQ, concurrency and VPC findings remain', () => {
    expect(findings(new HIPAASecurityChecks(), true)).toEqual(
      lambdaAndInlinePolicies('HIPAA.Security', ['IAMNoInlinePolicy', 'LambdaConcurrency', 'LambdaDLQ', 'LambdaInsideVPC']));
  });

  test('NIST 800-53 rev 5: with a logs key, only the inline-policy and Lambda DLQ, concurrency and VPC findings remain', () => {
    expect(findings(new NIST80053R5Checks(), true)).toEqual(
      lambdaAndInlinePolicies('NIST.800.53.R5', ['IAMNoInlinePolicy', 'LambdaConcurrency', 'LambdaDLQ', 'LambdaInsideVPC']));
  });

  test('PCI DSS 3.2.1: with a logs key, only the inline-policy and Lambda VPC findings remain', () => {
    expect(findings(new PCIDSS321Checks(), true)).toEqual(lambdaAndInlinePolicies('PCI.DSS.321', ['IAMNoInlinePolicy', 'LambdaInsideVPC']));
  });

  test('Serverless: only the Lambda DLQ and tracing findings remain; the framework\'s runtime, memory and X-Ray are suppressed', () => {
    expect(findings(new ServerlessChecks(), false)).toEqual(['Serverless-LambdaDLQ', 'Serverless-LambdaTracing']);
  });

  test.each<[string, () => IAspect]>([
    ['HIPAA.Security', () => new HIPAASecurityChecks()],
    ['NIST.800.53.R5', () => new NIST80053R5Checks()],
    ['PCI.DSS.321', () => new PCIDSS321Checks()],
  ])('%s reports the provider log groups as unencrypted without a logs key, and not with one', (prefix, pack) => {
    expect(findings(pack(), false)).toContain(`${prefix}-CloudWatchLogGroupEncrypted`);
    expect(findings(pack(), true)).not.toContain(`${prefix}-CloudWatchLogGroupEncrypted`);
  });
});

describe('ProviderLogging', () => {
  const logGroupsOf = (stack: Stack) => Object.values<any>(Template.fromStack(stack).findResources('AWS::Logs::LogGroup'));

  test('encrypts every provider log group with the key', () => {
    const logGroups = logGroupsOf(stackWithProvider(true));

    // The handler's, the framework's, its waiter's, and the long wait's state machine's (the stack trains).
    expect(logGroups).toHaveLength(4);
    for (const logGroup of logGroups) {
      expect(logGroup.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^LogKey/), 'Arn'] });
      expect(logGroup.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^LogKey/)]));
    }
  });

  test('lets CloudWatch Logs in the stack\'s region use the key, only for log groups of the stack\'s account and region', () => {
    Template.fromStack(stackWithProvider(true)).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Principal: { Service: 'logs.us-east-1.amazonaws.com' },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
          Resource: '*',
          Condition: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:logs:us-east-1:${ACCOUNT}:log-group:*`]] },
            },
          },
        }]),
      },
    });
  });

  test('leaves the log groups without a key when it is not configured', () => {
    for (const logGroup of logGroupsOf(stackWithProvider(false))) expect(logGroup.Properties.KmsKeyId).toBeUndefined();
  });

  test('applies to a provider created after the call as well as before it', () => {
    const stack = new Stack(new App(), 'Early');
    ProviderLogging.configure(stack, { encryptionKey: new kms.Key(stack, 'LogKey') });
    new DatasetGroup(stack, 'Group');

    for (const logGroup of logGroupsOf(stack)) expect(logGroup.Properties.KmsKeyId).toBeDefined();
  });

  test('a second, different key for the same stack is refused, naming both keys', () => {
    const stack = new Stack(new App(), 'Twice');
    ProviderLogging.configure(stack, { encryptionKey: new kms.Key(stack, 'First') });

    expect(() => ProviderLogging.configure(stack, { encryptionKey: new kms.Key(stack, 'Second') })).toThrow(
      "Invalid encryptionKey: the provider logs of stack 'Twice' are already encrypted with key 'Twice/First', and a stack has "
      + "one provider, so one logs key; got key 'Twice/Second'.");
  });

  test('an imported key gets a warning listing what its policy must allow', () => {
    const stack = new Stack(new App(), 'Imported', { env: { account: ACCOUNT, region: 'us-east-1' } });
    new DatasetGroup(stack, 'Group');
    ProviderLogging.configure(stack, { encryptionKey: kms.Key.fromKeyArn(stack, 'LogKey', `arn:aws:kms:us-east-1:${ACCOUNT}:key/abc`) });

    Annotations.fromStack(stack).hasWarning('/Imported/CdkPersonalizeProvider', `The policy of the imported key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/abc' `
      + 'cannot be changed by this app. It must allow logs.us-east-1.amazonaws.com kms:Encrypt, kms:Decrypt, kms:ReEncrypt*, '
      + 'kms:GenerateDataKey*, kms:DescribeKey on log groups of this account, or the provider log groups will fail to create. '
      + '[ack: cdk-personalize:importedLogKeyPolicy]');
  });
});

describe('the README documents the findings the consumer app pins', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('#### Other packs: HIPAA'), readme.indexOf('#### Running the provider'));
  const expected = fs.readFileSync(path.join(__dirname, 'smoke', 'nag', 'expected-findings.txt'), 'utf8')
    .split('\n').filter((line) => line && !line.startsWith('#')).map((line) => line.split(/\s+/));
  const PACK_PREFIXES: Record<string, string> = {
    'HIPAA Security': 'HIPAA.Security', 'NIST 800-53 rev 5': 'NIST.800.53.R5', 'PCI DSS 3.2.1': 'PCI.DSS.321', 'Serverless': 'Serverless',
  };
  /** The rules of a pack that expected-findings.txt lists for one stack of the consumer app, without the pack prefix. */
  const pinnedRules = (prefix: string, stackName: string) => [...new Set(expected
    .filter(([pack, , constructPath]) => pack === prefix && constructPath.split('/')[0] === stackName)
    .map(([, rule]) => rule.slice(prefix.length + 1)))].sort();

  test('AwsSolutions reports nothing on the library\'s resources, with either major', () => {
    expect(expected.filter(([pack]) => pack === 'AwsSolutions')).toEqual([]);
  });

  test.each(Object.entries(PACK_PREFIXES))('the %s row lists the rules pinned for both stacks of the consumer app', (name, prefix) => {
    const row = section.split('\n').find((line) => line.startsWith(`| ${name} |`));
    expect(row).toBeDefined();
    const [asItComes, withProviderFunctions] = row!.split('|').slice(2, 4).map((cell) => cell.split(',').map((rule) => rule.trim()).sort());
    expect(asItComes).toEqual(pinnedRules(prefix, 'NagConsumer'));
    expect(withProviderFunctions).toEqual(pinnedRules(prefix, 'NagConsumerRegulated'));
  });

  test('no library function has a latest-runtime finding in any pack', () => {
    expect(expected.filter(([, rule]) => /-(L1|LambdaLatestVersion)$/.test(rule))).toEqual([]);
  });
});
