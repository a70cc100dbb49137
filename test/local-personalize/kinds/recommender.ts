/**
 * Recommenders: Domain dataset groups only, with a use case (recipe) of the group's domain.
 * UpdateRecommender: see serving.ts. StopRecommender (ACTIVE, no update under way): STOP PENDING,
 * STOP IN_PROGRESS, then INACTIVE over updateAfterMs; StartRecommender (INACTIVE) the same way back to ACTIVE.
 */
import type { DatasetRecord } from './dataset';
import { findGroup, groupMember } from './dataset-group';
import { Family, TIMES } from './family';
import { ServingRecord, ServingUpdates } from './serving';
import { Input, KindFactory, Output } from '../core';
import { invalidInput, inUse } from '../errors';
import { IN_FLIGHT, START_NAMES, STATUS, STOP_NAMES } from '../lifecycle';
import { requestTags } from '../tags';

/** Recipe name prefixes of the use cases of each domain (recipe/aws-ecomm-..., recipe/aws-vod-...). */
const DOMAIN_RECIPE_PREFIX: Record<string, string> = { ECOMMERCE: 'aws-ecomm-', VIDEO_ON_DEMAND: 'aws-vod-' };

interface RecommenderRecord extends ServingRecord {
  switching?: { readonly at: number; readonly to: 'start' | 'stop' };
}

export const recommenderKind: KindFactory = (core) => {
  const recommenders = new Family<RecommenderRecord>(core, 'recommender', {
    arnMember: 'recommenderArn',
    listMember: 'recommenders',
    listedBy: 'datasetGroupArn',
    describe: [
      'recommenderArn', 'datasetGroupArn', 'name', 'recipeArn', 'recommenderConfig', ...TIMES, 'status', 'failureReason',
      'latestRecommenderUpdate',
    ],
    summary: ['name', 'recommenderArn', 'datasetGroupArn', 'recipeArn', 'recommenderConfig', 'status', ...TIMES],
  });
  const updates = new ServingUpdates(core, recommenders, 'latestRecommenderUpdate', (recommender, requested) => {
    recommender.details.recommenderConfig = requested.recommenderConfig;
  });

  function create(input: Input, now: number): Output {
    const tags = requestTags(input);
    const group = findGroup(core, input.datasetGroupArn);
    if (group.domain === undefined) throw invalidInput(`Recommenders can only be created in a Domain dataset group; ${group.arn} is a Custom dataset group.`);
    const recipe = String(input.recipeArn).split('/').pop() ?? '';
    if (!recipe.startsWith(DOMAIN_RECIPE_PREFIX[group.domain])) {
      throw invalidInput(`Recipe ${input.recipeArn} is not a use case of the ${group.domain} domain of ${group.arn}.`);
    }
    core.requireActive(group, now, 'before recommenders can be created in it');
    const details: Output = { recipeArn: input.recipeArn, recommenderConfig: input.recommenderConfig };
    return recommenders.create(now, { name: input.name, arn: core.arn(`recommender/${input.name}`), datasetGroupArn: group.arn, details }, tags);
  }

  function update(input: Input, now: number): Output {
    const recommender = recommenders.find(input.recommenderArn);
    core.requireActive(recommender, now, 'to be updated');
    updates.requireNone(recommender, now);
    updates.start(recommender, { recommenderConfig: input.recommenderConfig }, now);
    return { recommenderArn: recommender.arn };
  }

  function switchTo(to: 'start' | 'stop', input: Input, now: number): Output {
    const recommender = recommenders.find(input.recommenderArn);
    const { status } = core.phase(recommender, now);
    const from = to === 'stop' ? STATUS.active : STATUS.inactive;
    if (status !== from) throw inUse(`Recommender ${recommender.arn} is in ${status} state. It must be ${from} to ${to}.`);
    if (to === 'stop') updates.requireNone(recommender, now);
    recommender.switching = { at: now, to };
    return { recommenderArn: recommender.arn };
  }

  return {
    label: 'Recommender',
    operations: {
      CreateRecommender: create,
      DescribeRecommender: (input, now) => ({ recommender: updates.describe(recommenders.find(input.recommenderArn), now) }),
      DeleteRecommender: recommenders.delete,
      ListRecommenders: recommenders.list,
      UpdateRecommender: update,
      StartRecommender: (input, now) => switchTo('start', input, now),
      StopRecommender: (input, now) => switchTo('stop', input, now),
    },
    phase: (r: RecommenderRecord, now) => {
      if (!r.switching) return undefined;
      const names = r.switching.to === 'stop' ? STOP_NAMES : START_NAMES;
      return core.updatePhase({ startedAt: r.switching.at, outcome: { kind: 'succeed' } }, now, names);
    },
    settle: (r: RecommenderRecord, _phase, now) => updates.settle(r, now),
    snapshot: recommenders.snapshot,
    blocks: {
      datasetGroup: groupMember(core, 'recommender', 'recommenders'),
      // https://docs.aws.amazon.com/personalize/latest/dg/delete-dataset.html: no associated Recommender may be
      // CREATE PENDING or IN PROGRESS.
      dataset: {
        reason: 'is used by recommenders being created',
        blocking: (dataset: DatasetRecord, now) => core.withStatus(core.inGroup<RecommenderRecord>(dataset.datasetGroupArn, 'recommender'), IN_FLIGHT, now),
      },
    },
  };
};
