import { createHash } from 'crypto';
import { Arn, ArnFormat, CfnWaitCondition, CfnWaitConditionHandle, Duration, IResource, ITaggable, Lazy, RemovalPolicy, Resource, Stack, TagManager, TagType, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Attributes, ResourceTypes, SolutionVersionProperties, TagProperty } from '../private/contract';
import { versionArns } from './private/grant-patterns';
import { afterImportsInto } from './private/group-members';
import { Recipe } from './recipe';
import { ISolution, Solution } from './solution';
import { declaredResource, watchDeclared } from '../private/declared-resource';
import { importedResource } from '../private/imported';
import { longWorkResult } from '../private/long-work-result';
import { describeValue } from '../private/messages';
import { physicalName, replacementKeyOf } from '../private/names';
import { PersonalizeProvider } from '../private/provider';
import { requireConstruct } from '../private/runtime-types';
import { tagProblems, validatePersonalizeArn } from '../private/validation';
import { SOLUTION_VERSION } from './private/declarations';

/**
 * A trained model of a solution, made by this app or imported. A construct that
 * deploys it (a campaign) depends on it, so it waits until training has finished.
 */
export interface ISolutionVersion extends IResource {
  /**
   * The ARN of the solution version.
   * @attribute
   */
  readonly solutionVersionArn: string;

  /**
   * The solution this version trains, when known.
   */
  readonly solution?: ISolution;
}

/**
 * How a solution version trains.
 */
export enum TrainingMode {
  /** A new model from all the data. */
  FULL = 'FULL',
  /**
   * The last FULL model, updated with new items and interactions. Only for
   * User-Personalization, after an ACTIVE version trained with FULL.
   */
  UPDATE = 'UPDATE',
}

/** A wait condition holds a stack for at most 12 hours (CloudFormation's limit on its Timeout). */
const LONGEST_TRAINING = Duration.hours(12);

/**
 * Properties of a solution version.
 */
export interface SolutionVersionProps {
  /** The solution to train. */
  readonly solution: ISolution;

  /**
   * How to train.
   * @default TrainingMode.FULL
   */
  readonly trainingMode?: TrainingMode;

  /**
   * Any text known at synth: a new value trains a new version on the next deploy, for
   * example a version of the data imported (the name given to the import). Changing the solution or
   * the training mode trains a new version too. Going back to an earlier value uses
   * the version trained for it, without training again.
   * @default - a new version only when the solution or the training mode changes
   */
  readonly retrainOn?: string;

  /**
   * How long the deploy waits for training to finish before it fails and rolls back
   * (which stops the training). At most 12 hours, CloudFormation's limit for a wait condition.
   * @default Duration.hours(12)
   */
  readonly trainingTimeout?: Duration;

  /**
   * What happens to training under way when the version leaves the stack: DESTROY
   * stops it (StopSolutionVersionCreation); RETAIN lets it run. A version cannot be
   * deleted in the API either way: it goes with its solution.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A training run of a solution on deploy: a solution version.
 *
 * Training takes hours, more than a custom resource may take, so the custom resource
 * starts the training and answers at once; the stack's long wait (a Step Functions loop
 * that looks at the training) signals a CloudFormation wait condition, which holds the deploy until the training ends
 * (at most `trainingTimeout`, 12 hours). `solutionVersionArn` is read through the wait
 * condition, so whatever uses it (a campaign) is created only once the version is
 * trained; `node.addDependency(version)` has the same effect. A failed training fails
 * the deploy with the service's reason; a rollback or a delete stops training under
 * way. Versions cannot be deleted in the API: they go with their solution.
 *
 * Training is billed per training hour; HPO multiplies it.
 *
 * @resource Custom::PersonalizeSolutionVersion
 */
export class SolutionVersion extends Resource implements ISolutionVersion, ITaggable {
  /**
   * Imports a solution version by its ARN, `…:solution/NAME/ID`.
   */
  public static fromSolutionVersionArn(scope: Construct, id: string, solutionVersionArn: string): ISolutionVersion {
    validatePersonalizeArn('solutionVersionArn', solutionVersionArn);
    if (!Token.isUnresolved(solutionVersionArn)) {
      const parts = Arn.split(solutionVersionArn, ArnFormat.SLASH_RESOURCE_NAME);
      if (parts.resource !== 'solution' || parts.resourceName?.split('/').length !== 2) {
        throw new Error(`Invalid solutionVersionArn: '${solutionVersionArn}' is not a solution version ARN (…:solution/NAME/ID).`);
      }
    }
    return importedResource<ISolutionVersion>(Resource, scope, id, solutionVersionArn, { solutionVersionArn, solution: undefined });
  }

  public readonly solutionVersionArn: string;
  /** The solution this version trains (always set; optional as in ISolutionVersion). */
  public readonly solution?: ISolution;
  /** How the version trains. */
  public readonly trainingMode: TrainingMode;
  /** Tags for the version. Tags set with `Tags.of(scope)` land here too. */
  public readonly tags: TagManager;

