/**
 * What IAM authorizes for each API call the handler, the watcher or a granted client
 * makes: the action, every resource the call involves (one per resource type the
 * service authorization reference lists for the action, e.g. CreateDataset on the new
 * dataset and on its dataset group), and the request context (`aws:ResourceTag/*` of
 * existing resources, `aws:RequestTag/*` and `aws:TagKeys` of tags sent,
 * `iam:PassedToService` of a role passed).
 *
 * Resource types and ARN formats come from the reference (reference.ts); a test checks
 * every operation here against it (test/iam-reference.test.ts). Where AWS authorizes
 * more than the reference lists, the entry says so and why.
 */
import { createHash } from 'crypto';

/** One authorization: an action on resources that share a request context. */
export interface AuthorizationRequest {
  /** Service-qualified, as in a policy: `personalize:CreateDataset`. */
  readonly action: string;
  /** ARNs; `*` for an action that takes no resource-level permission. */
  readonly resources: string[];
  readonly context?: Record<string, string | string[]>;
}

/** Where a call is made, and what the service knows that IAM reads. */
export interface CallContext {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** The tags an existing resource holds now; undefined when it does not exist or the service has no tags for it. */
  readonly resourceTags?: (arn: string) => Record<string, string> | undefined;
  /** The ARN a new event tracker gets (the service picks its ID). @default an ID derived from the group and the name */
  readonly newEventTrackerArn?: (datasetGroupArn: string, name: string) => string;
}

type Body = Record<string, any>;
type Mapper = (body: Body, context: CallContext) => AuthorizationRequest[];

/** The services a call can be addressed to, by the name its SDK client uses. */
export type ServiceName = 'personalize' | 'personalize-runtime' | 'personalize-events' | 'rekognition' | 's3' | 'lambda' | 'states';

const PERSONALIZE_PRINCIPAL = 'personalize.amazonaws.com';

// ---- context --------------------------------------------------------------------

function existingTags(context: CallContext, arn: string): Record<string, string> {
  const tags = context.resourceTags?.(arn) ?? {};
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]));
}

