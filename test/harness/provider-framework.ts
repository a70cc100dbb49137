/**
 * The CDK Provider framework (aws-cdk-lib/custom-resources, runtime/framework.js
 * and cfn-response.js), played step for step around the bundled user handlers:
 *
 * - a Delete whose physical ID is the CREATE_FAILED marker is answered SUCCESS
 *   without calling the user handler;
 * - onEvent's result is merged into the request ({...request, ...result, PhysicalResourceId});
 *   a Delete may not change the physical ID;
 * - the waiter calls isComplete at once, then every queryInterval, at most
 *   totalTimeout / queryInterval more times, and then answers FAILED "Operation timed out";
 * - SUCCESS carries Data {...onEvent Data, ...isComplete Data}; IsComplete false with Data is an error;
 * - NoEcho is the one onEvent returned: cfn-response.js answers with `options.noEcho`, which
 *   framework.js takes from the event the waiter carries, never from isComplete's result; a
 *   FAILED response carries none;
 * - the waiter's input is the request merged with onEvent's result (Data included): Step
 *   Functions keeps it in the execution history, recorded here as `waiterInput`;
 * - any error is answered FAILED with the error's stack as Reason (the framework
 *   includes stack traces); a failed Create without a physical ID gets the marker.
 *
 * User functions run as Lambda would run them: the payload goes through JSON both
 * ways, an error becomes a FunctionError, and an invocation that outlasts its
 * timeout becomes "Task timed out".
 */
import { BundledHandlers, newTraceId } from './bundle';
import { SimClock } from './sim-clock';
import { ProviderTiming } from './timing';

export const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';
export const MISSING_PHYSICAL_ID_MARKER = 'AWSCDK::CustomResourceProviderFramework::MISSING_PHYSICAL_ID';

/** A request as CloudFormation sends it to the provider's service token. */
export interface CfnRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ServiceToken: string;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
  readonly PhysicalResourceId?: string;
}

/** The body the framework PUTs to the response URL. */
export interface CfnResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho?: boolean;
  readonly Data?: Record<string, unknown>;
}

export interface InvocationRecord {
  readonly fn: 'onEvent' | 'isComplete';
  readonly requestId: string;
  readonly logicalId: string;
  readonly requestType: string;
  readonly durationMs: number;
  readonly outcome: 'returned' | 'threw' | 'timed out';
  /** For a throw: the error message. */
  readonly error?: string;
  /** The Root of the invocation's X-Ray trace, which the SDK sends on each call it makes. */
  readonly traceRoot: string;
}

/** One delivery of a request to the framework, and what it answered. */
export interface DeliveryRecord {
  readonly request: CfnRequest;
  readonly startedAt: number;
  finishedAt?: number;
  readonly responses: CfnResponse[];
  /** True when the waiter ran out of attempts (onTimeout answered). */
  frameworkTimedOut: boolean;
  /** The waiter's execution input, which Step Functions keeps in the execution history: absent when onEvent failed. */
  waiterInput?: Record<string, unknown>;
}

type Event = Record<string, any>;

class Retry extends Error {}

/** Lambda's error payload for a function that threw or timed out. */
interface FunctionError {
  readonly errorMessage: string;
  readonly errorType?: string;
  readonly trace?: string[];
}

export class ProviderFramework {
  public readonly invocations: InvocationRecord[] = [];
  public readonly deliveries: DeliveryRecord[] = [];
  /** The request each invocation served, by its X-Ray trace Root, from the moment it starts. */
  public readonly requestOfTrace = new Map<string, string>();

  constructor(private readonly handlers: BundledHandlers, private readonly timing: ProviderTiming, private readonly clock: SimClock) {}

  /** Delivers one request; resolves with the response once the framework has sent it. */
  public async deliver(request: CfnRequest): Promise<CfnResponse> {
    const delivery: DeliveryRecord = { request, startedAt: this.clock.now(), responses: [], frameworkTimedOut: false };
    this.deliveries.push(delivery);
    // cfn-response.js submitResponse(status, event, options).
    const respond = (status: CfnResponse['Status'], event: Event, options: ResponseOptions = {}) => {
      delivery.responses.push(JSON.parse(JSON.stringify({
        Status: status,
        Reason: options.reason || status,
        StackId: event.StackId,
        RequestId: event.RequestId,
        PhysicalResourceId: event.PhysicalResourceId || MISSING_PHYSICAL_ID_MARKER,
        LogicalResourceId: event.LogicalResourceId,
        NoEcho: options.noEcho,
        Data: event.Data,
      })));
    };

    const onEventOutcome = await this.safely({ ...request }, respond, async (event) => {
      event.ResourceProperties = event.ResourceProperties || {};
      const result = await this.invoke('onEvent', event);
      return createResponseEvent(event, result);
    });
    if (onEventOutcome !== undefined) {
      delivery.waiterInput = JSON.parse(JSON.stringify(onEventOutcome));
      await this.wait(onEventOutcome, respond, delivery);
    }

    delivery.finishedAt = this.clock.now();
    if (delivery.responses.length === 0) throw new Error(`The framework sent no response for ${request.LogicalResourceId} ${request.RequestType}`);
    return delivery.responses[0];
  }

