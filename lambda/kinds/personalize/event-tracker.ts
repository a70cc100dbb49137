/**
 * Event trackers. A dataset group holds at most one. Unlike every other kind, the
 * service picks the ARN (`event-tracker/ID`, ID random), so an ARN cannot be
 * computed from the properties. Where the engine needs one before the service has
 * answered (a lost Create response, the Delete of a cancelled Create), the kind
 * hands it a locator, `…:event-tracker-of/GROUP/NAME`, which it resolves by listing
 * the group's trackers and picking the one with that name. Tags change in place;
 * a new name or group is a replacement.
 */
import {
  CreateEventTrackerCommand, DeleteEventTrackerCommand, DescribeEventTrackerCommand, EventTracker as ApiEventTracker,
  ListEventTrackersCommand,
} from '@aws-sdk/client-personalize';
import { apiTags, changedFields, conditionOf, describeOrUndefined, hasOwnerTag, personalize, syncTags } from './common';
import { EVENT_TRACKER } from '../../../src/personalize/private/declarations';
import { Attributes, EventTrackerProperties } from '../../../src/private/contract';
import { parseTags, requiredString } from '../../properties';
import { KindContext, ResourceKind } from '../../resource-kind';
import { isErrorNamed } from '../../retry';
import { declaredFields } from '../declared';

export interface EventTrackerSpec {
  readonly name: string;
  readonly datasetGroupArn: string;
  readonly tags: Record<string, string>;
}

const LOCATOR = /^(arn:[a-z\d-]+:personalize:[a-z\d-]*:\d{12}):event-tracker-of\/([^/]+)\/(.+)$/;

export const eventTrackerKind: ResourceKind<EventTrackerSpec, EventTrackerProperties> = {
  ...declaredFields(EVENT_TRACKER),
  // The tracking ID is what event producers send with PutEvents.
  hasSecretAttributes: () => true,

  parse: (properties) => ({
    name: requiredString(properties, 'Name'),
    datasetGroupArn: requiredString(properties, 'DatasetGroupArn'),
    tags: parseTags(properties),
  }),

  nameOf: (spec) => spec.name,


  replacementCauses: (oldSpec, newSpec) => changedFields(oldSpec, newSpec, [['name', 'eventTrackerName'], ['datasetGroupArn', 'datasetGroup']]),

  create: async (context, spec) => {
    try {
      const response = await context.call('CreateEventTracker', () => personalize().send(new CreateEventTrackerCommand({
        name: spec.name,
        datasetGroupArn: spec.datasetGroupArn,
        tags: apiTags(spec.tags, context.owner),
      })));
      return response.eventTrackerArn!;
    } catch (error) {
      if (!isErrorNamed(error, 'ResourceAlreadyExistsException')) throw error;
      // One tracker per group: the place is taken, by our own tracker (a lost response) or by another.
      const existing = (await trackersOf(context, spec.datasetGroupArn))[0];
      if (!existing?.eventTrackerArn) throw error;
      const ours = await hasOwnerTag(context, existing.eventTrackerArn);
      if (ours && existing.name === spec.name) return existing.eventTrackerArn;
      throw new Error(`Dataset group ${spec.datasetGroupArn} already has an event tracker, ${existing.eventTrackerArn} (named `
        + `'${existing.name}'), and a dataset group holds one. ${ours
          ? 'It is this stack resource\'s current tracker: a new name in the same group needs two deploys. Remove the EventTracker '
            + 'from the app and deploy, then add it back with the new name.'
          : 'This stack resource did not create it. Delete it, or use it through EventTracker.fromEventTrackerAttributes.'}`);
    }
  },

  arnOf: (_context, spec) => locatorOf(spec),

  isOwned: async (context, arnOrLocator, spec, question) => {
    const arn = await resolve(context, arnOrLocator);
    if (arn === undefined || !await hasOwnerTag(context, arn)) return false;
    if (question.purpose === 'delete' || spec === undefined) return true;
    const tracker = await describeTracker(context, arn);
    return tracker !== undefined && tracker.name === spec.name && tracker.datasetGroupArn === spec.datasetGroupArn;
  },

  update: async (context, arnOrLocator, oldSpec, newSpec) => {
    const arn = await resolve(context, arnOrLocator);
    if (arn === undefined) throw new Error(`Event tracker ${arnOrLocator} no longer exists; it was probably deleted outside CloudFormation.`);
    return syncTags(context, arn, newSpec.tags, oldSpec.tags);
  },

  observe: async (context, arnOrLocator) => {
    const arn = await resolve(context, arnOrLocator);
    const tracker = arn === undefined ? undefined : await describeTracker(context, arn);
    if (!tracker) return undefined;
    const status = tracker.status ?? 'UNKNOWN';
    return {
      status,
      // The EventTracker shape has no failureReason: the status is all the service says.
      condition: conditionOf(status),
      attributes: {
        [Attributes.ARN]: tracker.eventTrackerArn ?? arn!,
        [Attributes.NAME]: tracker.name ?? '',
        [Attributes.TRACKING_ID]: tracker.trackingId ?? '',
      },
    };
  },

  delete: async (context, arnOrLocator) => {
    const arn = await resolve(context, arnOrLocator);
    if (arn === undefined) throw Object.assign(new Error(`No event tracker at ${arnOrLocator}`), { name: 'ResourceNotFoundException' });
    await context.call('DeleteEventTracker', () => personalize().send(new DeleteEventTrackerCommand({ eventTrackerArn: arn })));
  },
};

/** Where a tracker with these properties would be, before its ARN is known. */
function locatorOf(spec: EventTrackerSpec): string {
  return `${spec.datasetGroupArn.replace(/:dataset-group\/.*$/, '')}:event-tracker-of/${spec.datasetGroupArn.split('/').pop()}/${spec.name}`;
}

/** The tracker's ARN: the ARN itself, or for a locator the ARN of the group's tracker with that name (undefined if none). */
async function resolve(context: KindContext, arnOrLocator: string): Promise<string | undefined> {
  const match = LOCATOR.exec(arnOrLocator);
  if (!match) return arnOrLocator;
  const [, prefix, groupName, name] = match;
  const found = (await trackersOf(context, `${prefix}:dataset-group/${groupName}`)).find((tracker) => tracker.name === name);
  return found?.eventTrackerArn;
}

async function trackersOf(context: KindContext, datasetGroupArn: string) {
  try {
    const response = await context.call('ListEventTrackers',
      () => personalize().send(new ListEventTrackersCommand({ datasetGroupArn, maxResults: 100 })));
    return response.eventTrackers ?? [];
  } catch (error) {
    // A group that is gone has no trackers.
    if (isErrorNamed(error, 'ResourceNotFoundException')) return [];
    throw error;
  }
}

async function describeTracker(context: KindContext, arn: string): Promise<ApiEventTracker | undefined> {
  const response = await describeOrUndefined(context, 'DescribeEventTracker',
    () => personalize().send(new DescribeEventTrackerCommand({ eventTrackerArn: arn })));
  return response?.eventTracker;
}
