/**
 * The handler's event tracker, filter and metric attribution kinds over a mocked
 * Personalize client and a virtual clock: what the lifecycle scenarios cannot make
 * the local service answer, and the decisions each kind makes on its own.
 */
import {
  CreateEventTrackerCommand, CreateMetricAttributionCommand, DeleteEventTrackerCommand, DescribeEventTrackerCommand,
  DescribeMetricAttributionCommand, ListEventTrackersCommand, ListMetricAttributionMetricsCommand, ListMetricAttributionsCommand,
  ListTagsForResourceCommand, UpdateMetricAttributionCommand,
} from '@aws-sdk/client-personalize';
import 'aws-sdk-client-mock-jest';
import { requestsFor, resourceProperties, tagged } from './support/events';
import { mockedHandlers } from './support/mocked-handlers';
import { alreadyExists, notFound } from './support/personalize-errors';
import { runToCompletion } from './support/polling';
import { SHORT_WAIT_POLICY } from './support/wait-policy';
import { filterKind } from '../lambda/kinds/personalize/filter';
import { ResourceTypes } from '../src/private/contract';

const mocked = mockedHandlers();
const { personalizeMock, clock } = mocked;
const handlers = () => mocked.handlers({ waitPolicy: SHORT_WAIT_POLICY });

const GROUP_ARN = 'arn:aws:personalize:us-east-1:123456789012:dataset-group/retail';
const TRACKER_ARN = 'arn:aws:personalize:us-east-1:123456789012:event-tracker/ab12cd34';
const tracker = requestsFor(ResourceTypes.EVENT_TRACKER,
  (overrides = {}) => resourceProperties({ Name: 'clicks', DatasetGroupArn: GROUP_ARN }, overrides), TRACKER_ARN);

const ATTRIBUTION_ARN = 'arn:aws:personalize:us-east-1:123456789012:metric-attribution/metrics';
const ROLE = 'arn:aws:iam::123456789012:role/metrics';
const CLICKS = { EventType: 'click', MetricName: 'CLICKS', Expression: 'SAMPLECOUNT()' };
const VIEWS = { EventType: 'view', MetricName: 'VIEWS', Expression: 'SAMPLECOUNT()' };
const attribution = requestsFor(ResourceTypes.METRIC_ATTRIBUTION,
  (overrides = {}) => resourceProperties({ Name: 'metrics', DatasetGroupArn: GROUP_ARN, Metrics: [CLICKS], RoleArn: ROLE }, overrides), ATTRIBUTION_ARN);
const apiMetric = (metric: typeof CLICKS) => ({ eventType: metric.EventType, metricName: metric.MetricName, expression: metric.Expression });

function activeTracker(name = 'clicks') {
  return { eventTracker: { name, eventTrackerArn: TRACKER_ARN, trackingId: 'tracking-1', datasetGroupArn: GROUP_ARN, status: 'ACTIVE' } };
}

