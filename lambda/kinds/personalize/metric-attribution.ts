/**
 * Metric attributions. A dataset group holds at most one. The metrics and the
 * output config change in place with UpdateMetricAttribution (metrics added and
 * removed by name, against what ListMetricAttributionMetrics says the service
 * holds); a new name or group is a replacement. The API cannot tag a metric
 * attribution, so ownership is proved as for schemas: the name, the group and,
 * where the engine asks, a creation time no earlier than the request.
 */
import {
  CreateMetricAttributionCommand, DeleteMetricAttributionCommand, DescribeMetricAttributionCommand, ListMetricAttributionMetricsCommand,
  ListMetricAttributionsCommand,
  MetricAttribute, MetricAttributionOutput, UpdateMetricAttributionCommand,
} from '@aws-sdk/client-personalize';
import { changedFields, conditionOf, describeOrUndefined, personalize } from './common';
import { METRIC_ATTRIBUTION } from '../../../src/personalize/private/declarations';
import { Attributes, MetricAttributionProperties } from '../../../src/private/contract';
import { optionalString, requiredString } from '../../properties';
import { KindContext, ResourceKind } from '../../resource-kind';
import { isErrorNamed } from '../../retry';
import { arnByName, declaredFields } from '../declared';

export interface MetricAttributionSpec {
  readonly name: string;
  readonly datasetGroupArn: string;
  readonly metrics: MetricAttribute[];
  readonly output: MetricAttributionOutput;
}

export const metricAttributionKind: ResourceKind<MetricAttributionSpec, MetricAttributionProperties> = {
  ...declaredFields(METRIC_ATTRIBUTION),

  parse: (properties) => ({
    name: requiredString(properties, 'Name'),
    datasetGroupArn: requiredString(properties, 'DatasetGroupArn'),
    metrics: parseMetrics(properties.Metrics),
    output: {
      roleArn: requiredString(properties, 'RoleArn'),
      ...(optionalString(properties, 'S3Path') ? {
        s3DataDestination: { path: optionalString(properties, 'S3Path')!, kmsKeyArn: optionalString(properties, 'S3KmsKeyArn') },
      } : {}),
    },
  }),

  nameOf: (spec) => spec.name,


  replacementCauses: (oldSpec, newSpec) => changedFields(oldSpec, newSpec, [['name', 'metricAttributionName'], ['datasetGroupArn', 'datasetGroup']]),

  create: async (context, spec) => {
    try {
      const response = await context.call('CreateMetricAttribution', () => personalize().send(new CreateMetricAttributionCommand({
        name: spec.name,
        datasetGroupArn: spec.datasetGroupArn,
        metrics: spec.metrics,
        metricsOutputConfig: spec.output,
      })));
      return response.metricAttributionArn!;
    } catch (error) {
      if (!isErrorNamed(error, 'ResourceAlreadyExistsException')) throw error;
      throw await explainTakenPlace(context, spec, error);
    }
  },

  arnOf: arnByName(METRIC_ATTRIBUTION),

  isOwned: async (context, arn, spec, question) => {
    if (spec === undefined) return false;
    const existing = await describeAttribution(context, arn);
    if (!existing) return false;
    const createdAt = existing.creationDateTime?.getTime();
    const recentEnough = question.createdNoEarlierThan === undefined || (createdAt !== undefined && createdAt >= question.createdNoEarlierThan);
    return recentEnough && existing.name === spec.name && existing.datasetGroupArn === spec.datasetGroupArn;
  },

  update: async (context, arn, oldSpec, newSpec) => {
    const current = await currentMetrics(context, arn);
    const described = await describeAttribution(context, arn);
    const same = (a: MetricAttribute, b: MetricAttribute) =>
      a.metricName === b.metricName && a.eventType === b.eventType && a.expression === b.expression;
    const holds = (metrics: MetricAttribute[]) =>
      metrics.length === current.length && metrics.every((wanted) => current.some((m) => same(m, wanted)));
    // Whether the previous request's metrics and output were in place: if not, its calls may still land (ADR 0005).
    const heldPrevious = holds(oldSpec.metrics) && sameOutput(described?.metricsOutputConfig, oldSpec.output);
    const removeMetrics = current.filter((metric) => !newSpec.metrics.some((wanted) => same(metric, wanted))).map((metric) => metric.metricName!);
    const addMetrics = newSpec.metrics.filter((wanted) => !current.some((metric) => same(metric, wanted)));
    const outputChanged = !sameOutput(described?.metricsOutputConfig, newSpec.output);
    if (removeMetrics.length === 0 && addMetrics.length === 0 && !outputChanged) return heldPrevious;
    try {
      await context.call('UpdateMetricAttribution', () => personalize().send(new UpdateMetricAttributionCommand({
        metricAttributionArn: arn,
        addMetrics: addMetrics.length > 0 ? addMetrics : undefined,
        removeMetrics: removeMetrics.length > 0 ? removeMetrics : undefined,
        metricsOutputConfig: newSpec.output,
      })));
    } catch (error) {
      // A retry whose first attempt started the update (its response was lost) meets that update; observe follows it.
      if (!isErrorNamed(error, 'ResourceInUseException')) throw error;
    }
    return heldPrevious;
  },

  observe: async (context, arn, operation, spec) => {
    const attribution = await describeAttribution(context, arn);
    if (!attribution) return undefined;
    const status = attribution.status ?? 'UNKNOWN';
    const condition = conditionOf(status);
    const attributes = { [Attributes.ARN]: attribution.metricAttributionArn ?? arn, [Attributes.NAME]: attribution.name ?? '' };
    // A failed update leaves the attribution as it was: holding what the stack asks for (a rollback), it is ready.
    const settledAfterFailedUpdate = status === 'UPDATE FAILED';
    if (operation === 'delete' || spec === undefined || (condition !== 'ready' && !settledAfterFailedUpdate)) {
      return { status, condition, failureReason: attribution.failureReason, attributes };
    }
    // Ready: it must hold what the stack asks for, or an update was lost or failed.
    const metrics = await currentMetrics(context, arn);
    const missing = spec.metrics.filter((wanted) => !metrics.some((m) => m.metricName === wanted.metricName
      && m.eventType === wanted.eventType && m.expression === wanted.expression));
    const extra = metrics.filter((m) => !spec.metrics.some((wanted) => wanted.metricName === m.metricName));
    if (missing.length === 0 && extra.length === 0 && sameOutput(attribution.metricsOutputConfig, spec.output)) {
      return { status, condition: 'ready', attributes };
    }
    if (settledAfterFailedUpdate) return { status, condition, failureReason: attribution.failureReason, attributes };
    const holds = metrics.map((m) => `${m.metricName}=${m.eventType}:${m.expression}`).join(', ');
    return {
      status,
      condition: 'failed',
      failureReason: `the metric attribution holds metrics [${holds}] and output `
      + `${JSON.stringify(attribution.metricsOutputConfig)}, not what the stack asks for`,
      attributes,
    };
  },

  delete: async (context, arn) => {
    await context.call('DeleteMetricAttribution', () => personalize().send(new DeleteMetricAttributionCommand({ metricAttributionArn: arn })));
  },
};

