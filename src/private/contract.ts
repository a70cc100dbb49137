/**
 * The properties contract between the constructs (src/) and the handler (lambda/).
 *
 * CloudFormation delivers every scalar as a string, so every value here is a string
 * or a list of {Key, Value} tags. Fields are only ever added: the handler must keep
 * accepting what older versions of the constructs synthesized.
 */

/** Bumped when the encoding of an existing field changes (never done so far). */
export const CONTRACT_VERSION = '1';

/** CloudFormation resource types; the handler dispatches on these. */
export const ResourceTypes = {
  DATASET_GROUP: 'Custom::PersonalizeDatasetGroup',
  SCHEMA: 'Custom::PersonalizeSchema',
  DATASET: 'Custom::PersonalizeDataset',
  EVENT_TRACKER: 'Custom::PersonalizeEventTracker',
  FILTER: 'Custom::PersonalizeFilter',
  METRIC_ATTRIBUTION: 'Custom::PersonalizeMetricAttribution',
  DATASET_IMPORT_JOB: 'Custom::PersonalizeDatasetImportJob',
  SOLUTION: 'Custom::PersonalizeSolution',
  SOLUTION_VERSION: 'Custom::PersonalizeSolutionVersion',
  /** Reads how long work (training, an import) ended, after its wait condition (ADR 0014). */
  LONG_WORK_RESULT: 'Custom::PersonalizeLongWorkResult',
  REKOGNITION_DATASET: 'Custom::RekognitionDataset',
  CAMPAIGN: 'Custom::PersonalizeCampaign',
  RECOMMENDER: 'Custom::PersonalizeRecommender',
  BATCH_INFERENCE_JOB: 'Custom::PersonalizeBatchInferenceJob',
  BATCH_SEGMENT_JOB: 'Custom::PersonalizeBatchSegmentJob',
} as const;

/** Attribute names the handler returns in `Data`, read with `Fn::GetAtt`. */
export const Attributes = {
  ARN: 'Arn',
  TRAINING_MODE: 'TrainingMode',
  NAME: 'Name',
  TRACKING_ID: 'TrackingId',
  /** The version a batch job ran, which the schedule's runs use. */
  SOLUTION_VERSION_ARN: 'SolutionVersionArn',
} as const;

export interface TagProperty {
  readonly Key: string;
  readonly Value: string;
}

interface CommonProperties {
  readonly ContractVersion?: string;
  readonly Name: string;
}

export interface DatasetGroupProperties extends CommonProperties {
  readonly Domain?: string;
  readonly KmsKeyArn?: string;
  readonly RoleArn?: string;
  readonly Tags?: TagProperty[];
  /** 'true' to delete the group's children before the group. */
  readonly EmptyOnDelete?: string;
}

export interface SchemaProperties extends CommonProperties {
  /** The Avro schema as JSON text. */
  readonly Definition: string;
  readonly Domain?: string;
}

/**
 * The group's emptyOnDelete, on the resources CloudFormation deletes before the group: 'true' to remove
 * what blocks their delete and the stack does not manage. Absent (older constructs, an imported group) is false.
 */
interface GroupEmptyOnDeleteProperty {
  readonly GroupEmptyOnDelete?: string;
}

export interface DatasetProperties extends CommonProperties, GroupEmptyOnDeleteProperty {
  readonly DatasetGroupArn: string;
  /** As the API spells it: Interactions, Items, Users, Actions or Action_Interactions. */
  readonly DatasetType: string;
  readonly SchemaArn: string;
  readonly Tags?: TagProperty[];
}

export interface EventTrackerProperties extends CommonProperties {
  readonly DatasetGroupArn: string;
  readonly Tags?: TagProperty[];
}

export interface FilterProperties extends CommonProperties {
  readonly DatasetGroupArn: string;
  readonly FilterExpression: string;
  readonly Tags?: TagProperty[];
}

export interface MetricProperty {
  readonly EventType: string;
  readonly MetricName: string;
  readonly Expression: string;
}

export interface MetricAttributionProperties extends CommonProperties {
  readonly DatasetGroupArn: string;
  readonly Metrics: MetricProperty[];
  /** The role Personalize uses to publish metrics to CloudWatch and, with an S3 path, to write them to S3. */
  readonly RoleArn: string;
  /** s3://BUCKET/PREFIX for the metrics files, when they are published to S3. */
  readonly S3Path?: string;
  readonly S3KmsKeyArn?: string;
}

/** Item exploration, for recipes that explore new items; both values as the API's strings. */
interface ExplorationProperties {
  readonly ExplorationWeight?: string;
  readonly ExplorationItemAgeCutOff?: string;
}

