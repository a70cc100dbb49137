import { Arn, ArnFormat, IResource, ITaggable, Lazy, RemovalPolicy, Resource, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { AutoTraining } from './auto-training';
import { Dataset, DatasetType } from './dataset';
import { DatasetGroup, IDatasetGroup } from './dataset-group';
import { checkRanges, hasRanges, HPO_JOB_MAXIMA, HyperParameterOptimization, ObjectiveSensitivity, OptimizationObjective } from './hyperparameters';
import { Recipe } from './recipe';
import { groupEmptyOnDelete } from '../private/blocked-deletes';
import { problemsUnlessSkipped, refuseOrWarn } from '../private/checks';
import { Attributes, ResourceTypes, SolutionProperties, TagProperty } from '../private/contract';
import { declaredResource } from '../private/declared-resource';
import { recordOf } from './private/definition-checks';
import { emptyOnDeleteChildArns, ownArnPattern, versionArns } from './private/grant-patterns';
import { datasetsOf, memberCreationArn, whenAppDeclared } from './private/group-members';
import { PhysicalName, physicalName, replacementKeyOf } from '../private/names';
import { requireInstance } from '../private/runtime-types';
import { claimName, tagProblems, validateName, validatePersonalizeArn } from '../private/validation';
import { SOLUTION } from './private/declarations';
import { requireDatasetGroup } from './private/own-group';

/**
 * An Amazon Personalize solution: a recipe and its settings for one dataset group,
 * owned by this app or imported.
 */
export interface ISolution extends IResource {
  /**
   * The ARN of the solution.
   * @attribute
   */
  readonly solutionArn: string;

  /**
   * The dataset group the solution trains on, when known.
   */
  readonly datasetGroup?: IDatasetGroup;

  /**
   * The ARN of the solution's recipe, when known
   * (for example `arn:aws:personalize:::recipe/aws-user-personalization-v2`).
   */
  readonly recipeArn?: string;

  /**
   * Grants the given actions on this solution.
   */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /**
   * Grants permission to describe this solution and list its versions. ListSolutionVersions
   * takes no resource-level permission, so it is granted on "*".
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/** The weight and value threshold of one event type in training. */
export interface EventParameter {
  /** The event type, as in the EVENT_TYPE field of the interactions. */
  readonly eventType: string;
  /**
   * The weight of the event type, 0 to 1.
   * @default - the service default
   */
  readonly weight?: number;
  /**
   * Events of this type with a lower EVENT_VALUE are left out of training.
   * @default - no threshold
   */
  readonly eventValueThreshold?: number;
}

/** Columns of one dataset that training leaves out. */
export interface ExcludedColumns {
  /** The dataset the columns belong to. */
  readonly datasetType: DatasetType;
  /** The column names, at most 50. */
  readonly columns: string[];
}

/**
 * Properties of a solution.
 */
export interface SolutionProps {
  /** The dataset group the solution trains on. */
  readonly datasetGroup: IDatasetGroup;

  /** The recipe. A new recipe replaces the solution. */
  readonly recipe: Recipe;

  /**
   * Automatic training: `AutoTraining.off()` or `AutoTraining.every(Duration.days(n))`.
   * Required, because the API trains automatically unless told not to, and every run
   * costs training hours. Changed in place (UpdateSolution).
   */
  readonly autoTraining: AutoTraining;

  /**
   * The name of the solution: 1-63 letters, digits, hyphens and underscores,
   * starting with a letter or digit.
   * @default - a name generated from the construct path and what a replacement changes
   */
  readonly solutionName?: string;

  /**
   * Train on interactions of this event type only. Replaces the solution when changed.
   * @default - every event type
   */
  readonly eventType?: string;

  /**
   * Interactions with an EVENT_VALUE below this are left out of training. Replaces the solution when changed.
   * @default - no threshold
   */
  readonly eventValueThreshold?: string;

  /**
   * Event weights and thresholds, for recipes that take them (User-Personalization-v2,
   * Personalized-Ranking-v2). Changed in place (UpdateSolution).
   * @default - none
   */
  readonly events?: EventParameter[];

  /**
   * Incremental updates between trainings, for recipes that take them (Semantic-Similarity).
   * Changed in place (UpdateSolution).
   * @default - the service default (on, for Semantic-Similarity)
   */
  readonly incrementalUpdates?: boolean;

  /**
   * Hyperparameter optimization. Replaces the solution when changed.
   * @default - no HPO
   */
  readonly hyperParameterOptimization?: HyperParameterOptimization;

  /**
   * The recipe's hyperparameters, by name. Replaces the solution when changed.
   * @default - the recipe's defaults
   */
  readonly algorithmHyperParameters?: Record<string, string>;

  /**
   * Feature transformation parameters, by name. Replaces the solution when changed.
   * @default - the recipe's defaults
   */
  readonly featureTransformationParameters?: Record<string, string>;

  /**
   * An optimization objective. Replaces the solution when changed.
   * @default - relevance only
   */
  readonly optimizationObjective?: OptimizationObjective;

  /**
   * Columns that training leaves out. Replaces the solution when changed.
   * @default - every column is used
   */
  readonly excludedColumns?: ExcludedColumns[];

  /**
   * What happens to the solution when it leaves the stack. Its solution versions go with it.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Create the solution even if the synth checks of the recipe refuse it.
   *
   * **Warning:** these checks follow the Personalize developer guide and API reference: the
   * recipe is one Personalize has (a misspelt `aws-` recipe ARN, or a domain use case's
   * recipe, is refused), the datasets and fields it trains on are in the group, the events
   * config and incremental updates suit the recipe, and the optimization objective is a
   * numeric Items field. Skip them only when you know Personalize accepts the solution,
   * for example a recipe newer than this library; one it refuses fails CreateSolution at
   * deploy. The API's own limits (names, HPO bounds) are always checked. What the checks
   * found is still printed at synth, as a warning with the id `cdk-personalize:checkSkipped`.
   *
   * @default false
   */
  readonly skipChecks?: boolean;
}

abstract class SolutionBase extends Resource implements ISolution {
  public abstract readonly solutionArn: string;
  public abstract readonly datasetGroup?: IDatasetGroup;
  public abstract readonly recipeArn?: string;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.solutionArn] });
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    // ListSolutionVersions takes no resource-level permission: only "*" grants it (a grant on the solution never matches).
    return this.grant(grantee, 'personalize:DescribeSolution')
      .combine(iam.Grant.addToPrincipal({ grantee, actions: ['personalize:ListSolutionVersions'], resourceArns: ['*'] }));
  }
}

