/**
 * The request shapes of the Amazon Personalize operations the local service
 * implements, transcribed from the botocore model
 * (`botocore/data/personalize/2018-05-22/service-2.json`), and a validator that
 * checks a request against them the way the service front end does.
 *
 * Constraint violations (required, length, pattern, enum, range) are collected
 * and reported together as one InvalidInputException, in the
 * "N validation error(s) detected: ..." wording of AWS. A member of the wrong
 * JSON type is a SerializationException, as with the real JSON protocol.
 * Members the model does not know are ignored.
 */
import { InvalidInput } from './errors';
import {
  BooleanShape, DoubleShape, IntegerShape, ListShape, MapShape, Shape, StringShape, StructureShape, validateInput as validateAgainst,
} from '../local-service/shapes';

export type { Shape, StringShape, StructureShape } from '../local-service/shapes';

// ---- shapes of the model -------------------------------------------------

export const NAME_PATTERN = '^[a-zA-Z0-9][a-zA-Z0-9\\-_]*';
export const ARN_PATTERN = 'arn:([a-z\\d-]+):personalize:.*:.*:.+';

const Name: StringShape = { type: 'string', min: 1, max: 63, pattern: NAME_PATTERN };
const Arn: StringShape = { type: 'string', max: 256, pattern: ARN_PATTERN };
const RoleArn: StringShape = { type: 'string', max: 256, pattern: 'arn:([a-z\\d-]+):iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+' };
const KmsKeyArn: StringShape = { type: 'string', max: 2048, pattern: 'arn:aws.*:kms:.*:[0-9]{12}:key/.*' };
const Domain: StringShape = { type: 'string', enum: ['ECOMMERCE', 'VIDEO_ON_DEMAND'] };
const AvroSchema: StringShape = { type: 'string', max: 20000 };
const DatasetType: StringShape = { type: 'string', max: 256, pattern: '^[A-Za-z_]+$' };
const TagKey: StringShape = { type: 'string', min: 1, max: 128, pattern: '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$', sensitive: true };
const TagValue: StringShape = { type: 'string', min: 0, max: 256, pattern: '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$', sensitive: true };
const Tag: StructureShape = { type: 'structure', required: ['tagKey', 'tagValue'], members: { tagKey: TagKey, tagValue: TagValue } };
const Tags: ListShape = { type: 'list', member: Tag, min: 0, max: 200 };
const TagKeys: ListShape = { type: 'list', member: TagKey, min: 0, max: 200 };
const NextToken: StringShape = { type: 'string', max: 1500, pattern: '\\p{ASCII}{0,1500}' };
const MaxResults: IntegerShape = { type: 'integer', min: 1, max: 100 };

