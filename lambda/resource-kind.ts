import type { Clock } from './clock';

export type Operation = 'create' | 'update' | 'delete';

/** What the service says about a resource right now. */
export interface Observation {
  /** The status exactly as the API spells it, e.g. "CREATE IN_PROGRESS". */
  readonly status: string;
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

/**
 * One resource kind: everything the engine needs to drive its lifecycle. A kind
 * knows its API; the engine knows CloudFormation, waiting and failure handling.
 */
export interface ResourceKind<P> {
  /** The CloudFormation resource type this kind handles, e.g. Custom::PersonalizeDatasetGroup. */
  readonly resourceType: string;
  /** Used in messages: "dataset group". */
  readonly noun: string;
  /** The construct prop a user changes to resolve a same-name replacement. */
  readonly nameProperty: string;
  /** Delay before the first Describe after Create; 0 for kinds the API creates synchronously. */
  readonly firstPollDelayMs?: number;

  /** Decodes the custom resource properties (all strings), accepting older contract versions. */
  parse(properties: Record<string, unknown>): P;
  nameOf(props: P): string;
  /** True for ARNs this kind produced; anything else (e.g. a failed Create's placeholder) is not ours to delete. */
  isOwnPhysicalId(physicalId: string): boolean;
  /** Names of changed properties the API cannot update in place. */
  replacementCauses(oldProps: P, newProps: P): string[];

  /** Starts creation and returns the ARN. Throws ResourceAlreadyExistsException if the name is taken. */
  create(context: KindContext, props: P): Promise<string>;
  /** The ARN a resource with these props has, for adopting it after ResourceAlreadyExists. */
  arnOf(context: KindContext, props: P): string;
  /** Whether an existing resource was created by this stack resource (safe to adopt). */
  isOwned(context: KindContext, arn: string, props: P): Promise<boolean>;
  /** Applies an in-place change. */
  update(context: KindContext, arn: string, oldProps: P, newProps: P): Promise<void>;
  /**
   * Describes the resource; undefined when it does not exist. `props` are what the stack
   * asks for (absent for a delete), so that a kind can tell the outcome of this operation
   * from that of an earlier one, such as an update that failed in a past deployment.
   */
  observe(context: KindContext, arn: string, operation: Operation, props?: P): Promise<Observation | undefined>;
  /** Starts deletion. May throw ResourceInUseException or ResourceNotFoundException. */
  delete(context: KindContext, arn: string): Promise<void>;
}
