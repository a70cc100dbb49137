import { App, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  AutoTraining, DatasetGroup, DatasetType, Domain, ObjectiveSensitivity, Recipe, RecipeType, Schema, SchemaDefinition, SchemaField, Solution,
  SolutionProps,
} from '../src';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

function newStack(app = new App()): Stack {
  return new Stack(app, 'TestStack', { env: { account: ACCOUNT, region: REGION } });
}

interface GroupSpec {
  readonly types?: DatasetType[];
  readonly textualItems?: boolean;
  readonly eventType?: boolean;
  readonly domain?: Domain;
  readonly emptyOnDelete?: boolean;
}

/** A group 'retail' with datasets of the given types (Interactions by default). */
function group(stack: Stack, spec: GroupSpec = {}): DatasetGroup {
  const g = new DatasetGroup(stack, 'Group', { datasetGroupName: 'retail', domain: spec.domain, emptyOnDelete: spec.emptyOnDelete });
  const fields: Record<string, SchemaField[]> = {
    Interactions: [SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP'),
      ...(spec.eventType === false ? [] : [SchemaField.stringField('EVENT_TYPE')])],
    Items: [SchemaField.stringField('ITEM_ID'), SchemaField.floatField('PRICE'),
      ...(spec.textualItems ? [SchemaField.stringField('DESCRIPTION').textual()] : [])],
    Actions: [SchemaField.stringField('ACTION_ID'), SchemaField.floatField('VALUE')],
    Action_Interactions: [SchemaField.stringField('USER_ID'), SchemaField.stringField('ACTION_ID'), SchemaField.longField('TIMESTAMP'),
      SchemaField.stringField('EVENT_TYPE')],
  };
  for (const type of spec.types ?? [DatasetType.INTERACTIONS]) {
    const definition = spec.domain
      ? SchemaDefinition.fromFields(fields[type], { recordName: type })
      : SchemaDefinition.fromFields(fields[type], { recordName: type });
    g.addDataset(type, { datasetType: type, schema: new Schema(stack, `${type}Schema`, { definition, domain: spec.domain }) });
  }
  return g;
}

function solutionProperties(stack: Stack): Record<string, any> {
  return Object.values(Template.fromStack(stack).findResources('Custom::PersonalizeSolution'))[0].Properties;
}

function synthErrors(stack: Stack): string[] {
  try {
    Template.fromStack(stack);
    return [];
  } catch (error) {
    return (error as Error).message.split('\n').filter((line) => line.includes('Invalid'));
  }
}

function solution(stack: Stack, props: Partial<SolutionProps> & { groupSpec?: GroupSpec } = {}): Solution {
  const { groupSpec, ...rest } = props;
  return new Solution(stack, 'Solution', {
    datasetGroup: rest.datasetGroup ?? group(stack, groupSpec),
    recipe: Recipe.USER_PERSONALIZATION_V2,
    autoTraining: AutoTraining.off(),
    ...rest,
  });
}

