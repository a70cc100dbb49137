/**
 * The harness's clock: virtual time that moves only when the whole local world is
 * waiting for it, so no scenario depends on the machine's speed.
 *
 * Everything that waits in the local world (the handler's polls and backoffs, Lambda
 * timeouts, the Provider framework's query interval, Step Functions Wait states, service
 * transitions, slow answers) waits on this clock. The clock advances to the next timer
 * only at a quiet point: no work held (`hold`, `track`: a local service serving a request,
 * a handler thread computing), every HTTP request sent in the local world parked at its
 * server (waiting there for time, or at a test's gate) rather than travelling or being
 * answered, and the main thread's event loop idle for two turns. A busy machine makes a
 * scenario take longer in real time, never changes what happens in it.
 *
 * A test orders itself on events with `until(condition)`, which the clock checks at every
 * quiet point before it moves time.
 */

/** What keeps the clock from moving: release it when that work is done. */
export type Release = () => void;

interface Timer {
  readonly at: number;
  readonly sequence: number;
  readonly fire: () => void;
  readonly label: string;
}

interface Condition {
  readonly holds: () => boolean;
  readonly resolve: () => void;
}

const WAKE = 'service transition';

/** A virtual time no scenario should reach: it means something waits forever. */
const RUNAWAY_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

export class SimClock {
  /**
   * Resolves at the first quiet point of any running clock where `condition` holds (a
   * scenario's `until` does not say which environment it waits for; tests that run
   * concurrently each have their own clock). Without a running clock it polls.
   */
  public static untilAny(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    if (SimClock.running.size === 0) {
      return new Promise((resolve) => {
        const poll = () => (condition() ? resolve() : setTimeout(poll, 5));
        poll();
      });
    }
    return new Promise((resolve) => {
      const shared: Condition = {
        holds: condition,
        resolve: () => {
          for (const clock of SimClock.running) clock.conditions.delete(shared);
          resolve();
        },
      };
      for (const clock of SimClock.running) {
        clock.conditions.add(shared);
        clock.poke();
      }
    });
  }

  private static readonly running = new Set<SimClock>();

  /** Virtual epoch milliseconds, shared with the handler thread (Float64, one element). */
  public readonly shared = new Float64Array(new SharedArrayBuffer(8));
  private readonly timers: Timer[] = [];
  private readonly conditions = new Set<Condition>();
  private readonly start: number;
  private tokens = 0;
  /** HTTP requests sent and not yet answered and read, by who sent them. */
  private readonly inFlight = new Map<object, number>();
  /** Requests waiting at their server for time or for a test: in flight, but not work. */
  private parked = 0;
  private sequence = 0;
  /** Bumped by every token taken or released: a quiet check that saw it change starts over. */
  private epoch = 0;
  private checking = false;
  private stopped = false;
  private runaway?: Error;

  constructor(start = Date.UTC(2026, 11, 1)) {
    this.start = start;
    this.shared[0] = start;
    SimClock.running.add(this);
  }

  public now(): number {
    return this.shared[0];
  }

  /** Milliseconds of virtual time since the clock started. */
  public elapsed(): number {
    return this.now() - this.start;
  }

  /** Resolves once `ms` of virtual time have passed. */
  public sleep(ms: number, label = 'sleep'): Promise<void> {
    return new Promise((resolve) => this.schedule(ms, resolve, label));
  }

