/**
 * One lifecycle scenario's world: a local Personalize and a local Rekognition service, a fresh copy of
 * the bundled handler pointed at it, the Provider framework around the handler,
 * and CloudFormation in front. `verify` checks what every scenario must hold.
 */
import { randomUUID } from 'crypto';
import { PersonalizeClient } from '@aws-sdk/client-personalize';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { ensureFreshBundle, HandlerHost, startHandlerHost } from './bundle';
import { LocalCloudFormation } from './cloudformation';
import { FUNCTION_KEYS, HarnessDecision, HarnessIam } from './iam';
import { ProviderFramework } from './provider-framework';
import { SignalEndpoint } from './signals';
import { SimClock } from './sim-clock';
import { StackIdentity, TemplateJson } from './template';
import {
  HARNESS_PROVIDER_TIMING, HARNESS_RETRY_POLICY, HARNESS_WAIT_POLICY, ProviderTiming, requestDeadlineMs, SERVICE_TRANSITION_MS,
} from './timing';
import type { WaitPolicy } from '../../lambda/engine';
import type { RetryPolicy } from '../../lambda/retry';
import { FunctionConfig, LocalLambda } from '../local-lambda/server';
import { LocalPersonalize, LocalPersonalizeOptions, ResourceSnapshot } from '../local-personalize/server';
import { LocalRekognition, LocalRekognitionOptions } from '../local-rekognition/server';
import { LocalS3 } from '../local-s3/server';
import { LocalStepFunctions } from '../local-stepfunctions/server';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const DEFAULT_STACK_NAME = 'LifecycleStack';
/**
 * Jest's timeout for a lifecycle test, in real time: only a guard against a scenario that
 * waits forever. The outcome never depends on it (the world runs on a virtual clock), but a
 * machine busy with other work runs a scenario several times slower.
 */
export const LIFECYCLE_TEST_TIMEOUT_MS = 180_000;
/** How long the harness waits for deletes already under way to finish, in virtual time. */
const SETTLE_TIMEOUT_MS = 3_000;

export interface EnvironmentOptions {
  /** Options of the local service; durations in virtual milliseconds. @default transitions of SERVICE_TRANSITION_MS */
  readonly service?: Omit<LocalPersonalizeOptions, 'now' | 'clock' | 'region' | 'accountId'>;
  /** Options of the local Rekognition service; durations in virtual milliseconds. @default transitions of SERVICE_TRANSITION_MS */
  readonly rekognition?: Omit<LocalRekognitionOptions, 'now' | 'clock' | 'region' | 'accountId'>;
  /**
   * How many times faster than the harness's clock the service's clock runs. Only the
   * request-rate window feels it (durations above are scaled to match), so
   * `requestsPerSecond: 5` with speed 50 means 5 requests per 20 ms of the harness's
   * clock: production's rate against the harness's 50-times-faster timings. @default 1
   */
  readonly serviceClockSpeed?: number;
  readonly stackName?: string;
  readonly waitPolicy?: WaitPolicy;
  readonly retryPolicy?: RetryPolicy;
  readonly providerTiming?: ProviderTiming;
}

/** How many deliveries, requests and invocations were recorded up to a point. */
export interface RecordCounts {
  readonly deliveries: number;
  readonly requests: number;
  readonly invocations: number;
}

/** Exceptions a scenario allows to the invariants. */
export interface VerifyOptions {
  /** ARNs allowed to remain in the service (e.g. a group that never leaves CREATE IN_PROGRESS). */
  readonly leftovers?: string[];
  /** IAM denials the scenario means to provoke (e.g. a forged physical ID naming another stack's group), by their message. */
  readonly denials?: RegExp[];
}

