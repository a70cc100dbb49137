/**
 * Solution versions: a training of an ACTIVE solution, trainAfterMs long, which
 * StopSolutionVersionCreation can stop. The API has no delete: versions go with their solution.
 */
import type { DatasetRecord } from './dataset';
import { Family, FamilyApi, FamilyRecord, TIMES } from './family';
import { Input, KindFactory, Output } from '../core';
import { invalidInput, inUse } from '../errors';
import { IN_FLIGHT, STATUS, stopping } from '../lifecycle';
import { requestTags } from '../tags';

export interface SolutionVersionRecord extends FamilyRecord {
  stop?: { readonly at: number; readonly fromInProgress: boolean };
}

export const SOLUTION_VERSION_API: FamilyApi = {
  arnMember: 'solutionVersionArn',
  listMember: 'solutionVersions',
  listedBy: 'solutionArn',
  describe: [
    'name', 'solutionVersionArn', 'solutionArn', 'performHPO', 'performAutoML', 'performIncrementalUpdate', 'recipeArn',
    'eventType', 'datasetGroupArn', 'solutionConfig', 'trainingMode', 'status', 'failureReason', ...TIMES, 'trainingType',
  ],
  summary: ['solutionVersionArn', 'status', 'trainingMode', 'trainingType', ...TIMES, 'failureReason'],
};

export const solutionVersionKind: KindFactory = (core) => {
  const versions = new Family<SolutionVersionRecord>(core, 'solutionVersion', SOLUTION_VERSION_API);

  /**
   * A version is matched by failCreation / neverActivate / holdCreation through
   * its own name, or through its solution's name when it has none.
   */
  function create(input: Input, now: number): Output {
    const tags = requestTags(input);
    const solution = core.find<FamilyRecord>(input.solutionArn, 'solution');
    core.requireActive(solution, now, 'before it can be trained');
    const trainingMode: string = input.trainingMode ?? 'FULL';
    const ofSolution = versions.all().filter((v) => v.solutionArn === solution.arn);
    if (trainingMode === 'UPDATE' && !ofSolution.some((v) => v.details.trainingMode === 'FULL' && core.phase(v, now).status === STATUS.active)) {
      throw invalidInput(`trainingMode UPDATE needs an ACTIVE solution version of ${solution.arn} trained with FULL.`);
    }
    const { performHPO, performAutoML, performIncrementalUpdate, recipeArn, eventType, solutionConfig } = solution.details;
    const details: Output = {
      performHPO, performAutoML, performIncrementalUpdate, recipeArn, eventType, solutionConfig, trainingMode, trainingType: 'MANUAL',
    };
    const arn = `${solution.arn}/${core.config.randomArnId()}`;
    const fields = { name: input.name, arn, datasetGroupArn: solution.datasetGroupArn, solutionArn: solution.arn, details };
    return versions.create(now, fields, tags, input.name ?? solution.name);
  }

  function stop(input: Input, now: number): Output {
    const version = versions.find(input.solutionVersionArn);
    const { status } = core.phase(version, now);
    if (status !== STATUS.createPending && status !== STATUS.createInProgress) {
      throw inUse(`Solution version ${version.arn} is in ${status} state; only a CREATE PENDING or CREATE IN_PROGRESS version can be stopped.`);
    }
    version.stop = { at: now, fromInProgress: status === STATUS.createInProgress };
    return {};
  }

  return {
    label: 'Solution version',
    creationMs: core.config.trainAfterMs,
    operations: {
      CreateSolutionVersion: create,
      DescribeSolutionVersion: versions.describe,
      ListSolutionVersions: (input, now) => {
        if (input.solutionArn !== undefined) core.find(input.solutionArn, 'solution');
        return versions.list(input, now);
      },
      StopSolutionVersionCreation: stop,
    },
    phase: (v: SolutionVersionRecord, now) => (v.stop ? stopping(v.stop, core.config.activeAfterMs / 3, now) : undefined),
    parentArn: (v: SolutionVersionRecord) => v.solutionArn!,
    snapshot: versions.snapshot,
    blocks: {
      // https://docs.aws.amazon.com/personalize/latest/dg/delete-dataset.html: no associated SolutionVersion may be
      // CREATE PENDING or IN PROGRESS (CREATE STOPPING counts as in progress here).
      dataset: {
        reason: 'is used by solution versions in training',
        blocking: (dataset: DatasetRecord, now) => core.withStatus(core.inGroup<SolutionVersionRecord>(dataset.datasetGroupArn, 'solutionVersion'), IN_FLIGHT, now),
      },
    },
  };
};
