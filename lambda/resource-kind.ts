import type { Clock } from './clock';
import type { Delivered } from './properties';

export type Operation = 'create' | 'update' | 'delete';

/**
 * What a status means, whatever the service calls it. Each kind maps its own
 * service's spelling (Personalize "CREATE IN_PROGRESS", Rekognition
 * "CREATE_IN_PROGRESS") to one of these; the engine reads nothing else.
 */
export type Condition =
  /** Created or updated, and usable. */
  | 'ready'
  /** A create or update is under way and will end by itself. */
  | 'busy'
  /** A create or update ended in failure. */
  | 'failed'
  /** A delete is under way and will end by itself. */
  | 'deleting'
  /** A delete ended in failure. */
  | 'deleteFailed';

/** What the service says about a resource right now. */
export interface Observation {
  /** The status exactly as the service spells it, for messages. */
  readonly status: string;
  readonly condition: Condition;
  /** The service's own words for a failure (Personalize failureReason, Rekognition StatusMessage and code). */
  readonly failureReason?: string;
  /** Returned to CloudFormation as Fn::GetAtt attributes once the operation is done. */
  readonly attributes: Record<string, string>;
}

/** Where the stack runs, and who owns what the handler creates. */
export interface KindContext {
  readonly clock: Clock;
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** Value of the owner tag: identifies this stack's logical resource. */
  readonly owner: string;
  /** Runs one API call with the engine's retry policy for throttles, 5xx and dropped connections. */
  call<T>(operation: string, attempt: () => Promise<T>): Promise<T>;
}

/** What the engine asks when it needs to know whether a resource is this stack resource's own. */
export interface OwnershipQuestion {
  /**
   * `adopt`: a Create met ResourceAlreadyExists, or a same-name Update asks for what
   * the resource is; the resource must also be configured as `props` ask.
   * `delete`: only who made it matters.
   */
  readonly purpose: 'adopt' | 'delete';
  /**
   * For kinds the service cannot tag: a resource this request (or the cancelled
   * Create a Delete cleans up after) made cannot be older than this (epoch ms).
   * Absent when the physical ID CloudFormation recorded already names the resource.
   */
  readonly createdNoEarlierThan?: number;
}

/** How long work ended, in the service's words. */
export interface WorkOutcome {
  readonly success: boolean;
  readonly reason: string;
}

/** What keeps a delete from happening (children, or resources that use this one), by ARN. */
export interface Blockers {
  /** Blockers that go away by themselves (being deleted, finishing, or being removed by the kind): the delete waits for them. */
  readonly deleting: string[];
  /** Blockers that will stay unless someone deletes them: the delete fails, listing them. */
  readonly remaining: string[];
  /** What to do about `remaining`, when it differs from the kind's `blockedDeleteHint`. */
  readonly hint?: string;
}

/**
 * One resource kind: everything the engine needs to drive its lifecycle. A kind
 * knows its service (client, statuses, failure fields); the engine knows
 * CloudFormation, waiting, ownership and failure handling.
 */
export interface ResourceKind<P, C = any> {
  /** The CloudFormation resource type this kind handles, e.g. Custom::PersonalizeDatasetGroup. */
  readonly resourceType: string;
  /** Used in messages: "dataset group". */
  readonly noun: string;
  /** The service, in messages: "Personalize". */
  readonly service: string;
  /** The construct prop a user changes to resolve a same-name replacement. */
  readonly nameProperty: string;
  /** Ends the message of a delete that blockers nobody deletes hold up, e.g. how to have the stack delete them. @default 'Delete them' */
  readonly blockedDeleteHint?: string;
  /** Delay before the first Describe after Create; 0 for kinds the API creates synchronously. */
  readonly firstPollDelayMs?: number;
  /** For kinds with `outcome`: what to do when the long wait gives up on the work, in the reason it gives CloudFormation. */
  readonly longWorkAdvice?: string;
  /**
   * IAM lets the handler read a resource of this kind that the template does not name only when its
   * owner tag names this stack (ADR 0013): a look IAM denies during a delete proves the resource is
   * not this stack's. False for kinds IAM cannot see tags of (schemas, metric attributions).
   */
  readonly ownerTagGatesIam?: boolean;

  /**
   * Whether the attributes of a resource with these props hold a secret (a tracking ID). The
   * engine then answers with NoEcho, so that CloudFormation masks every attribute of the
   * resource in stack outputs and events, and returns the attributes from isComplete only:
   * onEvent's result is the input of the Provider framework's waiter, which Step Functions
   * keeps in its execution history. @default - no secret
   */
  hasSecretAttributes?(props: P): boolean;

  /**
   * Decodes the custom resource properties (all strings), read by the names of their contract
   * type C, accepting older contract versions. A property of the wrong type is an error that names it.
   */
  parse(properties: Delivered<C>): P;
  nameOf(props: P): string;
  /** True for ARNs of this kind; anything else (a placeholder CloudFormation made up) is not one. */
  isOwnPhysicalId(physicalId: string): boolean;
  /** Names of changed properties the API cannot update in place. */
  replacementCauses(oldProps: P, newProps: P): string[];

  /** Starts creation and returns the ARN. Throws ResourceAlreadyExistsException if the name is taken. */
  create(context: KindContext, props: P): Promise<string>;
  /** The ARN a resource with these props has: names are deterministic, so a lost or cancelled Create can be found again. */
  arnOf(context: KindContext, props: P): string;
  /** Whether the existing resource at `arn` was made by this stack resource; see OwnershipQuestion. */
  isOwned(context: KindContext, arn: string, props: P | undefined, question: OwnershipQuestion): Promise<boolean>;
  /**
   * Makes the resource match `newProps` in place. Called only when the resource is
   * not busy, so it compares against what the service holds, not just `oldProps`.
   * Returns whether the service held exactly what `oldProps` asked before: false means
   * another request's calls (a cancelled update's) may have landed, or may still land,
   * and the engine keeps the resource matching for a while (void: not known).
   */
  update(context: KindContext, arn: string, oldProps: P, newProps: P): Promise<boolean | void>;
  /**
   * Describes the resource; undefined when it does not exist. `props` are what the stack
   * asks for (absent for a delete): a ready resource that does not hold them is `failed`.
   */
  observe(context: KindContext, arn: string, operation: Operation, props?: P): Promise<Observation | undefined>;
  /**
   * Starts deletion, or its next step. May throw ResourceInUseException (the
   * engine then waits and calls it again) or ResourceNotFoundException (gone).
   */
  delete(context: KindContext, arn: string, props?: P): Promise<void>;
  /** What keeps a delete that the service refused from happening; absent for kinds whose delete nothing else blocks. */
  blockers?(context: KindContext, arn: string, props?: P): Promise<Blockers>;
  /**
   * For kinds whose work outlasts a custom resource (training, imports): how that work
   * ended, or undefined while it runs. The long wait (lambda/long-wait) looks here until
   * it has an answer for the wait condition (ADR 0014).
   */
  outcome?(context: KindContext, arn: string): Promise<WorkOutcome | undefined>;
}
