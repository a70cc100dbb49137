/**
 * Solutions. What CreateSolution fixes (recipe, HPO, event type, solution config)
 * is a replacement; automatic training, its schedule, the events config and
 * incremental updates change in place through UpdateSolution, whose progress
 * DescribeSolution reports apart from the solution's own status, as
 * latestSolutionUpdate. A delete stops training still under way first: it is
 * billed while it runs, and DeleteSolution is refused meanwhile. Campaigns on the
 * solution block its delete (blockers.ts): it fails with their ARNs after the engine's
 * grace, or, under the group's emptyOnDelete, first deletes those this stack does not manage.
 */
import {
  CreateSolutionCommand, DescribeSolutionCommand, EventsConfig, Solution as ApiSolution, UpdateSolutionCommand,
} from '@aws-sdk/client-personalize';
import { removeForeignBlockers, solutionBlockers, sortBlockers } from './blockers';
import { apiTags, changedFields, conditionOf, describeOrUndefined, hasOwnerTag, personalize, syncTags } from './common';
import { stopTrainingAndDeleteSolution } from './group-children';
import { SOLUTION } from '../../../src/personalize/private/declarations';
import { Attributes, SolutionProperties } from '../../../src/private/contract';
import { Delivered, optionalBoolean, optionalString, parseTags, PropertyName, requiredString } from '../../properties';
import { KindContext, ResourceKind } from '../../resource-kind';
import { isErrorNamed } from '../../retry';
import { arnByName, declaredFields } from '../declared';

export interface SolutionSpec {
  readonly name: string;
  readonly datasetGroupArn: string;
  readonly recipeArn: string;
  readonly performHPO: boolean;
  readonly eventType?: string;
  /** JSON text of the create-only solution config, compared as text. */
  readonly solutionConfig?: string;
  readonly updatable: UpdatableSettings;
  readonly tags: Record<string, string>;
  /** The group's emptyOnDelete: a delete removes the campaigns this stack does not manage. */
  readonly groupEmptyOnDelete: boolean;
}

/** What UpdateSolution changes. */
export interface UpdatableSettings {
  readonly performAutoTraining: boolean;
  readonly schedule?: string;
  /** JSON text of an EventsConfig; absent leaves the solution's as it is. */
  readonly eventsConfig?: string;
  readonly performIncrementalUpdate?: boolean;
}

const IN_FLIGHT = new Set(['CREATE PENDING', 'CREATE IN_PROGRESS']);

export const solutionKind: ResourceKind<SolutionSpec, SolutionProperties> = {
  ...declaredFields(SOLUTION),
  blockedDeleteHint: 'Delete those campaigns, or set emptyOnDelete on the DatasetGroup so that the stack deletes those it does not manage first',

  parse: (properties) => {
    const incremental = optionalString(properties, 'PerformIncrementalUpdate');
    return {
      name: requiredString(properties, 'Name'),
      datasetGroupArn: requiredString(properties, 'DatasetGroupArn'),
      recipeArn: requiredString(properties, 'RecipeArn'),
      performHPO: optionalBoolean(properties, 'PerformHPO', false),
      eventType: optionalString(properties, 'EventType'),
      solutionConfig: jsonText(properties, 'SolutionConfig'),
      updatable: {
        performAutoTraining: optionalBoolean(properties, 'PerformAutoTraining', false),
        schedule: optionalString(properties, 'AutoTrainingSchedule'),
        eventsConfig: jsonText(properties, 'EventsConfig'),
        performIncrementalUpdate: incremental === undefined ? undefined : optionalBoolean(properties, 'PerformIncrementalUpdate', false),
      },
      tags: parseTags(properties),
      // Absent from what constructs before it synthesized.
      groupEmptyOnDelete: optionalBoolean(properties, 'GroupEmptyOnDelete', false),
    };
  },

  nameOf: (spec) => spec.name,


  replacementCauses: (oldSpec, newSpec) => changedFields(oldSpec, newSpec, [
    ['name', 'solutionName'], ['datasetGroupArn', 'datasetGroup'], ['recipeArn', 'recipe'], ['performHPO', 'hpo'],
    ['eventType', 'eventType'], ['solutionConfig', 'solution config'],
  ]),

  create: async (context, spec) => {
    const { updatable } = spec;
    const response = await context.call('CreateSolution', () => personalize().send(new CreateSolutionCommand({
      name: spec.name,
      datasetGroupArn: spec.datasetGroupArn,
      recipeArn: spec.recipeArn,
      performHPO: spec.performHPO,
      eventType: spec.eventType,
      // Automatic training is on unless turned off: always say which.
      performAutoTraining: updatable.performAutoTraining,
      performIncrementalUpdate: updatable.performIncrementalUpdate,
      solutionConfig: {
        ...(spec.solutionConfig ? JSON.parse(spec.solutionConfig) : {}),
        ...(updatable.performAutoTraining && updatable.schedule ? { autoTrainingConfig: { schedulingExpression: updatable.schedule } } : {}),
        ...(updatable.eventsConfig ? { eventsConfig: JSON.parse(updatable.eventsConfig) } : {}),
      },
      tags: apiTags(spec.tags, context.owner),
    })));
    return response.solutionArn!;
  },

  arnOf: arnByName(SOLUTION),

  isOwned: async (context, arn, spec, question) => {
    if (!await hasOwnerTag(context, arn)) return false;
    if (question.purpose === 'delete' || spec === undefined) return true;
    const solution = await describeSolution(context, arn);
    return solution !== undefined && solution.datasetGroupArn === spec.datasetGroupArn && solution.recipeArn === spec.recipeArn;
  },

  update: async (context, arn, oldSpec, newSpec) => {
    const solution = await describeSolution(context, arn);
    if (!solution) throw new Error(`Solution ${arn} no longer exists; it was probably deleted outside CloudFormation.`);
    const held = heldSettings(solution);
    const heldPrevious = differences(held, oldSpec.updatable).length === 0;
    if (differences(held, newSpec.updatable).length > 0) {
      const wanted = newSpec.updatable;
      try {
        await context.call('UpdateSolution', () => personalize().send(new UpdateSolutionCommand({
          solutionArn: arn,
          performAutoTraining: wanted.performAutoTraining,
          performIncrementalUpdate: wanted.performIncrementalUpdate,
          solutionUpdateConfig: {
            autoTrainingConfig: wanted.performAutoTraining && wanted.schedule ? { schedulingExpression: wanted.schedule } : undefined,
            eventsConfig: wanted.eventsConfig ? JSON.parse(wanted.eventsConfig) as EventsConfig : undefined,
          },
        })));
      } catch (error) {
        // A retry whose first attempt started the update (its response was lost) meets that update; observe follows it.
        if (!isErrorNamed(error, 'ResourceInUseException')) throw error;
      }
    }
    const tagsHeld = await syncTags(context, arn, newSpec.tags, oldSpec.tags);
    return heldPrevious && tagsHeld;
  },

  observe: async (context, arn, operation, spec) => {
    const solution = await describeSolution(context, arn);
    if (!solution) return undefined;
    const status = solution.status ?? 'UNKNOWN';
    const condition = conditionOf(status);
    const attributes = { [Attributes.ARN]: solution.solutionArn ?? arn, [Attributes.NAME]: solution.name ?? '' };
    if (operation === 'delete' || spec === undefined || condition !== 'ready') {
      // The Solution shape has no failureReason: the status is all the service says.
      return { status, condition, attributes };
    }
    const update = solution.latestSolutionUpdate;
    if (update?.status && IN_FLIGHT.has(update.status)) return { status: `update ${update.status}`, condition: 'busy', attributes };
    const problems = differences(heldSettings(solution), spec.updatable);
    if (problems.length === 0) return { status, condition: 'ready', attributes };
    if (update?.status === 'CREATE FAILED') {
      return { status: 'update CREATE FAILED', condition: 'failed', failureReason: update.failureReason, attributes };
    }
    return { status, condition: 'failed', failureReason: `the solution holds ${problems.join(', ')}, not what the stack asks for`, attributes };
  },

  delete: async (context, arn, spec) => {
    try {
      await stopTrainingAndDeleteSolution(context, arn);
    } catch (error) {
      // Refused: under emptyOnDelete, delete the campaigns this stack does not manage; the engine asks again.
      if (isErrorNamed(error, 'ResourceInUseException') && spec?.groupEmptyOnDelete) await removeForeignBlockers(context, await solutionBlockers(context, arn));
      throw error;
    }
  },

  blockers: async (context, arn, spec) => sortBlockers(context, await solutionBlockers(context, arn), spec?.groupEmptyOnDelete ?? false, 'solution'),
};