describe('Solution', () => {
  test('synthesizes the recipe, automatic training off and a generated name', () => {
    const stack = newStack();
    const s = solution(stack);

    const properties = solutionProperties(stack);
    expect(properties).toMatchObject({
      Name: expect.stringMatching(/^TestStack_Solution-[0-9a-f]{8}$/),
      RecipeArn: 'arn:aws:personalize:::recipe/aws-user-personalization-v2',
      PerformAutoTraining: 'false',
    });
    expect(properties.AutoTrainingSchedule).toBeUndefined();
    expect(s.recipeArn).toBe('arn:aws:personalize:::recipe/aws-user-personalization-v2');
    expect(s.recipe.recipeType).toBe(RecipeType.USER_PERSONALIZATION);
  });

  test.each([[1, 'rate(1 day)'], [7, 'rate(7 days)'], [30, 'rate(30 days)']])('AutoTraining.every(%d days) schedules %s', (days, expression) => {
    const stack = newStack();
    solution(stack, { autoTraining: AutoTraining.every(Duration.days(days)) });

    expect(solutionProperties(stack)).toMatchObject({ PerformAutoTraining: 'true', AutoTrainingSchedule: expression });
  });

  test.each([[Duration.days(0)], [Duration.days(31)], [Duration.hours(36)]])('AutoTraining.every(%s) is refused, saying 1 to 30 whole days', (interval) => {
    expect(() => AutoTraining.every(interval)).toThrow(/^Invalid autoTraining: AutoTraining.every\(.*\). Personalize trains automatically every 1 to 30 whole days/);
  });

  test('autoTraining is required', () => {
    const stack = newStack();
    expect(() => new Solution(stack, 'Solution', { datasetGroup: group(stack), recipe: Recipe.SIMS } as unknown as SolutionProps))
      .toThrow(/^Invalid autoTraining: it is required. Use AutoTraining.off\(\), or AutoTraining.every/);
  });

  test('a schedule change keeps the name (in place), a new recipe or config changes it (replacement)', () => {
    const nameWith = (props: Partial<SolutionProps>) => {
      const stack = newStack();
      solution(stack, props);
      return solutionProperties(stack).Name;
    };
    const base = nameWith({});
    expect(nameWith({ autoTraining: AutoTraining.every(Duration.days(3)) })).toBe(base);
    expect(nameWith({ recipe: Recipe.SIMS })).not.toBe(base);
    expect(nameWith({ algorithmHyperParameters: { hidden_dimension: '64' } })).not.toBe(base);
    expect(nameWith({ eventType: 'click' })).not.toBe(base);
  });

  test('the solution config, HPO, events and tags are rendered in the API\'s shapes', () => {
    const stack = newStack();
    const s = solution(stack, {
      groupSpec: { types: [DatasetType.INTERACTIONS, DatasetType.ITEMS] },
      eventType: 'click',
      eventValueThreshold: '0.5',
      hyperParameterOptimization: { metricName: 'precision_at_25', objectiveType: 'Maximize', maxTrainingJobs: 4, maxParallelTrainingJobs: 2 },
      algorithmHyperParameters: { hidden_dimension: '64' },
      optimizationObjective: { itemAttribute: 'PRICE', sensitivity: ObjectiveSensitivity.HIGH },
      excludedColumns: [{ datasetType: DatasetType.ITEMS, columns: ['PRICE'] }],
      events: [{ eventType: 'click', weight: 0.3 }, { eventType: 'purchase', weight: 0.7, eventValueThreshold: 1 }],
    });
    Tags.of(s).add('team', 'recs');

    const properties = solutionProperties(stack);
    expect(properties).toMatchObject({ PerformHPO: 'true', EventType: 'click', Tags: [{ Key: 'team', Value: 'recs' }] });
    expect(JSON.parse(properties.SolutionConfig)).toEqual({
      eventValueThreshold: '0.5',
      hpoConfig: { hpoObjective: { type: 'Maximize', metricName: 'precision_at_25' }, hpoResourceConfig: { maxNumberOfTrainingJobs: '4', maxParallelTrainingJobs: '2' } },
      algorithmHyperParameters: { hidden_dimension: '64' },
      optimizationObjective: { itemAttribute: 'PRICE', objectiveSensitivity: 'HIGH' },
      trainingDataConfig: { excludedDatasetColumns: { Items: ['PRICE'] } },
    });
    expect(JSON.parse(properties.EventsConfig)).toEqual({
      eventParametersList: [{ eventType: 'click', weight: 0.3 }, { eventType: 'purchase', weight: 0.7, eventValueThreshold: 1 }],
    });
  });

  test('the solution is created after the group\'s datasets, and the handler may act on its own name and versions only', () => {
    const stack = newStack();
    solution(stack, { solutionName: 'recs' });
    const template = Template.fromStack(stack);
    const [id, resource] = Object.entries(template.findResources('Custom::PersonalizeSolution'))[0];
    expect(resource.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^GroupInteractions/)]));
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const stop = statements.find((st: any) => [].concat(st.Action).includes('personalize:StopSolutionVersionCreation' as never));
    expect(JSON.stringify(stop.Resource)).toContain(':solution/recs/*');
    expect(id).toMatch(/^Solution/);
  });

  test('a group with emptyOnDelete passes it on as GroupEmptyOnDelete; a group without it passes nothing', () => {
    const withEmptying = newStack();
    solution(withEmptying, { groupSpec: { emptyOnDelete: true } });
    const without = newStack();
    solution(without);

    expect(solutionProperties(withEmptying).GroupEmptyOnDelete).toBe('true');
    expect(solutionProperties(without).GroupEmptyOnDelete).toBeUndefined();
  });

  test('a refused delete may list the campaigns that block it, with List actions on "*"', () => {
    const stack = newStack();
    solution(stack);
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);

    expect(statements.find((st: any) => [].concat(st.Action).includes('personalize:ListCampaigns' as never))?.Resource).toBe('*');
  });

  test('grantRead gives DescribeSolution on exactly this solution, and ListSolutionVersions on "*", the only resource that grants it', () => {
    const stack = newStack();
    const s = solution(stack);
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    s.grantRead(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as any) }],
      PolicyDocument: {
        Statement: [
          { Action: 'personalize:DescribeSolution', Resource: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } },
          { Action: 'personalize:ListSolutionVersions', Resource: '*' },
        ],
      },
    });
  });

  test('fromSolutionArn imports a solution, and refuses another kind of ARN', () => {
    const stack = newStack();
    const imported = Solution.fromSolutionArn(stack, 'Imported', `arn:aws:personalize:${REGION}:${ACCOUNT}:solution/recs`);
    expect(imported.solutionArn).toBe(`arn:aws:personalize:${REGION}:${ACCOUNT}:solution/recs`);
    expect(() => Solution.fromSolutionArn(stack, 'Bad', `arn:aws:personalize:${REGION}:${ACCOUNT}:filter/recs`))
      .toThrow(/^Invalid solutionArn: '.*:filter\/recs' is not a solution ARN/);
  });

  test('Recipe.fromArn knows a predefined recipe by its ARN and takes any other unchecked', () => {
    expect(Recipe.fromArn('arn:aws:personalize:::recipe/aws-sims').requiredDatasets).toEqual([DatasetType.INTERACTIONS]);
    expect(Recipe.fromArn('arn:aws:personalize:::recipe/aws-future-recipe').requiredDatasets).toEqual([]);
    expect(() => Recipe.fromArn('arn:aws:personalize:us-east-1:123456789012:solution/x')).toThrow(/^Invalid recipeArn: '.*'. Expected a recipe ARN/);
  });

  test('a removal policy of RETAIN is kept', () => {
    const stack = newStack();
    solution(stack, { removalPolicy: RemovalPolicy.RETAIN });
    Template.fromStack(stack).hasResource('Custom::PersonalizeSolution', { DeletionPolicy: 'Retain' });
  });
});