export class LifecycleEnvironment {
  public static async start(options: EnvironmentOptions = {}): Promise<LifecycleEnvironment> {
    await ensureFreshBundle();
    const clock = new SimClock();
    const speed = options.serviceClockSpeed ?? 1;
    const origin = clock.now();
    const scaled = (ms: number | undefined) => (ms ?? SERVICE_TRANSITION_MS) * speed;
    const now = speed === 1 ? undefined : () => origin + (clock.now() - origin) * speed;
    // Every bucket exists: the harness does not simulate AWS::S3::Bucket. Import and batch jobs fail where no data is.
    const s3 = await LocalS3.start({ anyBucket: true });
    const deployed: { cloudformation?: LocalCloudFormation; iam?: HarnessIam } = {};
    const service = await LocalPersonalize.start({
      dataExists: (location) => s3.hasData(location),
      // Personalize reads and writes as the role a request passed; the request's trace ties the decision to its delivery, so that
      // a read of a job whose delivery CloudFormation no longer listens to (it rolled back meanwhile) is not a grant missing.
      readDenied: (roleArn, location) => deployed.iam?.serviceReadDenied(roleArn, s3.objectsAt(location), service.handledTraceRoot),
      writeDenied: (roleArn, location) => deployed.iam?.serviceWriteDenied(roleArn, location, service.handledTraceRoot),
      writeOutput: (location, body) => {
        const [, bucket, key] = /^s3:\/\/([^/]+)\/(.*)$/.exec(location) ?? [];
        if (bucket) s3.putObject(bucket, key, body);
      },
      keyDenied: (roleArn, kmsKeyArn, groupArn) => deployed.iam?.groupKeyDenied(roleArn, kmsKeyArn, groupArn),
      ...options.service,
      activeAfterMs: scaled(options.service?.activeAfterMs),
      deleteAfterMs: scaled(options.service?.deleteAfterMs),
      updateAfterMs: scaled(options.service?.updateAfterMs),
      region: REGION,
      accountId: ACCOUNT,
      clock,
      now,
    });
    const rekognition = await LocalRekognition.start({
      ...options.rekognition,
      activeAfterMs: scaled(options.rekognition?.activeAfterMs),
      deleteAfterMs: scaled(options.rekognition?.deleteAfterMs),
      region: REGION,
      accountId: ACCOUNT,
      clock,
      now,
    });
    const lambda = await LocalLambda.start(clock);
    // The state machines of whatever stack the environment has deployed (bound once the environment exists).
    const stepFunctions = await LocalStepFunctions.start({
      region: REGION,
      accountId: ACCOUNT,
      clock,
      definitionOf: (arn) => stateMachineDefinition(deployed.cloudformation, arn),
      worldOf: (stateMachineArn) => ({
        now: () => clock.now(),
        sleep: (ms) => clock.sleep(ms, 'Step Functions'),
        // A Task calls Lambda as the state machine's role: Step Functions reports a denial as the Task's error.
        invoke: async (functionArn, payload) => {
          const denied = deployed.iam?.checkStateMachine(stateMachineArn, 'lambda', 'Invoke', { FunctionName: functionArn });
          if (denied) return { error: 'Lambda.AWSLambdaException', cause: denied.message };
          return lambda.invokeSync(functionArn, payload);
        },
      }),
    });
    return new LifecycleEnvironment(clock, service, rekognition, s3, lambda, stepFunctions, deployed, options);
  }

  public readonly cloudformation: LocalCloudFormation;
  public readonly framework: ProviderFramework;
  public readonly waitPolicy: WaitPolicy;
  public readonly retryPolicy: RetryPolicy;
  /** What one request may take, from delivery to response, under this environment's policies. */
  private readonly requestDeadlineMs: number;
  /** IAM as AWS evaluates it, for every call a function of the stack makes (ADR 0013). */
  public readonly iam: HarnessIam;
  private readonly handlers: HandlerHost;
  private readonly longWaitHost: LazyHost;
  private directClient?: PersonalizeClient;
  private directRekognitionClient?: RekognitionClient;