  constructor(scope: Construct, id: string, props: SolutionVersionProps) {
    super(scope, id);
    const { solution } = props;
    requireConstruct('solution', solution, 'an ISolution (a Solution, or Solution.fromSolutionArn)', 'solutionArn');
    const mode = props.trainingMode ?? TrainingMode.FULL;
    const timeout = props.trainingTimeout ?? LONGEST_TRAINING;
    checkTimeout(timeout);
    checkMode(solution, mode);
    if (props.retrainOn !== undefined && Token.isUnresolved(props.retrainOn)) {
      throw new Error(`Invalid retrainOn: ${describeValue(props.retrainOn)}. It must be known at synth: a new value needs a new wait `
        + 'condition in the template. Use a literal, such as the name you give the data import.');
    }
    this.solution = solution;
    this.trainingMode = mode;

    const ownSolution = solution instanceof Solution ? solution : undefined;
    const trainingKey = [replacementKeyOf(solution, solution.solutionArn), mode, props.retrainOn ?? null];
    const name = physicalName(this, undefined, trainingKey);
    // A new training needs a new handle and condition: CloudFormation does not update either, and an old handle keeps its signals.
    const training = digest(JSON.stringify(Stack.of(this).resolve(trainingKey)));
    const handle = new CfnWaitConditionHandle(this, `Handle${training}`);

    this.tags = new TagManager(TagType.KEY_VALUE, ResourceTypes.SOLUTION_VERSION);
    this.node.addValidation({ validate: () => tagProblems(this.renderTags()) });

    const provider = PersonalizeProvider.getOrCreate(this);
    const solutionGrant = ownSolution ? versionArns(this, ownSolution._physicalName) : [`${solution.solutionArn}/*`];
    const longWait = provider.longWait();
    watchDeclared(longWait, this, SOLUTION_VERSION, { self: solutionGrant });
    const resource = declaredResource<SolutionVersionProperties>(this, SOLUTION_VERSION, {
      properties: {
        Name: name.name,
        SolutionArn: solution.solutionArn,
        TrainingMode: mode,
        SignalUrl: handle.ref,
        WaitStateMachineArn: longWait.stateMachine.stateMachineArn,
        WaitSeconds: timeout.toSeconds().toString(),
        RetrainOn: props.retrainOn,
        Tags: Lazy.any({ produce: () => this.renderTags() }) as unknown as TagProperty[],
      },
      removalPolicy: props.removalPolicy,
      resources: { self: [...solutionGrant, ownSolution ? solutionArnGrant(ownSolution) : solution.solutionArn] },
    });
    resource.node.addDependency(longWait);

    const condition = new CfnWaitCondition(this, `Training${training}`, {
      handle: handle.ref,
      timeout: timeout.toSeconds().toString(),
      count: 1,
    });
    condition.node.addDependency(resource);
    // Training reads the group's data: it starts after the app's imports into the group have run.
    const group = solution.datasetGroup;
    if (group) afterImportsInto(this, resource, group);

    // Whatever reads the ARN (a campaign) waits for the training, and for proof that it ended ACTIVE: a wait condition
    // believes any SUCCESS signal sent to its handle's URL.
    const result = longWorkResult(this, `Trained${training}`, ResourceTypes.SOLUTION_VERSION, resource.getAttString(Attributes.ARN), condition);
    this.solutionVersionArn = result.getAttString(Attributes.ARN);
  }

  private renderTags(): TagProperty[] {
    return (this.tags.renderTags() as TagProperty[] | undefined) ?? [];
  }
}

/** The solution ARN the handler is granted for CreateSolutionVersion. */
function solutionArnGrant(solution: Solution): string {
  return versionArns(solution, solution._physicalName)[0].replace(/\/\*$/, '');
}

function checkTimeout(timeout: Duration): void {
  const seconds = timeout.toMilliseconds() / 1000;
  if (Token.isUnresolved(seconds)) return;
  if (seconds < 1 || seconds > LONGEST_TRAINING.toSeconds() || !Number.isInteger(seconds)) {
    throw new Error(`Invalid trainingTimeout: ${timeout.toHumanString()}. A wait condition waits 1 second to 12 hours (43,200 s), `
      + 'in whole seconds; training that needs longer cannot run inside a deploy.');
  }
}

function checkMode(solution: ISolution, mode: TrainingMode): void {
  if (mode !== TrainingMode.UPDATE || !(solution instanceof Solution)) return;
  const name = solution.recipe.recipeName;
  if (name === Recipe.USER_PERSONALIZATION.recipeName || !solution.recipe._isKnown) return;
  throw new Error(`Invalid trainingMode: UPDATE trains incrementally only for the ${Recipe.USER_PERSONALIZATION.recipeName} recipe, `
    + `and solution '${solution.node.path}' uses '${name}'. Use TrainingMode.FULL.`);
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8).toUpperCase();
}