const Bool: BooleanShape = { type: 'boolean' };
const EventTypeThresholdValue: DoubleShape = { type: 'double' };
const EventTypeWeight: DoubleShape = { type: 'double', min: 0, max: 1 };
const TransactionsPerSecond: IntegerShape = { type: 'integer', min: 1 };
const Max256: StringShape = { type: 'string', max: 256 };
const HyperParameters: MapShape = { type: 'map', key: Max256, value: { type: 'string', max: 1000 }, max: 100 };
const ColumnName: StringShape = { type: 'string', max: 150, pattern: '[A-Za-z_][A-Za-z\\d_]*' };
const ColumnNames: ListShape = { type: 'list', member: ColumnName, max: 50 };
const ColumnsByDatasetType: MapShape = { type: 'map', key: DatasetType, value: ColumnNames, max: 3 };
const TrainingDataConfig: StructureShape = {
  type: 'structure', members: { excludedDatasetColumns: ColumnsByDatasetType, includedDatasetColumns: ColumnsByDatasetType },
};
const EventsConfig: StructureShape = {
  type: 'structure',
  members: {
    eventParametersList: {
      type: 'list',
      max: 10,
      member: {
        type: 'structure',
        members: { eventType: Max256, eventValueThreshold: EventTypeThresholdValue, weight: EventTypeWeight },
      },
    },
  },
};
const AutoTrainingConfig: StructureShape = {
  type: 'structure', members: { schedulingExpression: { type: 'string', min: 1, max: 16, pattern: 'rate\\(\\d+ days?\\)' } },
};
const ParameterName: StringShape = { type: 'string', max: 256 };
const HPOConfig: StructureShape = {
  type: 'structure',
  members: {
    hpoObjective: { type: 'structure', members: { type: Max256, metricName: Max256, metricRegex: Max256 } },
    hpoResourceConfig: { type: 'structure', members: { maxNumberOfTrainingJobs: Max256, maxParallelTrainingJobs: Max256 } },
    algorithmHyperParameterRanges: {
      type: 'structure',
      members: {
        integerHyperParameterRanges: {
          type: 'list',
          max: 100,
          member: { type: 'structure', members: { name: ParameterName, minValue: { type: 'integer', min: -1000000 }, maxValue: { type: 'integer', max: 1000000 } } },
        },
        continuousHyperParameterRanges: {
          type: 'list',
          max: 100,
          member: { type: 'structure', members: { name: ParameterName, minValue: { type: 'double', min: -1000000 }, maxValue: { type: 'double', min: -1000000 } } },
        },
        categoricalHyperParameterRanges: {
          type: 'list',
          max: 100,
          member: { type: 'structure', members: { name: ParameterName, values: { type: 'list', max: 100, member: { type: 'string', max: 1000 } } } },
        },
      },
    },
  },
};
const SolutionConfig: StructureShape = {
  type: 'structure',
  members: {
    eventValueThreshold: Max256,
    hpoConfig: HPOConfig,
    eventsConfig: EventsConfig,
    algorithmHyperParameters: HyperParameters,
    featureTransformationParameters: HyperParameters,
    autoMLConfig: { type: 'structure', members: { metricName: Max256, recipeList: { type: 'list', member: Arn, max: 100 } } },
    optimizationObjective: {
      type: 'structure',
      members: { itemAttribute: { type: 'string', min: 1, max: 150 }, objectiveSensitivity: { type: 'string', enum: ['LOW', 'MEDIUM', 'HIGH', 'OFF'] } },
    },
    trainingDataConfig: TrainingDataConfig,
    autoTrainingConfig: AutoTrainingConfig,
  },
};
const RankingInfluenceWeight: DoubleShape = { type: 'double', min: 0, max: 1 };
const RankingInfluence: MapShape = { type: 'map', key: { type: 'string', enum: ['POPULARITY', 'FRESHNESS'] }, value: RankingInfluenceWeight };
const CampaignConfig: StructureShape = {
  type: 'structure',
  members: {
    itemExplorationConfig: HyperParameters,
    enableMetadataWithRecommendations: Bool,
    syncWithLatestSolutionVersion: Bool,
    rankingInfluence: RankingInfluence,
  },
};
const RecommenderConfig: StructureShape = {
  type: 'structure',
  members: {
    itemExplorationConfig: HyperParameters,
    minRecommendationRequestsPerSecond: TransactionsPerSecond,
    trainingDataConfig: TrainingDataConfig,
    enableMetadataWithRecommendations: Bool,
  },
};
const MetricAttribute: StructureShape = {
  type: 'structure', required: ['eventType', 'metricName', 'expression'], members: { eventType: Max256, metricName: Max256, expression: Max256 },
};
const S3Location: StringShape = { type: 'string', max: 256, pattern: '(s3|http|https)://.+' };
const S3DataConfig: StructureShape = { type: 'structure', required: ['path'], members: { path: S3Location, kmsKeyArn: KmsKeyArn } };
const MetricsOutputConfig: StructureShape = {
  type: 'structure',
  required: ['roleArn'],
  members: { s3DataDestination: S3DataConfig, roleArn: RoleArn },
};
const FilterExpression: StringShape = { type: 'string', min: 1, max: 2500, sensitive: true };
// Batch jobs: NumBatchResults has no range in the model.
const NumBatchResults: IntegerShape = { type: 'integer' };
const BatchJobInput: StructureShape = { type: 'structure', required: ['s3DataSource'], members: { s3DataSource: S3DataConfig } };
const BatchJobOutput: StructureShape = { type: 'structure', required: ['s3DataDestination'], members: { s3DataDestination: S3DataConfig } };
const BatchInferenceJobConfig: StructureShape = { type: 'structure', members: { itemExplorationConfig: HyperParameters, rankingInfluence: RankingInfluence } };
const ThemeGenerationConfig: StructureShape = {
  type: 'structure',
  required: ['fieldsForThemeGeneration'],
  members: { fieldsForThemeGeneration: { type: 'structure', required: ['itemName'], members: { itemName: ColumnName } } },
};
/** What CreateBatchInferenceJob and CreateBatchSegmentJob both take (BatchInferenceJobInput and BatchSegmentJobInput are alike, and so are the outputs). */
const BATCH_JOB_MEMBERS: Record<string, Shape> = {
  jobName: Name,
  solutionVersionArn: Arn,
  filterArn: Arn,
  numResults: NumBatchResults,
  jobInput: BatchJobInput,
  jobOutput: BatchJobOutput,
  roleArn: RoleArn,
  tags: Tags,
};
const BATCH_JOB_REQUIRED = ['jobName', 'solutionVersionArn', 'jobInput', 'jobOutput', 'roleArn'];

