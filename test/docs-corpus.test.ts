/**
 * The documentation corpus (test/fixtures/docs-corpus/*.json): every filter expression,
 * CSV snippet, manifest line and recipe or use case pairing that AWS's guides show must
 * pass the synth checks, and each invalid case (one per rule, written from the rules'
 * sources) must be refused with its rule's message. The counts are printed and asserted.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  AutoTraining, Campaign, DatasetGroup, DatasetType, Domain, Recipe, Recommender, Schema, SchemaDefinition, SchemaField, Solution, UseCase,
} from '../src';
import { domainGroup } from './support/domain-fixtures';
import { FakeSolution, FakeSolutionVersion } from './support/solution-fakes';
import { parseAvroSchema } from '../src/personalize/private/avro';
import { csvProblems } from '../src/personalize/private/csv-check';
import { firstFilterProblem } from '../src/personalize/private/filter-grammar';
import { firstManifestProblem } from '../src/rekognition/private/manifest';

const CORPUS = path.join(__dirname, 'fixtures', 'docs-corpus');
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

interface Corpus<V, I> {
  readonly about: string;
  readonly valid: V[];
  readonly invalid: I[];
}
interface Case {
  readonly source: string;
  readonly note?: string;
}
interface InvalidCase extends Case {
  readonly rule: string;
  readonly expect: string;
}

function load<V, I>(name: string): Corpus<V, I> {
  return JSON.parse(fs.readFileSync(path.join(CORPUS, `${name}.json`), 'utf8'));
}

/** Accepted and refused counts per area, printed once all areas ran. */
const counts: Record<string, { valid: number; accepted: number; invalid: number; refused: number }> = {};
function tally(area: string, kind: 'accepted' | 'refused') {
  counts[area][kind]++;
}

/** A case must name a source (a URL, botocore's model or the team's inference) and, when invalid, its rule. */
function expectSourced(entries: Array<Case | InvalidCase>) {
  for (const entry of entries) {
    expect(entry.source).toMatch(/^(https:\/\/|botocore |team inference)/);
    if ('rule' in entry) expect(entry.rule.length).toBeGreaterThan(0);
  }
}

function register(area: string, corpus: Corpus<Case, InvalidCase>) {
  counts[area] = { valid: corpus.valid.length, accepted: 0, invalid: corpus.invalid.length, refused: 0 };
  test(`${area}: every case names its source, and every invalid case its rule`, () => {
    expectSourced([...corpus.valid, ...corpus.invalid]);
  });
}

const label = (entry: Case | InvalidCase, text: string) => ('rule' in entry ? `${entry.rule}: ${text.slice(0, 60)}` : `${text.slice(0, 80)} (${entry.source})`);

describe('filter expressions', () => {
  interface FilterCase extends Case { readonly expression: string }
  interface FilterInvalid extends FilterCase, InvalidCase {
    readonly schemas?: Record<string, unknown>;
    readonly datasetTypes?: string[];
  }
  const corpus = load<FilterCase, FilterInvalid>('filters');
  register('filters', corpus);

  test.each(corpus.valid.map((entry) => [label(entry, entry.expression), entry] as const))('accepts %s', (_name, entry) => {
    expect(firstFilterProblem(entry.expression)).toBeUndefined();
    tally('filters', 'accepted');
  });

  test.each(corpus.invalid.map((entry) => [label(entry, entry.expression), entry] as const))('refuses %s', (_name, entry) => {
    const schemas = Object.fromEntries(Object.entries(entry.schemas ?? {})
      .map(([type, json]) => [type, parseAvroSchema(JSON.stringify(json)).record]));
    const problem = firstFilterProblem(entry.expression, schemas, entry.datasetTypes ? new Set(entry.datasetTypes) : undefined);
    expect(problem?.message).toContain(entry.expect);
    expect(problem?.position).toBeGreaterThanOrEqual(0);
    tally('filters', 'refused');
  });
});

