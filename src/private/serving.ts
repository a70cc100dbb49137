/**
 * What the constructs that serve recommendations (campaigns, recommenders) share:
 * item exploration, the counts they provision, recipe names, and the grants on the
 * runtime actions of one resource.
 */
import { Duration, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

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

/** Grants `actions` of the Personalize runtime on exactly one campaign or recommender. */
export function grantRuntime(grantee: iam.IGrantable, arn: string, ...actions: string[]): iam.Grant {
  return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [arn] });
}
