import { Duration, Token } from 'aws-cdk-lib';

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