describe('CSV data', () => {
  interface CsvCase extends Case {
    readonly schema: unknown;
    readonly csv?: string;
    readonly csvBase64?: string;
    readonly datasetType?: string;
  }
  const corpus = load<CsvCase, CsvCase & InvalidCase>('csv');
  register('csv', corpus);
  const problemsOf = (entry: CsvCase, datasetType?: string) => {
    const parsed = parseAvroSchema(JSON.stringify(entry.schema));
    expect(parsed.problems).toEqual([]);
    const data = entry.csvBase64 ? Buffer.from(entry.csvBase64, 'base64') : Buffer.from(entry.csv!, 'utf8');
    return csvProblems('data.csv', data, parsed.record!, { datasetType });
  };

  // The guide shows a file's first rows: the 1,000-record minimum of a whole import is its own invalid case.
  test.each(corpus.valid.map((entry) => [label(entry, entry.csv!.split('\n')[0]), entry] as const))('accepts %s', (_name, entry) => {
    expect(problemsOf(entry)).toEqual([]);
    tally('csv', 'accepted');
  });

  test.each(corpus.invalid.map((entry) => [label(entry, entry.csv ?? '(bytes)'), entry] as const))('refuses %s', (_name, entry) => {
    const problems = problemsOf(entry, entry.datasetType);
    expect(problems.join('\n')).toContain(entry.expect);
    expect(problems[0]).toMatch(/^data\.csv(:\d+)?/);
    tally('csv', 'refused');
  });
});

describe('Custom Labels manifests', () => {
  interface ManifestCase extends Case { readonly manifest: string }
  const corpus = load<ManifestCase, ManifestCase & InvalidCase>('manifests');
  register('manifests', corpus);

  test.each(corpus.valid.map((entry) => [label(entry, entry.manifest), entry] as const))('accepts %s', (_name, entry) => {
    expect(firstManifestProblem(entry.manifest)).toBeUndefined();
    tally('manifests', 'accepted');
  });

  test.each(corpus.invalid.map((entry) => [entry.rule, entry] as const))('refuses %s', (_name, entry) => {
    const problem = firstManifestProblem(entry.manifest);
    expect(problem?.message).toContain(entry.expect);
    expect(problem?.line).toBeGreaterThanOrEqual(1);
    tally('manifests', 'refused');
  });
});