  /** The Step Functions waiter: isComplete now, then after every queryInterval, up to maxAttempts retries. */
  private async wait(resourceEvent: Event, respond: Responder, delivery: DeliveryRecord): Promise<void> {
    const maxAttempts = this.timing.totalTimeoutMs / this.timing.queryIntervalMs;
    for (let attempt = 0; attempt <= maxAttempts; attempt++) {
      if (attempt > 0) await this.clock.sleep(this.timing.queryIntervalMs, 'framework query interval');
      let retry = false;
      await this.safely(resourceEvent, respond, async (event) => {
        const result = await this.invoke('isComplete', event);
        if (!result.IsComplete) {
          if (result.Data && Object.keys(result.Data).length > 0) throw new Error('"Data" is not allowed if "IsComplete" is "False"');
          retry = true;
          throw new Retry(JSON.stringify(event));
        }
        const response = { ...event, ...result, Data: { ...event.Data, ...result.Data } };
        respond('SUCCESS', response, { noEcho: event.NoEcho });
        return undefined;
      });
      if (!retry) return;
    }
    delivery.frameworkTimedOut = true;
    respond('FAILED', resourceEvent, { reason: 'Operation timed out' });
  }

  /**
   * cfn-response.js safeHandler: the CREATE_FAILED marker short cut, and FAILED
   * (with the stack as Reason) for any error other than Retry.
   */
  private async safely<T>(event: Event, respond: Responder, block: (event: Event) => Promise<T>): Promise<T | undefined> {
    if (event.RequestType === 'Delete' && event.PhysicalResourceId === CREATE_FAILED_MARKER) {
      respond('SUCCESS', event);
      return undefined;
    }
    try {
      return await block(event);
    } catch (error) {
      if (error instanceof Retry) return undefined;
      if (!event.PhysicalResourceId && event.RequestType === 'Create') event.PhysicalResourceId = CREATE_FAILED_MARKER;
      respond('FAILED', event, { reason: (error as Error).stack ?? String(error) });
      return undefined;
    }
  }

  /** framework.js invokeUserFunction over a Lambda-like invocation. */
  private async invoke(fn: 'onEvent' | 'isComplete', event: Event): Promise<any> {
    const payload = JSON.parse(JSON.stringify(event));
    const timeoutMs = fn === 'onEvent' ? this.timing.onEventTimeoutMs : this.timing.isCompleteTimeoutMs;
    const started = this.clock.now();
    const traceId = newTraceId();
    const traceRoot = /Root=([^;]+)/.exec(traceId)![1];
    this.requestOfTrace.set(traceRoot, event.RequestId);
    const record = (outcome: InvocationRecord['outcome'], error?: string) => this.invocations.push({
      fn,
      requestId: event.RequestId,
      logicalId: event.LogicalResourceId,
      requestType: event.RequestType,
      durationMs: this.clock.now() - started,
      outcome,
      error,
      traceRoot,
    });

    let cancelTimer: (() => void) | undefined;
    const timedOut = new Promise<'timed out'>((resolve) => {
      cancelTimer = this.clock.schedule(timeoutMs, () => resolve('timed out'), `${fn} Lambda timeout`);
    });
    let functionError: FunctionError | undefined;
    let result: unknown;
    try {
      const outcome = await Promise.race([this.handlers[fn](payload as any, timeoutMs, traceId), timedOut]);
      if (outcome === 'timed out') {
        record('timed out');
        functionError = { errorMessage: `${new Date(this.clock.now()).toISOString()} ${event.RequestId} Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` };
      } else {
        record('returned');
        result = JSON.parse(JSON.stringify(outcome ?? null));
      }
    } catch (error) {
      const e = error as Error;
      record('threw', e.message);
      functionError = { errorType: e.name, errorMessage: e.message, trace: e.stack?.split('\n') };
    } finally {
      cancelTimer?.();
    }

    if (functionError) {
      const functionName = fn === 'onEvent' ? 'OnEventHandler' : 'IsCompleteHandler';
      const message = [functionError.errorMessage, '', `Logs: /aws/lambda/${functionName}`, ''].join('\n');
      const wrapped = new Error(message);
      if (functionError.trace) wrapped.stack = [message, ...functionError.trace.slice(1)].join('\n');
      throw wrapped;
    }
    return result;
  }
}

/** cfn-response.js submitResponse's options. */
interface ResponseOptions {
  readonly reason?: string;
  readonly noEcho?: boolean;
}

type Responder = (status: CfnResponse['Status'], event: Event, options?: ResponseOptions) => void;

/** framework.js createResponseEvent. */
function createResponseEvent(request: Event, onEventResult: any): Event {
  const result = onEventResult || {};
  const physicalResourceId = result.PhysicalResourceId || defaultPhysicalResourceId(request);
  if (request.RequestType === 'Delete' && physicalResourceId !== request.PhysicalResourceId) {
    throw new Error(`DELETE: cannot change the physical resource ID from "${request.PhysicalResourceId}" to "${result.PhysicalResourceId}" during deletion`);
  }
  return { ...request, ...result, PhysicalResourceId: physicalResourceId };
}

function defaultPhysicalResourceId(request: Event): string {
  switch (request.RequestType) {
    case 'Create': return request.RequestId;
    case 'Update':
    case 'Delete': return request.PhysicalResourceId;
    default: throw new Error(`Invalid "RequestType" in request "${JSON.stringify(request)}"`);
  }
}
