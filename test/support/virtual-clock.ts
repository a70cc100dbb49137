import { Clock } from '../../lambda/clock';
import { InvocationContext } from '../../lambda/engine';

/** A clock whose sleeps return at once and advance virtual time; it records every sleep. */
export class VirtualClock implements Clock {
  public readonly sleeps: number[] = [];
  private nowMs: number;

  constructor(private readonly startMs = 1_700_000_000_000, private readonly randomValue = 0.5) {
    this.nowMs = startMs;
  }

  /** Back to the start time, with no sleeps recorded. */
  public reset(): void {
    this.nowMs = this.startMs;
    this.sleeps.length = 0;
  }

  public now(): number {
    return this.nowMs;
  }

  public async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.nowMs += ms;
  }

  public random(): number {
    return this.randomValue;
  }

  public advance(ms: number): void {
    this.nowMs += ms;
  }

  /** Lambda's context for an invocation that starts now and may run `timeoutMs` of this clock's time. */
  public invocation(timeoutMs: number): InvocationContext {
    const endsAt = this.nowMs + timeoutMs;
    return { getRemainingTimeInMillis: () => endsAt - this.nowMs };
  }
}
