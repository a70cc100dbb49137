/**
 * Every call the handler (lambda/kinds) and the long wait make in each kind's
 * lifecycle, with the inputs they send, authorized against the policies a stack with
 * every construct synthesizes, as AWS would authorize them (test/local-iam, ADR 0013).
 */
import { datasetArnOf } from './local-iam';
import { EVERY_CONSTRUCT_STACK, everyConstructStack, rekognitionStack } from './support/every-construct';
import { Call, IamFixture } from './support/iam-fixture';
import { OWNER_TAG_KEY } from '../src/private/contract';

// Loading AWS's authorization reference and synthesizing stacks take real time, more on a busy machine: a bound
// on it would test the machine's speed, not the code.
jest.setTimeout(120_000);

const P = 'personalize';
const apiTags = (owner: string) => [{ tagKey: 'cost-center', tagValue: 'recommendations' }, { tagKey: OWNER_TAG_KEY, tagValue: owner }];
/** What syncTags sends for a resource: its tags read, a tag removed, a tag changed. */
const tagCalls = (service: string, arn: string): Call[] => (service === P
  ? [[P, 'ListTagsForResource', { resourceArn: arn }], [P, 'UntagResource', { resourceArn: arn, tagKeys: ['team'] }],
    [P, 'TagResource', { resourceArn: arn, tags: [{ tagKey: 'cost-center', tagValue: 'search' }] }]]
  : [['rekognition', 'ListTagsForResource', { ResourceArn: arn }], ['rekognition', 'UntagResource', { ResourceArn: arn, TagKeys: ['team'] }],
    ['rekognition', 'TagResource', { ResourceArn: arn, Tags: { 'cost-center': 'search' } }]]);

let f: IamFixture;

beforeAll(async () => {
  f = await IamFixture.of(everyConstructStack(), EVERY_CONSTRUCT_STACK);
  f.created(...Object.keys(f.stack.logicalIds));
});

describe.each(['Custom', 'Video', 'EncryptedCreatedRole'])('dataset group %s', (path) => {
  test('create, describe, tag, untag and delete are allowed', () => {
    const props = f.props(path);
    const arn = f.arn(path);
    expect(f.denials(f.handler,
      [P, 'CreateDatasetGroup', { name: props.Name, domain: props.Domain, kmsKeyArn: props.KmsKeyArn, roleArn: props.RoleArn, tags: apiTags(f.owner(path)) }],
      [P, 'DescribeDatasetGroup', { datasetGroupArn: arn }],
      ...tagCalls(P, arn),
      [P, 'DeleteDatasetGroup', { datasetGroupArn: arn }],
    )).toEqual([]);
  });

  test('the List calls that name what blocks its delete are allowed', () => {
    const group = f.arn(path);
    expect(f.denials(f.handler, ...['ListDatasets', 'ListSolutions', 'ListRecommenders', 'ListEventTrackers', 'ListFilters', 'ListMetricAttributions']
      .map((operation): Call => [P, operation, { datasetGroupArn: group, maxResults: 100 }]),
    [P, 'ListCampaigns', { solutionArn: f.arn('Recs'), maxResults: 100 }],
    [P, 'ListSolutionVersions', { solutionArn: f.arn('Recs'), maxResults: 100 }],
    )).toEqual([]);
  });
});

test('schemas: create, describe and delete are allowed, generated and explicit names alike', () => {
  expect(f.denials(f.handler, ...['InteractionsSchema', 'ActionsSchema'].flatMap((path): Call[] => [
    [P, 'CreateSchema', { name: f.props(path).Name, schema: f.props(path).Definition, domain: f.props(path).Domain }],
    [P, 'DescribeSchema', { schemaArn: f.arn(path) }],
    [P, 'DeleteSchema', { schemaArn: f.arn(path) }],
  ]))).toEqual([]);
});

