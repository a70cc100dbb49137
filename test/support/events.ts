import { Handoff, LifecycleEvent } from '../../lambda/engine';
import { OWNER_TAG_KEY } from '../../src/private/contract';

export const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/TestStack/5b6a3c10-0000-11ef-8000-0a1b2c3d4e5f';

/** A CloudFormation custom resource event as the Provider framework passes it to onEvent. */
export function lifecycleEvent(fields: Partial<LifecycleEvent> & Pick<LifecycleEvent, 'RequestType' | 'ResourceType' | 'ResourceProperties'>): LifecycleEvent {
  return {
    LogicalResourceId: 'Resource',
    StackId: STACK_ID,
    RequestId: 'request-1',
    ...fields,
  };
}

type Overrides = Record<string, unknown>;

/** Custom resource properties as CloudFormation delivers them (every value a string), with the Provider's ServiceToken. */
export function resourceProperties(fields: Overrides, overrides: Overrides = {}): Overrides {
  return { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider', ContractVersion: '1', ...fields, ...overrides };
}

/**
 * Create, Update and Delete requests for one resource type: `properties(overrides)` gives
 * its properties, and `physicalId` the physical ID an Update or Delete carries by default.
 */
export function requestsFor(resourceType: string, properties: (overrides?: Overrides) => Overrides, physicalId: string) {
  return {
    create: (overrides: Overrides = {}): LifecycleEvent =>
      lifecycleEvent({ RequestType: 'Create', ResourceType: resourceType, ResourceProperties: properties(overrides) }),
    update: (oldOverrides: Overrides, newOverrides: Overrides, physicalResourceId = physicalId): LifecycleEvent => lifecycleEvent({
      RequestType: 'Update',
      ResourceType: resourceType,
      PhysicalResourceId: physicalResourceId,
      OldResourceProperties: properties(oldOverrides),
      ResourceProperties: properties(newOverrides),
    }),
    delete: (physicalResourceId = physicalId, overrides: Overrides = {}): LifecycleEvent => lifecycleEvent({
      RequestType: 'Delete',
      ResourceType: resourceType,
      PhysicalResourceId: physicalResourceId,
      ResourceProperties: properties(overrides),
    }),
  };
}

/** The owner tag value the handler computes for `lifecycleEvent` defaults. */
export const OWNER = 'TestStack/Resource';

/** What ListTagsForResource answers for a resource with these tags and the owner tag of `owner` (none when null). */
export function tagged(tags: Record<string, string> = {}, owner: string | null = OWNER) {
  const all = Object.entries(tags).map(([tagKey, tagValue]) => ({ tagKey, tagValue }));
  return { tags: owner === null ? all : [...all, { tagKey: OWNER_TAG_KEY, tagValue: owner }] };
}

/** The event isComplete receives: the request merged with what onEvent returned, as the Provider framework does. */
export function isCompleteEvent(request: LifecycleEvent, physicalResourceId: string, lifecycle: Handoff): LifecycleEvent {
  return { ...request, PhysicalResourceId: physicalResourceId, Lifecycle: lifecycle };
}