/**
 * An Amazon Personalize solution: a recipe, its training settings and its automatic
 * training, in one dataset group. Train it with a SolutionVersion.
 *
 * Backed by a custom resource that waits until the solution is ACTIVE, updates
 * automatic training, events config, incremental updates and tags in place, and
 * replaces the solution when anything else changes. Deleting it stops training
 * still under way; its solution versions go with it.
 *
 * @resource Custom::PersonalizeSolution
 */
export class Solution extends SolutionBase implements ITaggable {
  /**
   * Imports a solution by its ARN, `…:solution/NAME`.
   */
  public static fromSolutionArn(scope: Construct, id: string, solutionArn: string): ISolution {
    validatePersonalizeArn('solutionArn', solutionArn);
    if (!Token.isUnresolved(solutionArn)) {
      const parts = Arn.split(solutionArn, ArnFormat.SLASH_RESOURCE_NAME);
      if (parts.resource !== 'solution' || parts.resourceName?.includes('/')) {
        throw new Error(`Invalid solutionArn: '${solutionArn}' is not a solution ARN (…:solution/NAME).`);
      }
    }
    class Import extends SolutionBase {
      public readonly solutionArn = solutionArn;
      public readonly datasetGroup = undefined;
      public readonly recipeArn = undefined;
    }
    return new Import(scope, id, { environmentFromArn: solutionArn });
  }

  public readonly solutionArn: string;
  /** The solution's name. @attribute */
  public readonly solutionName: string;
  /** The dataset group the solution trains on (always set; optional as in ISolution). */
  public readonly datasetGroup?: IDatasetGroup;
  /** The recipe's ARN (always set; optional as in ISolution). */
  public readonly recipeArn?: string;
  /** The recipe. */
  public readonly recipe: Recipe;
  /** Automatic training. */
  public readonly autoTraining: AutoTraining;
  /** Tags for the solution. Tags set with `Tags.of(scope)` land here too. */
  public readonly tags: TagManager;
  /** @internal the solution's Personalize name, for names and grants of its versions */
  public readonly _physicalName: PhysicalName;