describe.each(['Custom/Interactions', 'Custom/Actions', 'Video/Interactions', 'ImportedGroupUsers'])('dataset %s', (path) => {
  test('create (on the dataset and its group), describe, schema update, tag, untag and delete are allowed', () => {
    const props = f.props(path);
    const arn = f.arn(path);
    expect(arn).toBe(datasetArnOf(props.DatasetGroupArn, props.DatasetType));
    expect(f.denials(f.handler,
      [P, 'CreateDataset', {
        name: props.Name,
        datasetGroupArn: props.DatasetGroupArn,
        datasetType: props.DatasetType,
        schemaArn: props.SchemaArn,
        tags: apiTags(f.owner(path)),
      }],
      [P, 'DescribeDataset', { datasetArn: arn }],
      [P, 'DescribeSchema', { schemaArn: props.SchemaArn }],
      [P, 'UpdateDataset', { datasetArn: arn, schemaArn: props.SchemaArn }],
      ...tagCalls(P, arn),
      [P, 'DeleteDataset', { datasetArn: arn }],
    )).toEqual([]);
  });
});

describe.each(['Tracker', 'VideoTracker'])('event tracker %s', (path) => {
  test('create (on the tracker and its group), find by name, describe, tag, untag and delete its own tracker are allowed', () => {
    const props = f.props(path);
    const arn = f.arn(path);
    expect(f.denials(f.handler,
      [P, 'CreateEventTracker', { name: props.Name, datasetGroupArn: props.DatasetGroupArn, tags: apiTags(f.owner(path)) }],
      [P, 'ListEventTrackers', { datasetGroupArn: props.DatasetGroupArn, maxResults: 100 }],
      [P, 'DescribeEventTracker', { eventTrackerArn: arn }],
      ...tagCalls(P, arn),
      [P, 'DeleteEventTracker', { eventTrackerArn: arn }],
    )).toEqual([]);
  });
});

describe.each(['Purchased', 'VideoPurchased'])('filter %s', (path) => {
  test('create (on the filter and its group), describe, tag, untag and delete are allowed', () => {
    const props = f.props(path);
    const arn = f.arn(path);
    expect(f.denials(f.handler,
      [P, 'CreateFilter', { name: props.Name, datasetGroupArn: props.DatasetGroupArn, filterExpression: props.FilterExpression, tags: apiTags(f.owner(path)) }],
      [P, 'DescribeFilter', { filterArn: arn }],
      ...tagCalls(P, arn),
      [P, 'DeleteFilter', { filterArn: arn }],
    )).toEqual([]);
  });
});

test('metric attribution: create and update (each passing its role to Personalize), describe, list its metrics and delete are allowed', () => {
  const props = f.props('Metrics');
  const arn = f.arn('Metrics');
  const output = { roleArn: props.RoleArn, s3DataDestination: { path: props.S3Path, kmsKeyArn: props.S3KmsKeyArn } };
  const metrics = [{ eventType: 'click', metricName: 'CLICKS', expression: 'SAMPLECOUNT()' }];
  expect(f.denials(f.handler,
    [P, 'CreateMetricAttribution', { name: props.Name, datasetGroupArn: props.DatasetGroupArn, metrics, metricsOutputConfig: output }],
    [P, 'DescribeMetricAttribution', { metricAttributionArn: arn }],
    [P, 'ListMetricAttributions', { datasetGroupArn: props.DatasetGroupArn, maxResults: 100 }],
    [P, 'ListMetricAttributionMetrics', { metricAttributionArn: arn, maxResults: 100 }],
    [P, 'UpdateMetricAttribution', { metricAttributionArn: arn, addMetrics: metrics, metricsOutputConfig: output }],
    [P, 'DeleteMetricAttribution', { metricAttributionArn: arn }],
  )).toEqual([]);
});

