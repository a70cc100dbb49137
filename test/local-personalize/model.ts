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
import { SerializationError, ServiceError, ValidationError } from './errors';

export interface StringShape {
  readonly type: 'string';
  readonly min?: number;
  readonly max?: number;
  /** A model pattern. Like the service, the whole value must match it. */
  readonly pattern?: string;
  readonly enum?: readonly string[];
  /** Values are not echoed in error messages. */
  readonly sensitive?: boolean;
}

export interface IntegerShape {
  readonly type: 'integer';
  readonly min?: number;
  readonly max?: number;
}

export interface ListShape {
  readonly type: 'list';
  readonly member: Shape;
  readonly min?: number;
  readonly max?: number;
}

export interface StructureShape {
  readonly type: 'structure';
  readonly members: Readonly<Record<string, Shape>>;
  readonly required?: readonly string[];
}

export type Shape = StringShape | IntegerShape | ListShape | StructureShape;

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
} as const;

export type OperationName = keyof typeof INPUT_SHAPES;

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
};

export const OPERATION_NAMES = Object.keys(INPUT_SHAPES) as OperationName[];

export function isOperationName(name: string): name is OperationName {
  return Object.prototype.hasOwnProperty.call(INPUT_SHAPES, name);
}

// ---- validation -----------------------------------------------------------

const compiled = new Map<string, RegExp>();

/** Model patterns are matched against the whole value (as the service's Java front end does). */
export function fullMatch(pattern: string, value: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`, 'u');
    compiled.set(pattern, re);
  }
  return re.test(value);
}

function describe(value: unknown, shape: Shape): string {
  if (value === undefined || value === null) return 'null';
  if (shape.type === 'string' && shape.sensitive) return '\'***\'';
  if (typeof value === 'string') return `'${value}'`;
  return `'${JSON.stringify(value)}'`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Checks `input` against `shape`. Throws a SerializationException for a member
 * of the wrong JSON type, and an InvalidInputException listing every
 * constraint violation.
 */
export function validateInput(shape: StructureShape, input: unknown): void {
  const problems: string[] = [];
  check(shape, input, '', problems);
  if (problems.length > 0) {
    const count = problems.length === 1 ? '1 validation error' : `${problems.length} validation errors`;
    throw new ValidationError(`${count} detected: ${problems.join('; ')}`);
  }
}

function check(shape: Shape, value: unknown, path: string, problems: string[]): void {
  const at = path === '' ? 'input' : path;
  const fail = (constraint: string) =>
    problems.push(`Value ${describe(value, shape)} at '${at}' failed to satisfy constraint: Member must ${constraint}`);

  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new ServiceError(SerializationError, `Expected an object at '${at}' but found ${typeName(value)}`);
      }
      const record = value as Record<string, unknown>;
      for (const name of shape.required ?? []) {
        if (record[name] === undefined || record[name] === null) {
          problems.push(`Value null at '${join(path, name)}' failed to satisfy constraint: Member must not be null`);
        }
      }
      for (const [name, member] of Object.entries(shape.members)) {
        const memberValue = record[name];
        if (memberValue !== undefined && memberValue !== null) check(member, memberValue, join(path, name), problems);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) {
        throw new ServiceError(SerializationError, `Expected a list at '${at}' but found ${typeName(value)}`);
      }
      if (shape.min !== undefined && value.length < shape.min) fail(`have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max) fail(`have length less than or equal to ${shape.max}`);
      value.forEach((item, i) => {
        if (item === null || item === undefined) {
          problems.push(`Value null at '${at}.${i + 1}.member' failed to satisfy constraint: Member must not be null`);
        } else {
          check(shape.member, item, `${at}.${i + 1}.member`, problems);
        }
      });
      return;
    }
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        throw new ServiceError(SerializationError, `Expected an integer at '${at}' but found ${typeName(value)}`);
      }
      if (shape.min !== undefined && value < shape.min) fail(`have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value > shape.max) fail(`have value less than or equal to ${shape.max}`);
      return;
    }
    case 'string': {
      if (typeof value !== 'string') {
        throw new ServiceError(SerializationError, `Expected a string at '${at}' but found ${typeName(value)}`);
      }
      // Lengths count Unicode code points, as the service does.
      const length = [...value].length;
      if (shape.min !== undefined && length < shape.min) fail(`have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && length > shape.max) fail(`have length less than or equal to ${shape.max}`);
      if (shape.pattern !== undefined && !fullMatch(shape.pattern, value)) fail(`satisfy regular expression pattern: ${shape.pattern}`);
      if (shape.enum !== undefined && !shape.enum.includes(value)) fail(`satisfy enum value set: [${shape.enum.join(', ')}]`);
      return;
    }
  }
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}