  constructor(scope: Construct, id: string, props: SolutionProps) {
    super(scope, id);
    const { datasetGroup: group, recipe, autoTraining } = props;
    requireDatasetGroup(group);
    requireInstance('recipe', recipe, Recipe, 'a Recipe (a static member such as Recipe.USER_PERSONALIZATION_V2, or Recipe.fromArn)');
    if (!(autoTraining instanceof AutoTraining)) {
      throw new Error('Invalid autoTraining: it is required. Use AutoTraining.off(), or AutoTraining.every(Duration.days(n)) with n from 1 to 30.');
    }
    validateName('solutionName', props.solutionName);
    claimName(this, 'Solution', 'solutionName', props.solutionName);
    checkProps(props);
    refuseOrWarn(this, props.skipChecks, recipeProblems(this, props));
    this.datasetGroup = group;
    this.recipe = recipe;
    this.autoTraining = autoTraining;
    this.recipeArn = recipe.arnIn(this);

    const solutionConfig = renderSolutionConfig(props);
    const hpo = props.hyperParameterOptimization !== undefined;
    this._physicalName = physicalName(this, props.solutionName,
      [replacementKeyOf(group, group.datasetGroupArn), this.recipeArn, hpo, props.eventType, solutionConfig]);
    this.tags = new TagManager(TagType.KEY_VALUE, ResourceTypes.SOLUTION);
    this.node.addValidation({
      validate: () => [...tagProblems(this.renderTags()), ...problemsUnlessSkipped(this, props.skipChecks, datasetProblems(this, group, props))],
    });

    const resource = declaredResource<SolutionProperties>(this, SOLUTION, {
      properties: {
        Name: this._physicalName.name,
        DatasetGroupArn: group.datasetGroupArn,
        RecipeArn: this.recipeArn,
        PerformHPO: hpo ? 'true' : undefined,
        EventType: props.eventType,
        SolutionConfig: solutionConfig,
        PerformAutoTraining: autoTraining.enabled ? 'true' : 'false',
        AutoTrainingSchedule: autoTraining.schedulingExpression,
        EventsConfig: props.events ? JSON.stringify({ eventParametersList: props.events.map(renderEvent) }) : undefined,
        PerformIncrementalUpdate: props.incrementalUpdates === undefined ? undefined : String(props.incrementalUpdates),
        Tags: Lazy.any({ produce: () => this.renderTags() }) as unknown as TagProperty[],
        GroupEmptyOnDelete: groupEmptyOnDelete(group),
      },
      removalPolicy: props.removalPolicy,
      resources: {
        self: [ownArnPattern(this, SOLUTION, this._physicalName)],
        // Versions are `solution/NAME/ID`: a generated name's pattern covers them, an explicit name needs its own.
        versions: versionArns(this, this._physicalName),
        group: [memberCreationArn(group)],
        groupChildren: emptyOnDeleteChildArns(group),
      },
    });

    this.solutionArn = resource.getAttString(Attributes.ARN);
    this.solutionName = resource.getAttString(Attributes.NAME);

    // After every dataset of the group: training reads them, and a dataset cannot be deleted while a version trains.
    whenAppDeclared(this, () => datasetsOf(this, group).forEach((dataset) => resource.node.addDependency(dataset)));
  }

  private renderTags(): TagProperty[] {
    return (this.tags.renderTags() as TagProperty[] | undefined) ?? [];
  }
}

function renderEvent(event: EventParameter): Record<string, unknown> {
  return { eventType: event.eventType, weight: event.weight, eventValueThreshold: event.eventValueThreshold };
}

