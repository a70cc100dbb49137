/**
 * The authorization model itself: every operation the local services answer is mapped,
 * each mapped resource is of a type the reference lists for the action and together
 * they cover every type it requires, and a denial reads as AWS words it.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DEFAULT_IDENTITY, LocalIam, loadReference, matchingResourceTypes, OPERATIONS, referenceAction, requestsFor, supplementedTypes } from '.';
import { OPERATION_NAMES as PERSONALIZE_OPERATIONS } from '../local-personalize/model';
import { OPERATION_NAMES as REKOGNITION_OPERATIONS } from '../local-rekognition/model';

// Loading AWS's authorization reference and synthesizing stacks take real time, more on a busy machine: a bound
// on it would test the machine's speed, not the code.
jest.setTimeout(120_000);

const ARN = (resource: string) => `arn:aws:personalize:us-east-1:123456789012:${resource}`;
/** One body that names every resource any Personalize operation takes. */
const BODY = {
  name: 'n',
  jobName: 'j',
  datasetType: 'Items',
  datasetGroupArn: ARN('dataset-group/g'),
  datasetArn: ARN('dataset/g/ITEMS'),
  schemaArn: ARN('schema/s'),
  solutionArn: ARN('solution/s'),
  solutionVersionArn: ARN('solution/s/0123abcd'),
  campaignArn: ARN('campaign/c'),
  recommenderArn: ARN('recommender/r'),
  eventTrackerArn: ARN('event-tracker/0123'),
  filterArn: ARN('filter/f'),
  metricAttributionArn: ARN('metric-attribution/m'),
  datasetImportJobArn: ARN('dataset-import-job/j'),
  batchInferenceJobArn: ARN('batch-inference-job/j'),
  batchSegmentJobArn: ARN('batch-segment-job/j'),
  resourceArn: ARN('dataset-group/g'),
  roleArn: 'arn:aws:iam::123456789012:role/r',
  metricsOutputConfig: { roleArn: 'arn:aws:iam::123456789012:role/r' },
  tags: [{ tagKey: 'k', tagValue: 'v' }],
  tagKeys: ['k'],
  ProjectArn: 'arn:aws:rekognition:us-east-1:123456789012:project/p/1',
  DatasetArn: 'arn:aws:rekognition:us-east-1:123456789012:project/p/dataset/train/1',
  ResourceArn: 'arn:aws:rekognition:us-east-1:123456789012:project/p/dataset/train/1',
  Bucket: 'b',
  Key: 'k',
  CopySource: 'a/b',
  FunctionName: 'f',
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:m',
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:m:e',
};
const CONTEXT = { partition: 'aws', region: 'us-east-1', account: '123456789012' };

beforeAll(() => loadReference(['personalize', 'rekognition', 's3', 'lambda', 'states', 'iam']));

test('every operation of the local Personalize, Rekognition and S3 services, Lambda Invoke and Step Functions StartExecution is mapped', () => {
  const missing = [
    ...PERSONALIZE_OPERATIONS.filter((operation) => !OPERATIONS.personalize[operation]),
    ...REKOGNITION_OPERATIONS.filter((operation) => !OPERATIONS.rekognition[operation]),
    ...['PutObject', 'CopyObject', 'HeadObject', 'GetObject', 'DeleteObject'].filter((operation) => !OPERATIONS.s3[operation]),
    ...(OPERATIONS.lambda.Invoke ? [] : ['Invoke']),
    ...(OPERATIONS.states.StartExecution ? [] : ['StartExecution']),
  ];
  expect(missing).toEqual([]);
});

test.each(Object.entries(OPERATIONS).flatMap(([service, operations]) => Object.keys(operations).map((operation) => [service, operation])))(
  '%s %s: each resource is of a type the reference lists, and every required type is authorized', (service, operation) => {
    const requests = requestsFor(service, operation, BODY, CONTEXT);
    expect(requests.length).toBeGreaterThan(0);
    for (const { action, resources } of requests) {
      const reference = referenceAction(action)!;
      expect(reference).toBeDefined();
      if (reference.wildcardOnly) {
        expect(resources).toEqual(['*']);
        continue;
      }
      for (const resource of resources) {
        expect([...matchingResourceTypes(action, resource), ...supplementedTypes(action, resource)].length).toBeGreaterThan(0);
      }
      // States' DescribeExecution lists a standard and an express execution: one execution is one of them.
      if (action === 'states:DescribeExecution') continue;
      const covered = new Set(requests.filter((request) => request.action === action).flatMap((request) => request.resources)
        .flatMap((resource) => matchingResourceTypes(action, resource).map((type) => type.name)));
      expect(reference.resourceTypes.filter((type) => type.required && !covered.has(type.name)).map((type) => type.name)).toEqual([]);
    }
  });

describe('the hook a local service calls', () => {
  let local: LocalIam;
  beforeAll(async () => {
    const stack = new Stack(new App(), 'LifecycleStack');
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['personalize:CreateDataset'], resources: [ARN('dataset-group/g'), ARN('dataset/g/*')] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['personalize:ListDatasets'], resources: [ARN('dataset-group/g')] }));
    local = await LocalIam.forTemplate(Template.fromStack(stack).toJSON() as any);
  });

  test('answers nothing for a call every authorization of which is allowed', () => {
    const role = local.policies.roles().find((candidate) => candidate.logicalId.startsWith('Caller'))!;
    expect(local.check(role.arn, 'personalize', 'CreateDataset', { datasetGroupArn: ARN('dataset-group/g'), datasetType: 'ITEMS', name: 'n' }))
      .toBeUndefined();
  });

  test('answers AccessDeniedException in AWS\'s words, naming the session, the action and the resource denied', () => {
    const role = local.policies.roles().find((candidate) => candidate.logicalId.startsWith('Caller'))!;
    const denied = local.check(role.logicalId, 'personalize', 'CreateDataset', { datasetGroupArn: ARN('dataset-group/h'), datasetType: 'ITEMS', name: 'n' });
    expect(denied?.code).toBe('AccessDeniedException');
    expect(denied?.message).toBe(`User: arn:aws:sts::${DEFAULT_IDENTITY.account}:assumed-role/${role.roleName}/${role.logicalId} is not authorized `
      + `to perform: personalize:CreateDataset on resource: ${ARN('dataset/h/ITEMS')} because no identity-based policy allows the `
      + 'personalize:CreateDataset action');
  });

  test('denies an action without resource-level permissions that is granted on an ARN, as AWS does', () => {
    const role = local.policies.roles().find((candidate) => candidate.logicalId.startsWith('Caller'))!;
    expect(local.check(role.logicalId, 'personalize', 'ListDatasets', { datasetGroupArn: ARN('dataset-group/g') })?.message)
      .toMatch(/is not authorized to perform: personalize:ListDatasets because no identity-based policy allows/);
  });

  test('records every decision for the closing note', () => {
    expect(local.decisions.filter((decision) => decision.allowed).length).toBeGreaterThanOrEqual(2);
    expect(local.decisions.filter((decision) => !decision.allowed).length).toBeGreaterThanOrEqual(2);
  });
});
