/**
 * Solutions, and UpdateSolution: one update at a time, on an ACTIVE solution, which stays ACTIVE
 * while it runs. The update shows as latestSolutionUpdate, CREATE PENDING > CREATE IN_PROGRESS >
 * ACTIVE or CREATE FAILED (API reference, UpdateSolution); what it set becomes the solution's own once ACTIVE.
 */
import { activeGroup, groupMember } from './dataset-group';
import { Family, FamilyRecord, TIMES } from './family';
import { SOLUTION_VERSION_API, SolutionVersionRecord } from './solution-version';
import { Input, KindFactory, Output, UpdateLifecycle } from '../core';
import { invalidInput, inUse } from '../errors';
import { CREATE_NAMES, epoch, IN_FLIGHT, STATUS } from '../lifecycle';
import { requestTags } from '../tags';

interface SolutionRecord extends FamilyRecord {
  update?: SolutionUpdate;
}

interface SolutionUpdate extends UpdateLifecycle {
  readonly performAutoTraining?: boolean;
  readonly performIncrementalUpdate?: boolean;
  readonly solutionUpdateConfig?: Output;
  applied: boolean;
}

export const solutionKind: KindFactory = (core) => {
  const solutions = new Family<SolutionRecord>(core, 'solution', {
    arnMember: 'solutionArn',
    listMember: 'solutions',
    listedBy: 'datasetGroupArn',
    describe: [
      'name', 'solutionArn', 'performHPO', 'performAutoML', 'performAutoTraining', 'performIncrementalUpdate', 'recipeArn',
      'datasetGroupArn', 'eventType', 'solutionConfig', 'status', ...TIMES, 'latestSolutionVersion', 'latestSolutionUpdate',
    ],
    summary: ['name', 'solutionArn', 'status', ...TIMES, 'recipeArn'],
  });
  const versions = new Family<SolutionVersionRecord>(core, 'solutionVersion', SOLUTION_VERSION_API);
  const versionsOf = (solution: SolutionRecord) => versions.all().filter((v) => v.solutionArn === solution.arn);
  const updateStatus = (u: SolutionUpdate, now: number) => core.updatePhase(u, now, CREATE_NAMES);

  function create(input: Input, now: number): Output {
    const tags = requestTags(input);
    const autoML = input.performAutoML === true;
    if (autoML && input.recipeArn !== undefined) throw invalidInput('recipeArn must be omitted when performAutoML is true.');
    if (!autoML && input.recipeArn === undefined) throw invalidInput('recipeArn is required when performAutoML is false.');
    const group = activeGroup(core, input.datasetGroupArn, now, 'solutions');
    const details: Output = {
      performHPO: input.performHPO ?? false,
      performAutoML: autoML,
      performAutoTraining: input.performAutoTraining ?? true,
      performIncrementalUpdate: input.performIncrementalUpdate,
      recipeArn: input.recipeArn,
      eventType: input.eventType,
      solutionConfig: input.solutionConfig,
    };
    return solutions.create(now, { name: input.name, arn: core.arn(`solution/${input.name}`), datasetGroupArn: group.arn, details }, tags);
  }

  function describe(input: Input, now: number): Output {
    const solution = solutions.find(input.solutionArn);
    const extra: Output = {};
    const latest = versionsOf(solution).pop();
    if (latest) extra.latestSolutionVersion = versions.summary(latest, now);
    const u = solution.update;
    if (u) {
      const up = updateStatus(u, now);
      extra.latestSolutionUpdate = {
        solutionUpdateConfig: u.solutionUpdateConfig,
        status: up.status,
        performAutoTraining: u.performAutoTraining,
        performIncrementalUpdate: u.performIncrementalUpdate,
        creationDateTime: epoch(u.startedAt),
        lastUpdatedDateTime: epoch(up.since),
        failureReason: up.failureReason,
      };
    }
    return { solution: solutions.output(solution, now, solutions.api.describe, extra) };
  }

  function update(input: Input, now: number): Output {
    const solution = solutions.find(input.solutionArn);
    core.requireActive(solution, now, 'to be updated');
    if (solution.update) {
      const { status } = updateStatus(solution.update, now);
      if (status === STATUS.createPending || status === STATUS.createInProgress) {
        throw inUse(`Solution ${solution.arn} has an update in ${status} state.`);
      }
    }
    const recipe = String(solution.details.recipeArn ?? '');
    if (input.performIncrementalUpdate !== undefined && !recipe.endsWith('/aws-semantic-similarity')) {
      throw invalidInput('performIncrementalUpdate is supported only for solutions that use the aws-semantic-similarity recipe.');
    }
    solution.update = {
      startedAt: now,
      ...core.startUpdate(solution.name!),
      performAutoTraining: input.performAutoTraining,
      performIncrementalUpdate: input.performIncrementalUpdate,
      solutionUpdateConfig: input.solutionUpdateConfig,
      applied: false,
    };
    return { solutionArn: solution.arn };
  }

  /**
   * https://docs.aws.amazon.com/personalize/latest/dg/API_DeleteSolution.html: "Before deleting a solution, you
   * must delete all campaigns based on the solution" (campaign.ts) and "You can't delete a solution if an associated
   * SolutionVersion is in the CREATE PENDING or IN PROGRESS state" (CREATE STOPPING counts as in progress here).
   * https://docs.aws.amazon.com/personalize/latest/dg/deleting-resources.html adds that a resource whose status is
   * changing cannot be deleted, and "This includes the latestSolutionUpdate status of a solution".
   */
  function remove(input: Input, now: number): Output {
    const solution = solutions.find(input.solutionArn);
    const u = solution.update && !solution.update.applied ? updateStatus(solution.update, now) : undefined;
    if (u && IN_FLIGHT.includes(u.status) && core.phase(solution, now).status === STATUS.active) {
      throw inUse(`Solution ${solution.arn} has an update in progress (latestSolutionUpdate ${u.status}).`);
    }
    return core.beginDelete(solution, now, [
      ...core.blockersOf(solution, now),
      ['has solution versions in training', core.withStatus(versionsOf(solution), IN_FLIGHT, now)],
    ]);
  }

  return {
    label: 'Solution',
    operations: {
      CreateSolution: create,
      DescribeSolution: describe,
      UpdateSolution: update,
      DeleteSolution: remove,
      ListSolutions: solutions.list,
    },
    settle: (r: SolutionRecord, _phase, now) => {
      const u = r.update;
      if (!u || u.applied) return;
      const { status } = updateStatus(u, now);
      if (status === STATUS.active) {
        // What the update set becomes what the solution holds.
        const details = r.details as Record<string, any>;
        if (u.performAutoTraining !== undefined) details.performAutoTraining = u.performAutoTraining;
        if (u.performIncrementalUpdate !== undefined) details.performIncrementalUpdate = u.performIncrementalUpdate;
        details.solutionConfig = { ...details.solutionConfig, ...u.solutionUpdateConfig };
        u.applied = true;
      } else if (status === STATUS.createFailed) {
        u.applied = true;
      }
    },
    snapshot: solutions.snapshot,
    blocks: { datasetGroup: groupMember(core, 'solution', 'solutions') },
  };
};
