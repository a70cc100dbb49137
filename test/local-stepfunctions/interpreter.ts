/**
 * Runs a Standard workflow as Step Functions does, for the states the library's state
 * machines use (Amazon States Language, "States" in the Step Functions developer guide):
 *
 * - Task with a Lambda function ARN as Resource: the state's input is the payload, the
 *   function's result its output; a function error is the error named by its errorType,
 *   with Lambda's error payload as Cause; a Lambda timeout is States.Timeout; Lambda's
 *   own failures (throttling) carry their Lambda.* names. Retry (IntervalSeconds,
 *   BackoffRate, MaxAttempts, MaxDelaySeconds) and Catch (ErrorEquals, ResultPath, Next),
 *   with States.ALL and States.TaskFailed (every error but States.Timeout);
 * - Choice (StringEquals, NumericEquals, BooleanEquals, IsPresent on a Variable; Default);
 * - Wait (Seconds, SecondsPath), on the harness's virtual clock;
 * - Pass, Succeed, Fail; InputPath, OutputPath and ResultPath as reference paths;
 * - the machine's TimeoutSeconds, and the 25,000-event history quota of a Standard execution.
 *
 * Anything else fails loudly, so a definition the interpreter does not understand is
 * never run in a way Step Functions would not.
 */

/** What a Task's Lambda invocation ended with. */
export type TaskResult = { readonly output: unknown } | { readonly error: string; readonly cause: string };

export interface InterpreterWorld {
  now(): number;
  sleep(ms: number): Promise<void>;
  invoke(functionArn: string, payload: unknown): Promise<TaskResult>;
}

export interface ExecutionOutcome {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** History events the execution wrote (a Standard execution may write at most 25,000). */
  readonly events: number;
}

/** Step Functions' quota on one Standard execution's history. */
export const MAX_HISTORY_EVENTS = 25_000;

interface Retrier {
  readonly ErrorEquals: string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
}

interface Catcher {
  readonly ErrorEquals: string[];
  readonly Next: string;
  readonly ResultPath?: string | null;
}

interface State {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Resource?: string;
  readonly InputPath?: string | null;
  readonly OutputPath?: string | null;
  readonly ResultPath?: string | null;
  readonly Retry?: Retrier[];
  readonly Catch?: Catcher[];
  readonly Choices?: Array<Record<string, unknown> & { Next: string }>;
  readonly Default?: string;
  readonly Seconds?: number;
  readonly SecondsPath?: string;
  readonly Error?: string;
  readonly Cause?: string;
  readonly Result?: unknown;
}

interface Definition {
  readonly StartAt: string;
  readonly States: Record<string, State>;
  readonly TimeoutSeconds?: number;
}

const KNOWN_FIELDS = new Set(['Type', 'Next', 'End', 'Resource', 'InputPath', 'OutputPath', 'ResultPath', 'Retry', 'Catch', 'Choices',
  'Default', 'Seconds', 'SecondsPath', 'Error', 'Cause', 'Result', 'Comment']);

class StatesError extends Error {
  constructor(public readonly error: string, public readonly cause: string) {
    super(`${error}: ${cause}`);
  }
}

export async function runExecution(definitionText: string, input: unknown, world: InterpreterWorld): Promise<ExecutionOutcome> {
  const definition = JSON.parse(definitionText) as Definition;
  checkDefinition(definition);
  const started = world.now();
  const deadline = definition.TimeoutSeconds ? started + definition.TimeoutSeconds * 1000 : Number.POSITIVE_INFINITY;
  let events = 1;
  const record = (count: number) => {
    events += count;
    if (events > MAX_HISTORY_EVENTS) throw new StatesError('States.Runtime', `The execution's history reached the quota of ${MAX_HISTORY_EVENTS} events`);
  };
  let name = definition.StartAt;
  let value: unknown = input;
  try {
    for (;;) {
      if (world.now() > deadline) return { status: 'TIMED_OUT', events };
      const state = definition.States[name];
      record(2);
      switch (state.Type) {
        case 'Task': {
          const outcome = await runTask(state, value, world, record);
          if ('next' in outcome) {
            value = outcome.value;
            name = outcome.next;
            continue;
          }
          value = outcome.value;
          break;
        }
        case 'Choice': {
          const choice = state.Choices!.find((rule) => matches(rule, value));
          const next = choice?.Next ?? state.Default;
          if (!next) throw new StatesError('States.NoChoiceMatched', `No choice of state '${name}' matched`);
          name = next;
          continue;
        }
        case 'Wait': {
          const seconds = state.SecondsPath ? Number(readPath(value, state.SecondsPath)) : state.Seconds!;
          if (!Number.isFinite(seconds) || seconds < 0) throw new StatesError('States.Runtime', `Wait state '${name}' got ${seconds} seconds`);
          await world.sleep(seconds * 1000);
          break;
        }
        case 'Pass':
          value = applyResultPath(value, state.Result ?? selectInput(state, value), state.ResultPath);
          value = selectOutput(state, value);
          break;
        case 'Succeed':
          return { status: 'SUCCEEDED', output: selectOutput(state, value), events };
        case 'Fail':
          return { status: 'FAILED', error: state.Error, cause: state.Cause, events };
        default:
          throw new Error(`local-stepfunctions: state type ${state.Type} is not played`);
      }
      if (state.End) return { status: 'SUCCEEDED', output: value, events };
      name = state.Next!;
    }
  } catch (error) {
    if (error instanceof StatesError) return { status: 'FAILED', error: error.error, cause: error.cause, events };
    throw error;
  }
}

