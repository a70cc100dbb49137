import { IResource, ITaggable, Lazy, RemovalPolicy, Resource, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { ItemExploration } from './campaign';
import { DatasetType } from './dataset';
import { DatasetGroup, IDatasetGroup } from './dataset-group';
import { Domain } from './domain';
import { problemsUnlessSkipped, refuseOrWarn } from '../private/checks';
import { Attributes, RecommenderProperties, ResourceTypes, TagProperty } from '../private/contract';
import { declaredResource } from '../private/declared-resource';
import { importedPersonalizeResource } from '../private/imported';
import { recordOf } from './private/definition-checks';
import { afterImportsInto, datasetsOf, memberCreationArn, whenAppDeclared } from './private/group-members';
import { physicalName, replacementKeyOf } from '../private/names';
import { requireInstance } from '../private/runtime-types';
import { countProperty, explorationProperties, grantRuntime, recordServedGroup } from './private/serving';
import { claimName, tagProblems, validateName } from '../private/validation';
import { RECOMMENDER } from './private/declarations';
import { ownArnPattern } from './private/grant-patterns';
import { requireDatasetGroup } from './private/own-group';

const RECIPE_PREFIX = 'arn:aws:personalize:::recipe/';

/**
 * A use case of a Domain dataset group: what a recommender recommends. Each belongs to
 * one domain and needs some of the group's datasets to train.
 */
export class UseCase {
  /** E-commerce "Customers who viewed X also viewed": items viewed together with an item (View events). */
  public static readonly ECOMMERCE_CUSTOMERS_WHO_VIEWED_X_ALSO_VIEWED = UseCase.ecommerce('aws-ecomm-customers-who-viewed-x-also-viewed');
  /** E-commerce "Best sellers": the items most purchased (Purchase events). */
  public static readonly ECOMMERCE_BEST_SELLERS = UseCase.ecommerce('aws-ecomm-popular-items-by-purchases');
  /** E-commerce "Most viewed": the items most viewed (View events). */
  public static readonly ECOMMERCE_MOST_VIEWED = UseCase.ecommerce('aws-ecomm-popular-items-by-views');
  /** E-commerce "Frequently bought together": items bought with an item (Purchase events). */
  public static readonly ECOMMERCE_FREQUENTLY_BOUGHT_TOGETHER = UseCase.ecommerce('aws-ecomm-frequently-bought-together');
  /** E-commerce "Recommended for you": items personalized for a user. */
  public static readonly ECOMMERCE_RECOMMENDED_FOR_YOU = UseCase.ecommerce('aws-ecomm-recommended-for-you', true);

  /** Video on demand "Because you watched X": videos watched by viewers of a video (Watch events). */
  public static readonly VOD_BECAUSE_YOU_WATCHED_X = UseCase.videoOnDemand('aws-vod-because-you-watched-x');
  /** Video on demand "More like X": videos similar to a video; needs the Items dataset. */
  public static readonly VOD_MORE_LIKE_X = UseCase.videoOnDemand('aws-vod-more-like-x', false, [DatasetType.INTERACTIONS, DatasetType.ITEMS]);
  /** Video on demand "Most popular": the videos most watched (Watch events). */
  public static readonly VOD_MOST_POPULAR = UseCase.videoOnDemand('aws-vod-most-popular');
  /** Video on demand "Trending now": videos gaining popularity fastest. */
  public static readonly VOD_TRENDING_NOW = UseCase.videoOnDemand('aws-vod-trending-now');
  /** Video on demand "Top picks for you": videos personalized for a user. */
  public static readonly VOD_TOP_PICKS = UseCase.videoOnDemand('aws-vod-top-picks', true);

  /**
   * A use case by its recipe ARN (`arn:aws:personalize:::recipe/aws-ecomm-...`). A listed use
   * case's ARN gives that use case; for one this library does not list yet, only the
   * Interactions dataset is checked. A recipe that is not of the domain's use cases is
   * refused when the recommender is created (see `RecommenderProps.skipChecks`).
   */
  public static fromRecipeArn(domain: Domain, recipeArn: string): UseCase {
    if (!Token.isUnresolved(recipeArn) && !recipeArn.startsWith(RECIPE_PREFIX)) {
      throw new Error(`Invalid recipeArn: '${recipeArn}'. Expected a use case's recipe ARN, ${RECIPE_PREFIX}NAME.`);
    }
    // A listed use case's ARN gives that use case, with the datasets it needs.
    const known = UseCase.ALL.find((useCase) => useCase.recipeArn === recipeArn && useCase.domain === domain);
    return known ?? new UseCase(domain, recipeArn, false, [DatasetType.INTERACTIONS], domainProblem(domain, recipeArn));
  }

  private static get ALL(): UseCase[] {
    return [
      UseCase.ECOMMERCE_CUSTOMERS_WHO_VIEWED_X_ALSO_VIEWED, UseCase.ECOMMERCE_BEST_SELLERS, UseCase.ECOMMERCE_MOST_VIEWED,
      UseCase.ECOMMERCE_FREQUENTLY_BOUGHT_TOGETHER, UseCase.ECOMMERCE_RECOMMENDED_FOR_YOU, UseCase.VOD_BECAUSE_YOU_WATCHED_X, UseCase.VOD_MORE_LIKE_X,
      UseCase.VOD_MOST_POPULAR, UseCase.VOD_TRENDING_NOW, UseCase.VOD_TOP_PICKS,
    ];
  }

  private static ecommerce(name: string, personalized = false): UseCase {
    return new UseCase(Domain.ECOMMERCE, `${RECIPE_PREFIX}${name}`, personalized, [DatasetType.INTERACTIONS]);
  }

  private static videoOnDemand(name: string, personalized = false, datasets = [DatasetType.INTERACTIONS]): UseCase {
    return new UseCase(Domain.VIDEO_ON_DEMAND, `${RECIPE_PREFIX}${name}`, personalized, datasets);
  }

  /** @internal why the recipe is not a use case of the domain; the Recommender reports it */
  public readonly _problem?: string;

  private constructor(
    /** The domain the use case belongs to. */
    public readonly domain: Domain,
    /** The use case's recipe ARN. */
    public readonly recipeArn: string,
    /** Whether it recommends items for a user, which item exploration applies to. */
    public readonly personalized: boolean,
    /** The datasets the group needs to train it. */
    public readonly requiredDatasets: DatasetType[],
    problem?: string,
  ) {
    this._problem = problem;
  }
}

/**
 * The use cases of a domain have recipes named for it: aws-ecomm-... for ECOMMERCE and aws-vod-... for
 * VIDEO_ON_DEMAND (https://docs.aws.amazon.com/personalize/latest/dg/ECOMMERCE-use-cases.html and
 * VIDEO_ON_DEMAND-use-cases.html). A custom recipe, or one of the other domain, is no use case of this one.
 */
const DOMAIN_RECIPE_PREFIX: Record<string, string> = { ECOMMERCE: 'aws-ecomm-', VIDEO_ON_DEMAND: 'aws-vod-' };

function domainProblem(domain: Domain, recipeArn: string): string | undefined {
  if (Token.isUnresolved(recipeArn)) return undefined;
  const name = recipeArn.slice(RECIPE_PREFIX.length);
  const prefix = DOMAIN_RECIPE_PREFIX[domain];
  if (prefix === undefined || name.startsWith(prefix)) return undefined;
  const other = Object.entries(DOMAIN_RECIPE_PREFIX).find(([, otherPrefix]) => name.startsWith(otherPrefix));
  return other
    ? `'${name}' is a use case of the ${other[0]} domain, not of ${domain}; give UseCase.fromRecipeArn(Domain.${other[0]}, ...) with a group of that domain, or a ${domain} use case`
    : `'${name}' is a custom recipe, not a use case of the ${domain} domain (their recipes are named ${prefix}...); train it with a Solution and a Campaign, or give a ${domain} use case`;
}

/**
 * Columns of one dataset that a recommender does not train on (a column kept for
 * filtering only, for example).
 */
export interface ColumnExclusion {
  /** The dataset whose columns are left out: Interactions, Items or Users. */
  readonly datasetType: DatasetType;
  /** 1-50 column names of its schema. */
  readonly columns: string[];
}

/**
 * Properties of a recommender.
 */
export interface RecommenderProps {
  /** A Domain dataset group of the use case's domain. */
  readonly datasetGroup: IDatasetGroup;

  /** What the recommender recommends. Another use case replaces the recommender. */
  readonly useCase: UseCase;

  /**
   * The minimum recommendation requests per second provisioned.
   *
   * **Cost:** an active recommender is billed per hour for at least this many requests
   * per second (or the actual rate when higher), whether it is asked or not.
   *
   * @default 1
   */
  readonly minRecommendationRequestsPerSecond?: number;

  /**
   * Return item metadata from the Items dataset with recommendations. Costs extra.
   * @default false
   */
  readonly enableMetadataWithRecommendations?: boolean;

  /**
   * Item exploration, for the use cases that recommend items for a user (recommended for
   * you, top picks).
   * @default - the use case's defaults
   */
  readonly itemExploration?: ItemExploration;

  /**
   * Columns left out of training. Changing them updates the recommender in place and
   * starts a full retraining of its models.
   * @default - every column is used
   */
  readonly excludedColumns?: ColumnExclusion[];

  /**
   * Whether the recommender is active. A stopped recommender (INACTIVE) is not billed and
   * not retrained, and answers no requests; it is started and stopped in place. Its config
   * changes only while it runs: a new config for a stopped recommender, or a new config
   * together with a stop, takes two deploys.
   * @default true
   */
  readonly running?: boolean;

  /**
   * The name of the recommender: 1-63 letters, digits, hyphens and underscores.
   * @default - a name generated from the construct path, the group and the use case
   */
  readonly recommenderName?: string;

  /**
   * What happens to the recommender when it leaves the stack. A retained recommender goes
   * on being billed while it is active.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Create the recommender even if the synth checks of its use case refuse it.
   *
   * **Warning:** these checks follow the Personalize developer guide: the use case belongs
   * to the group's domain (a custom recipe, or another domain's use case given to
   * `UseCase.fromRecipeArn`, is refused), the group holds the datasets it trains on, and the
   * excluded columns are in the schemas. Skip them only when you know Personalize accepts
   * the recommender; one it refuses fails CreateRecommender at deploy. The API's own limits
   * are always checked. What the checks found is still printed at synth, as a warning with
   * the id `cdk-personalize:checkSkipped`.
   *
   * @default false
   */
  readonly skipChecks?: boolean;
}

/**
 * An Amazon Personalize recommender, owned by this app or imported.
 */
export interface IRecommender extends IResource {
  /**
   * The ARN of the recommender.
   * @attribute
   */
  readonly recommenderArn: string;

  /**
   * Grants `personalize:GetRecommendations` on this recommender.
   */
  grantGetRecommendations(grantee: iam.IGrantable): iam.Grant;
}

const EXCLUDABLE = [DatasetType.INTERACTIONS, DatasetType.ITEMS, DatasetType.USERS];
const COLUMN_PATTERN = /^[A-Za-z_][A-Za-z\d_]*$/;

abstract class RecommenderBase extends Resource implements IRecommender {
  public abstract readonly recommenderArn: string;

  public grantGetRecommendations(grantee: iam.IGrantable): iam.Grant {
    return grantRuntime(this, grantee, this.recommenderArn, 'personalize:GetRecommendations');
  }
}

/**
 * An Amazon Personalize recommender: a use case of a Domain dataset group behind
 * GetRecommendations, trained and retrained by the service.
 *
 * Backed by a custom resource that waits until the recommender is ACTIVE (or INACTIVE
 * when `running` is false), applies config changes in place with UpdateRecommender and
 * the running state with Start/StopRecommender, and reports the service's failure reason.
 * It is created after the group's datasets declared in this app, and deleted before them.
 *
 * An active recommender is billed per hour of its minimum requests per second.
 *
 * @resource Custom::PersonalizeRecommender
 */
export class Recommender extends RecommenderBase implements ITaggable {
  /**
   * Imports a recommender by its ARN, `…:recommender/NAME`.
   */
  public static fromRecommenderArn(scope: Construct, id: string, recommenderArn: string): IRecommender {
    return importedPersonalizeResource<IRecommender>(RecommenderBase, scope, id, RECOMMENDER, 'recommenderArn', recommenderArn);
  }

  public readonly recommenderArn: string;

  /**
   * The name of the recommender.
   * @attribute
   */
  public readonly recommenderName: string;

  /** The dataset group the recommender serves. */
  public readonly datasetGroup: IDatasetGroup;

  /** The use case. */
  public readonly useCase: UseCase;

  /**
   * Tags for the recommender. Tags set with `Tags.of(scope)` land here too.
   */
  public readonly tags: TagManager;

  constructor(scope: Construct, id: string, props: RecommenderProps) {
    super(scope, id);
    const { datasetGroup: group, useCase } = props;
    requireDatasetGroup(group);
    requireInstance('useCase', useCase, UseCase, 'a UseCase (a static member such as UseCase.ECOMMERCE_RECOMMENDED_FOR_YOU, or UseCase.fromRecipeArn)');
    validateName('recommenderName', props.recommenderName);
    checkDomain(group, useCase);
    if (useCase._problem) refuseOrWarn(this, props.skipChecks, [`Invalid useCase of recommender '${this.node.path}': ${useCase._problem}.`]);
    const exploration = explorationProperties('itemExploration', props.itemExploration);
    if (props.itemExploration && !useCase.personalized) {
      throw new Error(`Invalid itemExploration: use case '${recipeNameOf(useCase)}' does not recommend items for a user, and item `
        + 'exploration applies to those that do (ECOMMERCE_RECOMMENDED_FOR_YOU, VOD_TOP_PICKS). Remove itemExploration.');
    }
    const rps = countProperty('minRecommendationRequestsPerSecond', props.minRecommendationRequestsPerSecond);
    const exclusions = props.excludedColumns ?? [];
    checkExclusions(exclusions);
    claimName(this, 'Recommender', 'recommenderName', props.recommenderName);
    this.datasetGroup = group;
    recordServedGroup(this, group);
    this.useCase = useCase;

    const name = physicalName(this, props.recommenderName, [replacementKeyOf(group, group.datasetGroupArn), useCase.recipeArn]);
    this.tags = new TagManager(TagType.KEY_VALUE, ResourceTypes.RECOMMENDER);
    this.node.addValidation({
      validate: () => [
        ...tagProblems(this.renderTags()), ...problemsUnlessSkipped(this, props.skipChecks, datasetProblems(this, group, useCase, exclusions)),
      ],
    });

    const resource = declaredResource<RecommenderProperties>(this, RECOMMENDER, {
      properties: {
        Name: name.name,
        DatasetGroupArn: group.datasetGroupArn,
        RecipeArn: useCase.recipeArn,
        MinRecommendationRequestsPerSecond: rps,
        EnableMetadataWithRecommendations: props.enableMetadataWithRecommendations ? 'true' : undefined,
        ...exploration,
        ExcludedColumns: exclusions.length > 0 ? exclusions.map((e) => ({ DatasetType: e.datasetType, Columns: e.columns })) : undefined,
        Running: props.running === false ? 'false' : undefined,
        Tags: Lazy.any({ produce: () => this.renderTags() }) as unknown as TagProperty[],
      },
      removalPolicy: props.removalPolicy,
      resources: { self: [ownArnPattern(this, RECOMMENDER, name)], group: [memberCreationArn(group)] },
    });

    this.recommenderArn = resource.getAttString(Attributes.ARN);
    this.recommenderName = resource.getAttString(Attributes.NAME);

    // Trained on the group's datasets: created after them, and deleted before them; and on their data, once imported.
    whenAppDeclared(this, () => datasetsOf(this, group).forEach((dataset) => resource.node.addDependency(dataset)));
    afterImportsInto(this, resource, group);
  }

  private renderTags(): TagProperty[] {
    return (this.tags.renderTags() as TagProperty[] | undefined) ?? [];
  }
}

function recipeNameOf(useCase: UseCase): string {
  return useCase.recipeArn.split('/').pop() ?? useCase.recipeArn;
}

function checkDomain(group: IDatasetGroup, useCase: UseCase): void {
  if (group.domain !== undefined && group.domain !== useCase.domain) {
    throw new Error(`Invalid useCase: '${recipeNameOf(useCase)}' is a ${useCase.domain} use case, and dataset group '${group.node.path}' `
      + `is a ${group.domain} group. Choose a ${group.domain} use case.`);
  }
  if (group.domain === undefined && group instanceof DatasetGroup) {
    throw new Error(`Invalid datasetGroup: '${group.node.path}' is a Custom dataset group, and recommenders exist in Domain dataset `
      + `groups only. Give the group domain: Domain.${useCase.domain}, or deploy a solution version in a Campaign instead.`);
  }
}

function checkExclusions(exclusions: ColumnExclusion[]): void {
  const seen = new Set<DatasetType>();
  for (const { datasetType, columns } of exclusions) {
    if (!EXCLUDABLE.includes(datasetType)) {
      throw new Error(`Invalid excludedColumns: datasetType '${datasetType}'. Columns can be left out of ${EXCLUDABLE.join(', ')} only.`);
    }
    if (seen.has(datasetType)) throw new Error(`Invalid excludedColumns: datasetType '${datasetType}' appears twice; list its columns once.`);
    seen.add(datasetType);
    if (columns.length < 1 || columns.length > 50) {
      throw new Error(`Invalid excludedColumns of ${datasetType}: ${columns.length} columns. Expected 1-50.`);
    }
    const bad = columns.find((column) => !Token.isUnresolved(column) && (column.length > 150 || !COLUMN_PATTERN.test(column)));
    if (bad !== undefined) {
      throw new Error(`Invalid excludedColumns of ${datasetType}: '${bad}'. A column name is 1-150 letters, digits and underscores, `
        + 'not starting with a digit.');
    }
  }
}

/** The datasets the use case needs, and the excluded columns, against the group's datasets declared in the app. */
function datasetProblems(scope: IConstruct, group: IDatasetGroup, useCase: UseCase, exclusions: ColumnExclusion[]): string[] {
  const datasets = datasetsOf(scope, group);
  const problems: string[] = [];
  // Only for a group this app owns is the list of its datasets complete.
  if (group instanceof DatasetGroup) {
    const missing = useCase.requiredDatasets.filter((type) => !datasets.some((dataset) => dataset.datasetType === type));
    if (missing.length > 0) {
      problems.push(`Invalid useCase: '${recipeNameOf(useCase)}' trains on the ${useCase.requiredDatasets.join(' and ')} datasets, and dataset `
        + `group '${group.node.path}' has no ${missing.join(' or ')} dataset in this app. Add it with datasetGroup.addDataset.`);
    }
  }
  for (const { datasetType, columns } of exclusions) {
    const dataset = datasets.find((d) => d.datasetType === datasetType);
    const record = dataset ? recordOf(dataset.schema.definition?.json) : undefined;
    if (!record) continue;
    const unknown = columns.filter((column) => !Token.isUnresolved(column) && !record.fields.some((field) => field.name === column));
    if (unknown.length > 0) {
      problems.push(`Invalid excludedColumns of ${datasetType}: the ${datasetType} schema has no column ${unknown.join(', ')} `
        + `(columns: ${record.fields.map((field) => field.name).join(', ')}).`);
    }
  }
  return problems;
}