export interface CampaignProperties extends CommonProperties, ExplorationProperties {
  /** A solution version ARN, or `SOLUTION_ARN/$LATEST` when SyncWithLatestSolutionVersion is 'true'. */
  readonly SolutionVersionArn: string;
  /** An integer of at least 1. */
  readonly MinProvisionedTPS?: string;
  readonly SyncWithLatestSolutionVersion?: string;
  readonly EnableMetadataWithRecommendations?: string;
  /** Ranking influence weights (0.0-1.0) by factor: POPULARITY, FRESHNESS. */
  readonly RankingInfluence?: Array<{ readonly Factor: string; readonly Weight: string }>;
  readonly Tags?: TagProperty[];
}

export interface RecommenderProperties extends CommonProperties, ExplorationProperties {
  readonly DatasetGroupArn: string;
  /** The use case's recipe ARN, `arn:aws:personalize:::recipe/aws-ecomm-...` or `aws-vod-...`. */
  readonly RecipeArn: string;
  /** An integer of at least 1. */
  readonly MinRecommendationRequestsPerSecond?: string;
  readonly EnableMetadataWithRecommendations?: string;
  /** Columns left out of training, by dataset type. */
  readonly ExcludedColumns?: Array<{ readonly DatasetType: string; readonly Columns: string[] }>;
  /** 'false' to keep the recommender stopped (INACTIVE): no billing, no automatic retraining. */
  readonly Running?: string;
  readonly Tags?: TagProperty[];
}

/**
 * A dataset import job. The job name carries a hash of the source, so a changed source
 * is a new job (a replacement). With CopySourceBucket and CopySourceKey, the handler
 * first copies that object (a CDK asset) to DataLocation, which is in a bucket the
 * construct owns.
 */
export interface DatasetImportJobProperties extends CommonProperties {
  readonly DatasetArn: string;
  /** s3://BUCKET/KEY or s3://BUCKET/PREFIX/. */
  readonly DataLocation: string;
  readonly RoleArn: string;
  /** FULL or INCREMENTAL. */
  readonly ImportMode: string;
  /** 'true' or 'false'. */
  readonly PublishAttributionMetricsToS3: string;
  /** 'active' waits for ACTIVE through the long wait (ADR 0014); 'started' reports the job ready while it runs. */
  readonly Wait: string;
  /** In 'active' mode, how long (seconds) the job may take before the deploy fails: the wait condition's Timeout. */
  readonly WaitSeconds?: string;
  /** In 'active' mode, the provider's long-wait state machine. Older shapes without it wait inside the custom resource. */
  readonly WaitStateMachineArn?: string;
  /** In 'active' mode, the presigned URL of the WaitConditionHandle the long wait signals. */
  readonly SignalUrl?: string;
  readonly CopySourceBucket?: string;
  readonly CopySourceKey?: string;
  readonly Tags?: TagProperty[];
}

/**
 * A solution. What CreateSolution fixes is one JSON text (SolutionConfig, numbers kept
 * as numbers), so any change to it is a replacement; what UpdateSolution changes
 * comes in properties of its own.
 */
export interface SolutionProperties extends CommonProperties, GroupEmptyOnDeleteProperty {
  readonly DatasetGroupArn: string;
  readonly RecipeArn: string;
  /** 'true' or 'false'. */
  readonly PerformHPO?: string;
  readonly EventType?: string;
  /** JSON text of the API's SolutionConfig, without autoTrainingConfig and eventsConfig. */
  readonly SolutionConfig?: string;
  /** 'true' or 'false'; updatable. */
  readonly PerformAutoTraining: string;
  /** `rate(N days)`, with PerformAutoTraining 'true'; updatable. */
  readonly AutoTrainingSchedule?: string;
  /** JSON text of the API's EventsConfig; updatable. */
  readonly EventsConfig?: string;
  /** 'true' or 'false', for recipes that support incremental updates; updatable. */
  readonly PerformIncrementalUpdate?: string;
  readonly Tags?: TagProperty[];
}

/** A training run: a solution version. Every property change is a new version. */
export interface SolutionVersionProperties {
  readonly ContractVersion?: string;
  /** The version's name, deterministic so a lost or cancelled create is found again. */
  readonly Name: string;
  readonly SolutionArn: string;
  /** FULL or UPDATE. */
  readonly TrainingMode: string;
  /** The presigned URL of the WaitConditionHandle the long wait signals when training ends. */
  readonly SignalUrl: string;
  /** The provider's long-wait state machine (ADR 0014). */
  readonly WaitStateMachineArn: string;
  /** The wait condition's Timeout (seconds): the long wait gives up, saying why, shortly before it. */
  readonly WaitSeconds: string;
  /** A token the user changes to retrain; only its change matters. */
  readonly RetrainOn?: string;
  readonly Tags?: TagProperty[];
}

/** The result of long work, read after its wait condition: every property change is a new result. */
/**
 * The wait of a job that runs once (imports, batch jobs). 'active' waits for ACTIVE through the
 * long wait (ADR 0014); 'started' reports the job ready while it runs.
 */
