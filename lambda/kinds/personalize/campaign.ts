/**
 * Campaigns: a deployed solution version behind GetRecommendations and
 * GetPersonalizedRanking. The solution version, minProvisionedTPS and the campaign
 * config change in place with UpdateCampaign; the update is followed on
 * `latestCampaignUpdate` (the campaign keeps serving the old version meanwhile) and
 * its failureReason reaches CloudFormation. A new name, or a version of another
 * solution, is a replacement. Tags change in place.
 */
import {
  Campaign as ApiCampaign, CampaignConfig, CreateCampaignCommand, DeleteCampaignCommand, DescribeCampaignCommand, UpdateCampaignCommand,
} from '@aws-sdk/client-personalize';
import { apiTags, changedFields, conditionOf, describeOrUndefined, hasOwnerTag, personalize, syncTags } from './common';
import { holdsEntries, optionalCount, parseExploration, updateCondition } from './serving';
import { CAMPAIGN } from '../../../src/personalize/private/declarations';
import { Attributes, CampaignProperties } from '../../../src/private/contract';
import { optionalBoolean, parseTags, requiredString } from '../../properties';
import { KindContext, ResourceKind } from '../../resource-kind';
import { isErrorNamed } from '../../retry';
import { arnByName, declaredFields } from '../declared';

export interface CampaignSpec {
  readonly name: string;
  /** A solution version ARN, or `SOLUTION_ARN/$LATEST` when following the latest version. */
  readonly solutionVersionArn: string;
  readonly minProvisionedTPS: number;
  readonly syncWithLatestSolutionVersion: boolean;
  readonly enableMetadataWithRecommendations: boolean;
  readonly itemExplorationConfig?: Record<string, string>;
  readonly rankingInfluence?: Record<string, number>;
  readonly tags: Record<string, string>;
}

const RANKING_FACTORS = ['POPULARITY', 'FRESHNESS'];

export const campaignKind: ResourceKind<CampaignSpec, CampaignProperties> = {
  ...declaredFields(CAMPAIGN),

  parse: (properties) => ({
    name: requiredString(properties, 'Name'),
    solutionVersionArn: requiredString(properties, 'SolutionVersionArn'),
    minProvisionedTPS: optionalCount(properties, 'MinProvisionedTPS') ?? 1,
    syncWithLatestSolutionVersion: optionalBoolean(properties, 'SyncWithLatestSolutionVersion', false),
    enableMetadataWithRecommendations: optionalBoolean(properties, 'EnableMetadataWithRecommendations', false),
    itemExplorationConfig: parseExploration(properties),
    rankingInfluence: parseRankingInfluence(properties.RankingInfluence),
    tags: parseTags(properties),
  }),

  nameOf: (spec) => spec.name,


  replacementCauses: (oldSpec, newSpec) => [
    ...changedFields(oldSpec, newSpec, [['name', 'campaignName']]),
    // UpdateCampaign deploys another version of the same solution; another solution is another campaign.
    ...(solutionOf(oldSpec.solutionVersionArn) !== solutionOf(newSpec.solutionVersionArn) ? ['solution'] : []),
  ],

  create: async (context, spec) => {
    const response = await context.call('CreateCampaign', () => personalize().send(new CreateCampaignCommand({
      name: spec.name,
      solutionVersionArn: spec.solutionVersionArn,
      minProvisionedTPS: spec.minProvisionedTPS,
      campaignConfig: apiConfig(spec),
      tags: apiTags(spec.tags, context.owner),
    })));
    return response.campaignArn!;
  },

  arnOf: arnByName(CAMPAIGN),

  isOwned: async (context, arn, spec, question) => {
    if (!await hasOwnerTag(context, arn)) return false;
    if (question.purpose === 'delete' || spec === undefined) return true;
    const campaign = await describeCampaign(context, arn);
    return campaign !== undefined && solutionOf(campaign.solutionVersionArn ?? '') === solutionOf(spec.solutionVersionArn);
  },

  update: async (context, arn, oldSpec, newSpec) => {
    const campaign = await describeCampaign(context, arn);
    if (!campaign) throw new Error(`Campaign ${arn} disappeared; it was probably deleted outside CloudFormation.`);
    const heldPrevious = holds(campaign, oldSpec);
    // A repeated event, a rollback to what the campaign still serves, or an update already under way.
    if (!holds(campaign, newSpec) && updateCondition(campaign.latestCampaignUpdate) !== 'busy') {
      try {
        await context.call('UpdateCampaign', () => personalize().send(new UpdateCampaignCommand({
          campaignArn: arn,
          solutionVersionArn: newSpec.solutionVersionArn,
          minProvisionedTPS: newSpec.minProvisionedTPS,
          campaignConfig: apiConfig(newSpec),
        })));
      } catch (error) {
        // A retry whose first attempt started the update (its response was lost) meets that update; observe follows it.
        if (!isErrorNamed(error, 'ResourceInUseException')) throw error;
      }
    }
    const heldPreviousTags = await syncTags(context, arn, newSpec.tags, oldSpec.tags);
    return heldPrevious && heldPreviousTags;
  },

  observe: async (context, arn, operation, spec) => {
    const campaign = await describeCampaign(context, arn);
    if (!campaign) return undefined;
    const status = campaign.status ?? 'UNKNOWN';
    const condition = conditionOf(status);
    const attributes = { [Attributes.ARN]: campaign.campaignArn ?? arn, [Attributes.NAME]: campaign.name ?? '' };
    if (operation === 'delete' || spec === undefined || condition !== 'ready') {
      return { status, condition, failureReason: campaign.failureReason, attributes };
    }
    const update = campaign.latestCampaignUpdate;
    const updating = updateCondition(update);
    // The campaign serves the old version until its update is ACTIVE.
    if (updating === 'busy') return { status: update!.status!, condition: 'busy', attributes };
    if (holds(campaign, spec)) return { status, condition: 'ready', attributes };
    if (updating === 'failed') {
      return { status: update!.status!, condition: 'failed', failureReason: update!.failureReason ?? 'no reason given', attributes };
    }
    return {
      status,
      condition: 'failed',
      failureReason: `the campaign deploys ${campaign.solutionVersionArn} with minProvisionedTPS ${campaign.minProvisionedTPS} and config `
        + `${JSON.stringify(campaign.campaignConfig ?? {})}, not what the stack asks for`,
      attributes,
    };
  },

  delete: async (context, arn) => {
    await context.call('DeleteCampaign', () => personalize().send(new DeleteCampaignCommand({ campaignArn: arn })));
  },
};

