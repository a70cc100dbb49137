import { Duration } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';

/**
 * Runs of a job on a schedule, besides the run on deploy: an EventBridge Scheduler schedule
 * whose universal target calls Personalize's Create operation itself, with no function of
 * this library in between (ADR 0018).
 *
 * Each run is a new job named `<prefix>-<execution ID>` (Scheduler's `<aws.scheduler.execution-id>`),
 * and a batch job's run writes under `<outputPrefix><scheduled time>/`. Runs after the deploy are
 * not waited for: a deploy neither waits for them nor fails with them. A run that Personalize
 * refuses (its quota of 5 pending or running jobs of a type, a missing input, a role that cannot
 * read) goes to the dead-letter queue; a job that starts and then fails shows CREATE FAILED in
 * Personalize, and its output folder stays empty.
 *
 * **Cost:** Scheduler bills each invocation (the first 14 million a month are free), and each
 * run is billed by Personalize as a job of its kind (batch recommendations or users processed;
 * an import's data ingested).
 */
export interface RecurringRuns {
  /**
   * When runs start: `scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone })`,
   * `.rate(Duration.days(1))` or `.at(date)`.
   */
  readonly schedule: scheduler.ScheduleExpression;

  /**
   * How often Scheduler retries a run that Personalize refused with an error it may retry
   * (a throttle, a 5xx). A run's name holds Scheduler's execution ID, which its context
   * attributes pair with an attempt number that counts the retries of one invocation: a
   * retry after a create that did land is expected to meet ResourceAlreadyExistsException
   * and start no second job. AWS does not promise the ID in so many words, hence no retries
   * by default (ADR 0018).
   *
   * @default 0 - a refused run goes to the dead-letter queue at once
   */
  readonly retryAttempts?: number;

  /**
   * How long Scheduler keeps trying a run, from its scheduled time: 1 minute to 1 day.
   * @default Duration.hours(1)
   */
  readonly maxEventAge?: Duration;

  /**
   * Where runs that Personalize refused go, with the error.
   * @default - a queue is created (`deadLetterQueue` on the construct), encrypted, kept 14 days
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * Whether the schedule starts runs. A disabled schedule is kept, with its settings.
   * @default true
   */
  readonly enabled?: boolean;
}
