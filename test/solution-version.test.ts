import { App, CfnResource, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AutoTraining, Dataset, DatasetGroup, DatasetImportJob, DatasetType, ImportSource, Recipe, Schema, SchemaDefinition, SchemaField, Solution,
  SolutionVersion, SolutionVersionProps, TrainingMode,
} from '../src';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

function newStack(app = new App()): Stack {
  return new Stack(app, 'TestStack', { env: { account: ACCOUNT, region: REGION } });
}

function solution(stack: Stack, recipe = Recipe.USER_PERSONALIZATION): Solution {
  const group = new DatasetGroup(stack, 'Group', { datasetGroupName: 'retail' });
  group.addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS,
    schema: new Schema(stack, 'Schema', {
      definition: SchemaDefinition.fromFields([SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP')]),
    }),
  });
  return new Solution(stack, 'Solution', { datasetGroup: group, recipe, autoTraining: AutoTraining.off() });
}

function training(stack: Stack, props: Partial<SolutionVersionProps> = {}): SolutionVersion {
  return new SolutionVersion(stack, 'Training', { solution: props.solution ?? solution(stack), ...props });
}

function ofType(stack: Stack, type: string): Array<[string, any]> {
  return Object.entries(Template.fromStack(stack).findResources(type));
}

describe('SolutionVersion', () => {
  test('starts training after the app\'s imports into the group, even those declared after it', () => {
    const stack = newStack();
    const version = training(stack);
    const group = version.solution!.datasetGroup as DatasetGroup;
    const interactions = group.node.findAll().find((c): c is Dataset => c instanceof Dataset)!;
    const job = new DatasetImportJob(stack, 'Import', { dataset: interactions, source: ImportSource.fromBucket(new s3.Bucket(stack, 'Data'), 'a.csv') });

    const [[, resource]] = ofType(stack, 'Custom::PersonalizeSolutionVersion');
    expect(resource.DependsOn).toContain(stack.getLogicalId(job.node.defaultChild as CfnResource));
  });

  test('starts training through a custom resource and waits for it with a wait condition of 12 hours by default', () => {
    const stack = newStack();
    training(stack);

    const [[resourceId, resource]] = ofType(stack, 'Custom::PersonalizeSolutionVersion');
    const [[handleId]] = ofType(stack, 'AWS::CloudFormation::WaitConditionHandle');
    const [[, condition]] = ofType(stack, 'AWS::CloudFormation::WaitCondition');
    expect(resource.Properties).toMatchObject({
      Name: expect.stringMatching(/^TestStack_Training-[0-9a-f]{8}$/),
      TrainingMode: 'FULL',
      SignalUrl: { Ref: handleId },
      WatcherFunctionArn: { 'Fn::GetAtt': [expect.stringMatching(/TrainingWatcher/), 'Arn'] },
    });
    expect(condition.Properties).toEqual({ Handle: { Ref: handleId }, Timeout: '43200', Count: 1 });
    expect(condition.DependsOn).toEqual([resourceId]);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.watchTraining', Timeout: 900 });
  });

  test('solutionVersionArn is read through the wait condition, so what uses it waits for training', () => {
    const stack = newStack();
    const version = training(stack);
    const [[conditionId]] = ofType(stack, 'AWS::CloudFormation::WaitCondition');
    const [[resourceId]] = ofType(stack, 'Custom::PersonalizeSolutionVersion');

    expect(stack.resolve(version.solutionVersionArn)).toEqual({
      'Fn::Select': [0, [{ 'Fn::GetAtt': [resourceId, 'Arn'] }, { 'Fn::GetAtt': [conditionId, 'Data'] }]],
    });
  });

  test('a dependent construct depends on the wait condition', () => {
    const stack = newStack();
    const version = training(stack);
    const dependent = new CfnResource(stack, 'Dependent', { type: 'AWS::SNS::Topic' });
    dependent.node.addDependency(version);
    const [[conditionId]] = ofType(stack, 'AWS::CloudFormation::WaitCondition');
    const dependentJson = Template.fromStack(stack).toJSON().Resources.Dependent;
    expect(dependentJson.DependsOn).toContain(conditionId);
  });

  test('a new retrainOn, mode or solution gives a new name, handle and wait condition; the same inputs give the same ones', () => {
    const ids = (props: Partial<SolutionVersionProps>) => {
      const stack = newStack();
      training(stack, props);
      const name = ofType(stack, 'Custom::PersonalizeSolutionVersion')[0][1].Properties.Name;
      return [name, ofType(stack, 'AWS::CloudFormation::WaitConditionHandle')[0][0], ofType(stack, 'AWS::CloudFormation::WaitCondition')[0][0]];
    };
    const base = ids({ retrainOn: 'import-1' });
    expect(ids({ retrainOn: 'import-1' })).toEqual(base);
    for (const changed of [ids({ retrainOn: 'import-2' }), ids({ retrainOn: 'import-1', trainingMode: TrainingMode.UPDATE })]) {
      changed.forEach((id, index) => expect(id).not.toBe(base[index]));
    }
  });

  test('trainingTimeout sets the wait condition timeout', () => {
    const stack = newStack();
    training(stack, { trainingTimeout: Duration.hours(3) });
    expect(ofType(stack, 'AWS::CloudFormation::WaitCondition')[0][1].Properties.Timeout).toBe('10800');
  });

  test.each([[Duration.hours(13)], [Duration.millis(500)]])('trainingTimeout %s is refused, saying up to 12 hours', (timeout) => {
    const stack = newStack();
    expect(() => training(stack, { trainingTimeout: timeout })).toThrow(/^Invalid trainingTimeout: .*A wait condition waits 1 second to 12 hours \(43,200 s\)/);
  });

  test('retrainOn must be known at synth, since a new value needs a new wait condition', () => {
    const stack = newStack();
    expect(() => training(stack, { retrainOn: Lazy.string({ produce: () => 'later' }) }))
      .toThrow(/^Invalid retrainOn: a value known only at deploy time. It must be known at synth: a new value needs a new wait condition/);
  });

  test('UPDATE training needs the User-Personalization recipe', () => {
    const stack = newStack();
    expect(() => training(stack, { solution: solution(stack, Recipe.SIMS), trainingMode: TrainingMode.UPDATE }))
      .toThrow(/^Invalid trainingMode: UPDATE trains incrementally only for the aws-user-personalization recipe, and solution 'TestStack\/Solution' uses 'aws-sims'/);
  });

  test('the handler may invoke the watcher function and no other; the watcher may describe this solution\'s versions and invoke itself', () => {
    const stack = newStack();
    training(stack);
    const [[watcherId]] = Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.watchTraining' } }));
    const statements = ofType(stack, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const invokes = statements.filter((s) => [].concat(s.Action).includes('lambda:InvokeFunction' as never) && JSON.stringify(s.Resource).includes(watcherId));
    expect(invokes.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [watcherId, 'Arn'] }, { 'Fn::GetAtt': [watcherId, 'Arn'] }]);
    const describe = statements.find((s) => s.Action === 'personalize:DescribeSolutionVersion');
    expect(JSON.stringify(describe.Resource)).toContain(':solution/TestStack_*');
  });

  test('only stacks that train have a watcher', () => {
    const stack = newStack();
    solution(stack);
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::Lambda::Function', { Handler: 'index.watchTraining' }, 0);
  });

  test('a removal policy of RETAIN keeps training running when the version leaves the stack', () => {
    const stack = newStack();
    training(stack, { removalPolicy: RemovalPolicy.RETAIN });
    expect(ofType(stack, 'Custom::PersonalizeSolutionVersion')[0][1].DeletionPolicy).toBe('Retain');
  });

  test('fromSolutionVersionArn imports a version, and refuses a solution ARN', () => {
    const stack = newStack();
    const arn = `arn:aws:personalize:${REGION}:${ACCOUNT}:solution/recs/abcd1234`;
    expect(SolutionVersion.fromSolutionVersionArn(stack, 'Imported', arn).solutionVersionArn).toBe(arn);
    expect(() => SolutionVersion.fromSolutionVersionArn(stack, 'Bad', `arn:aws:personalize:${REGION}:${ACCOUNT}:solution/recs`))
      .toThrow(/^Invalid solutionVersionArn: '.*solution\/recs' is not a solution version ARN/);
  });
});