function struct(members: Record<string, Shape>, required: string[] = []): StructureShape {
  return { type: 'structure', members, required };
}

/** Input shapes, by operation name. */
export const INPUT_SHAPES = {
  CreateDatasetGroup: struct({ name: Name, roleArn: RoleArn, kmsKeyArn: KmsKeyArn, domain: Domain, tags: Tags }, ['name']),
  DescribeDatasetGroup: struct({ datasetGroupArn: Arn }, ['datasetGroupArn']),
  DeleteDatasetGroup: struct({ datasetGroupArn: Arn }, ['datasetGroupArn']),
  ListDatasetGroups: struct({ nextToken: NextToken, maxResults: MaxResults }),
  CreateSchema: struct({ name: Name, schema: AvroSchema, domain: Domain }, ['name', 'schema']),
  DescribeSchema: struct({ schemaArn: Arn }, ['schemaArn']),
  DeleteSchema: struct({ schemaArn: Arn }, ['schemaArn']),
  ListSchemas: struct({ nextToken: NextToken, maxResults: MaxResults }),
  CreateDataset: struct(
    { name: Name, schemaArn: Arn, datasetGroupArn: Arn, datasetType: DatasetType, tags: Tags },
    ['name', 'schemaArn', 'datasetGroupArn', 'datasetType'],
  ),
  DescribeDataset: struct({ datasetArn: Arn }, ['datasetArn']),
  DeleteDataset: struct({ datasetArn: Arn }, ['datasetArn']),
  UpdateDataset: struct({ datasetArn: Arn, schemaArn: Arn }, ['datasetArn', 'schemaArn']),
  ListDatasets: struct({ datasetGroupArn: Arn, nextToken: NextToken, maxResults: MaxResults }),
  TagResource: struct({ resourceArn: Arn, tags: Tags }, ['resourceArn', 'tags']),
  UntagResource: struct({ resourceArn: Arn, tagKeys: TagKeys }, ['resourceArn', 'tagKeys']),
  ListTagsForResource: struct({ resourceArn: Arn }, ['resourceArn']),
  CreateSolution: struct(
    {
      name: Name,
      performHPO: Bool,
      performAutoML: Bool,
      performAutoTraining: Bool,
      performIncrementalUpdate: Bool,
      recipeArn: Arn,
      datasetGroupArn: Arn,
      eventType: Max256,
      solutionConfig: SolutionConfig,
      tags: Tags,
    },
    ['name', 'datasetGroupArn'],
  ),
  DescribeSolution: struct({ solutionArn: Arn }, ['solutionArn']),
  UpdateSolution: struct({
    solutionArn: Arn,
    performAutoTraining: Bool,
    performIncrementalUpdate: Bool,
    solutionUpdateConfig: { type: 'structure', members: { autoTrainingConfig: AutoTrainingConfig, eventsConfig: EventsConfig } },
  }, ['solutionArn']),
  DeleteSolution: struct({ solutionArn: Arn }, ['solutionArn']),
  ListSolutions: struct({ datasetGroupArn: Arn, nextToken: NextToken, maxResults: MaxResults }),
  CreateSolutionVersion: struct(
    { name: Name, solutionArn: Arn, trainingMode: { type: 'string', enum: ['FULL', 'UPDATE', 'AUTOTRAIN'] }, tags: Tags },
    ['solutionArn'],
  ),
  DescribeSolutionVersion: struct({ solutionVersionArn: Arn }, ['solutionVersionArn']),
  ListSolutionVersions: struct({ solutionArn: Arn, nextToken: NextToken, maxResults: MaxResults }),
  StopSolutionVersionCreation: struct({ solutionVersionArn: Arn }, ['solutionVersionArn']),
  CreateCampaign: struct(
    { name: Name, solutionVersionArn: Arn, minProvisionedTPS: TransactionsPerSecond, campaignConfig: CampaignConfig, tags: Tags },
    ['name', 'solutionVersionArn'],
  ),
  DescribeCampaign: struct({ campaignArn: Arn }, ['campaignArn']),
  DeleteCampaign: struct({ campaignArn: Arn }, ['campaignArn']),
  ListCampaigns: struct({ solutionArn: Arn, nextToken: NextToken, maxResults: MaxResults }),
  CreateRecommender: struct(
    { name: Name, datasetGroupArn: Arn, recipeArn: Arn, recommenderConfig: RecommenderConfig, tags: Tags },
    ['name', 'datasetGroupArn', 'recipeArn'],
  ),
  DescribeRecommender: struct({ recommenderArn: Arn }, ['recommenderArn']),
  DeleteRecommender: struct({ recommenderArn: Arn }, ['recommenderArn']),
  ListRecommenders: struct({ datasetGroupArn: Arn, nextToken: NextToken, maxResults: MaxResults }),
  CreateEventTracker: struct({ name: Name, datasetGroupArn: Arn, tags: Tags }, ['name', 'datasetGroupArn']),
  DescribeEventTracker: struct({ eventTrackerArn: Arn }, ['eventTrackerArn']),
  DeleteEventTracker: struct({ eventTrackerArn: Arn }, ['eventTrackerArn']),
  ListEventTrackers: struct({ datasetGroupArn: Arn, nextToken: NextToken, maxResults: MaxResults }),
  CreateFilter: struct(
    { name: Name, datasetGroupArn: Arn, filterExpression: FilterExpression, tags: Tags },
    ['name', 'datasetGroupArn', 'filterExpression'],
  ),
  DescribeFilter: struct({ filterArn: Arn }, ['filterArn']),
  DeleteFilter: struct({ filterArn: Arn }, ['filterArn']),
  ListFilters: struct({ datasetGroupArn: Arn, nextToken: NextToken, maxResults: MaxResults }),
  CreateMetricAttribution: struct(
    { name: Name, datasetGroupArn: Arn, metrics: { type: 'list', member: MetricAttribute, max: 10 }, metricsOutputConfig: MetricsOutputConfig },
    ['name', 'datasetGroupArn', 'metrics', 'metricsOutputConfig'],
  ),
  DescribeMetricAttribution: struct({ metricAttributionArn: Arn }, ['metricAttributionArn']),
  DeleteMetricAttribution: struct({ metricAttributionArn: Arn }, ['metricAttributionArn']),
  ListMetricAttributions: struct({ datasetGroupArn: Arn, nextToken: NextToken, maxResults: MaxResults }),
  CreateDatasetImportJob: struct({
    jobName: Name,
    datasetArn: Arn,
    dataSource: { type: 'structure', members: { dataLocation: S3Location } },
    roleArn: RoleArn,
    tags: Tags,
    importMode: { type: 'string', enum: ['FULL', 'INCREMENTAL'] },
    publishAttributionMetricsToS3: Bool,
  }, ['jobName', 'datasetArn', 'dataSource']),
  DescribeDatasetImportJob: struct({ datasetImportJobArn: Arn }, ['datasetImportJobArn']),
  ListDatasetImportJobs: struct({ datasetArn: Arn, nextToken: NextToken, maxResults: MaxResults }),
  UpdateMetricAttribution: struct({
    addMetrics: { type: 'list', member: MetricAttribute, max: 10 },
    removeMetrics: { type: 'list', member: Max256, max: 10 },
    metricsOutputConfig: MetricsOutputConfig,
    metricAttributionArn: Arn,
  }),
  ListMetricAttributionMetrics: struct({ metricAttributionArn: Arn, nextToken: NextToken, maxResults: MaxResults }),
  // Campaigns and recommenders, in place.
  UpdateCampaign: struct(
    { campaignArn: Arn, solutionVersionArn: Arn, minProvisionedTPS: TransactionsPerSecond, campaignConfig: CampaignConfig },
    ['campaignArn'],
  ),
  UpdateRecommender: struct({ recommenderArn: Arn, recommenderConfig: RecommenderConfig }, ['recommenderArn', 'recommenderConfig']),
  StartRecommender: struct({ recommenderArn: Arn }, ['recommenderArn']),
  StopRecommender: struct({ recommenderArn: Arn }, ['recommenderArn']),
  // Batch jobs.
  CreateBatchInferenceJob: struct({
    ...BATCH_JOB_MEMBERS,
    batchInferenceJobConfig: BatchInferenceJobConfig,
    batchInferenceJobMode: { type: 'string', enum: ['BATCH_INFERENCE', 'THEME_GENERATION'] },
    themeGenerationConfig: ThemeGenerationConfig,
  }, BATCH_JOB_REQUIRED),
  DescribeBatchInferenceJob: struct({ batchInferenceJobArn: Arn }, ['batchInferenceJobArn']),
  ListBatchInferenceJobs: struct({ solutionVersionArn: Arn, nextToken: NextToken, maxResults: MaxResults }),
  CreateBatchSegmentJob: struct(BATCH_JOB_MEMBERS, BATCH_JOB_REQUIRED),
  DescribeBatchSegmentJob: struct({ batchSegmentJobArn: Arn }, ['batchSegmentJobArn']),
  ListBatchSegmentJobs: struct({ solutionVersionArn: Arn, nextToken: NextToken, maxResults: MaxResults }),
} as const;