describe('event tracker', () => {
  test('a lost Create response is adopted from the group\'s list only with this stack resource\'s owner tag and name', async () => {
    personalizeMock.on(CreateEventTrackerCommand).rejects(alreadyExists());
    personalizeMock.on(ListEventTrackersCommand).resolves({ eventTrackers: [{ name: 'clicks', eventTrackerArn: TRACKER_ARN, status: 'ACTIVE' }] });
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());
    personalizeMock.on(DescribeEventTrackerCommand).resolves(activeTracker());

    const { started, failure, response } = await runToCompletion(clock, handlers(), tracker.create());

    expect(failure).toBeUndefined();
    expect(started.PhysicalResourceId).toBe(TRACKER_ARN);
    expect(response.Data).toEqual({ Arn: TRACKER_ARN, Name: 'clicks', TrackingId: 'tracking-1' });
  });

  test('the tracking ID is answered with NoEcho, by isComplete only: onEvent\'s result is the waiter\'s input, kept in its history', async () => {
    personalizeMock.on(CreateEventTrackerCommand).resolves({ eventTrackerArn: TRACKER_ARN, trackingId: 'tracking-1' });
    personalizeMock.on(DescribeEventTrackerCommand).resolves(activeTracker());

    const { started, failure, response } = await runToCompletion(clock, handlers(), tracker.create());

    expect(failure).toBeUndefined();
    expect(started.NoEcho).toBe(true);
    expect(JSON.stringify(started)).not.toContain('tracking-1');
    expect(response).toEqual({ NoEcho: true, Data: { Arn: TRACKER_ARN, Name: 'clicks', TrackingId: 'tracking-1' } });
  });

  test('a tag update is answered with NoEcho too, and its tracking ID by isComplete only', async () => {
    personalizeMock.on(DescribeEventTrackerCommand).resolves(activeTracker());
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());

    const { started, failure, response } = await runToCompletion(clock, handlers(), tracker.update({}, { Tags: [{ Key: 'team', Value: 'recs' }] }));

    expect(failure).toBeUndefined();
    expect(JSON.stringify(started)).not.toContain('tracking-1');
    expect(response).toEqual({ NoEcho: true, Data: { Arn: TRACKER_ARN, Name: 'clicks', TrackingId: 'tracking-1' } });
  });

  test('a Delete with a made-up physical ID finds the tracker by name in its group and deletes it', async () => {
    let deleted = false;
    personalizeMock.on(ListEventTrackersCommand).callsFake(async () => ({
      eventTrackers: deleted ? [] : [{ name: 'clicks', eventTrackerArn: TRACKER_ARN, status: 'ACTIVE' }],
    }));
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());
    personalizeMock.on(DescribeEventTrackerCommand).callsFake(async () => {
      if (deleted) throw notFound();
      return activeTracker();
    });
    personalizeMock.on(DeleteEventTrackerCommand).callsFake(async () => {
      deleted = true;
      return {};
    });

    // The default policy: a cancelled create's Delete watches for the resource for a while (virtual time).
    const { failure } = await runToCompletion(clock, mocked.handlers(), tracker.delete('TestStack-Resource-1A2B3C4D5E6F'));

    expect(failure).toBeUndefined();
    expect(personalizeMock).toHaveReceivedCommandWith(DeleteEventTrackerCommand, { eventTrackerArn: TRACKER_ARN });
  });

  test('a Delete whose group no longer exists has nothing to delete', async () => {
    personalizeMock.on(ListEventTrackersCommand).rejects(notFound());
    personalizeMock.on(DescribeEventTrackerCommand).rejects(notFound());

    // The default policy: a cancelled create's Delete watches for the resource for a while (virtual time).
    const { failure } = await runToCompletion(clock, mocked.handlers(), tracker.delete('TestStack-Resource-1A2B3C4D5E6F'));

    expect(failure).toBeUndefined();
    expect(personalizeMock).toHaveReceivedCommandTimes(DeleteEventTrackerCommand, 0);
  });

  test('a tracker without the owner tag is never deleted', async () => {
    personalizeMock.on(DescribeEventTrackerCommand).resolves(activeTracker());
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({}, null));

    const { failure } = await runToCompletion(clock, handlers(), tracker.delete());

    expect(failure).toBeUndefined();
    expect(personalizeMock).toHaveReceivedCommandTimes(DeleteEventTrackerCommand, 0);
  });
});

describe('filter', () => {
  test('a new expression, name or group is a replacement; tags are not', () => {
    const spec = { name: 'f', datasetGroupArn: GROUP_ARN, filterExpression: 'INCLUDE ItemID WHERE Items.GENRE IN ("a")', tags: {} };
    expect(filterKind.replacementCauses(spec, { ...spec, filterExpression: 'EXCLUDE ItemID WHERE Items.GENRE IN ("a")' })).toEqual(['expression']);
    expect(filterKind.replacementCauses(spec, { ...spec, name: 'g', datasetGroupArn: `${GROUP_ARN}2` })).toEqual(['filterName', 'datasetGroup']);
    expect(filterKind.replacementCauses(spec, { ...spec, tags: { team: 'recs' } })).toEqual([]);
  });
});