/** `aws:RequestTag/KEY` and `aws:TagKeys` of the tags a request sends. */
function requestTags(tags: Record<string, string>): Record<string, string | string[]> {
  const keys = Object.keys(tags);
  if (keys.length === 0) return {};
  return { ...Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:RequestTag/${key}`, value])), 'aws:TagKeys': keys };
}

/** Personalize's `[{tagKey, tagValue}]` as a map. */
function personalizeTags(tags: unknown): Record<string, string> {
  return Object.fromEntries(((tags as Array<{ tagKey: string; tagValue: string }> | undefined) ?? []).map((t) => [t.tagKey, t.tagValue]));
}

/** An action on a resource that exists: its tags are in the context. */
function onExisting(action: string, arn: string, context: CallContext, extra: Record<string, string | string[]> = {}): AuthorizationRequest {
  return { action, resources: [arn], context: { ...existingTags(context, arn), ...extra } };
}

/** An action on a resource the call creates: no tags yet, the request's tags in the context. */
function onNew(action: string, arn: string, extra: Record<string, string | string[]> = {}): AuthorizationRequest {
  return { action, resources: [arn], context: extra };
}

function onAny(action: string, extra: Record<string, string | string[]> = {}): AuthorizationRequest {
  return { action, resources: ['*'], context: extra };
}

/** iam:PassRole, which every call that hands Personalize a role needs besides its own action. */
function passRole(roleArn: string | undefined, service = PERSONALIZE_PRINCIPAL): AuthorizationRequest[] {
  return roleArn ? [{ action: 'iam:PassRole', resources: [roleArn], context: { 'iam:PassedToService': service } }] : [];
}

// ---- Personalize ---------------------------------------------------------------

function personalizeArn(context: CallContext, resource: string): string {
  return `arn:${context.partition}:personalize:${context.region}:${context.account}:${resource}`;
}

/** `…:dataset-group/GROUP` and type `Interactions` give `…:dataset/GROUP/INTERACTIONS`. */
export function datasetArnOf(datasetGroupArn: string, datasetType: string): string {
  return `${datasetGroupArn.replace(':dataset-group/', ':dataset/')}/${datasetType.toUpperCase()}`;
}

function defaultTrackerArn(context: CallContext, datasetGroupArn: string, name: string): string {
  return personalizeArn(context, `event-tracker/${createHash('sha256').update(`${datasetGroupArn}/${name}`).digest('hex').slice(0, 32)}`);
}

/** `…:solution/NAME/ID` belongs to `…:solution/NAME`. */
function solutionOfVersion(solutionVersionArn: string): string {
  return solutionVersionArn.replace(/(:solution\/[^/]+)\/.*$/, '$1');
}

const p = (action: string) => `personalize:${action}`;
const describeLike = (action: string, field: string): Mapper => (body, context) => [onExisting(p(action), body[field], context)];
const list = (action: string): Mapper => () => [onAny(p(action))];

/**
 * A creation that names its dataset group: authorized on the new resource and on the
 * group, as the reference lists both (CreateSolution, CreateFilter, CreateRecommender, ...).
 */
const createInGroup = (action: string, resourceOf: (body: Body, context: CallContext) => string): Mapper => (body, context) => {
  const tags = requestTags(personalizeTags(body.tags));
  return [onNew(p(action), resourceOf(body, context), tags), onExisting(p(action), body.datasetGroupArn, context, tags)];
};

const PERSONALIZE: Record<string, Mapper> = {
  CreateDatasetGroup: (body, context) => [
    onNew(p('CreateDatasetGroup'), personalizeArn(context, `dataset-group/${body.name}`), requestTags(personalizeTags(body.tags))),
    ...passRole(body.roleArn),
  ],
  DescribeDatasetGroup: describeLike('DescribeDatasetGroup', 'datasetGroupArn'),
  DeleteDatasetGroup: describeLike('DeleteDatasetGroup', 'datasetGroupArn'),
  ListDatasetGroups: list('ListDatasetGroups'),

  CreateSchema: (body, context) => [onNew(p('CreateSchema'), personalizeArn(context, `schema/${body.name}`))],
  DescribeSchema: describeLike('DescribeSchema', 'schemaArn'),
  DeleteSchema: describeLike('DeleteSchema', 'schemaArn'),
  ListSchemas: list('ListSchemas'),

  CreateDataset: createInGroup('CreateDataset', (body) => datasetArnOf(body.datasetGroupArn, body.datasetType)),
  DescribeDataset: describeLike('DescribeDataset', 'datasetArn'),
  DeleteDataset: describeLike('DeleteDataset', 'datasetArn'),
  UpdateDataset: describeLike('UpdateDataset', 'datasetArn'),
  ListDatasets: list('ListDatasets'),

  TagResource: (body, context) => [onExisting(p('TagResource'), body.resourceArn, context, requestTags(personalizeTags(body.tags)))],
  UntagResource: (body, context) => [onExisting(p('UntagResource'), body.resourceArn, context, { 'aws:TagKeys': body.tagKeys ?? [] })],
  ListTagsForResource: describeLike('ListTagsForResource', 'resourceArn'),

  CreateSolution: createInGroup('CreateSolution', (body, context) => personalizeArn(context, `solution/${body.name}`)),
  DescribeSolution: describeLike('DescribeSolution', 'solutionArn'),
  UpdateSolution: describeLike('UpdateSolution', 'solutionArn'),
  DeleteSolution: describeLike('DeleteSolution', 'solutionArn'),
  ListSolutions: list('ListSolutions'),

  // The new version's ARN (…:solution/NAME/ID) is the service's to pick: the solution is what is authorized.
  CreateSolutionVersion: (body, context) => [onExisting(p('CreateSolutionVersion'), body.solutionArn, context, requestTags(personalizeTags(body.tags)))],
  DescribeSolutionVersion: describeLike('DescribeSolutionVersion', 'solutionVersionArn'),
  StopSolutionVersionCreation: describeLike('StopSolutionVersionCreation', 'solutionVersionArn'),
  ListSolutionVersions: list('ListSolutionVersions'),

  /**
   * The reference lists the campaign and the `solution` resource type, whose ARN format
   * (`solution/${ResourceId}`) admits both the version the request names
   * (`solution/NAME/ID`) and its solution (`solution/NAME`). It does not say which one
   * Personalize checks, so both are authorized: a grant that passes here passes either way.
   */
  CreateCampaign: (body, context) => {
    const tags = requestTags(personalizeTags(body.tags));
    return [
      onNew(p('CreateCampaign'), personalizeArn(context, `campaign/${body.name}`), tags),
      onExisting(p('CreateCampaign'), body.solutionVersionArn, context, tags),
      onExisting(p('CreateCampaign'), solutionOfVersion(body.solutionVersionArn), context, tags),
    ];
  },
  DescribeCampaign: describeLike('DescribeCampaign', 'campaignArn'),
  UpdateCampaign: describeLike('UpdateCampaign', 'campaignArn'),
  DeleteCampaign: describeLike('DeleteCampaign', 'campaignArn'),
  ListCampaigns: list('ListCampaigns'),

  CreateRecommender: createInGroup('CreateRecommender', (body, context) => personalizeArn(context, `recommender/${body.name}`)),
  DescribeRecommender: describeLike('DescribeRecommender', 'recommenderArn'),
  UpdateRecommender: describeLike('UpdateRecommender', 'recommenderArn'),
  StartRecommender: describeLike('StartRecommender', 'recommenderArn'),
  StopRecommender: describeLike('StopRecommender', 'recommenderArn'),
  DeleteRecommender: describeLike('DeleteRecommender', 'recommenderArn'),
  ListRecommenders: list('ListRecommenders'),

  CreateEventTracker: createInGroup('CreateEventTracker',
    (body, context) => (context.newEventTrackerArn ?? ((group, name) => defaultTrackerArn(context, group, name)))(body.datasetGroupArn, body.name)),
  DescribeEventTracker: describeLike('DescribeEventTracker', 'eventTrackerArn'),
  DeleteEventTracker: describeLike('DeleteEventTracker', 'eventTrackerArn'),
  ListEventTrackers: list('ListEventTrackers'),

  CreateFilter: createInGroup('CreateFilter', (body, context) => personalizeArn(context, `filter/${body.name}`)),
  DescribeFilter: describeLike('DescribeFilter', 'filterArn'),
  DeleteFilter: describeLike('DeleteFilter', 'filterArn'),
  ListFilters: list('ListFilters'),

  // A metric attribution hands Personalize the role of its output config, on create and on update.
  CreateMetricAttribution: (body, context) => [
    ...createInGroup('CreateMetricAttribution', () => personalizeArn(context, `metric-attribution/${body.name}`))(body, context),
    ...passRole(body.metricsOutputConfig?.roleArn),
  ],
  DescribeMetricAttribution: describeLike('DescribeMetricAttribution', 'metricAttributionArn'),
  UpdateMetricAttribution: (body, context) => [
    onExisting(p('UpdateMetricAttribution'), body.metricAttributionArn, context),
    ...passRole(body.metricsOutputConfig?.roleArn),
  ],
  DeleteMetricAttribution: describeLike('DeleteMetricAttribution', 'metricAttributionArn'),
  ListMetricAttributions: list('ListMetricAttributions'),
  ListMetricAttributionMetrics: list('ListMetricAttributionMetrics'),

  CreateDatasetImportJob: (body, context) => {
    const tags = requestTags(personalizeTags(body.tags));
    return [
      onNew(p('CreateDatasetImportJob'), personalizeArn(context, `dataset-import-job/${body.jobName}`), tags),
      onExisting(p('CreateDatasetImportJob'), body.datasetArn, context, tags),
      ...passRole(body.roleArn),
    ];
  },
  DescribeDatasetImportJob: describeLike('DescribeDatasetImportJob', 'datasetImportJobArn'),
  ListDatasetImportJobs: list('ListDatasetImportJobs'),

  // Batch jobs read and write S3 through the role they pass.
  CreateBatchInferenceJob: (body, context) => {
    const tags = requestTags(personalizeTags(body.tags));
    return [
      onNew(p('CreateBatchInferenceJob'), personalizeArn(context, `batch-inference-job/${body.jobName}`), tags),
      onExisting(p('CreateBatchInferenceJob'), body.solutionVersionArn, context, tags),
      ...passRole(body.roleArn),
    ];
  },
  DescribeBatchInferenceJob: describeLike('DescribeBatchInferenceJob', 'batchInferenceJobArn'),
  ListBatchInferenceJobs: list('ListBatchInferenceJobs'),
  // The reference lists only the batchSegmentJob resource type for CreateBatchSegmentJob, not the solution.
  CreateBatchSegmentJob: (body, context) => [
    onNew(p('CreateBatchSegmentJob'), personalizeArn(context, `batch-segment-job/${body.jobName}`), requestTags(personalizeTags(body.tags))),
    ...passRole(body.roleArn),
  ],
  DescribeBatchSegmentJob: describeLike('DescribeBatchSegmentJob', 'batchSegmentJobArn'),
  ListBatchSegmentJobs: list('ListBatchSegmentJobs'),
};

/**
 * The runtime: the reference lists only `campaign` for these actions, but a request
 * names a recommender instead of a campaign, and a filter (and promotions' filters) to
 * apply. Each ARN the request names is authorized: a grant that covers them works
 * whether or not Personalize checks each one (see ADR 0013).
 */
const runtimeResources = (body: Body, servedBy: string[] = [body.campaignArn]): string[] => [
  ...servedBy, body.filterArn,
  ...((body.promotions as Array<{ filterArn?: string }> | undefined) ?? []).map((promotion) => promotion.filterArn),
].filter((arn): arn is string => typeof arn === 'string');

const PERSONALIZE_RUNTIME: Record<string, Mapper> = {
  GetRecommendations: (body, context) => runtimeResources(body, [body.campaignArn, body.recommenderArn]).map((arn) => onExisting(p('GetRecommendations'), arn, context)),
  GetPersonalizedRanking: (body, context) => runtimeResources(body).map((arn) => onExisting(p('GetPersonalizedRanking'), arn, context)),
  GetActionRecommendations: (body, context) => runtimeResources(body).map((arn) => onExisting(p('GetActionRecommendations'), arn, context)),
};

const PERSONALIZE_EVENTS: Record<string, Mapper> = {
  // No resource-level permission: https://docs.aws.amazon.com/personalize/latest/dg/API_UBS_PutEvents.html grants it on "*".
  PutEvents: () => [onAny(p('PutEvents'))],
  PutActionInteractions: () => [onAny(p('PutActionInteractions'))],
  PutItems: describeLike('PutItems', 'datasetArn'),
  PutUsers: describeLike('PutUsers', 'datasetArn'),
  PutActions: describeLike('PutActions', 'datasetArn'),
};

// ---- Rekognition ----------------------------------------------------------------

const r = (action: string) => `rekognition:${action}`;

/** `s3://`-free object ARN; S3 ARNs carry neither region nor account. */
function s3ObjectArn(context: CallContext, bucket: string, key: string): string {
  return `arn:${context.partition}:s3:::${bucket}/${key}`;
}

const REKOGNITION: Record<string, Mapper> = {
  CreateProject: (body) => [onAny(r('CreateProject'), requestTags(body.Tags ?? {}))],
  DescribeProjects: () => [onAny(r('DescribeProjects'))],
  DeleteProject: (body, context) => [onExisting(r('DeleteProject'), body.ProjectArn, context)],
  /**
   * On the project. Rekognition reads a Ground Truth manifest with the caller's
   * permissions, and copying a dataset needs rekognition:ListDatasetEntries on it
   * (https://docs.aws.amazon.com/rekognition/latest/APIReference/API_CreateDataset.html).
   * The images a manifest lists are read the same way; only the local service knows
   * them, so they are not authorized here.
   */
  CreateDataset: (body, context) => {
    const manifest = body.DatasetSource?.GroundTruthManifest?.S3Object as { Bucket: string; Name: string; Version?: string } | undefined;
    const copied = body.DatasetSource?.DatasetArn as string | undefined;
    return [
      onExisting(r('CreateDataset'), body.ProjectArn, context, requestTags(body.Tags ?? {})),
      ...(manifest ? [{ action: 's3:GetObject', resources: [s3ObjectArn(context, manifest.Bucket, manifest.Name)] }] : []),
      ...(manifest?.Version ? [{ action: 's3:GetObjectVersion', resources: [s3ObjectArn(context, manifest.Bucket, manifest.Name)] }] : []),
      ...(copied ? [onExisting(r('ListDatasetEntries'), copied, context)] : []),
    ];
  },
  DescribeDataset: (body, context) => [onExisting(r('DescribeDataset'), body.DatasetArn, context)],
  DeleteDataset: (body, context) => [onExisting(r('DeleteDataset'), body.DatasetArn, context)],
  ListDatasetEntries: (body, context) => [onExisting(r('ListDatasetEntries'), body.DatasetArn, context)],
  TagResource: (body, context) => [onExisting(r('TagResource'), body.ResourceArn, context, requestTags(body.Tags ?? {}))],
  UntagResource: (body, context) => [onExisting(r('UntagResource'), body.ResourceArn, context, { 'aws:TagKeys': body.TagKeys ?? [] })],
  ListTagsForResource: (body, context) => [onExisting(r('ListTagsForResource'), body.ResourceArn, context)],
};

// ---- S3, Lambda, Step Functions -------------------------------------------------

/** `BUCKET/KEY` or `BUCKET/KEY?versionId=V` of a CopyObject, percent-encoded as the SDK sends it. */
function copySourceOf(copySource: string): { bucket: string; key: string; versionId?: string } {
  const [path, query] = copySource.replace(/^\//, '').split('?');
  const slash = path.indexOf('/');
  const versionId = query ? new URLSearchParams(query).get('versionId') ?? undefined : undefined;
  return { bucket: path.slice(0, slash), key: decodeURIComponent(path.slice(slash + 1)), versionId };
}

const S3: Record<string, Mapper> = {
  PutObject: (body, context) => [{ action: 's3:PutObject', resources: [s3ObjectArn(context, body.Bucket, body.Key)] }],
  GetObject: (body, context) => [{ action: body.VersionId ? 's3:GetObjectVersion' : 's3:GetObject', resources: [s3ObjectArn(context, body.Bucket, body.Key)] }],
  // HEAD needs the same permission as GET (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html).
  HeadObject: (body, context) => [{ action: body.VersionId ? 's3:GetObjectVersion' : 's3:GetObject', resources: [s3ObjectArn(context, body.Bucket, body.Key)] }],
  DeleteObject: (body, context) => [{ action: body.VersionId ? 's3:DeleteObjectVersion' : 's3:DeleteObject', resources: [s3ObjectArn(context, body.Bucket, body.Key)] }],
  // Read the source, write the target (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html).
  CopyObject: (body, context) => {
    const source = copySourceOf(body.CopySource);
    return [
      { action: source.versionId ? 's3:GetObjectVersion' : 's3:GetObject', resources: [s3ObjectArn(context, source.bucket, source.key)] },
      { action: 's3:PutObject', resources: [s3ObjectArn(context, body.Bucket, body.Key)] },
    ];
  },
};

/** A function name, partial ARN or ARN, with an optional qualifier, as the ARN Lambda authorizes. */
function functionArnOf(context: CallContext, functionName: string, qualifier?: string): string {
  const arn = functionName.startsWith('arn:')
    ? functionName
    : `arn:${context.partition}:lambda:${context.region}:${context.account}:function:${functionName.replace(/^function:/, '')}`;
  return qualifier && arn.split(':').length === 7 ? `${arn}:${qualifier}` : arn;
}

const LAMBDA: Record<string, Mapper> = {
  Invoke: (body, context) => [{ action: 'lambda:InvokeFunction', resources: [functionArnOf(context, body.FunctionName, body.Qualifier)] }],
};

const STATES: Record<string, Mapper> = {
  StartExecution: (body) => [{ action: 'states:StartExecution', resources: [body.stateMachineArn] }],
  DescribeExecution: (body) => [{ action: 'states:DescribeExecution', resources: [body.executionArn] }],
  StopExecution: (body) => [{ action: 'states:StopExecution', resources: [body.executionArn] }],
  SendTaskSuccess: () => [onAny('states:SendTaskSuccess')],
  SendTaskFailure: () => [onAny('states:SendTaskFailure')],
  SendTaskHeartbeat: () => [onAny('states:SendTaskHeartbeat')],
};

export const OPERATIONS: Readonly<Record<ServiceName, Readonly<Record<string, Mapper>>>> = {
  'personalize': PERSONALIZE,
  'personalize-runtime': PERSONALIZE_RUNTIME,
  'personalize-events': PERSONALIZE_EVENTS,
  'rekognition': REKOGNITION,
  's3': S3,
  'lambda': LAMBDA,
  'states': STATES,
};

/** Names a local service or an SDK client may use for a service. */
const SERVICE_ALIASES: Record<string, ServiceName> = {
  'personalize': 'personalize',
  'amazonpersonalize': 'personalize',
  'local-personalize': 'personalize',
  'personalize-runtime': 'personalize-runtime',
  'personalize-events': 'personalize-events',
  'rekognition': 'rekognition',
  'rekognitionservice': 'rekognition',
  'local-rekognition': 'rekognition',
  's3': 's3',
  'local-s3': 's3',
  'lambda': 'lambda',
  'local-lambda': 'lambda',
  'states': 'states',
  'stepfunctions': 'states',
  'sfn': 'states',
};

export function serviceNamed(name: string): ServiceName {
  const service = SERVICE_ALIASES[name.toLowerCase().replace(/\.$/, '')];
  if (!service) throw new Error(`local-iam knows no service '${name}' (known: ${Object.keys(SERVICE_ALIASES).join(', ')})`);
  return service;
}

/** The authorizations one call needs; throws for an operation this map does not know, so none goes unchecked. */
export function requestsFor(service: string, operation: string, body: unknown, context: CallContext): AuthorizationRequest[] {
  const mapper = OPERATIONS[serviceNamed(service)][operation];
  if (!mapper) throw new Error(`local-iam has no authorization model for ${service} ${operation}: add it to test/local-iam/requests.ts`);
  return mapper((body ?? {}) as Body, context);
}