/**
 * CreateMetricAttribution was refused with ResourceAlreadyExists. Returns the original
 * error when an attribution of this name exists (the engine then decides whether it is
 * ours), and an error that says what to do when another one holds the group's place.
 */
async function explainTakenPlace(context: KindContext, spec: MetricAttributionSpec, original: unknown): Promise<unknown> {
  if (await describeAttribution(context, metricAttributionKind.arnOf(context, spec))) return original;
  const response = await describeOrUndefined(context, 'ListMetricAttributions',
    () => personalize().send(new ListMetricAttributionsCommand({ datasetGroupArn: spec.datasetGroupArn, maxResults: 100 })));
  const holder = response?.metricAttributions?.[0];
  if (!holder) return original;
  return new Error(`Dataset group ${spec.datasetGroupArn} already has a metric attribution, ${holder.metricAttributionArn} (named `
    + `'${holder.name}'), and a dataset group holds one. If it is this stack resource's attribution under its old name, a new name `
    + 'needs two deploys: remove the MetricAttribution from the app and deploy, then add it back. Otherwise delete it, or change '
    + 'its metrics instead of creating another.');
}

function parseMetrics(value: unknown): MetricAttribute[] {
  if (!Array.isArray(value) || value.length === 0) throw new Error('Property \'Metrics\' must be a non-empty list of {EventType, MetricName, Expression}');
  return value.map((item: unknown, index) => {
    const { EventType, MetricName, Expression } = (item ?? {}) as Record<string, unknown>;
    if (typeof EventType !== 'string' || typeof MetricName !== 'string' || typeof Expression !== 'string') {
      throw new Error(`Property 'Metrics' item ${index + 1} must be {EventType, MetricName, Expression} strings, got ${JSON.stringify(item)}`);
    }
    return { eventType: EventType, metricName: MetricName, expression: Expression };
  });
}

function sameOutput(held: MetricAttributionOutput | undefined, wanted: MetricAttributionOutput): boolean {
  return held?.roleArn === wanted.roleArn
    && held?.s3DataDestination?.path === wanted.s3DataDestination?.path
    && (held?.s3DataDestination?.kmsKeyArn ?? undefined) === (wanted.s3DataDestination?.kmsKeyArn ?? undefined);
}

async function describeAttribution(context: KindContext, arn: string) {
  const response = await describeOrUndefined(context, 'DescribeMetricAttribution',
    () => personalize().send(new DescribeMetricAttributionCommand({ metricAttributionArn: arn })));
  return response?.metricAttribution;
}

async function currentMetrics(context: KindContext, arn: string): Promise<MetricAttribute[]> {
  const response = await describeOrUndefined(context, 'ListMetricAttributionMetrics',
    () => personalize().send(new ListMetricAttributionMetricsCommand({ metricAttributionArn: arn, maxResults: 100 })));
  return response?.metrics ?? [];
}