/** The create-only part of the API's SolutionConfig, as JSON text; undefined when empty. */
function renderSolutionConfig(props: SolutionProps): string | undefined {
  const hpo = props.hyperParameterOptimization;
  const config: Record<string, unknown> = {
    eventValueThreshold: props.eventValueThreshold,
    hpoConfig: hpo && (hpo.metricName || hpo.objectiveType || hpo.maxTrainingJobs || hpo.maxParallelTrainingJobs || hasRanges(hpo)) ? {
      hpoObjective: hpo.metricName || hpo.objectiveType ? { type: hpo.objectiveType, metricName: hpo.metricName } : undefined,
      hpoResourceConfig: hpo.maxTrainingJobs || hpo.maxParallelTrainingJobs ? {
        maxNumberOfTrainingJobs: hpo.maxTrainingJobs?.toString(), maxParallelTrainingJobs: hpo.maxParallelTrainingJobs?.toString(),
      } : undefined,
      algorithmHyperParameterRanges: hasRanges(hpo) ? {
        integerHyperParameterRanges: hpo.integerRanges?.map(({ name, minValue, maxValue }) => ({ name, minValue, maxValue })),
        continuousHyperParameterRanges: hpo.continuousRanges?.map(({ name, minValue, maxValue }) => ({ name, minValue, maxValue })),
        categoricalHyperParameterRanges: hpo.categoricalRanges?.map(({ name, values }) => ({ name, values })),
      } : undefined,
    } : undefined,
    algorithmHyperParameters: props.algorithmHyperParameters,
    featureTransformationParameters: props.featureTransformationParameters,
    optimizationObjective: props.optimizationObjective ? {
      itemAttribute: props.optimizationObjective.itemAttribute,
      objectiveSensitivity: props.optimizationObjective.sensitivity ?? ObjectiveSensitivity.MEDIUM,
    } : undefined,
    trainingDataConfig: props.excludedColumns ? {
      excludedDatasetColumns: Object.fromEntries(props.excludedColumns.map((e) => [e.datasetType, e.columns])),
    } : undefined,
  };
  const text = JSON.stringify(config);
  return text === '{}' ? undefined : text;
}

const COLUMN_PATTERN = /^[A-Za-z_][A-Za-z\d_]*$/;

/** The recipe's rules that need only the props (skipChecks turns them into warnings). */
function recipeProblems(scope: IConstruct, props: SolutionProps): string[] {
  const { recipe } = props;
  const name = recipe.recipeName ?? 'this recipe';
  const problems: string[] = [];
  if (recipe._problem) problems.push(`Invalid recipe of solution '${scope.node.path}': ${recipe._problem}.`);
  // The recipe pages of User-Personalization-v2 and Personalized-Ranking-v2 (ADR 0009).
  if (props.events !== undefined && !recipe.supportsEvents) {
    problems.push(`Invalid events of solution '${scope.node.path}': recipe '${name}' takes no events config; only `
      + `${[Recipe.USER_PERSONALIZATION_V2, Recipe.PERSONALIZED_RANKING_V2].map((r) => r.recipeName).join(' and ')} do. Remove events, or use one of those recipes.`);
  }
  // The API reference's SolutionUpdateConfig / performIncrementalUpdate names Semantic-Similarity (ADR 0009).
  if (props.incrementalUpdates !== undefined && !recipe.supportsIncrementalUpdates) {
    problems.push(`Invalid incrementalUpdates of solution '${scope.node.path}': recipe '${name}' has no incremental updates; only `
      + `${Recipe.SEMANTIC_SIMILARITY.recipeName} does. Remove incrementalUpdates.`);
  }
  return problems;
}

/** The API's limits that need only the props, checked at once and never skipped. */
function checkProps(props: SolutionProps): void {
  if (props.events !== undefined && (props.events.length < 1 || props.events.length > 10)) {
    throw new Error(`Invalid events: ${props.events.length} event parameters. Personalize takes 1 to 10.`);
  }
  for (const event of props.events ?? []) {
    if (event.weight !== undefined && !Token.isUnresolved(event.weight) && (event.weight < 0 || event.weight > 1)) {
      throw new Error(`Invalid events: the weight of event type '${event.eventType}' is ${event.weight}. A weight is from 0 to 1.`);
    }
  }
  for (const excluded of props.excludedColumns ?? []) {
    const bad = excluded.columns.filter((column) => !Token.isUnresolved(column) && !COLUMN_PATTERN.test(column));
    if (bad.length > 0 || excluded.columns.length > 50) {
      throw new Error(`Invalid excludedColumns for ${excluded.datasetType}: ${JSON.stringify(excluded.columns)}. At most 50 column `
        + 'names, each starting with a letter or underscore, then letters, digits or underscores.');
    }
  }
  const hpo = props.hyperParameterOptimization;
  checkRanges(hpo);
  for (const [prop, value] of [['maxTrainingJobs', hpo?.maxTrainingJobs], ['maxParallelTrainingJobs', hpo?.maxParallelTrainingJobs]] as const) {
    if (value !== undefined && !Token.isUnresolved(value) && (!Number.isInteger(value) || value < 1 || value > HPO_JOB_MAXIMA[prop])) {
      throw new Error(`Invalid hyperParameterOptimization.${prop}: ${value}. Expected a whole number from 1 to ${HPO_JOB_MAXIMA[prop]} `
        + `(the API's maximum); ${prop === 'maxTrainingJobs' ? 'HPO runs and bills each job' : 'lower it'}.`);
    }
  }
}