describe.each(['ImportEvents', 'ImportMoreEvents'])('dataset import job %s', (path) => {
  test('the source copy, create (on the job and its dataset, passing its role), describe, tag, untag and the copy\'s removal are allowed', () => {
    const props = f.props(path);
    const arn = f.arn(path);
    const target = /^s3:\/\/([^/]+)\/(.*)$/.exec(props.DataLocation)!;
    expect(f.denials(f.handler,
      ...(props.CopySourceBucket ? [
        ['s3', 'CopyObject', { Bucket: target[1], Key: target[2], CopySource: `${props.CopySourceBucket}/${props.CopySourceKey}` }] as Call,
      ] : []),
      [P, 'CreateDatasetImportJob', {
        jobName: props.Name,
        datasetArn: props.DatasetArn,
        dataSource: { dataLocation: props.DataLocation },
        roleArn: props.RoleArn,
        importMode: props.ImportMode,
        tags: apiTags(f.owner(path)),
      }],
      [P, 'DescribeDatasetImportJob', { datasetImportJobArn: arn }],
      [P, 'DescribeDataset', { datasetArn: props.DatasetArn }],
      ...tagCalls(P, arn),
      ...(props.CopySourceBucket ? [['s3', 'DeleteObject', { Bucket: target[1], Key: target[2] }] as Call] : []),
      ...(props.WaitStateMachineArn ? [['states', 'StartExecution', { stateMachineArn: props.WaitStateMachineArn, name: 'wait', input: '{}' }] as Call] : []),
    )).toEqual([]);
  });

  test('the long wait may describe it', () => {
    expect(f.denials(f.longWait, [P, 'DescribeDatasetImportJob', { datasetImportJobArn: f.arn(path) }])).toEqual([]);
  });
});

describe.each(['Recs', 'Ranking', 'Nba', 'VideoRecs'])('solution %s', (path) => {
  test('create (on the solution and its group), describe, update, tag, untag, stopping its training and delete are allowed', () => {
    const props = f.props(path);
    const arn = f.arn(path);
    expect(f.denials(f.handler,
      [P, 'CreateSolution', { name: props.Name, datasetGroupArn: props.DatasetGroupArn, recipeArn: props.RecipeArn, tags: apiTags(f.owner(path)) }],
      [P, 'DescribeSolution', { solutionArn: arn }],
      [P, 'UpdateSolution', { solutionArn: arn, performAutoTraining: false }],
      ...tagCalls(P, arn),
      [P, 'ListSolutionVersions', { solutionArn: arn, maxResults: 100 }],
      [P, 'StopSolutionVersionCreation', { solutionVersionArn: `${arn}/0123abcd` }],
      [P, 'DeleteSolution', { solutionArn: arn }],
    )).toEqual([]);
  });
});

describe.each(['RecsTraining', 'RankingTraining', 'NbaTraining', 'VideoRecsTraining'])('solution version %s', (path) => {
  test('the handler may find, train, describe, tag, untag and stop it, and start its long wait', () => {
    const props = f.props(path);
    const arn = f.arn(path);
    expect(f.denials(f.handler,
      [P, 'ListSolutionVersions', { solutionArn: props.SolutionArn, maxResults: 100 }],
      [P, 'CreateSolutionVersion', { name: props.Name, solutionArn: props.SolutionArn, trainingMode: props.TrainingMode, tags: apiTags(f.owner(path)) }],
      [P, 'DescribeSolutionVersion', { solutionVersionArn: arn }],
      ...tagCalls(P, arn),
      [P, 'StopSolutionVersionCreation', { solutionVersionArn: arn }],
      ['states', 'StartExecution', { stateMachineArn: props.WaitStateMachineArn, name: 'wait', input: '{}' }],
    )).toEqual([]);
  });

  test('the long wait may describe it, and its state machine may call the long wait\'s function', () => {
    expect(f.denials(f.longWait, [P, 'DescribeSolutionVersion', { solutionVersionArn: f.arn(path) }])).toEqual([]);
    expect(f.denials(f.longWaitStateMachine, ['lambda', 'Invoke', { FunctionName: f.longWaitFunctionArn }])).toEqual([]);
  });
});

describe.each(['Campaign', 'RankingCampaign', 'NbaCampaign'])('campaign %s', (path) => {
  test('create (on the campaign and the solution it deploys), describe, update, tag, untag and delete are allowed', () => {
    const props = f.props(path);
    const arn = f.arn(path);
    expect(f.denials(f.handler,
      [P, 'CreateCampaign', { name: props.Name, solutionVersionArn: props.SolutionVersionArn, minProvisionedTPS: 1, tags: apiTags(f.owner(path)) }],
      [P, 'DescribeCampaign', { campaignArn: arn }],
      [P, 'UpdateCampaign', { campaignArn: arn, solutionVersionArn: props.SolutionVersionArn, minProvisionedTPS: 2 }],
      ...tagCalls(P, arn),
      [P, 'DeleteCampaign', { campaignArn: arn }],
    )).toEqual([]);
  });
});

