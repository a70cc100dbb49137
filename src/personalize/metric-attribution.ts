import { CfnResource, IResource, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { DatasetGroup, IDatasetGroup } from './dataset-group';
import { Attributes, MetricAttributionProperties } from '../private/contract';
import { declaredResource } from '../private/declared-resource';
import { recordOf } from './private/definition-checks';
import { claimOnePerGroup, datasetsOf, memberCreationArn, whenAppDeclared } from './private/group-members';
import { importedPersonalizeResource } from '../private/imported';
import { grantPersonalizeKeyUse } from '../private/key-access';
import { addNagSuppressions, flattenForNag } from '../private/nag';
import { physicalName, replacementKeyOf } from '../private/names';
import { requireOptionalConstruct } from '../private/runtime-types';
import { allowPersonalizeOnBucket, personalizeServiceRole } from '../private/service-role';
import { claimName, validateName } from '../private/validation';
import { METRIC_ATTRIBUTION } from './private/declarations';
import { ownArnPattern } from './private/grant-patterns';
import { requireDatasetGroup } from './private/own-group';

const MAX_METRICS = 10;
const MAX_TEXT = 256;
const SUM_PATTERN = /^SUM\(\s*([A-Za-z_]+)\.([A-Za-z_][A-Za-z0-9_]*)\s*\)$/;
const SUMMABLE_DATASETS = ['Items', 'Interactions'];
const NUMERIC_TYPES = new Set(['int', 'long', 'float', 'double']);

/**
 * How a metric adds up the events of its type.
 */
export class MetricExpression {
  /** The number of events of the metric's type: `SAMPLECOUNT()`. */
  public static sampleCount(): MetricExpression {
    return new MetricExpression('SAMPLECOUNT()');
  }

  /** The sum of a numeric column of the Items dataset over the events, such as `SUM(Items.PRICE)`. */
  public static sumOfItems(column: string): MetricExpression {
    return new MetricExpression(`SUM(Items.${column})`);
  }

  /** The sum of a numeric column of the Interactions dataset over the events, such as `SUM(Interactions.EVENT_VALUE)`. */
  public static sumOfInteractions(column: string): MetricExpression {
    return new MetricExpression(`SUM(Interactions.${column})`);
  }

  /** An expression written as text: `SAMPLECOUNT()` or `SUM(DATASET.COLUMN)`, checked at synth. */
  public static fromText(text: string): MetricExpression {
    return new MetricExpression(text);
  }

  private constructor(
    /** The expression text. */
    public readonly text: string,
  ) {}
}

/**
 * One metric of a metric attribution.
 */
export interface Metric {
  /** The metric's name, unique in the attribution (at most 256 characters). */
  readonly metricName: string;
  /** The event type whose events the metric counts or sums, as in the Interactions data. */
  readonly eventType: string;
  /** How the events add up. */
  readonly expression: MetricExpression;
}

/**
 * Properties of a metric attribution.
 */
export interface MetricAttributionProps {
  /** The dataset group whose events are measured. A dataset group holds at most one metric attribution. */
  readonly datasetGroup: IDatasetGroup;

  /** 1-10 metrics. Changing them updates the attribution in place. */
  readonly metrics: Metric[];

  /**
   * A bucket to publish the metrics to as files, besides CloudWatch.
   *
   * The role may write under `outputPrefix`, and the bucket's KMS key (`bucket.encryptionKey`:
   * for an imported SSE-KMS bucket, give it with `s3.Bucket.fromBucketAttributes`) and
   * `outputKey` get the key policy statement that lets Personalize use them. The policy of a
   * bucket or key the app imports must allow it already; a synth warning says what to add.
   *
   * @default - metrics go to CloudWatch only
   */
  readonly outputBucket?: s3.IBucket;

  /**
   * The key prefix of the metrics files in `outputBucket`.
   * @default 'metrics/'
   */
  readonly outputPrefix?: string;

  /**
   * A key to encrypt the metrics files with.
   * @default - the bucket's own encryption
   */
  readonly outputKey?: kms.IKey;

  /**
   * The role Personalize uses to publish metrics to CloudWatch and to write them to
   * `outputBucket`. A given role is not changed: it must allow both itself.
   *
   * @default - a role is created, trusted by Personalize for this account and region only
   */
  readonly role?: iam.IRole;

  /**
   * The name of the metric attribution: 1-63 letters, digits, hyphens and underscores.
   * @default - a name generated from the construct path and the dataset group
   */
  readonly metricAttributionName?: string;

  /**
   * What happens to the metric attribution when it leaves the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An Amazon Personalize metric attribution, owned by this app or imported.
 */
export interface IMetricAttribution extends IResource {
  /**
   * The ARN of the metric attribution.
   * @attribute
   */
  readonly metricAttributionArn: string;
}


/**
 * An Amazon Personalize metric attribution: metrics, per event type, of the
 * interactions that recommendations lead to, published to CloudWatch and
 * optionally to S3.
 *
 * Backed by a custom resource that waits until the attribution is ACTIVE, applies
 * changed metrics and output in place with UpdateMetricAttribution, and reports
 * the service's failure reason. It is created after the group's datasets declared
 * in this app, and deleted before them.
 *
 * @resource Custom::PersonalizeMetricAttribution
 */
export class MetricAttribution extends Resource implements IMetricAttribution {
  /**
   * Imports a metric attribution by its ARN, `…:metric-attribution/NAME`.
   */
  public static fromMetricAttributionArn(scope: Construct, id: string, metricAttributionArn: string): IMetricAttribution {
    return importedPersonalizeResource<IMetricAttribution>(Resource, scope, id, METRIC_ATTRIBUTION, 'metricAttributionArn', metricAttributionArn);
  }

  public readonly metricAttributionArn: string;

  /**
   * The name of the metric attribution.
   * @attribute
   */
  public readonly metricAttributionName: string;

  /**
   * The role Personalize publishes the metrics with.
   */
  public readonly role: iam.IRole;

  /** The dataset group whose events are attributed. */
  public readonly datasetGroup: IDatasetGroup;

  /**
   * The bucket the metrics files go to.
   * @default - none: the metrics go to CloudWatch only
   */
  public readonly outputBucket?: s3.IBucket;

  constructor(scope: Construct, id: string, props: MetricAttributionProps) {
    super(scope, id);
    const group = props.datasetGroup;
    requireDatasetGroup(group);
    requireOptionalConstruct('outputBucket', props.outputBucket, 'an S3 bucket (s3.IBucket: s3.Bucket or s3.Bucket.fromBucketName)', 'bucketName');
    requireOptionalConstruct('outputKey', props.outputKey, 'a KMS key (kms.IKey: kms.Key or kms.Key.fromKeyArn)', 'keyArn');
    requireOptionalConstruct('role', props.role, 'an IAM role (iam.IRole: iam.Role or iam.Role.fromRoleArn)', 'roleArn');
    this.datasetGroup = group;
    this.outputBucket = props.outputBucket;
    validateName('metricAttributionName', props.metricAttributionName);
    checkMetrics(props.metrics);
    const prefix = props.outputPrefix ?? 'metrics/';
    if (!props.outputBucket && (props.outputPrefix !== undefined || props.outputKey)) {
      throw new Error('Invalid outputPrefix/outputKey: they apply to the metrics files in outputBucket, and no outputBucket was given.');
    }
    claimOnePerGroup('a metric attribution', group, this, 'Add the metrics to that one (up to 10).');
    claimName(this, 'Metric attribution', 'metricAttributionName', props.metricAttributionName);

    this.role = props.role ?? this.createServiceRole();
    const path = props.outputBucket ? `s3://${props.outputBucket.bucketName}/${prefix}` : undefined;
    if (path && !Token.isUnresolved(path) && path.length > MAX_TEXT) {
      throw new Error(`Invalid outputPrefix: the S3 path '${path}' is ${path.length} characters; Personalize accepts at most ${MAX_TEXT}.`);
    }
    if (props.outputBucket) this.grantOutput(props.outputBucket, prefix, props.outputKey);
    if (!props.role) {
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:PutMetricData'], resources: ['*'] }));
      suppressRoleFindings(this.role as iam.Role, props.outputBucket, prefix);
    }

    const name = physicalName(this, props.metricAttributionName, [replacementKeyOf(group, group.datasetGroupArn)]);
    this.node.addValidation({ validate: () => expressionProblems(this, group, props.metrics) });

    const resource = declaredResource<MetricAttributionProperties>(this, METRIC_ATTRIBUTION, {
      properties: {
        Name: name.name,
        DatasetGroupArn: group.datasetGroupArn,
        Metrics: props.metrics.map((metric) => ({ EventType: metric.eventType, MetricName: metric.metricName, Expression: metric.expression.text })),
        RoleArn: this.role.roleArn,
        S3Path: path,
        S3KmsKeyArn: props.outputKey?.keyArn,
      },
      removalPolicy: props.removalPolicy,
      resources: { self: [ownArnPattern(this, METRIC_ATTRIBUTION, name)], group: [memberCreationArn(group)], role: [this.role.roleArn] },
    });
    // Personalize checks the role when it creates the attribution, so its grants come first.
    resource.node.addDependency(this.role);

    this.metricAttributionArn = resource.getAttString(Attributes.ARN);
    this.metricAttributionName = resource.getAttString(Attributes.NAME);

    // After every dataset of the group, and so deleted before them.
    whenAppDeclared(this, () => datasetsOf(this, group).forEach((dataset) => resource.node.addDependency(dataset)));
  }

  private createServiceRole(): iam.Role {
    return personalizeServiceRole(this, 'Lets Amazon Personalize publish metric attribution metrics');
  }


  private grantOutput(bucket: s3.IBucket, prefix: string, key?: kms.IKey): void {
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [bucket.arnForObjects(`${prefix}*`)] }));
    // Personalize writes the files with the role, and its own principal uses the key too ("Giving Amazon Personalize
    // permission to use your AWS KMS key" lists metric attributions): the key of the files, and the bucket's default key.
    for (const encryption of new Set([key, bucket.encryptionKey])) {
      if (encryption) grantPersonalizeKeyUse(this, encryption, this.role, 'the metrics files are not written');
    }
    allowPersonalizeOnBucket(this, bucket, {
      actions: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
      objects: bucket.arnForObjects(`${prefix}*`),
      warningId: 'cdk-personalize:importedOutputBucket',
      needed: `s3:GetObject, s3:PutObject and s3:ListBucket under '${prefix}', or the metrics files are not written`,
    });
  }
}

