import {
  Arn, ArnFormat, CustomResource, Duration, IResource, ITaggable, Lazy, RemovalPolicy, Resource, Stack, TagManager, TagType, Token,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { Dataset, DatasetType } from './dataset';
import { DatasetGroup, IDatasetGroup } from './dataset-group';
import { groupEmptyOnDelete } from '../private/blocked-deletes';
import { problemsUnlessSkipped, refuseOrWarn } from '../private/checks';
import { Attributes, CONTRACT_VERSION, ResourceTypes, SolutionProperties, TagProperty } from '../private/contract';
import { recordOf } from './private/definition-checks';
import { personalizeArnPattern, versionArns } from './private/grant-patterns';
import { datasetsOf, memberCreationArn, whenAppDeclared } from './private/group-members';
import { grantHandler, ownedResourcesGrants } from '../private/handler-access';
import { PhysicalName, physicalName } from '../private/names';
import { PersonalizeProvider } from '../private/provider';
import { requireConstruct, requireInstance } from '../private/runtime-types';
import { claimName, tagProblems, validateName, validatePersonalizeArn } from '../private/validation';

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

/**
 * What a recipe is for, as Personalize groups recipes.
 */
export enum RecipeType {
  /** Recommends items for a user. */
  USER_PERSONALIZATION = 'USER_PERSONALIZATION',
  /** Ranks a given list of items for a user. */
  PERSONALIZED_RANKING = 'PERSONALIZED_RANKING',
  /** Recommends items related to a given item. */
  RELATED_ITEMS = 'RELATED_ITEMS',
  /** Finds the users most likely to interact with items or item attributes. */
  USER_SEGMENTATION = 'USER_SEGMENTATION',
  /** Recommends the next best actions for a user. */
  PERSONALIZED_ACTIONS = 'PERSONALIZED_ACTIONS',
}

/** What the library knows of a predefined recipe. */
interface RecipeTraits {
  readonly type: RecipeType;
  /** Datasets the group must hold to train. */
  readonly requires: DatasetType[];
  /** Needs a textual field in the Items schema. */
  readonly needsTextualItems?: boolean;
  /** Takes an events config (event weights and thresholds). */
  readonly eventsConfig?: boolean;
  /** Takes performIncrementalUpdate. */
  readonly incrementalUpdate?: boolean;
}

const RECIPE_ARN_PATTERN = /^arn:[a-z\d-]+:personalize:::recipe\/([A-Za-z0-9][A-Za-z0-9\-_]*)$/;
/**
 * AWS's recipes the library does not model: the legacy HRNN recipes, which User-Personalization
 * supersedes (https://docs.aws.amazon.com/personalize/latest/dg/legacy-user-personalization-recipes.html).
 * With the static members, the recipes the guide lists ("Choosing a recipe",
 * https://docs.aws.amazon.com/personalize/latest/dg/working-with-predefined-recipes.html); ListRecipes
 * has the service's own list, which synth cannot ask.
 */
const LEGACY_RECIPES = ['aws-hrnn', 'aws-hrnn-metadata', 'aws-hrnn-coldstart'];
/** Domain use cases' recipes (aws-ecomm-..., aws-vod-...), which recommenders use and solutions cannot train. */
const DOMAIN_RECIPE = /^aws-(ecomm|vod)-/;

/**
 * A recipe: the algorithm a solution trains. Every predefined recipe is a static
 * member; `Recipe.fromArn` takes any other (for example a newer one), unchecked.
 */
export class Recipe {
  /** User-Personalization-v2: item recommendations for users, up to 5 million items. */
  public static readonly USER_PERSONALIZATION_V2 = new Recipe('aws-user-personalization-v2',
    { type: RecipeType.USER_PERSONALIZATION, requires: [DatasetType.INTERACTIONS], eventsConfig: true });
  /** User-Personalization: item recommendations with exploration of new items. */
  public static readonly USER_PERSONALIZATION = new Recipe('aws-user-personalization',
    { type: RecipeType.USER_PERSONALIZATION, requires: [DatasetType.INTERACTIONS] });
  /** Popularity-Count: the most popular items, a baseline. */
  public static readonly POPULARITY_COUNT = new Recipe('aws-popularity-count',
    { type: RecipeType.USER_PERSONALIZATION, requires: [DatasetType.INTERACTIONS] });
  /** Trending-Now: items whose popularity grows fastest. */
  public static readonly TRENDING_NOW = new Recipe('aws-trending-now',
    { type: RecipeType.USER_PERSONALIZATION, requires: [DatasetType.INTERACTIONS] });
  /** Personalized-Ranking-v2: ranks a list of items for a user. */
  public static readonly PERSONALIZED_RANKING_V2 = new Recipe('aws-personalized-ranking-v2',
    { type: RecipeType.PERSONALIZED_RANKING, requires: [DatasetType.INTERACTIONS], eventsConfig: true });
  /** Personalized-Ranking: ranks a list of items for a user. */
  public static readonly PERSONALIZED_RANKING = new Recipe('aws-personalized-ranking',
    { type: RecipeType.PERSONALIZED_RANKING, requires: [DatasetType.INTERACTIONS] });
  /** Similar-Items: items similar to an item, from interactions and item metadata. */
  public static readonly SIMILAR_ITEMS = new Recipe('aws-similar-items',
    { type: RecipeType.RELATED_ITEMS, requires: [DatasetType.INTERACTIONS] });
  /** SIMS: items that co-occur with an item in user histories. */
  public static readonly SIMS = new Recipe('aws-sims', { type: RecipeType.RELATED_ITEMS, requires: [DatasetType.INTERACTIONS] });
  /** Semantic-Similarity: items similar in their textual content; needs an Items dataset with a textual field. */
  public static readonly SEMANTIC_SIMILARITY = new Recipe('aws-semantic-similarity',
    { type: RecipeType.RELATED_ITEMS, requires: [DatasetType.ITEMS], needsTextualItems: true, incrementalUpdate: true });
  /** Item-Affinity: the users most likely to interact with given items. */
  public static readonly ITEM_AFFINITY = new Recipe('aws-item-affinity',
    { type: RecipeType.USER_SEGMENTATION, requires: [DatasetType.INTERACTIONS] });
  /** Item-Attribute-Affinity: the users most likely to interact with items of given attributes; needs Items. */
  public static readonly ITEM_ATTRIBUTE_AFFINITY = new Recipe('aws-item-attribute-affinity',
    { type: RecipeType.USER_SEGMENTATION, requires: [DatasetType.INTERACTIONS, DatasetType.ITEMS] });
  /** Next-Best-Action: actions for a user; needs Actions and Action interactions (custom dataset groups only). */
  public static readonly NEXT_BEST_ACTION = new Recipe('aws-next-best-action',
    { type: RecipeType.PERSONALIZED_ACTIONS, requires: [DatasetType.ACTIONS, DatasetType.ACTION_INTERACTIONS] });

  /**
   * A recipe by ARN, `arn:aws:personalize:::recipe/NAME`. A predefined recipe's ARN
   * gives that recipe, checked like the static member; any other is not checked.
   */
  public static fromArn(recipeArn: string): Recipe {
    validatePersonalizeArn('recipeArn', recipeArn);
    if (Token.isUnresolved(recipeArn)) return new Recipe(undefined, undefined, recipeArn);
    const match = RECIPE_ARN_PATTERN.exec(recipeArn);
    if (!match) throw new Error(`Invalid recipeArn: '${recipeArn}'. Expected a recipe ARN of the form arn:PARTITION:personalize:::recipe/NAME.`);
    const known = Recipe.ALL.find((recipe) => recipe.recipeName === match[1]);
    return new Recipe(match[1], known?.traits, recipeArn, known ? undefined : unknownRecipeProblem(match[1]));
  }

  private static get ALL(): Recipe[] {
    return [
      Recipe.USER_PERSONALIZATION_V2, Recipe.USER_PERSONALIZATION, Recipe.POPULARITY_COUNT, Recipe.TRENDING_NOW,
      Recipe.PERSONALIZED_RANKING_V2, Recipe.PERSONALIZED_RANKING, Recipe.SIMILAR_ITEMS, Recipe.SIMS, Recipe.SEMANTIC_SIMILARITY,
      Recipe.ITEM_AFFINITY, Recipe.ITEM_ATTRIBUTE_AFFINITY, Recipe.NEXT_BEST_ACTION,
    ];
  }

  /** The recipe's name, such as `aws-sims`; undefined for an ARN that is a token. */
  public readonly recipeName?: string;
  /** What the recipe is for; undefined for a recipe the library does not know. */
  public readonly recipeType?: RecipeType;
  /** The datasets the dataset group must hold; empty for a recipe the library does not know. */
  public readonly requiredDatasets: DatasetType[];
  /** Whether the solution takes event weights and thresholds (the `events` prop). */
  public readonly supportsEvents: boolean;
  /** Whether the solution takes incremental updates (the `incrementalUpdates` prop). */
  public readonly supportsIncrementalUpdates: boolean;

  /** @internal why the recipe cannot be what the ARN names (a misspelt AWS recipe, a use case's recipe); the Solution reports it */
  public readonly _problem?: string;

  private constructor(recipeName: string | undefined, private readonly traits?: RecipeTraits, private readonly arn?: string, problem?: string) {
    this._problem = problem;
    this.recipeName = recipeName;
    this.recipeType = traits?.type;
    this.requiredDatasets = traits?.requires ?? [];
    this.supportsEvents = traits?.eventsConfig ?? traits === undefined;
    this.supportsIncrementalUpdates = traits?.incrementalUpdate ?? traits === undefined;
  }

  /** The recipe's ARN in the partition of `scope`'s stack (recipe ARNs name no region or account). */
  public arnIn(scope: IConstruct): string {
    if (this.arn) return this.arn;
    const region = Stack.of(scope).region;
    const partition = Token.isUnresolved(region) ? 'aws' : region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
    return `arn:${partition}:personalize:::recipe/${this.recipeName}`;
  }

  /** @internal whether the library knows what the recipe needs */
  public get _isKnown(): boolean {
    return this.traits !== undefined;
  }

  /** @internal needs a textual Items field */
  public get _needsTextualItems(): boolean {
    return this.traits?.needsTextualItems ?? false;
  }
}

/** Why an `aws-` recipe name the library does not know is not a recipe Personalize has; undefined for another provider's name. */
function unknownRecipeProblem(name: string): string | undefined {
  if (DOMAIN_RECIPE.test(name)) {
    return `'${name}' is the recipe of a domain use case, which a Recommender serves; a Solution trains a custom recipe. Use a `
      + 'Recommender with its UseCase, or a custom recipe such as Recipe.USER_PERSONALIZATION_V2';
  }
  if (!name.startsWith('aws-') || LEGACY_RECIPES.includes(name)) return undefined;
  const names = [...RECIPE_NAMES(), ...LEGACY_RECIPES];
  const nearest = names.reduce((best, candidate) => (editDistance(name, candidate) < editDistance(name, best) ? candidate : best));
  return `'${name}' is not one of Personalize's recipes (${names.join(', ')}); did you mean '${nearest}'? `
    + 'Use the Recipe static member, or skipChecks for a recipe newer than this library';
}

function RECIPE_NAMES(): string[] {
  return [
    Recipe.USER_PERSONALIZATION_V2, Recipe.USER_PERSONALIZATION, Recipe.POPULARITY_COUNT, Recipe.TRENDING_NOW,
    Recipe.PERSONALIZED_RANKING_V2, Recipe.PERSONALIZED_RANKING, Recipe.SIMILAR_ITEMS, Recipe.SIMS, Recipe.SEMANTIC_SIMILARITY,
    Recipe.ITEM_AFFINITY, Recipe.ITEM_ATTRIBUTE_AFFINITY, Recipe.NEXT_BEST_ACTION,
  ].map((recipe) => recipe.recipeName!);
}

/** Levenshtein distance, for the nearest recipe name in a message. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * Automatic training: whether, and how often, Personalize trains a new solution
 * version by itself. Every run is billed as training hours.
 */
export class AutoTraining {
  /** No automatic training: versions are trained only when asked (a SolutionVersion, or the API). */
  public static off(): AutoTraining {
    return new AutoTraining(undefined);
  }

  /** A new version every `interval`: 1 to 30 whole days. */
  public static every(interval: Duration): AutoTraining {
    const hours = interval.toHours({ integral: false });
    const days = hours / 24;
    if (!Token.isUnresolved(hours) && (!Number.isInteger(days) || days < 1 || days > 30)) {
      throw new Error(`Invalid autoTraining: AutoTraining.every(${interval.toHumanString()}). Personalize trains automatically every 1 to 30 `
        + 'whole days, for example AutoTraining.every(Duration.days(7)).');
    }
    return new AutoTraining(days);
  }

  /** The number of days between runs; undefined when off. */
  public readonly intervalDays?: number;

  private constructor(days: number | undefined) {
    this.intervalDays = days;
  }

  /** Whether automatic training is on. */
  public get enabled(): boolean {
    return this.intervalDays !== undefined;
  }

  /** The scheduling expression, `rate(N days)`; undefined when off. */
  public get schedulingExpression(): string | undefined {
    if (this.intervalDays === undefined) return undefined;
    return this.intervalDays === 1 ? 'rate(1 day)' : `rate(${this.intervalDays} days)`;
  }
}

/** How strongly an optimization objective weighs against relevance. */
export enum ObjectiveSensitivity {
  /** Off. */
  OFF = 'OFF',
  /** Low. */
  LOW = 'LOW',
  /** Medium. */
  MEDIUM = 'MEDIUM',
  /** High. */
  HIGH = 'HIGH',
}

/** An optimization objective: a numeric Items field to favour, besides relevance. */
export interface OptimizationObjective {
  /** The numeric field of the Items schema to optimize for, such as `PRICE`. */
  readonly itemAttribute: string;
  /**
   * How much weight the objective gets.
   * @default ObjectiveSensitivity.MEDIUM
   */
  readonly sensitivity?: ObjectiveSensitivity;
}

/** Hyperparameter optimization (HPO): Personalize tries several trainings and keeps the best. Billed per training job. */
export interface HyperParameterOptimization {
  /**
   * The metric to optimize, such as `precision_at_25`.
   * @default - the recipe's default metric
   */
  readonly metricName?: string;
  /**
   * `Maximize` or `Minimize`.
   * @default - the recipe's default
   */
  readonly objectiveType?: string;
  /**
   * The most training jobs HPO runs: 1 to 40.
   * @default - the service default
   */
  readonly maxTrainingJobs?: number;
  /**
   * The most training jobs HPO runs at once: 1 to 10.
   * @default - the service default
   */
  readonly maxParallelTrainingJobs?: number;
  /**
   * Integer hyperparameters HPO searches, each within its range (at most 100).
   * @default - the recipe's default ranges
   */
  readonly integerRanges?: IntegerHyperParameterRange[];
  /**
   * Continuous hyperparameters HPO searches, each within its range (at most 100).
   * @default - the recipe's default ranges
   */
  readonly continuousRanges?: ContinuousHyperParameterRange[];
  /**
   * Categorical hyperparameters HPO searches, each among its values (at most 100).
   * @default - the recipe's default ranges
   */
  readonly categoricalRanges?: CategoricalHyperParameterRange[];
}

/** An integer hyperparameter and the range HPO searches it in (-1,000,000 to 1,000,000). */
export interface IntegerHyperParameterRange {
  /** The hyperparameter's name, as the recipe names it (for example `hidden_dimension`). */
  readonly name: string;
  /** The smallest value tried. */
  readonly minValue: number;
  /** The largest value tried. */
  readonly maxValue: number;
}

/** A continuous hyperparameter and the range HPO searches it in (-1,000,000 to 1,000,000). */
export interface ContinuousHyperParameterRange {
  /** The hyperparameter's name, as the recipe names it (for example `min_user_history_length_percentile`). */
  readonly name: string;
  /** The smallest value tried. */
  readonly minValue: number;
  /** The largest value tried. */
  readonly maxValue: number;
}

/** A categorical hyperparameter and the values HPO tries (at most 100). */
export interface CategoricalHyperParameterRange {
  /** The hyperparameter's name, as the recipe names it (for example `recency_mask`). */
  readonly name: string;
  /** The values tried. */
  readonly values: string[];
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

/** What the handler does by name; reads, tagging, stops and deletes of what it made come from ownedResourcesGrants. */
const HANDLER_ACTIONS = [
  'personalize:CreateSolution',
  'personalize:DescribeSolution',
  'personalize:UpdateSolution',
];

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
    requireConstruct('datasetGroup', group, 'IDatasetGroup (a DatasetGroup, or DatasetGroup.fromDatasetGroupArn / fromDatasetGroupName)', 'datasetGroupArn');
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
    const ownGroup = group instanceof DatasetGroup ? group : undefined;
    const hpo = props.hyperParameterOptimization !== undefined;
    this._physicalName = physicalName(this, props.solutionName,
      [ownGroup ? ownGroup._physicalName.name : group.datasetGroupArn, this.recipeArn, hpo, props.eventType, solutionConfig]);
    this.tags = new TagManager(TagType.KEY_VALUE, ResourceTypes.SOLUTION);
    this.node.addValidation({
      validate: () => [...tagProblems(this.renderTags()), ...problemsUnlessSkipped(this, props.skipChecks, datasetProblems(this, group, props))],
    });

    const properties: SolutionProperties = {
      ContractVersion: CONTRACT_VERSION,
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
    };
    const provider = PersonalizeProvider.getOrCreate(this);
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: ResourceTypes.SOLUTION,
      properties,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    grantHandler(provider, resource, [
      { actions: HANDLER_ACTIONS, resources: [personalizeArnPattern(this, 'solution', this._physicalName)] },
      ...ownedResourcesGrants(this, 'personalize'),
      // A delete stops the solution's training still under way. Versions are `solution/NAME/ID`: a generated
      // name's pattern (`STACKTOKEN_*`) covers them, an explicit name needs its own.
      { actions: ['personalize:StopSolutionVersionCreation'], resources: versionArns(this, this._physicalName) },
      { actions: ['personalize:CreateSolution'], resources: [memberCreationArn(group)] },
    ]);

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

function hasRanges(hpo: HyperParameterOptimization): boolean {
  return [hpo.integerRanges, hpo.continuousRanges, hpo.categoricalRanges].some((ranges) => ranges !== undefined && ranges.length > 0);
}

/** The API's bounds for HPO ranges (HyperParameterRanges in the Personalize API reference). */
const RANGE_LIMIT = 1_000_000;
const MAX_RANGES = 100;
const MAX_RANGE_NAME = 256;
const MAX_CATEGORY_VALUE = 1_000;

/** One message per broken rule of the HPO ranges: counts, names, bounds and order. */
function checkRanges(hpo: HyperParameterOptimization | undefined): void {
  if (!hpo) return;
  const numeric: Array<[string, Array<IntegerHyperParameterRange | ContinuousHyperParameterRange>]> = [
    ['integerRanges', hpo.integerRanges ?? []], ['continuousRanges', hpo.continuousRanges ?? []],
  ];
  const all: Array<[string, { name: string }[]]> = [...numeric, ['categoricalRanges', hpo.categoricalRanges ?? []]];
  const seen = new Set<string>();
  for (const [prop, ranges] of all) {
    if (ranges.length > MAX_RANGES) {
      throw new Error(`Invalid hyperParameterOptimization.${prop}: ${ranges.length} ranges. Personalize takes at most ${MAX_RANGES}.`);
    }
    for (const { name } of ranges) {
      if (Token.isUnresolved(name)) continue;
      if (name.length === 0 || name.length > MAX_RANGE_NAME) {
        throw new Error(`Invalid hyperParameterOptimization.${prop}: the name '${name}' has ${name.length} characters. Expected 1-${MAX_RANGE_NAME}.`);
      }
      if (seen.has(name)) {
        throw new Error(`Invalid hyperParameterOptimization.${prop}: hyperparameter '${name}' has more than one range. Give each one range.`);
      }
      seen.add(name);
    }
  }
  for (const [prop, ranges] of numeric) {
    for (const { name, minValue, maxValue } of ranges) {
      if (Token.isUnresolved(minValue) || Token.isUnresolved(maxValue)) continue;
      if (prop === 'integerRanges' && (!Number.isInteger(minValue) || !Number.isInteger(maxValue))) {
        throw new Error(`Invalid hyperParameterOptimization.integerRanges: '${name}' ranges from ${minValue} to ${maxValue}. Expected whole numbers.`);
      }
      if (minValue < -RANGE_LIMIT || maxValue > RANGE_LIMIT || minValue > maxValue) {
        throw new Error(`Invalid hyperParameterOptimization.${prop}: '${name}' ranges from ${minValue} to ${maxValue}. Expected `
          + `-${RANGE_LIMIT.toLocaleString('en-US')} <= minValue <= maxValue <= ${RANGE_LIMIT.toLocaleString('en-US')}.`);
      }
    }
  }
  for (const { name, values } of hpo.categoricalRanges ?? []) {
    const tooLong = values.find((value) => !Token.isUnresolved(value) && value.length > MAX_CATEGORY_VALUE);
    if (values.length === 0 || values.length > MAX_RANGES || tooLong !== undefined) {
      throw new Error(`Invalid hyperParameterOptimization.categoricalRanges: '${name}' has ${values.length} values`
        + `${tooLong !== undefined ? `, one of ${tooLong.length} characters` : ''}. Expected 1-${MAX_RANGES} values of at most ${MAX_CATEGORY_VALUE} characters.`);
    }
  }
}

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

/** botocore HPOResourceConfig: "The maximum value for maxNumberOfTrainingJobs is 40", "... maxParallelTrainingJobs is 10". */
const HPO_JOB_MAXIMA = { maxTrainingJobs: 40, maxParallelTrainingJobs: 10 };

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
