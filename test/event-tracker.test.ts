import { App, CfnResource, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DatasetGroup, DatasetType, EventTracker, Schema, SchemaDefinition, SchemaField } from '../src';
import { coversAction, ownedGrant } from './support/handler-grants';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

function newStack(app = new App()): Stack {
  return new Stack(app, 'TestStack', { env: { account: ACCOUNT, region: REGION } });
}

function withInteractions(stack: Stack, group: DatasetGroup) {
  const schema = new Schema(stack, 'InteractionsSchema', {
    definition: SchemaDefinition.fromFields([SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP')]),
  });
  return group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema });
}

function trackerProperties(stack: Stack): Record<string, any> {
  const resources = Template.fromStack(stack).findResources('Custom::PersonalizeEventTracker');
  return Object.values(resources)[0].Properties;
}

describe('EventTracker', () => {
  test('synthesizes one custom resource with a generated name, the group ARN and its tags', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Group', { datasetGroupName: 'shop' });
    withInteractions(stack, group);
    const tracker = new EventTracker(stack, 'Tracker', { datasetGroup: group });
    Tags.of(tracker).add('team', 'recs');

    const properties = trackerProperties(stack);
    expect(properties.Name).toMatch(/^TestStack_Tracker-[0-9a-f]{8}$/);
    expect(properties.DatasetGroupArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Group/), 'Arn'] });
    expect(properties.Tags).toEqual([{ Key: 'team', Value: 'recs' }]);
    expect(stack.resolve(tracker.trackingId)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Tracker/), 'TrackingId'] });
    expect(stack.resolve(tracker.eventTrackerArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Tracker/), 'Arn'] });
  });

  test('is created after the group\'s Interactions dataset declared in the app, so it is deleted before it', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Group');
    const tracker = new EventTracker(stack, 'Tracker', { datasetGroup: group });
    const interactions = withInteractions(stack, group);

    const template = Template.fromStack(stack).toJSON();
    const trackerId = stack.getLogicalId(tracker.node.findChild('Resource').node.defaultChild as CfnResource);
    const datasetId = stack.getLogicalId(interactions.node.findChild('Resource').node.defaultChild as CfnResource);
    expect(template.Resources[trackerId].DependsOn).toContain(datasetId);
    Annotations.fromStack(stack).hasNoWarning('/TestStack/Tracker', Match.anyValue());
  });

  test('warns when the group has no Interactions dataset in the app', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Group');
    new EventTracker(stack, 'Tracker', { datasetGroup: group });

    Annotations.fromStack(stack).hasWarning('/TestStack/Tracker', Match.stringLikeRegexp(
      "Dataset group 'TestStack/Group' has no Interactions dataset in this app. The event tracker is created anyway"));
  });

  test('rejects a second event tracker for one dataset group, naming the first', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Group');
    new EventTracker(stack, 'First', { datasetGroup: group });

    expect(() => new EventTracker(stack, 'Second', { datasetGroup: group }))
      .toThrow('Invalid datasetGroup: dataset group \'TestStack/Group\' already has an event tracker (\'TestStack/First\'), and Personalize '
        + 'allows one event tracker per dataset group. Share that tracker (its trackingId) between the producers of events.');
  });

  test('rejects a second event tracker for the same imported group imported twice', () => {
    const stack = newStack();
    new EventTracker(stack, 'First', { datasetGroup: DatasetGroup.fromDatasetGroupName(stack, 'A', 'shop') });

    expect(() => new EventTracker(stack, 'Second', { datasetGroup: DatasetGroup.fromDatasetGroupName(stack, 'B', 'shop') }))
      .toThrow(/already has an event tracker \('TestStack\/First'\)/);
  });

  test('rejects an invalid eventTrackerName', () => {
    const stack = newStack();
    expect(() => new EventTracker(stack, 'Tracker', { datasetGroup: new DatasetGroup(stack, 'Group'), eventTrackerName: '-clicks' }))
      .toThrow(/^Invalid eventTrackerName: '-clicks' \(7 characters\)/);
  });

  test('rejects an explicit eventTrackerName used twice in one account and region', () => {
    const app = new App();
    const first = newStack(app);
    const second = new Stack(app, 'Other', { env: { account: ACCOUNT, region: REGION } });
    new EventTracker(first, 'Tracker', { datasetGroup: new DatasetGroup(first, 'Group'), eventTrackerName: 'clicks' });

    expect(() => new EventTracker(second, 'Tracker', { datasetGroup: new DatasetGroup(second, 'Group'), eventTrackerName: 'clicks' }))
      .toThrow(/^Invalid eventTrackerName: 'clicks' is already the eventTrackerName of 'TestStack\/Tracker'/);
  });

  test('the generated name changes with the dataset group, so moving the tracker is a replacement that never collides', () => {
    const nameWith = (groupName: string) => {
      const stack = newStack();
      new EventTracker(stack, 'Tracker', { datasetGroup: new DatasetGroup(stack, 'Group', { datasetGroupName: groupName }) });
      return trackerProperties(stack).Name;
    };
    expect(nameWith('a')).not.toEqual(nameWith('b'));
    expect(nameWith('a')).toEqual(nameWith('a'));
  });

  test('grantPutEvents grants personalize:PutEvents on "*": PutEvents takes no resource-level permission, so a grant on the tracker never matches', () => {
    const stack = newStack();
    const tracker = new EventTracker(stack, 'Tracker', { datasetGroup: new DatasetGroup(stack, 'Group') });
    const role = new iam.Role(stack, 'Producer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    tracker.grantPutEvents(role);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as CfnResource) }],
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'personalize:PutEvents', Resource: '*' }] },
    });
  });

  test('an imported tracker grants PutEvents (on "*") and knows its tracking ID only when given', () => {
    const stack = newStack();
    const arn = `arn:aws:personalize:${REGION}:${ACCOUNT}:event-tracker/abcd1234`;
    const withId = EventTracker.fromEventTrackerAttributes(stack, 'WithId', { eventTrackerArn: arn, trackingId: 'id-1' });
    const withoutId = EventTracker.fromEventTrackerAttributes(stack, 'WithoutId', { eventTrackerArn: arn });
    const role = new iam.Role(stack, 'Producer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    withId.grantPutEvents(role);

    expect(withId.trackingId).toBe('id-1');
    expect(() => withoutId.trackingId).toThrow(/^The tracking ID of imported event tracker 'TestStack\/WithoutId' is unknown/);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'personalize:PutEvents', Resource: '*' }] },
    });
  });

  test('rejects an imported tracker ARN that is not a Personalize ARN', () => {
    const stack = newStack();
    expect(() => EventTracker.fromEventTrackerAttributes(stack, 'Bad', { eventTrackerArn: 'arn:aws:s3:::bucket' }))
      .toThrow(/^Invalid eventTrackerArn: 'arn:aws:s3:::bucket'/);
  });

  test('grants the handler CreateEventTracker on the group and the tracker actions on the account\'s trackers', () => {
    const stack = newStack();
    new EventTracker(stack, 'Tracker', { datasetGroup: new DatasetGroup(stack, 'Group', { datasetGroupName: 'shop' }) });

    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const resourceOf = (action: string) => statements
      .filter((s: any) => [s.Action].flat().includes(action))
      .map((s: any) => stack.resolve(s.Resource));
    expect(JSON.stringify(resourceOf('personalize:CreateEventTracker'))).toContain(':dataset-group/shop');
    expect(JSON.stringify(resourceOf('personalize:DescribeEventTracker'))).toContain(`:personalize:${REGION}:${ACCOUNT}:event-tracker/*`);
    // Deleting and tagging come from the grant on what the stack made: only trackers with this stack's owner tag.
    expect(coversAction(ownedGrant(Template.fromStack(stack), 'personalize'), 'personalize:DeleteEventTracker')).toBe(true);
    expect(resourceOf('personalize:ListEventTrackers').flat()).toContain('*');
  });

  test('rejects invalid tags', () => {
    const stack = newStack();
    const tracker = new EventTracker(stack, 'Tracker', { datasetGroup: new DatasetGroup(stack, 'Group') });
    Tags.of(tracker).add('aws:reserved', 'x');

    expect(() => Template.fromStack(stack)).toThrow(/Invalid tag key 'aws:reserved'/);
  });
});