type TaskOutcome = { readonly value: unknown } | { readonly value: unknown; readonly next: string };

async function runTask(state: State, value: unknown, world: InterpreterWorld, record: (events: number) => void): Promise<TaskOutcome> {
  if (!/^arn:[a-z-]+:lambda:/.test(state.Resource ?? '')) throw new Error(`local-stepfunctions: Task resource ${state.Resource} is not played`);
  const attempts = new Map<Retrier, number>();
  for (;;) {
    record(3);
    const result = await world.invoke(state.Resource!, selectInput(state, value));
    if ('output' in result) return { value: selectOutput(state, applyResultPath(value, result.output, state.ResultPath)) };
    const retrier = state.Retry?.find((candidate) => errorMatches(candidate.ErrorEquals, result.error));
    const done = attempts.get(retrier!) ?? 0;
    if (retrier && done < (retrier.MaxAttempts ?? 3)) {
      attempts.set(retrier, done + 1);
      const delay = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** done;
      await world.sleep(Math.min(delay, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY) * 1000);
      continue;
    }
    const catcher = state.Catch?.find((candidate) => errorMatches(candidate.ErrorEquals, result.error));
    if (!catcher) throw new StatesError(result.error, result.cause);
    record(1);
    return { value: applyResultPath(value, { Error: result.error, Cause: result.cause }, catcher.ResultPath), next: catcher.Next };
  }
}

function errorMatches(names: string[], error: string): boolean {
  return names.some((name) => name === error || name === 'States.ALL' || (name === 'States.TaskFailed' && error !== 'States.Timeout'));
}

function matches(rule: Record<string, unknown>, value: unknown): boolean {
  const actual = readPath(value, String(rule.Variable));
  if ('StringEquals' in rule) return actual === rule.StringEquals;
  if ('NumericEquals' in rule) return actual === rule.NumericEquals;
  if ('BooleanEquals' in rule) return actual === rule.BooleanEquals;
  if ('IsPresent' in rule) return (actual !== undefined) === rule.IsPresent;
  throw new Error(`local-stepfunctions: choice rule ${JSON.stringify(rule)} is not played`);
}

function selectInput(state: State, value: unknown): unknown {
  if (state.InputPath === null) return {};
  return readPath(value, state.InputPath ?? '$');
}

function selectOutput(state: State, value: unknown): unknown {
  if (state.OutputPath === null) return {};
  return readPath(value, state.OutputPath ?? '$');
}

/** ResultPath: '$' (or absent) replaces the input; '$.a.b' sets that field of a copy; null keeps the input. */
function applyResultPath(input: unknown, result: unknown, path: string | null | undefined): unknown {
  if (path === null) return input;
  if (path === undefined || path === '$') return result;
  const keys = pathKeys(path);
  const copy = JSON.parse(JSON.stringify(input ?? {}));
  let target = copy;
  for (const key of keys.slice(0, -1)) target = (target[key] ??= {});
  target[keys[keys.length - 1]] = result;
  return copy;
}

function readPath(value: unknown, path: string): unknown {
  let current = value as any;
  for (const key of pathKeys(path)) current = current?.[key];
  return current;
}

function pathKeys(path: string): string[] {
  if (path === '$') return [];
  if (!/^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(path)) throw new Error(`local-stepfunctions: path ${path} is not played`);
  return path.slice(2).split('.');
}

function checkDefinition(definition: Definition): void {
  if (!definition.States[definition.StartAt]) throw new Error(`local-stepfunctions: StartAt ${definition.StartAt} is not a state`);
  for (const [name, state] of Object.entries(definition.States)) {
    const unknown = Object.keys(state).filter((field) => !KNOWN_FIELDS.has(field));
    if (unknown.length > 0) throw new Error(`local-stepfunctions: state '${name}' has fields the interpreter does not play: ${unknown.join(', ')}`);
    for (const next of [state.Next, state.Default, ...(state.Choices ?? []).map((c) => c.Next), ...(state.Catch ?? []).map((c) => c.Next)]) {
      if (next !== undefined && !definition.States[next]) throw new Error(`local-stepfunctions: state '${name}' goes to unknown state '${next}'`);
    }
  }
}