describe('Solution validation', () => {
  test.each([
    ['item attribute affinity without Items', Recipe.ITEM_ATTRIBUTE_AFFINITY, {},
      /Invalid recipe: 'aws-item-attribute-affinity' trains on Interactions and Items datasets, but dataset group 'TestStack\/Group' has no Items dataset in this app. Add it/],
    ['next best action without Actions', Recipe.NEXT_BEST_ACTION, { types: [DatasetType.INTERACTIONS] },
      /Invalid recipe: 'aws-next-best-action' trains on Actions and Action_Interactions datasets, but .* has no Actions or Action_Interactions dataset/],
    ['semantic similarity without a textual Items field', Recipe.SEMANTIC_SIMILARITY, { types: [DatasetType.ITEMS] },
      /Invalid recipe: 'aws-semantic-similarity' learns from item text, but the Items schema .* has no textual field/],
  ])('refuses %s', (_name, recipe, groupSpec, message) => {
    const stack = newStack();
    solution(stack, { recipe, groupSpec });
    expect(synthErrors(stack).join('\n')).toMatch(message);
  });

  test('next best action in a domain group says a domain group cannot hold Actions', () => {
    const stack = newStack();
    solution(stack, { recipe: Recipe.NEXT_BEST_ACTION, groupSpec: { domain: Domain.ECOMMERCE, types: [] } });
    expect(synthErrors(stack).join('\n')).toMatch(/A domain dataset group \(ECOMMERCE\) cannot hold Actions or Action_Interactions datasets: use a custom dataset group/);
  });

  test('a custom solution in a domain group is checked against the datasets its recipe needs, not refused for the domain', () => {
    const stack = newStack();
    solution(stack, { recipe: Recipe.SIMS, groupSpec: { domain: Domain.ECOMMERCE, types: [] } });
    // Domain groups may hold custom solutions; the datasets are what matter (none declared in this app here).
    expect(synthErrors(stack)).toEqual([expect.stringMatching(/has no Interactions dataset/)]);
  });

  test('eventType needs an EVENT_TYPE field in the Interactions schema', () => {
    const stack = newStack();
    solution(stack, { eventType: 'click', groupSpec: { eventType: false } });
    expect(synthErrors(stack).join('\n')).toMatch(/Invalid eventType: 'click' selects interactions by their EVENT_TYPE, but the Interactions schema .* has no EVENT_TYPE field/);
  });

  test('an optimization objective names a field of the Items schema', () => {
    const stack = newStack();
    solution(stack, { optimizationObjective: { itemAttribute: 'MARGIN' }, groupSpec: { types: [DatasetType.INTERACTIONS, DatasetType.ITEMS] } });
    expect(synthErrors(stack).join('\n')).toMatch(/Invalid optimizationObjective: itemAttribute 'MARGIN' is not a field of the Items schema .*\(fields: ITEM_ID, PRICE\)/);
  });

  test('events need a recipe that takes them', () => {
    const stack = newStack();
    expect(() => solution(stack, { recipe: Recipe.SIMS, events: [{ eventType: 'click' }] }))
      .toThrow(/^Invalid events of solution 'TestStack\/Solution': recipe 'aws-sims' takes no events config; only aws-user-personalization-v2 and aws-personalized-ranking-v2 do/);
  });

  test('an event weight is from 0 to 1', () => {
    const stack = newStack();
    expect(() => solution(stack, { events: [{ eventType: 'click', weight: 2 }] })).toThrow(/^Invalid events: the weight of event type 'click' is 2. A weight is from 0 to 1/);
  });

  test('at most 10 event parameters', () => {
    const stack = newStack();
    expect(() => solution(stack, { events: Array.from({ length: 11 }, (_, i) => ({ eventType: `e${i}` })) }))
      .toThrow(/^Invalid events: 11 event parameters. Personalize takes 1 to 10/);
  });

  test('incremental updates need the semantic similarity recipe', () => {
    const stack = newStack();
    expect(() => solution(stack, { incrementalUpdates: true })).toThrow(/^Invalid incrementalUpdates of solution 'TestStack\/Solution': recipe 'aws-user-personalization-v2' has no incremental updates; only aws-semantic-similarity does/);
  });

  test('excluded column names follow the API pattern', () => {
    const stack = newStack();
    expect(() => solution(stack, { excludedColumns: [{ datasetType: DatasetType.ITEMS, columns: ['1PRICE'] }] }))
      .toThrow(/^Invalid excludedColumns for Items: \["1PRICE"\]/);
  });

  test('HPO ranges are rendered as the API\'s algorithmHyperParameterRanges', () => {
    const stack = newStack();
    solution(stack, {
      hyperParameterOptimization: {
        integerRanges: [{ name: 'hidden_dimension', minValue: 32, maxValue: 256 }],
        continuousRanges: [{ name: 'min_user_history_length_percentile', minValue: 0, maxValue: 0.1 }],
        categoricalRanges: [{ name: 'recency_mask', values: ['true', 'false'] }],
      },
    });
    expect(JSON.parse(solutionProperties(stack).SolutionConfig)).toEqual({
      hpoConfig: {
        algorithmHyperParameterRanges: {
          integerHyperParameterRanges: [{ name: 'hidden_dimension', minValue: 32, maxValue: 256 }],
          continuousHyperParameterRanges: [{ name: 'min_user_history_length_percentile', minValue: 0, maxValue: 0.1 }],
          categoricalHyperParameterRanges: [{ name: 'recency_mask', values: ['true', 'false'] }],
        },
      },
    });
  });

  test.each([
    [{ integerRanges: [{ name: 'bptt', minValue: 1.5, maxValue: 4 }] },
      "Invalid hyperParameterOptimization.integerRanges: 'bptt' ranges from 1.5 to 4. Expected whole numbers."],
    [{ continuousRanges: [{ name: 'p', minValue: 0.5, maxValue: 0.1 }] },
      "Invalid hyperParameterOptimization.continuousRanges: 'p' ranges from 0.5 to 0.1. Expected -1,000,000 <= minValue <= maxValue <= 1,000,000."],
    [{ integerRanges: [{ name: 'bptt', minValue: 1, maxValue: 2_000_000 }] },
      "Invalid hyperParameterOptimization.integerRanges: 'bptt' ranges from 1 to 2000000. Expected -1,000,000 <= minValue <= maxValue <= 1,000,000."],
    [{ integerRanges: [{ name: '', minValue: 1, maxValue: 2 }] },
      "Invalid hyperParameterOptimization.integerRanges: the name '' has 0 characters. Expected 1-256."],
    [{ integerRanges: [{ name: 'bptt', minValue: 1, maxValue: 2 }], categoricalRanges: [{ name: 'bptt', values: ['1'] }] },
      "Invalid hyperParameterOptimization.categoricalRanges: hyperparameter 'bptt' has more than one range. Give each one range."],
    [{ categoricalRanges: [{ name: 'recency_mask', values: [] }] },
      "Invalid hyperParameterOptimization.categoricalRanges: 'recency_mask' has 0 values. Expected 1-100 values of at most 1000 characters."],
    [{ continuousRanges: Array.from({ length: 101 }, (_, i) => ({ name: `p${i}`, minValue: 0, maxValue: 1 })) },
      'Invalid hyperParameterOptimization.continuousRanges: 101 ranges. Personalize takes at most 100.'],
  ])('HPO ranges %j are refused', (hyperParameterOptimization, message) => {
    expect(() => solution(newStack(), { hyperParameterOptimization })).toThrow(message);
  });

  test.each([
    ['maxTrainingJobs', 0, 40], ['maxTrainingJobs', 41, 40], ['maxParallelTrainingJobs', 11, 10],
  ] as const)('HPO %s of %d is refused: the API takes 1 to %d', (prop, value, maximum) => {
    const stack = newStack();
    expect(() => solution(stack, { hyperParameterOptimization: { [prop]: value } }))
      .toThrow(`Invalid hyperParameterOptimization.${prop}: ${value}. Expected a whole number from 1 to ${maximum} (the API's maximum)`);
  });

  test('HPO job counts at the API\'s maxima pass', () => {
    const stack = newStack();
    expect(() => solution(stack, { hyperParameterOptimization: { maxTrainingJobs: 40, maxParallelTrainingJobs: 10 } })).not.toThrow();
  });

  test.each([
    ['a misspelt AWS recipe', 'arn:aws:personalize:::recipe/aws-user-personalisation',
      "Invalid recipe of solution 'TestStack/Solution': 'aws-user-personalisation' is not one of Personalize's recipes (", "did you mean 'aws-user-personalization'?"],
    ['a domain use case\'s recipe', 'arn:aws:personalize:::recipe/aws-ecomm-recommended-for-you',
      "Invalid recipe of solution 'TestStack/Solution': 'aws-ecomm-recommended-for-you' is the recipe of a domain use case", 'Use a Recommender with its UseCase'],
  ])('%s is refused with the fix', (_name, arn, start, fix) => {
    const stack = newStack();
    expect(() => solution(stack, { recipe: Recipe.fromArn(arn) })).toThrow(start);
    expect(() => solution(newStack(), { recipe: Recipe.fromArn(arn) })).toThrow(fix);
  });

  test('a legacy AWS recipe and another provider\'s recipe name are accepted by fromArn', () => {
    expect(() => solution(newStack(), { recipe: Recipe.fromArn('arn:aws:personalize:::recipe/aws-hrnn-metadata') })).not.toThrow();
    expect(() => solution(newStack(), { recipe: Recipe.fromArn('arn:aws:personalize:::recipe/my-recipe') })).not.toThrow();
  });

  test('with skipChecks, a misspelt recipe is created and what the check found is a checkSkipped warning', () => {
    const stack = newStack();
    solution(stack, { recipe: Recipe.fromArn('arn:aws:personalize:::recipe/aws-trending-nw'), skipChecks: true });

    expect(solutionProperties(stack).RecipeArn).toBe('arn:aws:personalize:::recipe/aws-trending-nw');
    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/Solution', Match.stringLikeRegexp('cdk-personalize:checkSkipped'));
    expect(warnings.map((w) => w.entry.data)).toEqual([expect.stringContaining("did you mean 'aws-trending-now'?")]);
  });

  test('an optimization objective on a non-numeric Items field fails synth, naming the numeric fields', () => {
    const stack = newStack();
    const g = group(stack, { types: [DatasetType.INTERACTIONS, DatasetType.ITEMS], textualItems: true });
    solution(stack, { datasetGroup: g, optimizationObjective: { itemAttribute: 'DESCRIPTION' } });
    expect(synthErrors(stack)).toEqual([expect.stringContaining("Invalid optimizationObjective: itemAttribute 'DESCRIPTION' is a string field of the "
      + "Items schema of dataset group 'TestStack/Group', and an objective is a numeric column (int, long, float, double). Use one of PRICE.")]);
  });

  test('an invalid or duplicate explicit name is refused', () => {
    const stack = newStack();
    expect(() => solution(stack, { solutionName: '-bad' })).toThrow(/^Invalid solutionName: '-bad'/);
  });
});
