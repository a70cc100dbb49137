import { Token } from 'aws-cdk-lib';

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

export function hasRanges(hpo: HyperParameterOptimization): boolean {
  return [hpo.integerRanges, hpo.continuousRanges, hpo.categoricalRanges].some((ranges) => ranges !== undefined && ranges.length > 0);
}

/** The API's bounds for HPO ranges (HyperParameterRanges in the Personalize API reference). */
const RANGE_LIMIT = 1_000_000;
const MAX_RANGES = 100;
const MAX_RANGE_NAME = 256;
const MAX_CATEGORY_VALUE = 1_000;

/** One message per broken rule of the HPO ranges: counts, names, bounds and order. */
export function checkRanges(hpo: HyperParameterOptimization | undefined): void {
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

/** botocore HPOResourceConfig: "The maximum value for maxNumberOfTrainingJobs is 40", "... maxParallelTrainingJobs is 10". */
export const HPO_JOB_MAXIMA = { maxTrainingJobs: 40, maxParallelTrainingJobs: 10 };