/** The rules that need the group's datasets, checked once the whole app is declared; one message per rule. */
function datasetProblems(scope: IConstruct, group: IDatasetGroup, props: SolutionProps): string[] {
  const { recipe } = props;
  // Only for a group this app owns is the list of its datasets complete.
  if (!(group instanceof DatasetGroup) || !recipe._isKnown) return [];
  const datasets = datasetsOf(scope, group);
  const ofType = (type: DatasetType): Dataset | undefined => datasets.find((d) => d.datasetType === type);
  const problems: string[] = [];
  const missing = recipe.requiredDatasets.filter((type) => !ofType(type));
  if (missing.length > 0) {
    const domainNote = group.domain !== undefined && missing.some((t) => t === DatasetType.ACTIONS || t === DatasetType.ACTION_INTERACTIONS)
      ? ` A domain dataset group (${group.domain}) cannot hold ${missing.join(' or ')} datasets: use a custom dataset group.` : '';
    problems.push(`Invalid recipe: '${recipe.recipeName}' trains on ${recipe.requiredDatasets.join(' and ')} datasets, but dataset group `
      + `'${group.node.path}' has no ${missing.join(' or ')} dataset in this app.${domainNote || ' Add it with datasetGroup.addDataset.'}`);
  }
  const items = ofType(DatasetType.ITEMS);
  const itemsRecord = items ? recordOf(items.schema.definition?.json) : undefined;
  if (recipe._needsTextualItems && itemsRecord && !itemsRecord.fields.some((field) => field.textual)) {
    problems.push(`Invalid recipe: '${recipe.recipeName}' learns from item text, but the Items schema of dataset group '${group.node.path}' `
      + 'has no textual field. Mark a string field with SchemaField.stringField(...).textual().');
  }
  const interactions = ofType(DatasetType.INTERACTIONS);
  const interactionsRecord = interactions ? recordOf(interactions.schema.definition?.json) : undefined;
  if (props.eventType !== undefined && interactionsRecord && !interactionsRecord.fields.some((field) => field.name === 'EVENT_TYPE')) {
    problems.push(`Invalid eventType: '${props.eventType}' selects interactions by their EVENT_TYPE, but the Interactions schema of `
      + `dataset group '${group.node.path}' has no EVENT_TYPE field.`);
  }
  const objective = props.optimizationObjective?.itemAttribute;
  const objectiveField = itemsRecord?.fields.find((field) => field.name === objective);
  if (objective !== undefined && itemsRecord && !objectiveField) {
    problems.push(`Invalid optimizationObjective: itemAttribute '${objective}' is not a field of the Items schema of dataset group `
      + `'${group.node.path}' (fields: ${itemsRecord.fields.map((f) => f.name).join(', ')}).`);
  }
  // botocore OptimizationObjective.itemAttribute: "The numerical metadata column in an Items dataset".
  if (objectiveField && !['int', 'long', 'float', 'double'].includes(objectiveField.type)) {
    const numeric = itemsRecord!.fields.filter((field) => ['int', 'long', 'float', 'double'].includes(field.type)).map((field) => field.name);
    problems.push(`Invalid optimizationObjective: itemAttribute '${objective}' is a ${objectiveField.type} field of the Items schema of dataset `
      + `group '${group.node.path}', and an objective is a numeric column (int, long, float, double). Use ${numeric.length > 0
        ? `one of ${numeric.join(', ')}` : 'a numeric field, such as PRICE'}.`);
  }
  return problems;
}
