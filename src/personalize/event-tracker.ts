import { Annotations, ArnFormat, IResource, ITaggable, Lazy, RemovalPolicy, Resource, Stack, TagManager, TagType } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { DatasetType } from './dataset';
import { DatasetGroup, IDatasetGroup } from './dataset-group';
import { Attributes, EventTrackerProperties, ResourceTypes, TagProperty } from '../private/contract';
import { declaredResource } from '../private/declared-resource';
import { claimOnePerGroup, datasetsOf, memberCreationArn, whenAppDeclared } from './private/group-members';
import { physicalName, replacementKeyOf } from '../private/names';
import { claimName, tagProblems, validateName, validatePersonalizeArn } from '../private/validation';
import { EVENT_TRACKER } from './private/declarations';
import { requireDatasetGroup } from './private/own-group';

/**
 * An Amazon Personalize event tracker, owned by this app or imported.
 */
export interface IEventTracker extends IResource {
  /**
   * The ARN of the event tracker: `…:event-tracker/ID`, with an ID the service picks.
   * @attribute
   */
  readonly eventTrackerArn: string;

  /**
   * The tracking ID that PutEvents calls pass to record events through this tracker.
   *
   * CloudFormation gets it with NoEcho: a stack output of it (or of the tracker's other
   * attributes) shows `*****`; resources that use it get the real value.
   *
   * @attribute
   */
  readonly trackingId: string;

  /**
   * Grants the given actions on this event tracker.
   */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /**
   * Grants `personalize:PutEvents`, so that the grantee can record item interaction
   * events with this tracker's tracking ID. PutEvents takes no resource-level
   * permission, so the grant is on "*": IAM cannot tell one tracker from another.
   */
  grantPutEvents(grantee: iam.IGrantable): iam.Grant;
}

/**
 * What is needed to import an existing event tracker.
 */
export interface EventTrackerAttributes {
  /**
   * The ARN of the event tracker.
   */
  readonly eventTrackerArn: string;

  /**
   * The tracking ID of the event tracker.
   * @default - unknown: reading `trackingId` throws
   */
  readonly trackingId?: string;
}

/**
 * Properties of an event tracker.
 */
export interface EventTrackerProps {
  /**
   * The dataset group whose Interactions dataset the tracker's events go to.
   * A dataset group holds at most one event tracker.
   */
  readonly datasetGroup: IDatasetGroup;

  /**
   * The name of the event tracker: 1-63 letters, digits, hyphens and underscores,
   * starting with a letter or digit.
   *
   * A new name for the tracker of the same group needs two deploys (remove the
   * tracker, deploy, add it back), since the group holds one tracker.
   *
   * @default - a name generated from the construct path and the dataset group
   */
  readonly eventTrackerName?: string;

  /**
   * What happens to the event tracker when it leaves the stack. A retained tracker
   * keeps its dataset group and Interactions dataset from being deleted.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

abstract class EventTrackerBase extends Resource implements IEventTracker {
  public abstract readonly eventTrackerArn: string;
  public abstract readonly trackingId: string;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.eventTrackerArn] });
  }

  public grantPutEvents(grantee: iam.IGrantable): iam.Grant {
    // PutEvents takes no resource-level permission: only "*" grants it (the tracking ID selects the tracker).
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonpersonalize.html
    return iam.Grant.addToPrincipal({ grantee, actions: ['personalize:PutEvents'], resourceArns: ['*'] });
  }
}


/**
 * An Amazon Personalize event tracker: the tracking ID that PutEvents uses to
 * append live item interaction events to a dataset group's Interactions dataset.
 *
 * Creating a tracker does not need the Interactions dataset, but events have
 * nowhere to go without it: record events only once the group's Interactions
 * dataset exists. When that dataset is declared in this app the tracker is
 * created after it (and deleted before it, which Personalize requires); when it
 * is not, synthesis warns.
 *
 * Backed by a custom resource that waits until the tracker is ACTIVE, updates tags
 * in place, and on deletion waits until the tracker is gone.
 *
 * @resource Custom::PersonalizeEventTracker
 */
export class EventTracker extends EventTrackerBase implements ITaggable {
  /**
   * Imports an event tracker from its attributes.
   */
  public static fromEventTrackerAttributes(scope: Construct, id: string, attrs: EventTrackerAttributes): IEventTracker {
    validatePersonalizeArn('eventTrackerArn', attrs.eventTrackerArn);
    class Import extends EventTrackerBase {
      public readonly eventTrackerArn = attrs.eventTrackerArn;

      public get trackingId(): string {
        if (attrs.trackingId === undefined) {
          throw new Error(`The tracking ID of imported event tracker '${this.node.path}' is unknown: it is not part of the ARN. `
            + 'Import it with EventTracker.fromEventTrackerAttributes({ eventTrackerArn, trackingId }) to use it.');
        }
        return attrs.trackingId;
      }
    }
    return new Import(scope, id, { environmentFromArn: attrs.eventTrackerArn });
  }

