/**
 * The status model every local service shares: statuses are computed from
 * timestamps when a request is read, never by timers, so what a request sees
 * depends only on the clock (and on holds, which a test releases by hand).
 * Each service names its statuses (StatusNames).
 */

/** How a create (or an update) ends. */
export type Outcome =
  | { readonly kind: 'succeed' }
  | { readonly kind: 'fail'; readonly reason: string }
  | { readonly kind: 'hang' };

export interface Phase {
  readonly status: string;
  /** When the resource entered this status (ms). */
  readonly since: number;
  readonly failureReason?: string;
  /** A finished delete: the resource no longer exists. */
  readonly gone: boolean;
}

/**
 * Keeps the resources (or dataset updates) that matched it in their IN_PROGRESS
 * status until `release()`; they finish a full duration after the release.
 */
export interface Hold {
  /** Resolves once a matching resource has been created (or update started). */
  readonly reached: Promise<void>;
  readonly isReleased: boolean;
  /** Lets what is held go on. Creations and updates started after this are no longer held. */
  release(): void;
}

export class HoldState implements Hold {
  public releasedAt?: number;
  public readonly reached: Promise<void>;
  private markReached!: () => void;

  /** `kind` undefined holds resources of every kind with the name. */
  constructor(public readonly name: string, public readonly kind: string | undefined, private readonly now: () => number) {
    this.reached = new Promise<void>((resolve) => {
      this.markReached = resolve;
    });
  }

  public get isReleased(): boolean {
    return this.releasedAt !== undefined;
  }

  public release(): void {
    if (this.releasedAt === undefined) this.releasedAt = this.now();
  }

  /** Called when a resource starts under this hold. */
  public catch(): void {
    this.markReached();
  }

  public matches(name: string, kind: string): boolean {
    return !this.isReleased && this.name === name && (this.kind === undefined || this.kind === kind);
  }
}

/** The holds a test armed: each catches the creations (or updates) that match it until it is released. */
export class Holds {
  private armed: HoldState[] = [];

  constructor(private readonly now: () => number) {}

  /** `kind` undefined holds every kind. */
  public arm(name: string, kind?: string): Hold {
    const hold = new HoldState(name, kind, this.now);
    this.armed.push(hold);
    return hold;
  }

  /** The hold a resource starting now falls under, if any; its `reached` resolves. */
  public take(name: string, kind: string): HoldState | undefined {
    const hold = this.armed.find((h) => h.matches(name, kind));
    hold?.catch();
    return hold;
  }

  /** Disarms every hold; what they already hold stays held until released. */
  public clear(): void {
    this.armed = [];
  }
}

export interface Timing {
  /** Time in the PENDING status. */
  readonly pendingMs: number;
  /** Time from the start (or from a hold's release) to the end. */
  readonly doneMs: number;
}

export interface StatusNames {
  readonly pending: string;
  readonly inProgress: string;
  readonly failed: string;
  /** The status of success. */
  readonly done: string;
}

/**
 * PENDING for `pendingMs`, then IN_PROGRESS until `doneMs` after the start
 * (after the release when held; forever while held or when the outcome is
 * 'hang'), then done or failed.
 */
export function progress(start: number, timing: Timing, hold: HoldState | undefined, outcome: Outcome, now: number, names: StatusNames): Phase {
  const inProgressAt = start + timing.pendingMs;
  if (now < inProgressAt) return { status: names.pending, since: start, gone: false };
  let doneAt = start + timing.doneMs;
  if (hold) doneAt = hold.releasedAt === undefined ? Infinity : hold.releasedAt + timing.doneMs;
  if (outcome.kind === 'hang' || now < doneAt) return { status: names.inProgress, since: inProgressAt, gone: false };
  if (outcome.kind === 'fail') return { status: names.failed, since: doneAt, failureReason: outcome.reason, gone: false };
  return { status: names.done, since: doneAt, gone: false };
}

/** The JSON protocol sends timestamps as epoch seconds; fractions carry the milliseconds. */
export function epoch(ms: number): number {
  return ms / 1000;
}
