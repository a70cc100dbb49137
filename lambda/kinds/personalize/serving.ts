/**
 * What campaigns and recommenders share: the properties both decode, the item
 * exploration map, and how an update in place is followed on the resource's
 * latest update summary (`latestCampaignUpdate`, `latestRecommenderUpdate`).
 */
import { conditionOf } from './common';
import { CampaignProperties } from '../../../src/private/contract';
import { Delivered, optionalString, PropertyName } from '../../properties';
import type { Condition } from '../../resource-kind';

/** An integer property of at least 1 (CloudFormation delivers it as a string); absent is undefined. */
export function optionalCount<C>(properties: Delivered<C>, key: PropertyName<C>): number | undefined {
  const text = optionalString(properties, key);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`Property '${key}' must be an integer of at least 1, got '${text}'`);
  return value;
}

/** The itemExplorationConfig map of the API, from ExplorationWeight and ExplorationItemAgeCutOff; undefined when neither is set. */
export function parseExploration(
  properties: Delivered<Pick<CampaignProperties, 'ExplorationWeight' | 'ExplorationItemAgeCutOff'>>,
): Record<string, string> | undefined {
  const weight = optionalString(properties, 'ExplorationWeight');
  const cutOff = optionalString(properties, 'ExplorationItemAgeCutOff');
  if (weight === undefined && cutOff === undefined) return undefined;
  return {
    ...(weight !== undefined ? { explorationWeight: weight } : {}),
    ...(cutOff !== undefined ? { explorationItemAgeCutOff: cutOff } : {}),
  };
}

/**
 * Whether the service holds every entry the stack sets. Entries the stack leaves
 * out are the service's defaults, which Describe may report, so they are not compared.
 */
export function holdsEntries(held: Record<string, unknown> | undefined, wanted: Record<string, unknown> | undefined): boolean {
  return Object.entries(wanted ?? {}).every(([key, value]) => String(held?.[key]) === String(value));
}

/** What an update summary says: in flight (busy), failed, or nothing under way. */
export interface UpdateSummary {
  readonly status?: string;
  readonly failureReason?: string;
}

/**
 * The condition of the latest update. Its statuses are documented as CREATE PENDING >
 * CREATE IN_PROGRESS > ACTIVE or CREATE FAILED; UPDATE spellings are read the same way.
 */
export function updateCondition(summary: UpdateSummary | undefined): Condition | undefined {
  return summary?.status === undefined ? undefined : conditionOf(summary.status);
}