describe('recipes, use cases and campaigns', () => {
  interface ServingCase extends Case {
    readonly kind: 'solution' | 'recommender' | 'campaign';
    readonly recipeArn: string;
    readonly datasets?: string[];
    readonly domain?: string;
    readonly textual?: boolean;
    readonly hpo?: { maxTrainingJobs?: number; maxParallelTrainingJobs?: number };
    readonly optimizationObjective?: string;
    readonly events?: boolean;
    readonly grant?: 'grantGetRecommendations' | 'grantGetPersonalizedRanking' | 'grantGetActionRecommendations';
    readonly versionRegion?: string;
    readonly itemExploration?: boolean;
  }
  const corpus = load<ServingCase, ServingCase & InvalidCase>('serving');
  register('serving', corpus);

  /** A custom group with the datasets named, each with a schema its recipes train on. */
  function customGroup(stack: Stack, datasets: string[], textual: boolean): DatasetGroup {
    const group = new DatasetGroup(stack, 'Group');
    const fields: Record<string, SchemaField[]> = {
      Interactions: [SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP'), SchemaField.stringField('EVENT_TYPE')],
      Items: [SchemaField.stringField('ITEM_ID'), SchemaField.stringField('GENRE').categorical(), SchemaField.floatField('PRICE'),
        ...(textual ? [SchemaField.stringField('DESCRIPTION').textual()] : [])],
      Users: [SchemaField.stringField('USER_ID'), SchemaField.intField('AGE')],
      Actions: [SchemaField.stringField('ACTION_ID'), SchemaField.longField('VALUE')],
      Action_Interactions: [SchemaField.stringField('USER_ID'), SchemaField.stringField('ACTION_ID'), SchemaField.longField('TIMESTAMP'),
        SchemaField.stringField('EVENT_TYPE')],
    };
    for (const type of datasets) {
      group.addDataset(type, {
        datasetType: type as DatasetType,
        schema: new Schema(stack, `${type}Schema`, { definition: SchemaDefinition.fromFields(fields[type], { recordName: type }) }),
      });
    }
    return group;
  }

  /** Builds and synthesizes the case; the refusal's message, or undefined when it passes. */
  function refusal(entry: ServingCase): string | undefined {
    const app = new App();
    const stack = new Stack(app, 'Corpus', { env: { account: ACCOUNT, region: REGION } });
    try {
      if (entry.kind === 'solution') {
        new Solution(stack, 'Solution', {
          datasetGroup: customGroup(stack, entry.datasets ?? ['Interactions'], entry.textual ?? true),
          recipe: Recipe.fromArn(entry.recipeArn),
          autoTraining: AutoTraining.off(),
          hyperParameterOptimization: entry.hpo,
          optimizationObjective: entry.optimizationObjective ? { itemAttribute: entry.optimizationObjective } : undefined,
          events: entry.events ? [{ eventType: 'click', weight: 0.5 }] : undefined,
        });
      } else if (entry.kind === 'recommender') {
        const domain = entry.domain === 'VIDEO_ON_DEMAND' ? Domain.VIDEO_ON_DEMAND : Domain.ECOMMERCE;
        new Recommender(stack, 'Recommender', {
          datasetGroup: domainGroup(stack, { domain, items: (entry.datasets ?? []).includes('Items') }),
          useCase: UseCase.fromRecipeArn(domain, entry.recipeArn),
        });
      } else {
        const solutionArn = `arn:aws:personalize:${entry.versionRegion ?? REGION}:${ACCOUNT}:solution/shop`;
        const solution = new FakeSolution(stack, 'Solution', solutionArn, entry.recipeArn);
        const campaign = new Campaign(stack, 'Campaign', {
          solutionVersion: new FakeSolutionVersion(stack, 'Version', `${solutionArn}/abcd1234`, solution),
          itemExploration: entry.itemExploration ? { weight: 0.5, itemAgeCutOff: Duration.days(7) } : undefined,
        });
        if (entry.grant) campaign[entry.grant](new iam.AccountRootPrincipal());
      }
      app.synth();
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  test.each(corpus.valid.map((entry) => [`${entry.kind} ${entry.recipeArn.split('/').pop()}${entry.grant ? ` ${entry.grant}` : ''}`, entry] as const))(
    'accepts %s', (_name, entry) => {
      expect(refusal(entry)).toBeUndefined();
      tally('serving', 'accepted');
    });

  test.each(corpus.invalid.map((entry) => [entry.rule, entry] as const))('refuses %s', (_name, entry) => {
    expect(refusal(entry)).toContain(entry.expect);
    tally('serving', 'refused');
  });
});

afterAll(() => {
  const lines = Object.entries(counts).map(([area, c]) => `  ${area}: ${c.accepted}/${c.valid} documented valid examples accepted, `
    + `${c.refused}/${c.invalid} invalid cases refused`);
  const total = Object.values(counts).reduce((sum, c) => ({
    valid: sum.valid + c.valid, accepted: sum.accepted + c.accepted, invalid: sum.invalid + c.invalid, refused: sum.refused + c.refused,
  }), { valid: 0, accepted: 0, invalid: 0, refused: 0 });
  // eslint-disable-next-line no-console
  console.log(`Documentation corpus (test/fixtures/docs-corpus):\n${lines.join('\n')}\n  total: ${total.accepted}/${total.valid} valid accepted, `
    + `${total.refused}/${total.invalid} invalid refused`);
});

test('the corpus holds cases of every area', () => {
  for (const area of ['filters', 'csv', 'manifests', 'serving']) {
    expect(counts[area].valid).toBeGreaterThan(0);
    expect(counts[area].invalid).toBeGreaterThan(0);
  }
});