  private constructor(
    /** The virtual clock everything in this environment waits on. */
    public readonly clock: SimClock,
    public readonly service: LocalPersonalize,
    public readonly rekognition: LocalRekognition,
    /** A local S3 for what the handler copies and the local Personalize reads (dataset import jobs). */
    public readonly s3: LocalS3,
    /** The local Lambda: runs the template's functions for Step Functions and asynchronous invokes. */
    public readonly lambda: LocalLambda,
    /** The local Step Functions: runs the template's state machines (the long wait). */
    public readonly stepFunctions: LocalStepFunctions,
    /** Where the local Step Functions finds the deployed template: this environment's CloudFormation. */
    private readonly deployed: { cloudformation?: LocalCloudFormation; iam?: HarnessIam },
    private readonly options: EnvironmentOptions,
    handlers?: HandlerHost,
    longWaitHost?: LazyHost,
  ) {
    this.waitPolicy = options.waitPolicy ?? HARNESS_WAIT_POLICY;
    this.retryPolicy = options.retryPolicy ?? HARNESS_RETRY_POLICY;
    this.requestDeadlineMs = requestDeadlineMs(this.waitPolicy, this.retryPolicy);
    // The SDK in the handler reads these when its client is first used, as in Lambda.
    const lambdaEnvironment = {
      AWS_ENDPOINT_URL_PERSONALIZE: service.endpoint,
      AWS_ENDPOINT_URL_REKOGNITION: rekognition.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
      AWS_ENDPOINT_URL_SFN: stepFunctions.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: FUNCTION_KEYS.handler,
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_PERSONALIZE_SILENT: 'true',
      // What Lambda sets in a function's sandbox; the SDK passes the trace header on only inside Lambda.
      AWS_LAMBDA_FUNCTION_NAME: 'CdkPersonalizeProvider',
    };
    const handlerOptions = { waitPolicy: this.waitPolicy, retryPolicy: this.retryPolicy };
    this.handlers = handlers ?? startHandlerHost(lambdaEnvironment, handlerOptions, clock);
    // The long wait's function is a function of its own, with its own role: a copy of the bundle that signs as it.
    this.longWaitHost = longWaitHost ?? new LazyHost(() => startHandlerHost({
      ...lambdaEnvironment, AWS_ACCESS_KEY_ID: FUNCTION_KEYS.longWait, AWS_LAMBDA_FUNCTION_NAME: 'CdkPersonalizeLongWait',
    }, handlerOptions, clock));
    this.framework = new ProviderFramework(this.handlers, options.providerTiming ?? HARNESS_PROVIDER_TIMING, clock);
    const host = this.handlers;
    const longWait = this.longWaitHost;
    const stackName = options.stackName ?? DEFAULT_STACK_NAME;
    const identity: StackIdentity = {
      stackName,
      stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${stackName}/${randomUUID()}`,
      region: REGION,
      account: ACCOUNT,
      partition: 'aws',
    };
    const signals = new SignalEndpoint(identity.stackId, identity.region);
    s3.route(signals.bucket, signals);
    this.cloudformation = new LocalCloudFormation(this.framework, identity, clock, signals);
    deployed.cloudformation = this.cloudformation;
    const iam = new HarnessIam(() => this.cloudformation, (traceRoot) => {
      const requestId = this.framework.requestOfTrace.get(traceRoot);
      return this.framework.deliveries.find((delivery) => delivery.request.RequestId === requestId)?.request.ResourceType;
    });
    this.iam = deployed.iam = iam;
    service.authorizer = (key, operation, input, trace) => iam.check(key, 'personalize', operation, input, (arn) => service.tagsOf(arn), trace);
    rekognition.authorizer = (key, operation, input, trace) =>
      iam.check(key, 'rekognition', operation, input, (arn) => rekognition.tagsOf(arn), trace);
    s3.authorizer = (key, operation, input, trace) => iam.check(key, 's3', operation, input, undefined, trace);
    stepFunctions.authorizer = (key, operation, input, trace) => iam.check(key, 'states', operation, input, undefined, trace);
    // The template's own functions (the long wait's), by the ARN the harness gives them: the logical ID after 'function:'.
    lambda.attach((handler, payload, timeoutMs, functionArn, traceId) =>
      (handler === 'longWait' ? longWait.get() : host).invoke(handler, payload, timeoutMs, functionArn, traceId),
    (functionArn) => functionOf(this.cloudformation, functionArn));
  }

  /** The denials among `decisions` a scenario answers for: not those of deliveries CloudFormation stopped listening to. */
  public deniedWhileHeard(decisions: readonly HarnessDecision[]): string[] {
    return this.iam.deniedWhileHeard(decisions, (traceRoot) => {
      const requestId = this.framework.requestOfTrace.get(traceRoot);
      return requestId !== undefined && this.cloudformation.wasUnheard(requestId);
    });
  }

  /** Shorthand for cloudformation.deploy, with the template's policies loaded for IAM first. */
  public async deploy(template: TemplateJson) {
    await this.iam.prepare(template);
    return this.cloudformation.deploy(template);
  }

  /** Shorthand for cloudformation.destroy. */
  public destroy() {
    return this.cloudformation.destroy();
  }

  /** The owner tag value the handler gives a resource of this stack. */
  public ownerOf(logicalId: string): string {
    return `${this.cloudformation.identity.stackName}/${logicalId}`;
  }

  /** An SDK client of the test's own, for changes made outside CloudFormation; time stands still while it calls. */
  public client(): PersonalizeClient {
    this.directClient ??= holdingTheClock(new PersonalizeClient(this.service.clientConfig()), this.clock);
    return this.directClient;
  }

  /** An SDK client of the test's own for the local Rekognition service (projects are made by the test). */
  public rekognitionClient(): RekognitionClient {
    this.directRekognitionClient ??= holdingTheClock(new RekognitionClient(this.rekognition.clientConfig()), this.clock);
    return this.directRekognitionClient;
  }

  /** What exists in the Personalize service once every delete already under way (in either service) has finished. */
  public async settledResources(timeoutMs = SETTLE_TIMEOUT_MS): Promise<ResourceSnapshot[]> {
    const deleting = () => [...this.service.resources(), ...this.rekognition.resources()].some((r) => r.status?.startsWith('DELETE'));
    let timedOut = false;
    const cancel = this.clock.schedule(timeoutMs, () => {
      timedOut = true;
    }, 'settling deletes');
    await this.clock.until(() => timedOut || !deleting());
    cancel();
    return this.service.resources();
  }

  /**
   * What every scenario must hold: each delivery answered exactly once, each
   * request answered, no invocation past its Lambda timeout, no request past the
   * total timeout (nor the framework's own), no response over 4,096 bytes, and
   * nothing left in the service beyond the allowed leftovers.
   */
  public async verify(options: VerifyOptions = {}): Promise<void> {
    expect(await this.violations(options)).toEqual([]);
  }

  /** What `verify` checks, as a list of violations (empty when all hold), for callers outside jest. */
  public async violations(options: VerifyOptions = {}): Promise<string[]> {
    // Cancelled requests' handlers run on after CloudFormation stopped listening; what they leave counts too.
    await this.cloudformation.settled();
    await this.stepFunctions.settled();
    await this.lambda.settled();
    const violations = this.deliveryViolations();
    // Lambda's own limits: an invocation past its timeout, or a chain Lambda stopped. (A function's errors are the waits' to report.)
    for (const invocation of this.lambda.invocations.filter((i) => i.outcome === 'timed out' || i.outcome === 'stopped as a recursive loop')) {
      violations.push(`the invocation of ${invocation.functionArn} for ${JSON.stringify(invocation.payload)} ended ${invocation.outcome}`);
    }
    // Every call IAM denied, unless the scenario provoked it: a denial is a grant AWS would not give.
    for (const denial of new Set(this.deniedWhileHeard(this.iam.decisions))) {
      if (!(options.denials ?? []).some((expected) => expected.test(denial))) violations.push(`IAM denied: ${denial}`);
    }
    for (const denial of new Set(this.iam.keyDenials)) {
      if (!(options.denials ?? []).some((expected) => expected.test(denial))) violations.push(`KMS denied: ${denial}`);
    }
    const allowed = new Set(options.leftovers ?? []);
    // Rekognition projects are the test's own (the harness does not simulate AWS::Rekognition::Project): only datasets count.
    for (const resource of [...await this.settledResources(), ...this.rekognition.resources('dataset')]) {
      if (!allowed.has(resource.arn)) violations.push(`${resource.kind} ${resource.arn} is left in the service (${resource.status ?? 'no status'})`);
    }
    return violations;
  }

  /**
   * The invariants of requests and invocations alone, from the `from`th delivery,
   * request and invocation on (so a caller checking after every step sees each once).
   */
  public deliveryViolations(from: RecordCounts = { deliveries: 0, requests: 0, invocations: 0 }): string[] {
    const violations: string[] = [];
    for (const delivery of this.framework.deliveries.slice(from.deliveries)) {
      const what = `${delivery.request.RequestType} of ${delivery.request.LogicalResourceId}`;
      if (delivery.responses.length !== 1) violations.push(`${what} got ${delivery.responses.length} responses`);
      if (delivery.frameworkTimedOut) violations.push(`${what} ran into the framework's own timeout instead of the engine's`);
      const durationMs = (delivery.finishedAt ?? this.clock.now()) - delivery.startedAt;
      if (durationMs > this.requestDeadlineMs) violations.push(`${what} took ${durationMs} ms, past the total timeout (${this.requestDeadlineMs} ms)`);
    }
    for (const record of this.cloudformation.requests.slice(from.requests)) {
      if (record.responses.length !== record.deliveries) {
        violations.push(`${record.request.RequestType} of ${record.request.LogicalResourceId} got ${record.responses.length} responses for ${record.deliveries} deliveries`);
      }
      if (record.accepted.Reason === 'Response object is too long.') {
        violations.push(`${record.request.RequestType} of ${record.request.LogicalResourceId} answered with more than 4,096 bytes`);
      }
    }
    for (const invocation of this.framework.invocations.slice(from.invocations).filter((i) => i.outcome === 'timed out')) {
      violations.push(`${invocation.fn} for ${invocation.requestType} of ${invocation.logicalId} ran past its Lambda timeout`);
    }
    return violations;
  }

  /**
   * A fresh environment on this one's services (both emptied) and handler copy, with a
   * new CloudFormation and framework: starting a handler copy costs more than most
   * scenarios, so a caller running many in a row (the explorer) reuses it. This
   * environment must not be used afterwards; stop the new one instead. A handler
   * invocation that outlived its Lambda timeout would run on into the next scenario,
   * so only recycle an environment whose checks found none.
   */
  public async recycle(): Promise<LifecycleEnvironment> {
    await this.cloudformation.settled();
    await this.stepFunctions.settled();
    await this.lambda.settled();
    await this.cloudformation.stop();
    this.directClient?.destroy();
    this.directRekognitionClient?.destroy();
    this.service.reset();
    this.rekognition.reset();
    this.s3.reset();
    this.stepFunctions.reset();
    this.lambda.invocations.length = 0;
    this.iam.report();
    return new LifecycleEnvironment(this.clock, this.service, this.rekognition, this.s3, this.lambda, this.stepFunctions,
      this.deployed, this.options, this.handlers, this.longWaitHost);
  }

  public async stop(): Promise<void> {
    this.directClient?.destroy();
    this.directRekognitionClient?.destroy();
    await this.cloudformation.stop();
    await this.lambda.stop();
    await this.handlers.stop();
    await this.longWaitHost.stop();
    this.iam.report();
    await this.service.stop();
    await this.rekognition.stop();
    await this.stepFunctions.stop();
    await this.s3.stop();
    this.clock.stop();
  }
}

/** A copy of the bundle started on first use: most scenarios never run the long wait. */
class LazyHost {
  private host?: HandlerHost;

  constructor(private readonly start: () => HandlerHost) {}

  public get(): HandlerHost {
    this.host ??= this.start();
    return this.host;
  }

  public async stop(): Promise<void> {
    await this.host?.stop();
  }
}

/** The Lambda function of the deployed template that `functionArn` names: its handler's export and its timeout. */
function functionOf(cloudformation: LocalCloudFormation, functionArn: string): FunctionConfig | undefined {
  const logicalId = /:function:([^:]+)$/.exec(functionArn)?.[1];
  const resource = logicalId ? cloudformation.templateResource(logicalId) : undefined;
  if (resource?.Type !== 'AWS::Lambda::Function') return undefined;
  const handler = String(resource.Properties?.Handler ?? '').replace(/^index\./, '');
  return { handler, timeoutMs: Number(resource.Properties?.Timeout ?? 3) * 1000 };
}

/** The definition of a state machine of the deployed template, resolved as CloudFormation passes it. */
function stateMachineDefinition(cloudformation: LocalCloudFormation | undefined, stateMachineArn: string): string | undefined {
  const logicalId = /:stateMachine:([^:]+)$/.exec(stateMachineArn)?.[1];
  if (!cloudformation || !logicalId || cloudformation.templateResource(logicalId)?.Type !== 'AWS::StepFunctions::StateMachine') return undefined;
  return String(cloudformation.resolvedProperties(logicalId).DefinitionString);
}

/** Counts the client's requests as in flight, as a handler thread's are: time moves only while they are parked at their server. */
export function holdingTheClock<C extends { middlewareStack: { add(middleware: any, options: any): void } }>(client: C, clock: SimClock): C {
  client.middlewareStack.add((next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
    const done = clock.send();
    try {
      return await next(args);
    } finally {
      done();
    }
  }, { step: 'finalizeRequest', name: 'countInTheHarnessClock' });
  return client;
}

/**
 * Runs `body` in an environment of its own and stops it afterwards; for
 * `test.concurrent`, where afterEach hooks cannot tell tests apart.
 */
export async function withEnvironment(options: EnvironmentOptions, body: (env: LifecycleEnvironment) => Promise<void>): Promise<void> {
  const env = await LifecycleEnvironment.start(options);
  try {
    await body(env);
  } finally {
    await env.stop();
  }
}

/**
 * Starts an environment per test and stops it afterwards:
 *
 *   const environment = useEnvironment();
 *   test('...', async () => { const env = await environment({ service: { ... } }); ... });
 */
export function useEnvironment(): (options?: EnvironmentOptions) => Promise<LifecycleEnvironment> {
  let current: LifecycleEnvironment | undefined;
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
  return async (options) => {
    if (current) throw new Error('One environment per test');
    current = await LifecycleEnvironment.start(options);
    return current;
  };
}