export interface JobWaitProperties {
  readonly Wait: string;
  /** In 'active' mode, how long (seconds) the job may take before the deploy fails: the wait condition's Timeout. */
  readonly WaitSeconds?: string;
  /** In 'active' mode, the provider's long-wait state machine. */
  readonly WaitStateMachineArn?: string;
  /** In 'active' mode, the presigned URL of the WaitConditionHandle the long wait signals. */
  readonly SignalUrl?: string;
}

/**
 * A batch inference or batch segment job (ADR 0018): what CreateBatchInferenceJob and
 * CreateBatchSegmentJob take, a run on each new name. The schedule of recurring runs
 * sends the same request (src/personalize/private/job-requests.ts).
 */
export interface BatchJobProperties extends CommonProperties, JobWaitProperties {
  /** The version that runs; or, with SolutionArn instead, the solution's latest ACTIVE version, found when the job starts. */
  readonly SolutionVersionArn?: string;
  readonly SolutionArn?: string;
  /** s3://BUCKET/KEY of a JSON Lines file, or s3://BUCKET/PREFIX/ of a folder of them. */
  readonly InputPath: string;
  readonly InputKmsKeyArn?: string;
  /** s3://BUCKET/PREFIX/: Personalize writes `<input file>.out` there. */
  readonly OutputPath: string;
  readonly OutputKmsKeyArn?: string;
  readonly RoleArn: string;
  readonly FilterArn?: string;
  /** An integer. */
  readonly NumResults?: string;
  /** Batch inference only: BATCH_INFERENCE or THEME_GENERATION. */
  readonly Mode?: string;
  /** Batch inference in THEME_GENERATION mode: the Items field that names an item. */
  readonly ThemeItemNameField?: string;
  /** Batch inference only: batchInferenceJobConfig as JSON text (item exploration, ranking influence), numbers kept as numbers. */
  readonly JobConfig?: string;
  readonly Tags?: TagProperty[];
}

export interface LongWorkResultProperties {
  readonly ContractVersion?: string;
  /** The custom resource type of the work (its kind says how the work ended). */
  readonly WorkResourceType: string;
  readonly WorkArn: string;
  /** The wait condition's Data, so the result is read after the wait and anew for each wait. */
  readonly WaitData: string;
}

/**
 * A Rekognition Custom Labels dataset. Exactly one source, or none for an empty dataset:
 * a manifest object (ManifestBucket and ManifestKey, optionally ManifestVersion) or the
 * ARN of a dataset to copy (SourceDatasetArn).
 */
export interface RekognitionDatasetProperties {
  readonly ContractVersion?: string;
  readonly ProjectName: string;
  /** Absent for a project imported by name; the handler looks it up. */
  readonly ProjectArn?: string;
  /** TRAIN or TEST. */
  readonly DatasetType: string;
  readonly ManifestBucket?: string;
  readonly ManifestKey?: string;
  readonly ManifestVersion?: string;
  readonly SourceDatasetArn?: string;
  readonly Tags?: TagProperty[];
}

/**
 * The tag the handler puts on every resource it creates, so that a retried Create
 * that meets ResourceAlreadyExists can tell its own resource from somebody else's.
 */
export const OWNER_TAG_KEY = 'cdk-personalize:owner';

/**
 * The tag the handler puts on every Rekognition dataset it creates: a digest of the
 * dataset's source. DescribeDataset does not return the source, so this is how an
 * update (or a rollback) learns what the dataset was made from.
 */
export const SOURCE_TAG_KEY = 'cdk-personalize:source';

/** Rekognition allows 200 tags on a dataset; two are reserved (owner and source). */
export const MAX_REKOGNITION_USER_TAGS = 198;

/** Personalize allows 50 tags; one is reserved for the owner tag. */
export const MAX_USER_TAGS = 49;

/** Rules from the Personalize API model (botocore personalize 2018-05-22). */
export const ApiLimits = {
  NAME_MAX_LENGTH: 63,
  NAME_PATTERN: /^[a-zA-Z0-9][a-zA-Z0-9\-_]*$/,
  PERSONALIZE_ARN_PATTERN: /^arn:([a-z\d-]+):personalize:.*:.*:.+$/,
  PERSONALIZE_ARN_MAX_LENGTH: 256,
  ROLE_ARN_PATTERN: /^arn:([a-z\d-]+):iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/,
  ROLE_ARN_MAX_LENGTH: 256,
  KMS_KEY_ARN_PATTERN: /^arn:aws.*:kms:.*:[0-9]{12}:key\/.*$/,
  KMS_KEY_ARN_MAX_LENGTH: 2048,
  TAG_KEY_MAX_LENGTH: 128,
  TAG_VALUE_MAX_LENGTH: 256,
  TAG_PATTERN: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
  AVRO_SCHEMA_MAX_LENGTH: 20000,
} as const;