/**
 * cdk-nag IAM5 on the created role: CloudWatch's PutMetricData takes no resource-level
 * permissions, and the metrics files go anywhere under the output prefix.
 */
function suppressRoleFindings(role: iam.Role, bucket: s3.IBucket | undefined, prefix: string): void {
  const policy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
  if (!policy) return;
  const stack = Stack.of(role);
  const findings = ['Resource::*'];
  if (bucket) findings.push(`Resource::${flattenForNag(stack.resolve(bucket.arnForObjects(`${prefix}*`)))}`);
  addNagSuppressions(policy.node.defaultChild as CfnResource, [{
    id: 'AwsSolutions-IAM5',
    reason: 'cloudwatch:PutMetricData takes no resource-level permissions (Resource "*"), and Personalize writes its metrics '
      + 'files under the output prefix, with names it chooses.',
    appliesTo: findings,
  }]);
}

function checkMetrics(metrics: Metric[]): void {
  if (metrics.length < 1 || metrics.length > MAX_METRICS) {
    throw new Error(`Invalid metrics: ${metrics.length} metrics. A metric attribution has 1-${MAX_METRICS}.`);
  }
  const seen = new Set<string>();
  for (const metric of metrics) {
    for (const [property, value] of [['metricName', metric.metricName], ['eventType', metric.eventType]] as const) {
      if (!Token.isUnresolved(value) && (value.length < 1 || value.length > MAX_TEXT)) {
        throw new Error(`Invalid ${property}: '${value}' (${value.length} characters). Expected 1-${MAX_TEXT} characters.`);
      }
    }
    if (seen.has(metric.metricName)) throw new Error(`Invalid metrics: the metricName '${metric.metricName}' is used twice; names are unique in an attribution.`);
    seen.add(metric.metricName);
    const text = metric.expression.text;
    if (Token.isUnresolved(text) || text === 'SAMPLECOUNT()') continue;
    const sum = SUM_PATTERN.exec(text);
    if (!sum) {
      throw new Error(`Invalid expression of metric '${metric.metricName}': '${text}'. Expected SAMPLECOUNT() or SUM(DATASET.COLUMN) `
        + `with DATASET ${SUMMABLE_DATASETS.join(' or ')}.`);
    }
    if (!SUMMABLE_DATASETS.includes(sum[1])) {
      throw new Error(`Invalid expression of metric '${metric.metricName}': '${text}' sums a column of '${sum[1]}'; SUM takes a column `
        + `of the ${SUMMABLE_DATASETS.join(' or ')} dataset.`);
    }
  }
}