describe('metric attribution', () => {
  function attributionHolding(metrics: Array<typeof CLICKS>, status = 'ACTIVE', roleArn = ROLE) {
    personalizeMock.on(DescribeMetricAttributionCommand).resolves({
      metricAttribution: { name: 'metrics', metricAttributionArn: ATTRIBUTION_ARN, datasetGroupArn: GROUP_ARN, status, metricsOutputConfig: { roleArn } },
    });
    personalizeMock.on(ListMetricAttributionMetricsCommand).resolves({ metrics: metrics.map(apiMetric) });
  }

  test('an update adds and removes metrics by name against what the service holds', async () => {
    attributionHolding([CLICKS]);
    personalizeMock.on(UpdateMetricAttributionCommand).callsFake(async () => {
      attributionHolding([VIEWS]);
      return { metricAttributionArn: ATTRIBUTION_ARN };
    });

    const { failure } = await runToCompletion(clock, handlers(), attribution.update({}, { Metrics: [VIEWS] }));

    expect(failure).toBeUndefined();
    expect(personalizeMock).toHaveReceivedCommandWith(UpdateMetricAttributionCommand, {
      metricAttributionArn: ATTRIBUTION_ARN, addMetrics: [apiMetric(VIEWS)], removeMetrics: ['CLICKS'], metricsOutputConfig: { roleArn: ROLE },
    });
  });

  test('an update that the service already holds (a repeated event) calls nothing', async () => {
    attributionHolding([VIEWS]);

    const { failure } = await runToCompletion(clock, handlers(), attribution.update({}, { Metrics: [VIEWS] }));

    expect(failure).toBeUndefined();
    expect(personalizeMock).toHaveReceivedCommandTimes(UpdateMetricAttributionCommand, 0);
  });

  test('UPDATE FAILED holding what the stack asks for is settled (a rollback); holding something else fails with the reason', async () => {
    attributionHolding([CLICKS], 'UPDATE FAILED');
    const rollback = await runToCompletion(clock, handlers(), attribution.update({ Metrics: [VIEWS] }, {}));
    expect(rollback.failure).toBeUndefined();

    personalizeMock.reset();
    personalizeMock.on(DescribeMetricAttributionCommand).resolves({
      metricAttribution: {
        name: 'metrics',
        metricAttributionArn: ATTRIBUTION_ARN,
        datasetGroupArn: GROUP_ARN,
        status: 'UPDATE FAILED',
        failureReason: 'role cannot publish',
        metricsOutputConfig: { roleArn: ROLE },
      },
    });
    personalizeMock.on(ListMetricAttributionMetricsCommand).resolves({ metrics: [apiMetric(CLICKS)] });
    const forward = await runToCompletion(clock, handlers(), attribution.update({}, { Metrics: [VIEWS] }));
    expect((forward.failure as Error).message).toMatch(/^Personalize reported UPDATE FAILED for metric attribution \S+: role cannot publish/);
  });

  test('a Create refused because the group holds another attribution names it and the two-deploy steps', async () => {
    personalizeMock.on(CreateMetricAttributionCommand).rejects(alreadyExists());
    personalizeMock.on(DescribeMetricAttributionCommand).rejects(notFound());
    personalizeMock.on(ListMetricAttributionsCommand).resolves({ metricAttributions: [{ name: 'old', metricAttributionArn: `${ATTRIBUTION_ARN}-old` }] });

    await expect(handlers().onEvent(attribution.create())).rejects.toThrow(
      /already has a metric attribution, \S+-old \(named 'old'\), and a dataset group holds one/);
  });

  test('Metrics that are not a list of string triples are refused, naming the item', async () => {
    await expect(handlers().onEvent(attribution.create({ Metrics: [{ EventType: 'click', MetricName: 3 }] })))
      .rejects.toThrow('Property \'Metrics\' item 1 must be {EventType, MetricName, Expression} strings, got {"EventType":"click","MetricName":3}');
  });
});
