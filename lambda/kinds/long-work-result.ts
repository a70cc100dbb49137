/**
 * The result of long work (ADR 0014), read after its wait condition: a wait condition
 * believes any SUCCESS signal that reaches its presigned URL, so whatever uses a trained
 * version or an imported dataset waits on this resource instead, which asks the work's own
 * kind how the work ended. A stray or forged signal then fails the deploy here, saying so,
 * instead of letting a campaign start on a version still training.
 *
 * Nothing is created or deleted in a service: the physical ID is the work's ARN with a
 * suffix, and every property change is a new result.
 */
import { LONG_WORK_RESULT } from '../../src/personalize/private/declarations';
import { LongWorkResultProperties } from '../../src/private/contract';
import { requiredString } from '../properties';
import { Condition, ResourceKind } from '../resource-kind';
import { declaredFields } from './declared';

export interface LongWorkResultSpec {
  readonly workResourceType: string;
  readonly workArn: string;
  /** The wait condition's Data: a new wait is a new result. */
  readonly waitData: string;
}

const SUFFIX = '#result';

/** `kinds` are every kind the handler knows; the one of the work's resource type says how the work ended. */
export function longWorkResultKind(kinds: () => ReadonlyArray<ResourceKind<any>>): ResourceKind<LongWorkResultSpec, LongWorkResultProperties> {
  const workKind = (resourceType: string) => {
    const kind = kinds().find((candidate) => candidate.resourceType === resourceType);
    if (!kind?.outcome) throw new Error(`Property 'WorkResourceType' names '${resourceType}', which has no long work`);
    return kind;
  };
  return {
    ...declaredFields(LONG_WORK_RESULT),
    firstPollDelayMs: 0,

    parse: (properties) => {
      const spec = {
        workResourceType: requiredString(properties, 'WorkResourceType'),
        workArn: requiredString(properties, 'WorkArn'),
        waitData: requiredString(properties, 'WaitData'),
      };
      workKind(spec.workResourceType);
      return spec;
    },
    nameOf: (spec) => spec.workArn,
    isOwnPhysicalId: (physicalId) => physicalId.endsWith(SUFFIX),
    replacementCauses: (oldSpec, newSpec) => (JSON.stringify(oldSpec) === JSON.stringify(newSpec) ? [] : ['work']),
    create: async (_context, spec) => `${spec.workArn}${SUFFIX}`,
    arnOf: (_context, spec) => `${spec.workArn}${SUFFIX}`,
    isOwned: async () => true,
    update: async () => true,

    observe: async (context, _physicalId, operation, spec) => {
      if (operation === 'delete' || !spec) return undefined;
      const kind = workKind(spec.workResourceType);
      const outcome = await kind.outcome!(context, spec.workArn);
      const attributes = { Arn: spec.workArn };
      if (outcome?.success) return { status: 'ENDED', condition: 'ready' as Condition, attributes };
      return {
        status: outcome ? 'FAILED' : 'STILL RUNNING',
        condition: 'failed' as Condition,
        failureReason: outcome?.reason ?? `The wait condition was signalled, but ${kind.noun} ${spec.workArn} has not ended: the signal `
          + 'did not come from this stack\'s long wait. Look for whoever else can read the wait condition handle\'s URL.',
        attributes,
      };
    },

    // Nothing to delete: the result is only a reading.
    delete: async () => {
      throw Object.assign(new Error('A long work result has nothing to delete'), { name: 'ResourceNotFoundException' });
    },
  };
}