/** Each SUM column exists, with a numeric type, in the schema of its dataset in the same group (when declared in the app). */
function expressionProblems(scope: IConstruct, group: IDatasetGroup, metrics: Metric[]): string[] {
  const datasets = datasetsOf(scope, group);
  const problems: string[] = [];
  for (const metric of metrics) {
    const sum = SUM_PATTERN.exec(metric.expression.text);
    if (!sum) continue;
    const [, datasetType, column] = sum;
    const dataset = datasets.find((d) => d.datasetType === datasetType);
    if (!dataset) {
      if (group instanceof DatasetGroup) {
        problems.push(`Invalid expression of metric '${metric.metricName}': ${metric.expression.text} sums a column of the ${datasetType} `
          + `dataset, and dataset group '${group.node.path}' has no ${datasetType} dataset in this app.`);
      }
      continue;
    }
    const record = recordOf(dataset.schema.definition?.json);
    const field = record?.fields.find((f) => f.name === column);
    if (record && !field) {
      problems.push(`Invalid expression of metric '${metric.metricName}': the ${datasetType} schema has no column ${column} `
        + `(columns: ${record.fields.map((f) => f.name).join(', ')}).`);
    } else if (field && !NUMERIC_TYPES.has(field.type)) {
      problems.push(`Invalid expression of metric '${metric.metricName}': ${datasetType}.${column} is a ${field.type} column; SUM needs `
        + 'an int, long, float or double column.');
    }
  }
  return problems;
}
