/**
 * A local AWS Step Functions endpoint (JSON 1.0, `X-Amz-Target: AWSStepFunctions.*`)
 * for the state machines of a deployed template: StartExecution runs the machine's
 * definition (resolved from the template) in the interpreter, on the harness's clock.
 *
 * StartExecution is idempotent by name, as the API reference says: the same name and
 * input as a running execution returns that execution; another input, or any name used
 * before (a Standard workflow's names are unique for 90 days), is ExecutionAlreadyExists.
 * Request shapes follow botocore's `stepfunctions/2016-11-23` model.
 */
import { ExecutionOutcome, InterpreterWorld, runExecution } from './interpreter';
import { ServiceError } from '../local-service/errors';
import { JsonServerOptions, LocalJsonService } from '../local-service/json-server';
import { StringShape, StructureShape, validateInput } from '../local-service/shapes';

const OPERATIONS = ['StartExecution'] as const;
type OperationName = typeof OPERATIONS[number];

const ERRORS: Record<OperationName, readonly string[]> = {
  StartExecution: ['ExecutionLimitExceeded', 'ExecutionAlreadyExists', 'InvalidArn', 'InvalidExecutionInput', 'InvalidName',
    'StateMachineDoesNotExist', 'StateMachineDeleting', 'ValidationException', 'KmsAccessDeniedException', 'KmsInvalidStateException',
    'KmsThrottlingException'],
};

const Arn: StringShape = { type: 'string', min: 1, max: 256 };
const SHAPES: Record<OperationName, StructureShape> = {
  StartExecution: {
    type: 'structure',
    required: ['stateMachineArn'],
    members: {
      stateMachineArn: Arn,
      name: { type: 'string', min: 1, max: 80 },
      input: { type: 'string', max: 262144, sensitive: true },
      traceHeader: { type: 'string', min: 0, max: 256 },
    },
  },
};

export interface Execution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startedAt: number;
  outcome?: ExecutionOutcome;
}

export interface LocalStepFunctionsOptions extends JsonServerOptions {
  /** The definition (ASL JSON) of a state machine of the deployed template, by ARN; undefined if there is none. */
  readonly definitionOf: (stateMachineArn: string) => string | undefined;
  /** The world a state machine's Tasks run in: the local Lambda's synchronous invocations (as its role), and the clock. */
  readonly worldOf: (stateMachineArn: string) => InterpreterWorld;
}

export class LocalStepFunctions extends LocalJsonService<OperationName> {
  public static async start(options: LocalStepFunctionsOptions): Promise<LocalStepFunctions> {
    return LocalJsonService.listen(new LocalStepFunctions(options));
  }

  public readonly executions: Execution[] = [];
  private readonly running = new Set<Promise<void>>();

  private constructor(private readonly options: LocalStepFunctionsOptions) {
    super({
      name: 'local-stepfunctions',
      targetPrefix: 'AWSStepFunctions.',
      jsonVersion: '1.0',
      throttle: { type: 'ThrottlingException', status: 400 },
      operations: OPERATIONS,
      modelledErrors: (operation) => ERRORS[operation as OperationName] ?? [],
      handle: (operation, input) => this.startExecution(operation as OperationName, input),
    }, options);
  }

  /** Waits until every execution has ended. */
  public async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  public override reset(): void {
    super.reset();
    this.executions.length = 0;
  }

  private startExecution(operation: OperationName, request: unknown): unknown {
    validateInput(SHAPES[operation], request, 'ValidationException');
    const { stateMachineArn, name = randomName(), input = '{}' } = request as { stateMachineArn: string; name?: string; input?: string };
    const match = /^arn:[a-z-]+:states:([a-z0-9-]+):(\d{12}):stateMachine:([A-Za-z0-9_-]+)$/.exec(stateMachineArn);
    if (!match) throw new ServiceError('InvalidArn', `Invalid Arn: '${stateMachineArn}'`);
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new ServiceError('InvalidName', `Invalid Name: '${name}'`);
    const definition = this.options.definitionOf(stateMachineArn);
    if (definition === undefined) throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      throw new ServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: the input is not JSON');
    }
    const executionArn = `arn:aws:states:${match[1]}:${match[2]}:execution:${match[3]}:${name}`;
    const existing = this.executions.find((execution) => execution.executionArn === executionArn);
    if (existing) {
      if (existing.input === input && existing.outcome === undefined) return { executionArn, startDate: existing.startedAt / 1000 };
      throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const execution: Execution = { executionArn, stateMachineArn, name, input, startedAt: this.now() };
    this.executions.push(execution);
    const run = runExecution(definition, parsed, this.options.worldOf(stateMachineArn)).then((outcome) => {
      execution.outcome = outcome;
    }, (error: Error) => {
      execution.outcome = { status: 'FAILED', error: 'local-stepfunctions bug', cause: error.stack ?? String(error), events: 0 };
    }).finally(() => this.running.delete(run));
    this.running.add(run);
    return { executionArn, startDate: execution.startedAt / 1000 };
  }
}

function randomName(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}
