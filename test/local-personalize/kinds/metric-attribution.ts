/**
 * Metric attributions: one per dataset group. UpdateMetricAttribution adds and removes metrics and
 * replaces the output config: UPDATE PENDING, UPDATE IN_PROGRESS, then ACTIVE (or UPDATE FAILED with
 * failUpdate) updateAfterMs later, held by holdUpdate(name). The change shows once it is ACTIVE.
 */
import type { DatasetRecord } from './dataset';
import { activeGroup, groupMember } from './dataset-group';
import { Family, FamilyRecord, TIMES } from './family';
import { Input, KindFactory, Output, paginate, UpdateLifecycle } from '../core';
import { alreadyExists, invalidInput } from '../errors';
import { STATUS, UPDATE_NAMES } from '../lifecycle';

interface AttributionRecord extends FamilyRecord {
  update?: AttributionUpdate;
}

/** The metrics and output config an update sets once it ends ACTIVE. */
interface AttributionUpdate extends UpdateLifecycle {
  readonly metrics: Output[];
  readonly metricsOutputConfig: Output;
  applied: boolean;
}

export const metricAttributionKind: KindFactory = (core) => {
  const attributions = new Family<AttributionRecord>(core, 'metricAttribution', {
    arnMember: 'metricAttributionArn',
    listMember: 'metricAttributions',
    listedBy: 'datasetGroupArn',
    describe: ['name', 'metricAttributionArn', 'datasetGroupArn', 'metricsOutputConfig', 'status', ...TIMES, 'failureReason'],
    summary: ['name', 'metricAttributionArn', 'status', ...TIMES, 'failureReason'],
  });

  function create(input: Input, now: number): Output {
    const group = activeGroup(core, input.datasetGroupArn, now, 'metric attributions');
    const existing = core.inGroup(group.arn, 'metricAttribution');
    if (existing.length > 0) throw alreadyExists(`Dataset group ${group.arn} already has a metric attribution: ${existing[0].arn}.`);
    uniqueMetricNames(input.metrics);
    const details: Output = { metricsOutputConfig: input.metricsOutputConfig, metrics: input.metrics };
    const arn = core.arn(`metric-attribution/${input.name}`);
    return attributions.create(now, { name: input.name, arn, datasetGroupArn: group.arn, details }, new Map());
  }

  function update(input: Input, now: number): Output {
    const attribution = attributions.find(input.metricAttributionArn);
    // A failed update leaves the attribution as it was, and it can be updated again.
    if (core.phase(attribution, now).status !== STATUS.updateFailed) core.requireActive(attribution, now, 'to be updated');
    const current = attribution.details.metrics as Output[];
    const removed: string[] = input.removeMetrics ?? [];
    const unknown = removed.filter((name) => !current.some((metric) => metric.metricName === name));
    if (unknown.length > 0) throw invalidInput(`Metric attribution ${attribution.arn} has no metrics named ${unknown.join(', ')}.`);
    const kept = current.filter((metric) => !removed.includes(metric.metricName as string));
    const added: Output[] = input.addMetrics ?? [];
    const taken = added.filter((metric) => kept.some((k) => k.metricName === metric.metricName));
    if (taken.length > 0) throw alreadyExists(`Metric attribution ${attribution.arn} already has metrics named ${taken.map((m) => m.metricName).join(', ')}.`);
    const metrics = [...kept, ...added];
    uniqueMetricNames(metrics);
    if (metrics.length > 10) throw invalidInput(`A metric attribution has at most 10 metrics; this update would leave ${metrics.length}.`);
    attribution.update = {
      startedAt: now,
      ...core.startUpdate(attribution.name!),
      metrics,
      metricsOutputConfig: input.metricsOutputConfig ?? attribution.details.metricsOutputConfig,
      applied: false,
    };
    return { metricAttributionArn: attribution.arn };
  }

  /**
   * The model declares only InvalidInputException and InvalidNextTokenException for this operation, so an
   * attribution that does not exist (or no longer does) is InvalidInputException, not ResourceNotFoundException.
   */
  function listMetrics(input: Input): Output {
    const attribution = core.get(input.metricAttributionArn);
    if (attribution?.kind !== 'metricAttribution') throw invalidInput(`Metric attribution ${input.metricAttributionArn} does not exist.`);
    const { page, nextToken } = paginate((attribution as AttributionRecord).details.metrics as Output[], input);
    return { metrics: page, nextToken };
  }

  /**
   * Every metric names an event type, a column of the Interactions dataset; a SUM() metric names the dataset
   * type it sums, "either Interactions or Items ... For example SUM(Items.PRICE)"
   * (https://docs.aws.amazon.com/personalize/latest/dg/API_MetricAttribute.html). The metrics an update under
   * way adds count already.
   */
  function referencing(dataset: DatasetRecord): AttributionRecord[] {
    return core.inGroup<AttributionRecord>(dataset.datasetGroupArn, 'metricAttribution').filter((attribution) => {
      if (dataset.datasetType === 'Interactions') return true;
      const pending = attribution.update && !attribution.update.applied ? attribution.update.metrics : [];
      const metrics = [...(attribution.details.metrics as Output[]), ...pending];
      const typeInSum = new RegExp(`\\bSUM\\s*\\(\\s*${dataset.datasetType}\\.`, 'i');
      return metrics.some((metric) => typeInSum.test(String(metric.expression)));
    });
  }

  return {
    label: 'Metric attribution',
    operations: {
      CreateMetricAttribution: create,
      DescribeMetricAttribution: attributions.describe,
      DeleteMetricAttribution: attributions.delete,
      ListMetricAttributions: attributions.list,
      UpdateMetricAttribution: update,
      ListMetricAttributionMetrics: listMetrics,
    },
    phase: (r: AttributionRecord, now) => (r.update ? core.updatePhase(r.update, now, UPDATE_NAMES) : undefined),
    settle: (r: AttributionRecord, phase) => {
      if (!r.update || r.update.applied || phase.status !== STATUS.active) return;
      // What the update set becomes what Describe and ListMetricAttributionMetrics answer.
      r.details.metrics = r.update.metrics;
      r.details.metricsOutputConfig = r.update.metricsOutputConfig;
      r.update.applied = true;
    },
    snapshot: attributions.snapshot,
    blocks: {
      // Not AWS's documented rule for the group: an attribution must go before any dataset it references.
      datasetGroup: groupMember(core, 'metricAttribution', 'metric attributions', true),
      // https://docs.aws.amazon.com/personalize/latest/dg/delete-dataset.html: "If you created a metric attribution
      // that references the dataset, you must delete the metric attribution first."
      dataset: { reason: 'is used by metric attributions', blocking: referencing },
    },
  };
};

function uniqueMetricNames(metrics: Output[]): void {
  const names = metrics.map((metric) => metric.metricName);
  const repeated = names.filter((name, index) => names.indexOf(name) !== index);
  if (repeated.length > 0) throw invalidInput(`Metric names must be unique; repeated: ${[...new Set(repeated)].join(', ')}.`);
}
