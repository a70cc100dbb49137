/**
 * The request shapes and errors of the Amazon Rekognition operations the local
 * service implements, transcribed from the botocore model
 * (`botocore/data/rekognition/2016-06-27/service-2.json`, botocore 1.44). A
 * request that violates them is refused as the front end does, with a
 * ValidationException (the model's InvalidParameterException is for rules the
 * service checks itself).
 */
import { IntegerShape, ListShape, MapShape, StringShape, StructureShape } from '../local-service/shapes';

const ProjectName: StringShape = { type: 'string', min: 1, max: 255, pattern: '[a-zA-Z0-9_.\\-]+' };
export const PROJECT_ARN_PATTERN = '(^arn:[a-z\\d-]+:rekognition:[a-z\\d-]+:\\d{12}:project\\/[a-zA-Z0-9_.\\-]{1,255}\\/[0-9]+$)';
export const DATASET_ARN_PATTERN = '(^arn:[a-z\\d-]+:rekognition:[a-z\\d-]+:\\d{12}:project\\/[a-zA-Z0-9_.\\-]{1,255}\\/dataset\\/(train|test)\\/[0-9]+$)';
const ProjectArn: StringShape = { type: 'string', min: 20, max: 2048, pattern: PROJECT_ARN_PATTERN };
const DatasetArn: StringShape = { type: 'string', min: 20, max: 2048, pattern: DATASET_ARN_PATTERN };
const ResourceArn: StringShape = { type: 'string', min: 20, max: 2048 };
const DatasetType: StringShape = { type: 'string', enum: ['TRAIN', 'TEST'] };
const TagKey: StringShape = { type: 'string', min: 1, max: 128, pattern: '^(?!aws:)[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$' };
const TagValue: StringShape = { type: 'string', min: 0, max: 256, pattern: '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$' };
const TagMap: MapShape = { type: 'map', key: TagKey, value: TagValue, max: 200 };
const TagKeyList: ListShape = { type: 'list', member: TagKey, min: 0, max: 200 };
const S3Object: StructureShape = {
  type: 'structure',
  members: {
    Bucket: { type: 'string', min: 3, max: 255, pattern: '[0-9A-Za-z\\.\\-_]*' },
    Name: { type: 'string', min: 1, max: 1024 },
    Version: { type: 'string', min: 1, max: 1024 },
  },
};
const DatasetSource: StructureShape = {
  type: 'structure',
  members: { GroundTruthManifest: { type: 'structure', members: { S3Object } }, DatasetArn },
};
const NextToken: StringShape = { type: 'string', max: 1024 };
const ProjectsPageSize: IntegerShape = { type: 'integer', min: 1, max: 100 };
const Feature: StringShape = { type: 'string', enum: ['CONTENT_MODERATION', 'CUSTOM_LABELS'] };

function struct(members: Record<string, StructureShape['members'][string]>, required: string[] = []): StructureShape {
  return { type: 'structure', members, required };
}

/** Input shapes, by operation name. */
export const INPUT_SHAPES = {
  CreateProject: struct({ ProjectName, Feature, AutoUpdate: { type: 'string', enum: ['ENABLED', 'DISABLED'] }, Tags: TagMap }, ['ProjectName']),
  DescribeProjects: struct({
    NextToken,
    MaxResults: ProjectsPageSize,
    ProjectNames: { type: 'list', member: ProjectName, min: 1, max: 10 },
    Features: { type: 'list', member: Feature, min: 1, max: 2 },
  }),
  DeleteProject: struct({ ProjectArn }, ['ProjectArn']),
  CreateDataset: struct({ DatasetSource, DatasetType, ProjectArn, Tags: TagMap }, ['DatasetType', 'ProjectArn']),
  DescribeDataset: struct({ DatasetArn }, ['DatasetArn']),
  DeleteDataset: struct({ DatasetArn }, ['DatasetArn']),
  TagResource: struct({ ResourceArn, Tags: TagMap }, ['ResourceArn', 'Tags']),
  UntagResource: struct({ ResourceArn, TagKeys: TagKeyList }, ['ResourceArn', 'TagKeys']),
  ListTagsForResource: struct({ ResourceArn }, ['ResourceArn']),
} as const;

export type OperationName = keyof typeof INPUT_SHAPES;
export const OPERATION_NAMES = Object.keys(INPUT_SHAPES) as OperationName[];

const COMMON = ['InvalidParameterException', 'AccessDeniedException', 'InternalServerError', 'ThrottlingException', 'ProvisionedThroughputExceededException'];

/** The errors each operation declares in the model. */
export const MODELLED_ERRORS: Readonly<Record<OperationName, readonly string[]>> = {
  CreateProject: [...COMMON, 'ResourceInUseException', 'LimitExceededException'],
  DescribeProjects: [...COMMON, 'InvalidPaginationTokenException'],
  DeleteProject: [...COMMON, 'ResourceInUseException', 'ResourceNotFoundException'],
  CreateDataset: [...COMMON, 'LimitExceededException', 'InvalidS3ObjectException', 'ResourceAlreadyExistsException', 'ResourceNotFoundException'],
  DescribeDataset: [...COMMON, 'ResourceNotFoundException'],
  DeleteDataset: [...COMMON, 'LimitExceededException', 'ResourceInUseException', 'ResourceNotFoundException'],
  TagResource: [...COMMON, 'ResourceNotFoundException', 'ServiceQuotaExceededException'],
  UntagResource: [...COMMON, 'ResourceNotFoundException'],
  ListTagsForResource: [...COMMON, 'ResourceNotFoundException'],
};

/** What the front end answers for a request that breaks the model's constraints. */
export const VALIDATION_ERROR = 'ValidationException';
