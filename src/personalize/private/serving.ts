/**
 * What the constructs that serve recommendations (campaigns, recommenders) share:
 * item exploration, the counts they provision, recipe names, and the grants on the
 * runtime actions of one resource.
 */
import { Duration, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { whenAppDeclared } from './group-members';
import type { IDatasetGroup } from '../dataset-group';
import { Filter } from '../filter';

/** Item exploration as the construct props give it (see ItemExploration in campaign.ts). */
export interface ExplorationInput {
  readonly weight?: number;
  readonly itemAgeCutOff?: Duration;
}

/** The contract's ExplorationWeight and ExplorationItemAgeCutOff, checked. */
export function explorationProperties(property: string, exploration: ExplorationInput | undefined) {
  if (!exploration) return {};
  const { weight, itemAgeCutOff } = exploration;
  if (weight !== undefined && !Token.isUnresolved(weight) && !(weight >= 0 && weight <= 1)) {
    throw new Error(`Invalid ${property}.weight: ${weight}. Expected a number from 0 (no exploration) to 1 (the most).`);
  }
  let days: number | undefined;
  if (itemAgeCutOff !== undefined) {
    days = itemAgeCutOff.toDays({ integral: false });
    if (!Token.isUnresolved(days) && (!Number.isInteger(days) || days < 1)) {
      throw new Error(`Invalid ${property}.itemAgeCutOff: ${itemAgeCutOff.toHumanString()}. Expected a whole number of days, at least 1.`);
    }
  }
  return {
    ExplorationWeight: weight === undefined ? undefined : String(weight),
    ExplorationItemAgeCutOff: days === undefined ? undefined : String(days),
  };
}

export const USER_PERSONALIZATION = ['aws-user-personalization', 'aws-user-personalization-v2'];
export const PERSONALIZED_RANKING = ['aws-personalized-ranking', 'aws-personalized-ranking-v2'];
export const NEXT_BEST_ACTION = ['aws-next-best-action'];
/**
 * USER_SEGMENTATION recipes give user segments through batch segment jobs only
 * (https://docs.aws.amazon.com/personalize/latest/dg/item-affinity-recipe.html and item-attribute-affinity-recipe.html).
 */
export const BATCH_ONLY = ['aws-item-affinity', 'aws-item-attribute-affinity'];

/** Ranking influence as the construct props give it (see RankingInfluence in campaign.ts). */
export interface RankingInput {
  readonly popularity?: number;
  readonly freshness?: number;
}

/** The given factors of a ranking influence (POPULARITY, FRESHNESS) with their weights, each checked to be from 0.0 to 1.0. */
export function rankingWeights(influence: RankingInput | undefined): Array<[string, number]> {
  if (!influence) return [];
  const factors: Array<[string, string, number | undefined]> = [
    ['POPULARITY', 'popularity', influence.popularity], ['FRESHNESS', 'freshness', influence.freshness],
  ];
  const given = factors.filter(([, , weight]) => weight !== undefined) as Array<[string, string, number]>;
  for (const [, property, weight] of given) {
    if (!Token.isUnresolved(weight) && !(weight >= 0 && weight <= 1)) {
      throw new Error(`Invalid rankingInfluence.${property}: ${weight}. Expected a weight from 0.0 to 1.0.`);
    }
  }
  return given.map(([factor, , weight]) => [factor, weight]);
}

/** A count the API takes as an integer of at least 1 (TPS, requests per second). */
export function countProperty(property: string, value: number | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value < 1)) {
    throw new Error(`Invalid ${property}: ${value}. Expected a whole number, at least 1.`);
  }
  return String(value);
}

/** The recipe's name (`aws-user-personalization`) when its ARN is known at synth time. */
export function recipeName(recipeArn: string | undefined): string | undefined {
  if (recipeArn === undefined || Token.isUnresolved(recipeArn)) return undefined;
  return recipeArn.split('/').pop();
}

/** The dataset group each campaign or recommender of the app serves from, when known. */
const servedGroups = new WeakMap<IConstruct, IDatasetGroup>();

export function recordServedGroup(server: IConstruct, group: IDatasetGroup | undefined): void {
  if (group) servedGroups.set(server, group);
}

/**
 * Grants `actions` of the Personalize runtime on one campaign or recommender, and on the
 * filters of its dataset group declared in the app: a request that names a filter is
 * authorized on the filter too (ADR 0013). Filters are found once the app is declared.
 */
export function grantRuntime(server: IConstruct, grantee: iam.IGrantable, arn: string, ...actions: string[]): iam.Grant {
  const grant = iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [arn] });
  whenAppDeclared(server, () => {
    const group = servedGroups.get(server);
    if (!group) return;
    const filters = server.node.root.node.findAll()
      .filter((construct): construct is Filter => construct instanceof Filter && construct.datasetGroup === group);
    if (filters.length > 0) iam.Grant.addToPrincipal({ grantee, actions, resourceArns: filters.map((filter) => filter.filterArn) });
  });
  return grant;
}
