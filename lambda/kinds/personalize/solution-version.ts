/**
 * Training: solution versions. A version trains for hours, longer than a custom
 * resource may take (1 hour), so the resource is ready as soon as the version exists
 * and training has started; the long wait (lambda/long-wait, ADR 0014) follows the
 * training and signals a CloudFormation wait condition, which holds the stack for up to
 * 12 hours (ADR 0009). The service picks the ID in a version's ARN, so where the engine
 * needs an ARN before the service answered, the kind hands it a locator,
 * `…:solution-version-of/SOLUTION/NAME`, resolved by the version's name.
 *
 * Versions cannot be deleted; they go with their solution. A Delete stops training
 * still under way (billed while it runs) and waits until it has stopped.
 */
import {
  CreateSolutionVersionCommand, DescribeSolutionVersionCommand, ListSolutionVersionsCommand, SolutionVersion as ApiSolutionVersion,
  StopSolutionVersionCreationCommand,
} from '@aws-sdk/client-personalize';
import { apiTags, changedFields, conditionOf, describeOrUndefined, hasOwnerTag, personalize, syncTags } from './common';
import { SOLUTION_VERSION } from '../../../src/personalize/private/declarations';
import { Attributes, ResourceTypes, SolutionVersionProperties } from '../../../src/private/contract';
import { LongWaitTarget, parseLongWaitTarget, startLongWait } from '../../long-wait/start';
import { parseTags, requiredString, optionalString } from '../../properties';
import { Condition, KindContext, ResourceKind, WorkOutcome } from '../../resource-kind';
import { isErrorNamed } from '../../retry';
import { declaredFields } from '../declared';

export interface SolutionVersionSpec {
  readonly name: string;
  readonly solutionArn: string;
  readonly trainingMode: string;
  readonly signalUrl: string;
  /** Absent in the properties of library versions before ADR 0014, which only an Update's old properties carry. */
  readonly wait?: LongWaitTarget;
  readonly retrainOn?: string;
  readonly tags: Record<string, string>;
}

const LOCATOR = /^(arn:[a-z\d-]+:personalize:[a-z\d-]*:\d{12}):solution-version-of\/([^/]+)\/(.+)$/;
const TRAINING = new Set(['CREATE PENDING', 'CREATE IN_PROGRESS']);

