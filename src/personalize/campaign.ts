import { Arn, ArnFormat, Duration, IResource, ITaggable, Lazy, RemovalPolicy, Resource, Stack, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { refuseOrWarn } from '../private/checks';
import { Attributes, CampaignProperties, ResourceTypes, TagProperty } from '../private/contract';
import { declaredResource } from '../private/declared-resource';
import { ownArnPattern, versionArns } from './private/grant-patterns';
import { ISolution, Solution } from './solution';
import { ISolutionVersion } from './solution-version';
import { physicalName } from '../private/names';
import { requireOptionalConstruct } from '../private/runtime-types';
import {
  BATCH_ONLY, countProperty, explorationProperties, grantRuntime, NEXT_BEST_ACTION, PERSONALIZED_RANKING, rankingWeights, recipeName,
  recordServedGroup, USER_PERSONALIZATION,
} from './private/serving';
import { claimName, tagProblems, validateName, validatePersonalizeArn } from '../private/validation';
import { CAMPAIGN, SOLUTION } from './private/declarations';

/**
 * How much a campaign or recommender recommends new or less relevant items, to learn
 * how users take to them. Applies to recipes and use cases that recommend items to a
 * user (User-Personalization; "recommended for you", "top picks").
 */
export interface ItemExploration {
  /**
   * How much to explore, from 0 (none: the most relevant items only) to 1 (the most).
   * @default - the service's default (0.3)
   */
  readonly weight?: number;

  /**
   * Only items created (or first interacted with) within this age are explored. Whole days.
   * @default - the service's default (30 days)
   */
  readonly itemAgeCutOff?: Duration;
}

/**
 * How much popularity and freshness weigh in a campaign's ranking, each from 0.0 (less)
 * to 1.0 (more). Personalize accepts it for the recipes that support ranking influence,
 * and refuses the campaign otherwise.
 */
export interface RankingInfluence {
  /**
   * The weight of an item's popularity.
   * @default - the recipe's default
   */
  readonly popularity?: number;

  /**
   * The weight of an item's freshness.
   * @default - the recipe's default
   */
  readonly freshness?: number;
}

/**
 * Properties of a campaign. Give `solutionVersion`, or `solution` with
 * `syncWithLatestSolutionVersion: true`.
 */
export interface CampaignProps {
  /**
   * The trained solution version to deploy. The campaign is created after it, so a
   * deploy that trains waits for the training before it creates the campaign. A new
   * version of the same solution is deployed in place (UpdateCampaign).
   *
   * @default - none: `solution` must be given
   */
  readonly solutionVersion?: ISolutionVersion;

  /**
   * The solution whose latest version the campaign deploys, following each new version
   * (with `syncWithLatestSolutionVersion: true`). The solution must have an ACTIVE version
   * when the campaign is created.
   *
   * @default - the solution of `solutionVersion`
   */
  readonly solution?: ISolution;

  /**
   * Follow the solution's latest version: each new ACTIVE version (trained by this app or
   * by automatic training) is deployed without a deploy of this stack. With
   * `solutionVersion`, its solution must be known.
   *
   * @default false
   */
  readonly syncWithLatestSolutionVersion?: boolean;

  /**
   * The minimum provisioned transactions (recommendation requests) per second.
   *
   * **Cost:** a campaign is billed for its provisioned TPS per hour for as long as it
   * exists, whether it is asked for recommendations or not (and for the actual TPS when
   * traffic is higher). Start with 1 and raise it from the CloudWatch metrics.
   *
   * @default 1
   */
  readonly minProvisionedTPS?: number;

  /**
   * Item exploration. User-Personalization recipes only; refused at synth for another
   * recipe when the solution's recipe is known.
   *
   * @default - none set: the recipe's defaults
   */
  readonly itemExploration?: ItemExploration;

  /**
   * Return item metadata from the Items dataset with recommendations. Costs extra.
   * @default false
   */
  readonly enableMetadataWithRecommendations?: boolean;

  /**
   * How popularity and freshness weigh in the ranking.
   * @default - the recipe's defaults
   */
  readonly rankingInfluence?: RankingInfluence;

  /**
   * The name of the campaign: 1-63 letters, digits, hyphens and underscores. A new name
   * replaces the campaign.
   *
   * @default - a name generated from the construct path and the solution
   */
  readonly campaignName?: string;

  /**
   * What happens to the campaign when it leaves the stack. A retained campaign goes on
   * costing its provisioned TPS, and keeps its solution from being deleted.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Create the campaign, and grant on it, even if the synth checks of its recipe refuse it.
   *
   * **Warning:** these checks follow the Personalize developer guide and API reference:
   * a campaign cannot serve a batch-only (user segmentation) recipe, it deploys a solution
   * version of its own region, item exploration needs a User-Personalization recipe, and each
   * grant matches the API the recipe answers (GetRecommendations, GetPersonalizedRanking or
   * GetActionRecommendations). Skip them only when you know Personalize accepts the
   * campaign; one it refuses fails at deploy, and a wrong grant fails at run time. The API's
   * own limits are always checked. What the checks found is still printed at synth, as a
   * warning with the id `cdk-personalize:checkSkipped`.
   *
   * @default false
   */
  readonly skipChecks?: boolean;
}

/**
 * An Amazon Personalize campaign, owned by this app or imported.
 */
export interface ICampaign extends IResource {
  /**
   * The ARN of the campaign.
   * @attribute
   */
  readonly campaignArn: string;

  /**
   * Grants `personalize:GetRecommendations` on this campaign.
   */
  grantGetRecommendations(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grants `personalize:GetPersonalizedRanking` on this campaign (Personalized-Ranking recipes).
   */
  grantGetPersonalizedRanking(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grants `personalize:GetActionRecommendations` on this campaign (the Next-Best-Action recipe).
   */
  grantGetActionRecommendations(grantee: iam.IGrantable): iam.Grant;
}

/**
 * The recipes GetRecommendations does not answer: "Campaigns that are backed by a solution created using a recipe of type
 * PERSONALIZED_RANKING use the GetPersonalizedRanking API" (botocore personalize-runtime, GetRecommendations), and
 * Next-Best-Action's campaigns answer GetActionRecommendations (native-recipe-next-best-action.html).
 */
const NOT_GET_RECOMMENDATIONS = [...PERSONALIZED_RANKING, ...NEXT_BEST_ACTION, ...BATCH_ONLY];

abstract class CampaignBase extends Resource implements ICampaign {
  public abstract readonly campaignArn: string;
  /** The recipe the deployed solution was made with, when known. */
  protected abstract readonly recipeArn?: string;
  /** Whether a recipe check of a grant only warns. */
  protected readonly skipChecks: boolean = false;

  public grantGetRecommendations(grantee: iam.IGrantable): iam.Grant {
    const recipe = recipeName(this.recipeArn);
    if (recipe !== undefined && NOT_GET_RECOMMENDATIONS.includes(recipe)) {
      const instead = PERSONALIZED_RANKING.includes(recipe) ? 'grantGetPersonalizedRanking'
        : NEXT_BEST_ACTION.includes(recipe) ? 'grantGetActionRecommendations' : 'a batch segment job (no campaign)';
      refuseOrWarn(this, this.skipChecks, [`grantGetRecommendations: campaign '${this.node.path}' deploys a solution of recipe '${recipe}', `
        + `which GetRecommendations does not answer. Use ${instead} instead.`]);
    }
    return grantRuntime(this, grantee, this.campaignArn, 'personalize:GetRecommendations');
  }

  public grantGetPersonalizedRanking(grantee: iam.IGrantable): iam.Grant {
    this.requireRecipe('grantGetPersonalizedRanking', PERSONALIZED_RANKING, 'Personalized-Ranking');
    return grantRuntime(this, grantee, this.campaignArn, 'personalize:GetPersonalizedRanking');
  }

  public grantGetActionRecommendations(grantee: iam.IGrantable): iam.Grant {
    this.requireRecipe('grantGetActionRecommendations', NEXT_BEST_ACTION, 'Next-Best-Action');
    return grantRuntime(this, grantee, this.campaignArn, 'personalize:GetActionRecommendations');
  }

  private requireRecipe(method: string, recipes: string[], what: string): void {
    const recipe = recipeName(this.recipeArn);
    if (recipe !== undefined && !recipes.includes(recipe)) {
      refuseOrWarn(this, this.skipChecks, [`${method}: campaign '${this.node.path}' deploys a solution of recipe '${recipe}', and only ${what} `
        + `recipes (${recipes.join(', ')}) answer it. Use ${NOT_GET_RECOMMENDATIONS.includes(recipe) ? 'the grant of the recipe\'s own API' : 'grantGetRecommendations'} instead.`]);
    }
  }
}

/**
 * An Amazon Personalize campaign: a trained solution version deployed behind
 * GetRecommendations and GetPersonalizedRanking.
 *
 * Backed by a custom resource that waits until the campaign is ACTIVE, deploys a new
 * solution version, minProvisionedTPS or config in place with UpdateCampaign (the
 * campaign serves the old version until the update is ACTIVE), and reports the
 * service's failure reason. It is created after its solution version (and so after
 * training) and deleted before its solution.
 *
 * A campaign is billed per provisioned TPS-hour for as long as it exists.
 *
 * @resource Custom::PersonalizeCampaign
 */
export class Campaign extends CampaignBase implements ITaggable {
  /**
   * Imports a campaign by its ARN, `…:campaign/NAME`. The recipe is not known, so
   * every grant is allowed.
   */
  public static fromCampaignArn(scope: Construct, id: string, campaignArn: string): ICampaign {
    validatePersonalizeArn('campaignArn', campaignArn);
    if (!Token.isUnresolved(campaignArn)) {
      const { resource } = Arn.split(campaignArn, ArnFormat.SLASH_RESOURCE_NAME);
      if (resource !== 'campaign') {
        throw new Error(`Invalid campaignArn: '${campaignArn}' is a Personalize '${resource}' ARN, not a campaign ARN (…:campaign/NAME).`);
      }
    }
    class Import extends CampaignBase {
      public readonly campaignArn = campaignArn;
      protected readonly recipeArn = undefined;
    }
    return new Import(scope, id, { environmentFromArn: campaignArn });
  }

  public readonly campaignArn: string;

  /**
   * The name of the campaign.
   * @attribute
   */
  public readonly campaignName: string;

  /**
   * Tags for the campaign. Tags set with `Tags.of(scope)` land here too.
   */
  public readonly tags: TagManager;

  protected readonly recipeArn?: string;
  protected readonly skipChecks: boolean;

  constructor(scope: Construct, id: string, props: CampaignProps) {
    super(scope, id);
    this.skipChecks = props.skipChecks ?? false;
    validateName('campaignName', props.campaignName);
    const { solutionVersion, solution: givenSolution } = props;
    requireOptionalConstruct('solutionVersion', solutionVersion, 'an ISolutionVersion (a SolutionVersion, or SolutionVersion.fromSolutionVersionArn)',
      'solutionVersionArn');
    requireOptionalConstruct('solution', givenSolution, 'an ISolution (a Solution, or Solution.fromSolutionArn)', 'solutionArn');
    const sync = props.syncWithLatestSolutionVersion ?? false;
    const solution = givenSolution ?? solutionVersion?.solution;
    const deployed = deployedArn(solutionVersion, givenSolution, sync);
    this.recipeArn = solution?.recipeArn;
    recordServedGroup(this, solution?.datasetGroup);
    const exploration = explorationProperties('itemExploration', props.itemExploration);
    const deployedArns = [solutionVersion?.solutionVersionArn, solution?.solutionArn];
    refuseOrWarn(this, this.skipChecks, recipeProblems(this, props, recipeName(this.recipeArn), deployedArns));
    const minProvisionedTPS = countProperty('minProvisionedTPS', props.minProvisionedTPS);
    claimName(this, 'Campaign', 'campaignName', props.campaignName);

    // Another solution is another campaign (a replacement), so it goes into the generated name; another version is not.
    const name = physicalName(this, props.campaignName, [solution?.solutionArn ?? solutionOfVersion(solutionVersion)]);
    this.tags = new TagManager(TagType.KEY_VALUE, ResourceTypes.CAMPAIGN);
    this.node.addValidation({ validate: () => tagProblems(this.renderTags()) });

    const resource = declaredResource<CampaignProperties>(this, CAMPAIGN, {
      properties: {
        Name: name.name,
        SolutionVersionArn: deployed,
        MinProvisionedTPS: minProvisionedTPS,
        SyncWithLatestSolutionVersion: sync ? 'true' : undefined,
        EnableMetadataWithRecommendations: props.enableMetadataWithRecommendations ? 'true' : undefined,
        ...exploration,
        RankingInfluence: rankingInfluence(props.rankingInfluence),
        Tags: Lazy.any({ produce: () => this.renderTags() }) as unknown as TagProperty[],
      },
      removalPolicy: props.removalPolicy,
      resources: { self: [ownArnPattern(this, CAMPAIGN, name)], deployed: deployedSolutionArns(solution, solutionVersion) },
    });

    // After training, and deleted before the solution (DeleteSolution is refused while it has campaigns).
    if (solutionVersion) resource.node.addDependency(solutionVersion);
    if (givenSolution) resource.node.addDependency(givenSolution);

    this.campaignArn = resource.getAttString(Attributes.ARN);
    this.campaignName = resource.getAttString(Attributes.NAME);
  }

  private renderTags(): TagProperty[] {
    return (this.tags.renderTags() as TagProperty[] | undefined) ?? [];
  }
}

/** The documented rules of what the campaign deploys, each with its fix. */
function recipeProblems(campaign: Campaign, props: CampaignProps, recipe: string | undefined, arns: Array<string | undefined>): string[] {
  const problems: string[] = [];
  const path = campaign.node.path;
  if (recipe !== undefined && BATCH_ONLY.includes(recipe)) {
    problems.push(`Invalid solution of campaign '${path}': recipe '${recipe}' makes user segments with batch segment jobs only, and `
      + 'a campaign cannot serve it. Remove the campaign and run a batch segment job on the solution version.');
  }
  // The API reference: "Item exploration ... only for the User-Personalization recipe" (CampaignConfig.itemExplorationConfig).
  if (props.itemExploration && recipe !== undefined && !USER_PERSONALIZATION.includes(recipe)) {
    problems.push(`Invalid itemExploration: the solution's recipe is '${recipe}', and item exploration applies to `
      + `User-Personalization recipes only (${USER_PERSONALIZATION.join(', ')}). Remove itemExploration.`);
  }
  // Personalize resources are regional: a campaign deploys a version of its own region (team inference from the regional endpoints).
  const region = Stack.of(campaign).region;
  for (const arn of arns) {
    if (arn === undefined || Token.isUnresolved(arn) || Token.isUnresolved(region)) continue;
    const other = Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).region;
    if (other && other !== region) {
      problems.push(`Invalid solutionVersion of campaign '${path}': '${arn}' is in region ${other}, and the campaign's stack is in ${region}; `
        + 'a campaign deploys a solution version of its own region. Deploy the campaign in a stack of region '
        + `${other}, or train the solution in ${region}.`);
      break;
    }
  }
  return problems;
}

/** The SolutionVersionArn the API gets: the version's ARN, or `SOLUTION_ARN/$LATEST` to follow the latest version. */
function deployedArn(version: ISolutionVersion | undefined, solution: ISolution | undefined, sync: boolean): string {
  if (version && solution) {
    throw new Error('Invalid solution: give solutionVersion or solution, not both. A campaign deploys one solution version; '
      + 'to follow the latest version of solutionVersion\'s solution, set syncWithLatestSolutionVersion: true.');
  }
  if (!version && !solution) {
    throw new Error('Invalid CampaignProps: a campaign deploys a solution version. Give solutionVersion, or solution with '
      + 'syncWithLatestSolutionVersion: true.');
  }
  if (solution && !sync) {
    throw new Error(`Invalid solution: '${solution.node.path}' without a solution version deploys its latest version, which `
      + 'needs syncWithLatestSolutionVersion: true. Set it, or give solutionVersion instead.');
  }
  if (version && !sync) return version.solutionVersionArn;
  const solutionArn = solution?.solutionArn ?? version?.solution?.solutionArn;
  if (solutionArn === undefined) {
    throw new Error(`Invalid syncWithLatestSolutionVersion: the solution of solutionVersion '${version!.node.path}' is not known, `
      + 'and following the latest version needs it. Give solution instead of solutionVersion, or import the version with its solution.');
  }
  return `${solutionArn}/$LATEST`;
}

/**
 * The solution a campaign deploys and its versions, as the handler is granted them: by name
 * pattern for a solution of the app (never by its custom resource's ARN, which would make a
 * cycle), by ARN for an imported one.
 */
function deployedSolutionArns(solution: ISolution | undefined, version: ISolutionVersion | undefined): string[] {
  if (solution instanceof Solution) {
    return [...new Set([ownArnPattern(solution, SOLUTION, solution._physicalName), ...versionArns(solution, solution._physicalName)])];
  }
  if (solution) return [solution.solutionArn, `${solution.solutionArn}/*`];
  const versionArn = version!.solutionVersionArn;
  const solutionArn = solutionOfVersion(version);
  return solutionArn === undefined ? [versionArn] : [solutionArn, versionArn];
}

/** The solution part of a version ARN known at synth time (`…:solution/NAME/ID` to `…:solution/NAME`). */
function solutionOfVersion(version: ISolutionVersion | undefined): string | undefined {
  const arn = version?.solutionVersionArn;
  return arn === undefined || Token.isUnresolved(arn) ? undefined : arn.replace(/\/[^/]+$/, '');
}

function rankingInfluence(influence: RankingInfluence | undefined): CampaignProperties['RankingInfluence'] {
  const weights = rankingWeights(influence);
  return weights.length === 0 ? undefined : weights.map(([factor, weight]) => ({ Factor: factor, Weight: String(weight) }));
}
