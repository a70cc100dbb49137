/**
 * The source tree is laid out by service (src/personalize, src/rekognition), and every
 * import path a user had before still resolves to the same exports.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as library from '../src';
import * as campaignBefore from '../src/campaign';
import * as datasetBefore from '../src/dataset';
import * as datasetGroupBefore from '../src/dataset-group';
import * as datasetImportJobBefore from '../src/dataset-import-job';
import * as eventTrackerBefore from '../src/event-tracker';
import * as filterBefore from '../src/filter';
import * as filterExpressionBefore from '../src/filter-expression';
import * as metricAttributionBefore from '../src/metric-attribution';
import * as autoTraining from '../src/personalize/auto-training';
import * as campaign from '../src/personalize/campaign';
import * as dataset from '../src/personalize/dataset';
import * as datasetGroup from '../src/personalize/dataset-group';
import * as datasetImportJob from '../src/personalize/dataset-import-job';
import * as eventTracker from '../src/personalize/event-tracker';
import * as filter from '../src/personalize/filter';
import * as filterExpression from '../src/personalize/filter-expression';
import * as hyperparameters from '../src/personalize/hyperparameters';
import * as metricAttribution from '../src/personalize/metric-attribution';
import * as recipe from '../src/personalize/recipe';
import * as recommender from '../src/personalize/recommender';
import * as schema from '../src/personalize/schema';
import * as solution from '../src/personalize/solution';
import * as solutionVersion from '../src/personalize/solution-version';
import * as recommenderBefore from '../src/recommender';
import * as schemaBefore from '../src/schema';
import * as solutionBefore from '../src/solution';
import * as solutionVersionBefore from '../src/solution-version';

/** Each module that lived at the top of src/ before the tree had a folder per service: [that path, where it lives now]. */
const MOVED_MODULES: Record<string, [Record<string, unknown>, Record<string, unknown>]> = {
  'campaign': [campaignBefore, campaign],
  'dataset-group': [datasetGroupBefore, datasetGroup],
  'dataset-import-job': [datasetImportJobBefore, datasetImportJob],
  'dataset': [datasetBefore, dataset],
  'event-tracker': [eventTrackerBefore, eventTracker],
  'filter-expression': [filterExpressionBefore, filterExpression],
  'filter': [filterBefore, filter],
  'metric-attribution': [metricAttributionBefore, metricAttribution],
  'recommender': [recommenderBefore, recommender],
  'schema': [schemaBefore, schema],
  'solution-version': [solutionVersionBefore, solutionVersion],
  // Split into the recipe, automatic training, hyperparameters and the construct.
  'solution': [solutionBefore, { ...recipe, ...autoTraining, ...hyperparameters, ...solution }],
};

describe('source layout', () => {
  test.each(Object.keys(MOVED_MODULES))('src/%s.ts still exports exactly what its modules in src/personalize/ do', (name) => {
    const [before, moved] = MOVED_MODULES[name];
    expect(Object.keys(moved).length).toBeGreaterThan(0);
    expect(Object.keys(before).sort()).toEqual(Object.keys(moved).sort());
    for (const key of Object.keys(moved)) expect(before[key]).toBe(moved[key]);
  });

  test('the package root exports every Personalize module\'s names, and Rekognition as a namespace', () => {
    for (const [, moved] of Object.values(MOVED_MODULES)) {
      for (const key of Object.keys(moved)) expect((library as Record<string, unknown>)[key]).toBe(moved[key]);
    }
    expect(Object.keys(library.rekognition)).toEqual(expect.arrayContaining(['Dataset', 'DatasetSource', 'Project']));
  });

  test('each service folder has its own private/, and the shared private/ holds no service\'s checks', () => {
    const src = path.join(__dirname, '..', 'src');
    expect(fs.existsSync(path.join(src, 'personalize', 'private', 'csv-check.ts'))).toBe(true);
    expect(fs.existsSync(path.join(src, 'rekognition', 'private', 'manifest.ts'))).toBe(true);
    const shared = fs.readdirSync(path.join(src, 'private'));
    expect(shared.filter((file) => /^(manifest|csv-check|filter-(expression|grammar)|avro|rekognition-validation)\.ts$/.test(file))).toEqual([]);
  });
});