export const solutionVersionKind: ResourceKind<SolutionVersionSpec, SolutionVersionProperties> = {
  ...declaredFields(SOLUTION_VERSION),

  parse: (properties) => ({
    name: requiredString(properties, 'Name'),
    solutionArn: requiredString(properties, 'SolutionArn'),
    trainingMode: requiredString(properties, 'TrainingMode'),
    signalUrl: requiredString(properties, 'SignalUrl'),
    wait: parseLongWaitTarget(properties),
    retrainOn: optionalString(properties, 'RetrainOn'),
    tags: parseTags(properties),
  }),

  nameOf: (spec) => spec.name,


  // Any change is a new training, with a new wait condition handle.
  replacementCauses: (oldSpec, newSpec) => changedFields(oldSpec, newSpec, [
    ['name', 'name'], ['solutionArn', 'solution'], ['trainingMode', 'trainingMode'], ['retrainOn', 'retrainOn'], ['signalUrl', 'wait condition'],
  ]),

  create: async (context, spec) => {
    let arn = await ownVersionNamed(context, spec);
    // None yet: train. Otherwise this is a retried create whose response was lost, a rollback to the version this
    // stack resource trained before, or the same training inputs again: that version, with no new training.
    if (arn === undefined) {
      try {
        const response = await context.call('CreateSolutionVersion', () => personalize().send(new CreateSolutionVersionCommand({
          name: spec.name,
          solutionArn: spec.solutionArn,
          trainingMode: spec.trainingMode as 'FULL' | 'UPDATE',
          tags: apiTags(spec.tags, context.owner),
        })));
        arn = response.solutionVersionArn!;
      } catch (error) {
        if (!isErrorNamed(error, 'ResourceAlreadyExistsException')) throw error;
        arn = await ownVersionNamed(context, spec);
        if (arn === undefined) throw error;
      }
      arn = await keepOneTraining(context, spec, arn);
    }
    // Always: the wait condition of this request may be a new one, even for a version that has finished training.
    // A wait more than needed signals the same thing again, which CloudFormation counts once.
    if (!spec.wait) throw new Error('Missing required property \'WaitStateMachineArn\'');
    await startLongWait(context, spec.wait, ResourceTypes.SOLUTION_VERSION, arn);
    return arn;
  },

  arnOf: (_context, spec) => locatorOf(spec),

  isOwned: async (context, arnOrLocator, spec, question) => {
    const arn = await resolve(context, arnOrLocator);
    if (arn === undefined || !await hasOwnerTag(context, arn)) return false;
    if (question.purpose === 'delete' || spec === undefined) return true;
    const version = await describeVersion(context, arn);
    return version !== undefined && version.solutionArn === spec.solutionArn && version.trainingMode === spec.trainingMode;
  },

  update: async (context, arnOrLocator, oldSpec, newSpec) => {
    const arn = await resolve(context, arnOrLocator);
    if (arn === undefined) throw new Error(`Solution version ${arnOrLocator} no longer exists; its solution was probably deleted outside CloudFormation.`);
    return syncTags(context, arn, newSpec.tags, oldSpec.tags);
  },

  observe: async (context, arnOrLocator, operation) => {
    const arn = await resolve(context, arnOrLocator);
    const version = arn === undefined ? undefined : await describeVersion(context, arn);
    if (!version) return undefined;
    const status = version.status ?? 'UNKNOWN';
    const attributes = { [Attributes.ARN]: version.solutionVersionArn ?? arn!, [Attributes.TRAINING_MODE]: version.trainingMode ?? '' };
    // Training under way is ready for the custom resource: the wait condition waits for the training itself.
    const condition: Condition = operation !== 'delete' && TRAINING.has(status) ? 'ready' : conditionOf(status);
    return { status, condition, failureReason: version.failureReason ?? stoppedReason(status), attributes };
  },

  delete: async (context, arnOrLocator) => {
    const arn = await resolve(context, arnOrLocator);
    const version = arn === undefined ? undefined : await describeVersion(context, arn);
    const status = version?.status ?? 'gone';
    if (TRAINING.has(status)) {
      await context.call('StopSolutionVersionCreation',
        () => personalize().send(new StopSolutionVersionCreationCommand({ solutionVersionArn: arn! })));
      return;
    }
    if (status === 'CREATE STOPPING') throw Object.assign(new Error(`Solution version ${arn} is stopping`), { name: 'ResourceInUseException' });
    // Trained, failed or stopped: the API cannot delete a version; it goes with its solution.
    throw Object.assign(new Error(`Solution version ${arnOrLocator} is ${status}; versions go with their solution`), { name: 'ResourceNotFoundException' });
  },

  longWorkAdvice: 'Raise trainingTimeout (at most 12 hours), or train outside the deploy; the rollback stops this training.',
  outcome: (context, arn) => trainingOutcome(context, arn),
};

/** How a training ended, for the long wait: undefined while it runs. */
async function trainingOutcome(context: KindContext, arn: string): Promise<WorkOutcome | undefined> {
  const version = await describeVersion(context, arn);
  if (!version) return { success: false, reason: `Solution version ${arn} no longer exists; its solution was probably deleted.` };
  const status = version.status ?? 'UNKNOWN';
  if (status === 'ACTIVE') return { success: true, reason: `Solution version ${arn} is trained (${version.trainingHours ?? '?'} training hours).` };
  if (TRAINING.has(status) || status === 'CREATE STOPPING') return undefined;
  return { success: false, reason: `Training of solution version ${arn} ended ${status}: ${version.failureReason ?? stoppedReason(status) ?? 'no reason given'}` };
}