export type OperationName = keyof typeof INPUT_SHAPES;

// Error lists that several operations of the model share (as sets; the order does not matter).
const DESCRIBE_ERRORS = ['InvalidInputException', 'ResourceNotFoundException'];
const DELETE_ERRORS = ['InvalidInputException', 'ResourceNotFoundException', 'ResourceInUseException'];
const LIST_ERRORS = ['InvalidInputException', 'InvalidNextTokenException'];
const CREATE_ERRORS = [
  'InvalidInputException', 'ResourceAlreadyExistsException', 'ResourceNotFoundException',
  'LimitExceededException', 'ResourceInUseException', 'TooManyTagsException',
];

/** The errors each operation declares in the model. */
export const MODELLED_ERRORS: Readonly<Record<OperationName, readonly string[]>> = {
  CreateDatasetGroup: ['InvalidInputException', 'ResourceAlreadyExistsException', 'LimitExceededException', 'TooManyTagsException'],
  DescribeDatasetGroup: ['InvalidInputException', 'ResourceNotFoundException'],
  DeleteDatasetGroup: ['InvalidInputException', 'ResourceNotFoundException', 'ResourceInUseException'],
  ListDatasetGroups: ['InvalidNextTokenException'],
  CreateSchema: ['InvalidInputException', 'ResourceAlreadyExistsException', 'LimitExceededException'],
  DescribeSchema: ['InvalidInputException', 'ResourceNotFoundException'],
  DeleteSchema: ['InvalidInputException', 'ResourceNotFoundException', 'ResourceInUseException'],
  ListSchemas: ['InvalidNextTokenException'],
  CreateDataset: [
    'InvalidInputException', 'ResourceNotFoundException', 'ResourceAlreadyExistsException',
    'LimitExceededException', 'ResourceInUseException', 'TooManyTagsException',
  ],
  DescribeDataset: ['InvalidInputException', 'ResourceNotFoundException'],
  DeleteDataset: ['InvalidInputException', 'ResourceNotFoundException', 'ResourceInUseException'],
  UpdateDataset: ['InvalidInputException', 'ResourceNotFoundException', 'ResourceInUseException'],
  ListDatasets: ['InvalidInputException', 'InvalidNextTokenException'],
  TagResource: ['InvalidInputException', 'ResourceNotFoundException', 'TooManyTagsException', 'ResourceInUseException', 'LimitExceededException'],
  UntagResource: ['InvalidInputException', 'ResourceNotFoundException', 'TooManyTagKeysException', 'ResourceInUseException'],
  ListTagsForResource: ['InvalidInputException', 'ResourceNotFoundException', 'ResourceInUseException'],
  CreateSolution: CREATE_ERRORS,
  DescribeSolution: DESCRIBE_ERRORS,
  UpdateSolution: ['InvalidInputException', 'ResourceNotFoundException', 'ResourceInUseException', 'LimitExceededException'],
  DeleteSolution: DELETE_ERRORS,
  ListSolutions: LIST_ERRORS,
  CreateSolutionVersion: CREATE_ERRORS,
  DescribeSolutionVersion: DESCRIBE_ERRORS,
  ListSolutionVersions: ['InvalidInputException', 'ResourceNotFoundException', 'InvalidNextTokenException'],
  StopSolutionVersionCreation: DELETE_ERRORS,
  CreateCampaign: CREATE_ERRORS,
  DescribeCampaign: DESCRIBE_ERRORS,
  DeleteCampaign: DELETE_ERRORS,
  ListCampaigns: LIST_ERRORS,
  CreateRecommender: CREATE_ERRORS,
  DescribeRecommender: DESCRIBE_ERRORS,
  DeleteRecommender: DELETE_ERRORS,
  ListRecommenders: LIST_ERRORS,
  CreateEventTracker: CREATE_ERRORS,
  DescribeEventTracker: DESCRIBE_ERRORS,
  DeleteEventTracker: DELETE_ERRORS,
  ListEventTrackers: LIST_ERRORS,
  CreateFilter: ['InvalidInputException', 'ResourceAlreadyExistsException', 'ResourceNotFoundException', 'LimitExceededException', 'TooManyTagsException'],
  DescribeFilter: DESCRIBE_ERRORS,
  DeleteFilter: DELETE_ERRORS,
  ListFilters: LIST_ERRORS,
  CreateMetricAttribution: ['InvalidInputException', 'ResourceNotFoundException', 'ResourceAlreadyExistsException', 'ResourceInUseException', 'LimitExceededException'],
  DescribeMetricAttribution: DESCRIBE_ERRORS,
  DeleteMetricAttribution: DELETE_ERRORS,
  ListMetricAttributions: LIST_ERRORS,
  CreateDatasetImportJob: [
    'InvalidInputException', 'ResourceNotFoundException', 'ResourceAlreadyExistsException', 'LimitExceededException', 'ResourceInUseException',
    'TooManyTagsException',
  ],
  DescribeDatasetImportJob: DESCRIBE_ERRORS,
  ListDatasetImportJobs: LIST_ERRORS,
  UpdateMetricAttribution: ['InvalidInputException', 'ResourceNotFoundException', 'ResourceInUseException', 'ResourceAlreadyExistsException'],
  ListMetricAttributionMetrics: LIST_ERRORS,
  UpdateCampaign: DELETE_ERRORS,
  UpdateRecommender: DELETE_ERRORS,
  StartRecommender: DELETE_ERRORS,
  StopRecommender: DELETE_ERRORS,
  CreateBatchInferenceJob: CREATE_ERRORS,
  DescribeBatchInferenceJob: DESCRIBE_ERRORS,
  ListBatchInferenceJobs: LIST_ERRORS,
  CreateBatchSegmentJob: CREATE_ERRORS,
  DescribeBatchSegmentJob: DESCRIBE_ERRORS,
  ListBatchSegmentJobs: LIST_ERRORS,
};

export const OPERATION_NAMES = Object.keys(INPUT_SHAPES) as OperationName[];

export function isOperationName(name: string): name is OperationName {
  return Object.prototype.hasOwnProperty.call(INPUT_SHAPES, name);
}

/** Checks a request against its operation's shape; violations are InvalidInputException, as Personalize answers. */
export function validateInput(shape: StructureShape, input: unknown): void {
  validateAgainst(shape, input, InvalidInput);
}
