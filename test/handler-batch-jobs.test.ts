/**
 * The batch job kinds' parsing of their properties and what they send (lambda/kinds/personalize/batch-job.ts),
 * apart from CloudFormation: the lifecycle scenarios run them end to end.
 */
import { batchInferenceJobKind } from '../lambda/kinds/personalize/batch-inference-job';
import { batchSegmentJobKind } from '../lambda/kinds/personalize/batch-segment-job';

const PROPERTIES = {
  ContractVersion: '1',
  Name: 'Shop_Nightly-0123abcd',
  SolutionVersionArn: 'arn:aws:personalize:us-east-1:123456789012:solution/shop/abcd1234',
  InputPath: 's3://data/users.jsonl',
  OutputPath: 's3://data/out/',
  RoleArn: 'arn:aws:iam::123456789012:role/batch',
  Wait: 'started',
};

describe('batch job kinds', () => {
  test('a batch inference job sends the API reference\'s members, numbers as numbers and the config as JSON', () => {
    const spec = batchInferenceJobKind.parse({
      ...PROPERTIES,
      NumResults: '50',
      Mode: 'THEME_GENERATION',
      ThemeItemNameField: 'TITLE',
      FilterArn: 'arn:aws:personalize:us-east-1:123456789012:filter/f',
      InputKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k',
      JobConfig: '{"rankingInfluence":{"FRESHNESS":0.5}}',
    });
    expect(spec.request).toEqual({
      jobName: 'Shop_Nightly-0123abcd',
      solutionVersionArn: PROPERTIES.SolutionVersionArn,
      filterArn: 'arn:aws:personalize:us-east-1:123456789012:filter/f',
      numResults: 50,
      jobInput: { s3DataSource: { path: 's3://data/users.jsonl', kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k' } },
      jobOutput: { s3DataDestination: { path: 's3://data/out/' } },
      roleArn: PROPERTIES.RoleArn,
      batchInferenceJobConfig: { rankingInfluence: { FRESHNESS: 0.5 } },
      batchInferenceJobMode: 'THEME_GENERATION',
      themeGenerationConfig: { fieldsForThemeGeneration: { itemName: 'TITLE' } },
    });
    expect(spec).toMatchObject({ name: 'Shop_Nightly-0123abcd', wait: 'started', waitMs: undefined });
  });

  test('a batch segment job sends no inference-only member', () => {
    const spec = batchSegmentJobKind.parse({ ...PROPERTIES, Mode: 'THEME_GENERATION', JobConfig: '{}' });
    expect(Object.keys(spec.request).sort()).toEqual(['jobInput', 'jobName', 'jobOutput', 'roleArn', 'solutionVersionArn']);
  });

  test.each([
    [{ NumResults: '0' }, /Property 'NumResults' must be a whole number, at least 1, got '0'/],
    [{ NumResults: '2.5' }, /Property 'NumResults'/],
    [{ Mode: 'SEGMENTS' }, /Property 'Mode' must be one of BATCH_INFERENCE, THEME_GENERATION/],
    [{ JobConfig: '{' }, /Property 'JobConfig' must be JSON text/],
    [{ Wait: 'sometimes' }, /Property 'Wait' must be 'active' or 'started'/],
    [{ InputPath: undefined }, /Missing required property 'InputPath'/],
  ])('refuses %p', (change, message) => {
    expect(() => batchInferenceJobKind.parse({ ...PROPERTIES, ...change })).toThrow(message);
  });

  test('a job on a solution\'s latest version has no version in its request until it is created; exactly one of the two is given', () => {
    const { SolutionVersionArn: _version, ...properties } = PROPERTIES;
    const spec = batchInferenceJobKind.parse({ ...properties, SolutionArn: 'arn:aws:personalize:us-east-1:123456789012:solution/shop' });
    expect(spec.latestOf).toBe('arn:aws:personalize:us-east-1:123456789012:solution/shop');
    expect(spec.request.solutionVersionArn).toBeUndefined();
    expect(() => batchInferenceJobKind.parse(properties)).toThrow(/Exactly one of the properties 'SolutionVersionArn' and 'SolutionArn'/);
    expect(() => batchInferenceJobKind.parse({ ...PROPERTIES, SolutionArn: 'arn:aws:personalize:us-east-1:123456789012:solution/shop' }))
      .toThrow(/Exactly one/);
  });

  test('a change of any member of the request is a replacement, named by the member; tags are not', () => {
    const before = batchInferenceJobKind.parse({ ...PROPERTIES, Tags: [{ Key: 'team', Value: 'a' }] });
    const after = batchInferenceJobKind.parse({ ...PROPERTIES, OutputPath: 's3://data/elsewhere/', NumResults: '10', Tags: [{ Key: 'team', Value: 'b' }] });
    expect(batchInferenceJobKind.replacementCauses(before, after).sort()).toEqual(['jobOutput', 'numResults']);
    expect(batchInferenceJobKind.replacementCauses(before, batchInferenceJobKind.parse({ ...PROPERTIES, Tags: [{ Key: 'team', Value: 'b' }] }))).toEqual([]);
  });

  test('its ARN follows from its name, and only its own kind\'s ARNs are its physical IDs', () => {
    const context = { partition: 'aws', region: 'us-east-1', account: '123456789012' } as any;
    const spec = batchInferenceJobKind.parse(PROPERTIES);
    expect(batchInferenceJobKind.arnOf(context, spec)).toBe('arn:aws:personalize:us-east-1:123456789012:batch-inference-job/Shop_Nightly-0123abcd');
    expect(batchInferenceJobKind.isOwnPhysicalId('arn:aws:personalize:us-east-1:123456789012:batch-inference-job/Shop_Nightly-0123abcd')).toBe(true);
    expect(batchInferenceJobKind.isOwnPhysicalId('arn:aws:personalize:us-east-1:123456789012:batch-segment-job/Shop_Nightly-0123abcd')).toBe(false);
    expect(batchSegmentJobKind.isOwnPhysicalId('arn:aws:personalize:us-east-1:123456789012:batch-segment-job/Shop_Nightly-0123abcd')).toBe(true);
  });
});
