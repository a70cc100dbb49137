/**
 * One look of the long-wait state machine (ADR 0014), and its report when the machine
 * itself fails. The machine calls `look` from a Step Functions Wait loop: no function
 * invokes itself, so Lambda's recursive loop detection never sees a chain, and a wait
 * lasts as long as the wait condition it signals (up to 12 hours).
 *
 * A look asks the watched kind whether its work has ended (`ResourceKind.outcome`):
 * when it has, it signals the wait condition with the kind's reason; when the work runs
 * past its deadline, it signals a failure that says so. A throttled or cut-short look is
 * inconclusive, not a failure: the next one comes later. Anything that breaks the look
 * itself reaches the machine's Catch, and `report` signals the failure with its cause.
 */
import { Clock } from '../clock';
import { log } from '../log';
import { KindContext, ResourceKind } from '../resource-kind';
import { isTransient, OutOfInvocationTime, RetriesExhausted, RetryPolicy, withRetries } from '../retry';
import { sendSignal } from './signal';
import type { LongWaitInput } from './start';

/** How often a long wait looks: a fraction of the time already waited, within bounds. */
export interface LongWaitPolicy {
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly delayFraction: number;
  /** Kept free at the end of a look's invocation, as for the handler's own invocations. */
  readonly invocationMarginMs: number;
}

/**
 * 10 s to 5 min, 4% of the wait so far: a 12-hour wait takes about 250 looks (about 2,300
 * of a Standard execution's 25,000 history events), and the deploy hears of the end at
 * most 5 minutes late.
 */
export const DEFAULT_LONG_WAIT_POLICY: LongWaitPolicy = {
  minDelayMs: 10_000, maxDelayMs: 300_000, delayFraction: 0.04, invocationMarginMs: 10_000,
};

/** The state the machine carries: the input, what to do next, and the Wait state's delay. */
export interface LongWaitState extends LongWaitInput {
  readonly next: 'look' | 'done';
  readonly delaySeconds: number;
  /** Set by the machine's Catch: why a look failed. */
  readonly failure?: { readonly Error?: string; readonly Cause?: string };
}

export interface LongWaitInvocation {
  getRemainingTimeInMillis(): number;
}

export interface LongWaitOptions {
  readonly kinds: ReadonlyArray<ResourceKind<any>>;
  readonly clock: Clock;
  readonly policy: LongWaitPolicy;
  readonly retryPolicy?: RetryPolicy;
}

export function createLongWait(options: LongWaitOptions) {
  const { clock, policy, retryPolicy } = options;
  const kinds = new Map(options.kinds.map((kind) => [kind.resourceType, kind]));

  const contextFor = (state: LongWaitInput, deadline: number): KindContext => {
    const [, partition, , region, account] = state.arn.split(':');
    return {
      clock,
      partition,
      region,
      account,
      owner: '',
      call: (operation, attempt) => withRetries(operation, clock, attempt, retryPolicy, deadline),
    };
  };
  const signal = (state: LongWaitInput, context: KindContext, success: boolean, reason: string) =>
    sendSignal(state.signalUrl, context.region, { success, reason, uniqueId: state.arn, data: state.arn }, clock, retryPolicy);

  const look = async (state: LongWaitState, invocation: LongWaitInvocation): Promise<LongWaitState> => {
    const kind = kinds.get(state.resourceType);
    if (!kind?.outcome) throw new Error(`No long wait for resource type '${state.resourceType}'`);
    const context = contextFor(state, clock.now() + invocation.getRemainingTimeInMillis() - policy.invocationMarginMs);
    let outcome;
    try {
      outcome = await kind.outcome(context, state.arn);
    } catch (error) {
      // Inconclusive, not a failure: a look cut short, or a service that throttles or fails for now. The next look comes later.
      const transient = isTransient(error) || (error instanceof RetriesExhausted && isTransient(error.lastError));
      if (!(error instanceof OutOfInvocationTime) && !transient) throw error;
      log('warn', 'the look was inconclusive', { arn: state.arn, error: (error as Error).message });
    }
    if (outcome) {
      await signal(state, context, outcome.success, outcome.reason);
      log('info', 'signalled the wait condition', { arn: state.arn, success: outcome.success });
      return { ...state, next: 'done', delaySeconds: 0 };
    }
    const waited = clock.now() - state.startedAt;
    if (clock.now() >= state.giveUpAt) {
      await signal(state, context, false, `Gave up waiting for ${kind.noun} ${state.arn} after ${duration(waited)}: it is still running, `
        + `and the wait condition would time out next. The work goes on in the service. ${kind.longWorkAdvice ?? ''}`.trim());
      return { ...state, next: 'done', delaySeconds: 0 };
    }
    const delayMs = Math.min(policy.maxDelayMs, Math.max(policy.minDelayMs, waited * policy.delayFraction), state.giveUpAt - clock.now());
    return { ...state, next: 'look', delaySeconds: Math.max(1, Math.ceil(delayMs / 1000)) };
  };

  /** Called by the machine's Catch: the looks broke; say why rather than let the deploy wait for the wait condition's timeout. */
  const report = async (state: LongWaitState): Promise<LongWaitState> => {
    const kind = kinds.get(state.resourceType);
    const cause = describeFailure(state.failure);
    log('error', 'the long wait failed', { arn: state.arn, cause });
    await signal(state, contextFor(state, Number.POSITIVE_INFINITY), false,
      `The wait for ${kind?.noun ?? 'resource'} ${state.arn} failed: ${cause}`);
    return { ...state, next: 'done', delaySeconds: 0 };
  };

  return async (state: LongWaitState, invocation: LongWaitInvocation): Promise<LongWaitState> =>
    (state.failure ? report(state) : look(state, invocation));
}

/** `90 s`, `25 min`, `10.5 h`. */
function duration(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** The Catch's error, as Step Functions gives it: Error and Cause (for a Lambda error, its errorMessage as JSON). */
function describeFailure(failure: LongWaitState['failure']): string {
  if (!failure) return 'unknown error';
  let cause = failure.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (parsed.errorMessage) cause = parsed.errorMessage;
  } catch {
    // Not JSON: Step Functions' own wording.
  }
  return [failure.Error, cause].filter(Boolean).join(': ') || 'unknown error';
}