/** The solution a solution version ARN (`…:solution/NAME/ID`) or `…:solution/NAME/$LATEST` belongs to. */
function solutionOf(solutionVersionArn: string): string {
  return solutionVersionArn.replace(/\/[^/]+$/, '');
}

function apiConfig(spec: CampaignSpec): CampaignConfig {
  return {
    enableMetadataWithRecommendations: spec.enableMetadataWithRecommendations,
    syncWithLatestSolutionVersion: spec.syncWithLatestSolutionVersion,
    ...(spec.itemExplorationConfig ? { itemExplorationConfig: spec.itemExplorationConfig } : {}),
    ...(spec.rankingInfluence ? { rankingInfluence: spec.rankingInfluence } : {}),
  };
}

/** Whether the campaign deploys what `spec` asks for. Following the latest version, any version of the solution will do. */
function holds(campaign: ApiCampaign, spec: CampaignSpec): boolean {
  const config = campaign.campaignConfig ?? {};
  const version = campaign.solutionVersionArn ?? '';
  const versionHeld = spec.syncWithLatestSolutionVersion
    ? config.syncWithLatestSolutionVersion === true && solutionOf(version) === solutionOf(spec.solutionVersionArn)
    : version === spec.solutionVersionArn && config.syncWithLatestSolutionVersion !== true;
  return versionHeld
    && (campaign.minProvisionedTPS ?? 1) === spec.minProvisionedTPS
    && (config.enableMetadataWithRecommendations ?? false) === spec.enableMetadataWithRecommendations
    && holdsEntries(config.itemExplorationConfig, spec.itemExplorationConfig)
    && holdsEntries(config.rankingInfluence, spec.rankingInfluence);
}

function parseRankingInfluence(value: unknown): Record<string, number> | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (!Array.isArray(value)) throw new Error('Property \'RankingInfluence\' must be a list of {Factor, Weight}');
  const influence: Record<string, number> = {};
  value.forEach((item: unknown, index) => {
    const { Factor, Weight } = (item ?? {}) as Record<string, unknown>;
    const weight = Number(Weight);
    if (typeof Factor !== 'string' || !RANKING_FACTORS.includes(Factor) || typeof Weight !== 'string' || !(weight >= 0 && weight <= 1)) {
      throw new Error(`Property 'RankingInfluence' item ${index + 1} must be {Factor: ${RANKING_FACTORS.join(' or ')}, Weight: '0'-'1'}, `
        + `got ${JSON.stringify(item)}`);
    }
    influence[Factor] = weight;
  });
  return influence;
}

async function describeCampaign(context: KindContext, arn: string): Promise<ApiCampaign | undefined> {
  const response = await describeOrUndefined(context, 'DescribeCampaign',
    () => personalize().send(new DescribeCampaignCommand({ campaignArn: arn })));
  return response?.campaign;
}