  /** Calls `fire` after `ms` of virtual time, unless cancelled first. */
  public schedule(ms: number, fire: () => void, label = 'timer'): () => void {
    const timer: Timer = { at: this.now() + Math.max(0, ms), sequence: this.sequence++, fire, label };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.at - b.at || a.sequence - b.sequence);
    this.poke();
    return () => {
      const index = this.timers.indexOf(timer);
      if (index >= 0) this.timers.splice(index, 1);
    };
  }

  /**
   * Lets time stop at the instant `ms` from now even if nothing waits for it: a local
   * service whose statuses change by timestamps asks for it, so that a scenario waiting
   * `until` a status sees time move through the change.
   */
  public wakeAfter(ms: number): void {
    const at = this.now() + Math.max(0, ms);
    if (this.timers.some((timer) => timer.at === at && timer.label === WAKE)) return;
    this.schedule(ms, () => {}, WAKE);
  }

  /** Keeps time still until the returned function is called. */
  public hold(): Release {
    this.tokens++;
    this.epoch++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.tokens--;
      this.epoch++;
      this.poke();
    };
  }

  /** Sets how many HTTP requests `sender` has in flight (a handler thread reports it when it goes quiet). */
  public reportInFlight(sender: object, count: number): void {
    if ((this.inFlight.get(sender) ?? 0) === count) return;
    this.inFlight.set(sender, count);
    this.epoch++;
    this.poke();
  }

  /** One request sent from the main thread: in flight until released. */
  public send(): Release {
    const sender = {};
    this.reportInFlight(sender, 1);
    return () => {
      this.inFlight.delete(sender);
      this.epoch++;
      this.poke();
    };
  }

  /** A request waiting at its server for time or for a test, until released. */
  public park(): Release {
    this.parked++;
    this.epoch++;
    this.poke();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.parked--;
      this.epoch++;
    };
  }

  /** Keeps time still while `work` runs. */
  public async track<T>(work: Promise<T>): Promise<T> {
    const release = this.hold();
    try {
      return await work;
    } finally {
      release();
    }
  }

  /**
   * Resolves at the first quiet point where `condition` holds, before time moves on;
   * for ordering a scenario on events (a request sent, a response recorded).
   */
  public until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      this.conditions.add({ holds: condition, resolve });
      this.poke();
    });
  }

  /** How many timers are pending (for messages). */
  public pendingTimers(): string[] {
    return this.timers.map((timer) => `${timer.label} at +${timer.at - this.start} ms`);
  }

  /** Stops moving time; pending timers never fire. */
  public stop(): void {
    this.stopped = true;
    this.timers.length = 0;
    SimClock.running.delete(this);
  }

  /** A clock that ran for a virtual week has a loop that never ends: report it instead of spinning. */
  public failure(): Error | undefined {
    return this.runaway;
  }

  /** Something may have changed: look for a quiet point soon. */
  private poke(): void {
    if (this.checking || this.stopped) return;
    this.checking = true;
    setImmediate(() => this.check(this.epoch, 0));
  }

  /**
   * A quiet point: no token held, and the event loop idle for two turns with nothing
   * taken or released meanwhile (promise continuations run before each turn ends, so
   * work they start is seen).
   */
  private check(epoch: number, quietTurns: number): void {
    if (this.stopped) return;
    let travelling = -this.parked;
    for (const count of this.inFlight.values()) travelling += count;
    if (this.tokens > 0 || travelling > 0) {
      this.checking = false;
      return;
    }
    if (epoch !== this.epoch) {
      setImmediate(() => this.check(this.epoch, 0));
      return;
    }
    if (quietTurns < 2) {
      setImmediate(() => this.check(epoch, quietTurns + 1));
      return;
    }
    this.checking = false;
    for (const condition of [...this.conditions]) {
      if (!condition.holds()) continue;
      this.conditions.delete(condition);
      condition.resolve();
      // The test goes on from here; time waits for what it does next.
      this.poke();
      return;
    }
    const next = this.timers.shift();
    if (!next) return;
    if (next.at - this.start > RUNAWAY_AFTER_MS) {
      this.runaway = new Error(`The local world's clock ran past a virtual week (${next.label}): something waits forever`);
      // eslint-disable-next-line no-console
      console.error(this.runaway.message);
      this.stop();
      return;
    }
    if (next.at > this.now()) this.shared[0] = next.at;
    next.fire();
    // Every timer due at this instant fires in the same step.
    while (this.timers.length > 0 && this.timers[0].at <= this.now()) this.timers.shift()!.fire();
    this.poke();
  }
}
