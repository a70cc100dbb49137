import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { DatasetType } from './dataset';
import { validatePersonalizeArn } from '../private/validation';

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