function stoppedReason(status: string): string | undefined {
  return status === 'CREATE STOPPED' ? 'training was stopped (StopSolutionVersionCreation)' : undefined;
}

/**
 * A Create delivered twice at once (or resent after a lost answer) can start two trainings of one name; the
 * oldest is kept, and every delivery answers with the oldest it sees. A delivery stops a training only when no
 * delivery can have answered with it: one that began after the oldest (whoever looked before the oldest existed
 * looked before it too), or its own. Two that began in the same millisecond have no order: a delivery that
 * looked before the other's existed may have answered with its own, so one not ours is left to train.
 */
async function keepOneTraining(context: KindContext, spec: SolutionVersionSpec, created: string): Promise<string> {
  const versions = await versionsNamed(context, spec.solutionArn, spec.name);
  const oldest = versions[0];
  if (!oldest) return created;
  const began = (version: ApiSolutionVersion) => version.creationDateTime?.getTime() ?? 0;
  const stoppable = versions.slice(1).filter((version) => TRAINING.has(version.status ?? '')
    && (version.solutionVersionArn === created || began(version) > began(oldest)));
  for (const version of stoppable) {
    try {
      await context.call('StopSolutionVersionCreation',
        () => personalize().send(new StopSolutionVersionCreationCommand({ solutionVersionArn: version.solutionVersionArn! })));
    } catch (error) {
      // The other delivery stopped it first.
      if (!isErrorNamed(error, 'ResourceInUseException')) throw error;
    }
  }
  return oldest.solutionVersionArn!;
}

/** The version of this name that this stack resource made, if any. */
async function ownVersionNamed(context: KindContext, spec: SolutionVersionSpec): Promise<string | undefined> {
  const found = await resolve(context, locatorOf(spec));
  return found !== undefined && await hasOwnerTag(context, found) ? found : undefined;
}

function locatorOf(spec: SolutionVersionSpec): string {
  const [prefix, solutionName] = spec.solutionArn.split(':solution/');
  return `${prefix}:solution-version-of/${solutionName}/${spec.name}`;
}

/** The version's ARN: the ARN itself, or for a locator the ARN of the solution's first version with that name (undefined if none). */
async function resolve(context: KindContext, arnOrLocator: string): Promise<string | undefined> {
  const match = LOCATOR.exec(arnOrLocator);
  if (!match) return arnOrLocator;
  const [, prefix, solutionName, name] = match;
  return (await versionsNamed(context, `${prefix}:solution/${solutionName}`, name))[0]?.solutionVersionArn;
}

/** The solution's versions with this name, oldest first. */
async function versionsNamed(context: KindContext, solutionArn: string, name: string): Promise<ApiSolutionVersion[]> {
  let summaries;
  try {
    summaries = (await context.call('ListSolutionVersions',
      () => personalize().send(new ListSolutionVersionsCommand({ solutionArn, maxResults: 100 })))).solutionVersions ?? [];
  } catch (error) {
    if (isErrorNamed(error, 'ResourceNotFoundException')) return [];
    throw error;
  }
  // Summaries carry no name: describe each (a solution holds few versions made by one stack resource).
  const named: ApiSolutionVersion[] = [];
  for (const summary of summaries) {
    const version = await describeVersion(context, summary.solutionVersionArn!);
    if (version?.name === name) named.push(version);
  }
  const created = (v: ApiSolutionVersion) => v.creationDateTime?.getTime() ?? 0;
  return named.sort((a, b) => created(a) - created(b) || (a.solutionVersionArn ?? '').localeCompare(b.solutionVersionArn ?? ''));
}

async function describeVersion(context: KindContext, arn: string): Promise<ApiSolutionVersion | undefined> {
  const response = await describeOrUndefined(context, 'DescribeSolutionVersion',
    () => personalize().send(new DescribeSolutionVersionCommand({ solutionVersionArn: arn })));
  return response?.solutionVersion;
}