/** What the solution holds of the updatable settings: its latest update's once that is ACTIVE, else its own. */
function heldSettings(solution: ApiSolution): UpdatableSettings {
  const update = solution.latestSolutionUpdate?.status === 'ACTIVE' ? solution.latestSolutionUpdate : undefined;
  const events = update?.solutionUpdateConfig?.eventsConfig ?? solution.solutionConfig?.eventsConfig;
  return {
    performAutoTraining: update?.performAutoTraining ?? solution.performAutoTraining ?? true,
    schedule: update?.solutionUpdateConfig?.autoTrainingConfig?.schedulingExpression
      ?? solution.solutionConfig?.autoTrainingConfig?.schedulingExpression,
    eventsConfig: events ? canonicalJson(events) : undefined,
    performIncrementalUpdate: update?.performIncrementalUpdate ?? solution.performIncrementalUpdate,
  };
}

/** The settings `held` differs from `wanted` in, as `name=value` of what is held. Absent wanted values are not compared. */
function differences(held: UpdatableSettings, wanted: UpdatableSettings): string[] {
  const found: string[] = [];
  if (held.performAutoTraining !== wanted.performAutoTraining) found.push(`performAutoTraining=${held.performAutoTraining}`);
  if (wanted.performAutoTraining && held.performAutoTraining && wanted.schedule && held.schedule !== wanted.schedule) found.push(`schedule=${held.schedule}`);
  if (wanted.eventsConfig && held.eventsConfig !== canonicalJson(JSON.parse(wanted.eventsConfig))) found.push(`eventsConfig=${held.eventsConfig}`);
  if (wanted.performIncrementalUpdate !== undefined && held.performIncrementalUpdate !== wanted.performIncrementalUpdate) {
    found.push(`performIncrementalUpdate=${held.performIncrementalUpdate}`);
  }
  return found;
}

/** JSON with sorted keys, so that equal configs compare equal as text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item) => (item && typeof item === 'object' && !Array.isArray(item)
    ? Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)))
    : item));
}

/** A property holding JSON text of an object, returned in canonical form; absent or empty is undefined. */
function jsonText(properties: Delivered<SolutionProperties>, key: PropertyName<SolutionProperties>): string | undefined {
  const text = optionalString(properties, key);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`Property '${key}' must be JSON text of an object, got '${text.slice(0, 100)}'`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`Property '${key}' must be JSON text of an object`);
  return canonicalJson(value);
}

async function describeSolution(context: KindContext, arn: string): Promise<ApiSolution | undefined> {
  const response = await describeOrUndefined(context, 'DescribeSolution',
    () => personalize().send(new DescribeSolutionCommand({ solutionArn: arn })));
  return response?.solution;
}