  public readonly eventTrackerArn: string;
  public readonly trackingId: string;

  /**
   * The name of the event tracker.
   * @attribute
   */
  public readonly eventTrackerName: string;

  /**
   * The dataset group the tracker records events for.
   */
  public readonly datasetGroup: IDatasetGroup;

  /**
   * Tags for the event tracker. Tags set with `Tags.of(scope)` land here too.
   */
  public readonly tags: TagManager;

  constructor(scope: Construct, id: string, props: EventTrackerProps) {
    super(scope, id);
    const group = props.datasetGroup;
    requireDatasetGroup(group);
    validateName('eventTrackerName', props.eventTrackerName);
    claimOnePerGroup('an event tracker', group, this, 'Share that tracker (its trackingId) between the producers of events.');
    claimName(this, 'Event tracker', 'eventTrackerName', props.eventTrackerName);
    this.datasetGroup = group;

    const ownGroup = group instanceof DatasetGroup ? group : undefined;
    const name = physicalName(this, props.eventTrackerName, [replacementKeyOf(group, group.datasetGroupArn)]);
    this.tags = new TagManager(TagType.KEY_VALUE, ResourceTypes.EVENT_TRACKER);
    this.node.addValidation({ validate: () => tagProblems(this.renderTags()) });

    // The service picks the tracker's ID, so the grants name the account's trackers for creating and reading. Changes come from
    // the owned-resources grant: IAM confines them to trackers that carry this stack's owner tag (ADR 0013).
    const trackers = eventTrackerArnPattern(this);
    const resource = declaredResource<EventTrackerProperties>(this, EVENT_TRACKER, {
      properties: {
        Name: name.name,
        DatasetGroupArn: group.datasetGroupArn,
        Tags: Lazy.any({ produce: () => this.renderTags() }) as unknown as TagProperty[],
      },
      removalPolicy: props.removalPolicy,
      resources: { self: [trackers], group: [memberCreationArn(group)] },
    });


    this.eventTrackerArn = resource.getAttString(Attributes.ARN);
    this.eventTrackerName = resource.getAttString(Attributes.NAME);
    this.trackingId = resource.getAttString(Attributes.TRACKING_ID);

    // Once the whole app is declared: follow the group's Interactions dataset, or say that there is none.
    whenAppDeclared(this, () => {
      const interactions = datasetsOf(this, group).find((dataset) => dataset.datasetType === DatasetType.INTERACTIONS);
      if (interactions) {
        resource.node.addDependency(interactions);
      } else if (ownGroup) {
        Annotations.of(this).addWarningV2('cdk-personalize:eventTrackerWithoutInteractions',
          `Dataset group '${group.node.path}' has no Interactions dataset in this app. The event tracker is created anyway, `
          + 'but PutEvents appends events to the group\'s Interactions dataset: create that dataset before recording events.');
      }
    });
  }

  private renderTags(): TagProperty[] {
    return (this.tags.renderTags() as TagProperty[] | undefined) ?? [];
  }
}

/** Every event tracker of the stack's account and region: the service picks the ID in the ARN. */
function eventTrackerArnPattern(scope: IConstruct): string {
  return Stack.of(scope).formatArn({
    service: EVENT_TRACKER.service, resource: EVENT_TRACKER.arn!.resource, resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}