describe.each(['TopPicks', 'Trending'])('recommender %s', (path) => {
  test('create (on the recommender and its group), describe, update, start, stop, tag, untag and delete are allowed', () => {
    const props = f.props(path);
    const arn = f.arn(path);
    expect(f.denials(f.handler,
      [P, 'CreateRecommender', { name: props.Name, datasetGroupArn: props.DatasetGroupArn, recipeArn: props.RecipeArn, tags: apiTags(f.owner(path)) }],
      [P, 'DescribeRecommender', { recommenderArn: arn }],
      [P, 'UpdateRecommender', { recommenderArn: arn, recommenderConfig: { minRecommendationRequestsPerSecond: 2 } }],
      [P, 'StopRecommender', { recommenderArn: arn }],
      [P, 'StartRecommender', { recommenderArn: arn }],
      ...tagCalls(P, arn),
      [P, 'DeleteRecommender', { recommenderArn: arn }],
    )).toEqual([]);
  });
});

describe('a group with emptyOnDelete', () => {
  test('may stop and delete the children made outside the stack, which carry no owner tag', () => {
    const group = f.arn('Custom');
    const personalize = (resource: string) => `arn:aws:personalize:us-east-1:123456789012:${resource}`;
    expect(f.denials(f.handler,
      [P, 'DeleteRecommender', { recommenderArn: personalize('recommender/made-outside') }],
      [P, 'DeleteCampaign', { campaignArn: personalize('campaign/made-outside') }],
      [P, 'StopSolutionVersionCreation', { solutionVersionArn: personalize('solution/made-outside/0123abcd') }],
      [P, 'ListSolutionVersions', { solutionArn: personalize('solution/made-outside'), maxResults: 100 }],
      [P, 'DeleteSolution', { solutionArn: personalize('solution/made-outside') }],
      [P, 'DeleteEventTracker', { eventTrackerArn: personalize('event-tracker/0123456789abcdef0123456789abcdef') }],
      [P, 'DeleteFilter', { filterArn: personalize('filter/made-outside') }],
      [P, 'DeleteMetricAttribution', { metricAttributionArn: personalize('metric-attribution/made-outside') }],
      [P, 'DeleteDataset', { datasetArn: datasetArnOf(group, 'ITEMS') }],
    )).toEqual([]);
  });
});

describe('Rekognition Custom Labels datasets', () => {
  let r: IamFixture;
  beforeAll(async () => {
    r = await IamFixture.of(rekognitionStack(), EVERY_CONSTRUCT_STACK);
    r.created('Train', 'Test', 'Copy');
  });

  test.each(['Train', 'Test', 'Copy'])('%s: find the project, create from its source, describe, tag, untag and delete are allowed', (path) => {
    const props = r.props(path);
    const arn = r.arn(path);
    const projectArn = props.ProjectArn ?? `arn:aws:rekognition:us-east-1:123456789012:project/${props.ProjectName}/1700000000000`;
    const source = props.ManifestBucket
      ? { GroundTruthManifest: { S3Object: { Bucket: props.ManifestBucket, Name: props.ManifestKey, Version: props.ManifestVersion } } }
      : props.SourceDatasetArn ? { DatasetArn: props.SourceDatasetArn } : undefined;
    expect(r.denials(r.handler,
      ['rekognition', 'DescribeProjects', { ProjectNames: [props.ProjectName] }],
      ['rekognition', 'CreateDataset', {
        ProjectArn: projectArn,
        DatasetType: props.DatasetType,
        DatasetSource: source,
        Tags: { [OWNER_TAG_KEY]: r.owner(path), 'cdk-personalize:source': 'sha256:0' },
      }],
      ['rekognition', 'DescribeDataset', { DatasetArn: arn }],
      ...tagCalls('rekognition', arn),
      ['rekognition', 'DeleteDataset', { DatasetArn: arn }],
    )).toEqual([]);
  });
});
