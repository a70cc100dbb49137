/**
 * The whole path in one deploy, as the README shows it: a group and its Interactions
 * dataset, an import from a CSV asset, a solution, a training behind its wait condition,
 * and a campaign on the trained version. Each step starts only once the one before it
 * has ended, and the stack's delete takes them down in the reverse order.
 */
import * as path from 'path';
import {
  AutoTraining, Campaign, DatasetImportJob, ImportSource, Recipe, Solution, SolutionVersion,
} from '../src';
import { destroyAndVerify, expectStatus, until } from './harness/assertions';
import { LIFECYCLE_TEST_TIMEOUT_MS, withEnvironment } from './harness/environment';
import { nameIn, synthesize } from './harness/stacks';
import { stageImportAsset } from './support/asset-staging';
import { addInteractionsDataset, IMPORT_FIXTURES } from './support/import-fixtures';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);

const CSV = path.join(IMPORT_FIXTURES, 'interactions.csv');

const PATH_TO_ENDPOINT = synthesize((stack) => {
  const interactions = addInteractionsDataset(stack);
  new DatasetImportJob(stack, 'Import', { dataset: interactions, source: ImportSource.fromAsset(CSV) });
  const solution = new Solution(stack, 'Solution', { datasetGroup: interactions.datasetGroup, recipe: Recipe.USER_PERSONALIZATION_V2, autoTraining: AutoTraining.off() });
  const trained = new SolutionVersion(stack, 'Training', { solution });
  new Campaign(stack, 'Campaign', { solutionVersion: trained });
});

test.concurrent('one deploy imports the data, trains on it and serves the trained version through a campaign, each step after the last', () => withEnvironment({}, async (env) => {
  stageImportAsset(env, PATH_TO_ENDPOINT, CSV);
  const importing = env.service.holdCreation(nameIn(PATH_TO_ENDPOINT, 'Import'), 'datasetImportJob');
  const training = env.service.holdCreation(nameIn(PATH_TO_ENDPOINT, 'Training'), 'solutionVersion');

  const deployed = env.deploy(PATH_TO_ENDPOINT.template);
  await importing.reached;
  // The solution does not need the data, so it is made meanwhile; nothing trains on data still being imported.
  await until(() => env.cloudformation.physicalIdOf(PATH_TO_ENDPOINT.logicalIds.Solution) !== undefined);
  expect(env.service.resources('solutionVersion')).toEqual([]);
  importing.release();

  await training.reached;
  await until(() => env.cloudformation.waitingConditions().length === 1);
  expect(env.service.resources('datasetImportJob').map((job) => job.status)).toEqual(['ACTIVE']);
  // Nothing serves a model still being trained.
  expect(env.service.resources('campaign')).toEqual([]);
  training.release();

  await expectStatus(deployed, 'CREATE_COMPLETE');
  const [version] = env.service.resources('solutionVersion');
  expect(version.status).toBe('ACTIVE');
  expect(env.service.resources('campaign')).toMatchObject([{ solutionVersionArn: version.arn, status: 'ACTIVE' }]);
  await destroyAndVerify(env);
}));
