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
    const [[machineId]] = ofType(stack, 'AWS::StepFunctions::StateMachine').filter(([id]) => /LongWait/.test(id));
    expect(resource.Properties).toMatchObject({
      Name: expect.stringMatching(/^TestStack_Training-[0-9a-f]{8}$/),
      TrainingMode: 'FULL',
      SignalUrl: { Ref: handleId },
      WaitStateMachineArn: { Ref: machineId },
      WaitSeconds: '43200',
    });
    expect(condition.Properties).toEqual({ Handle: { Ref: handleId }, Timeout: '43200', Count: 1 });
    expect(condition.DependsOn).toEqual([resourceId]);
  });

  test('the long wait is a state machine that looks, pauses and looks again, and reports a broken look: no function invokes itself', () => {
    const stack = newStack();
    training(stack);
    const [[machineId, machine]] = ofType(stack, 'AWS::StepFunctions::StateMachine').filter(([id]) => /LongWait/.test(id));
    const [[functionId]] = Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.longWait' } }));
    const parts: unknown[] = machine.Properties.DefinitionString['Fn::Join'][1];
    const definition = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'FUNCTION')).join(''));

    expect(definition.StartAt).toBe('Look');
    expect(definition.States.Look).toMatchObject({ Type: 'Task', Resource: 'FUNCTION', Next: 'Ended?', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Report', ResultPath: '$.failure' }] });
    expect(definition.States['Ended?']).toMatchObject({ Type: 'Choice', Choices: [{ Variable: '$.next', StringEquals: 'look', Next: 'Pause' }], Default: 'Done' });
    expect(definition.States.Pause).toEqual({ Type: 'Wait', SecondsPath: '$.delaySeconds', Next: 'Look' });
    expect(definition.States.Report).toMatchObject({ Type: 'Task', Resource: 'FUNCTION', Next: 'Failed' });
    // Lambda throttling retried for minutes, a failed look twice more: then Report.
    expect(definition.States.Look.Retry.map((r: any) => [r.ErrorEquals.includes('Lambda.TooManyRequestsException'), r.MaxAttempts]))
      .toEqual([[true, 10], [false, 2]]);
    expect(definition.TimeoutSeconds).toBe(13 * 3600);
    // Nothing may invoke the function but the state machine.
    const invokers = ofType(stack, 'AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.PolicyDocument.Statement.some((st: any) => [].concat(st.Action).includes('lambda:InvokeFunction' as never)
        && JSON.stringify(st.Resource).includes(functionId)))
      .flatMap(([, p]) => p.Properties.Roles.map((role: any) => role.Ref));
    expect(invokers).toEqual([expect.stringMatching(/^CdkPersonalizeProviderLongWaitStateMachineRole/)]);
    expect(machineId).toMatch(/^CdkPersonalizeProviderLongWaitStateMachine/);
  });

  test('solutionVersionArn is read from the training\'s result, after the wait condition, so what uses it waits for proof of training', () => {
    const stack = newStack();
    const version = training(stack);
    const [[conditionId]] = ofType(stack, 'AWS::CloudFormation::WaitCondition');
    const [[resourceId]] = ofType(stack, 'Custom::PersonalizeSolutionVersion');
    const [[resultId, result]] = ofType(stack, 'Custom::PersonalizeLongWorkResult');

    expect(stack.resolve(version.solutionVersionArn)).toEqual({ 'Fn::GetAtt': [resultId, 'Arn'] });
    expect(result.Properties).toMatchObject({
      WorkResourceType: 'Custom::PersonalizeSolutionVersion',
      WorkArn: { 'Fn::GetAtt': [resourceId, 'Arn'] },
      WaitData: { 'Fn::GetAtt': [conditionId, 'Data'] },
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

  test('the handler may start waits and describe nothing for them; the long wait may describe this solution\'s versions', () => {
    const stack = newStack();
    training(stack);
    const [[machineId]] = ofType(stack, 'AWS::StepFunctions::StateMachine').filter(([id]) => /LongWait/.test(id));
    const policies = ofType(stack, 'AWS::IAM::Policy');
    const starts = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement
      .filter((st: any) => st.Action === 'states:StartExecution' && st.Resource.Ref === machineId).map(() => p.Properties.Roles[0].Ref));
    expect(starts).toEqual([expect.stringMatching(/^CdkPersonalizeProviderHandlerRole/)]);
    const [[, access]] = policies.filter(([id]) => /LongWaitAccess/.test(id));
    expect(access.Properties.PolicyDocument.Statement).toEqual([{
      Effect: 'Allow', Action: 'personalize:DescribeSolutionVersion', Resource: { 'Fn::Join': ['', expect.arrayContaining([expect.stringContaining(':solution/TestStack_*')])] },
    }]);
  });

  test('only stacks with long work have the long wait', () => {
    const stack = newStack();
    solution(stack);
    Template.fromStack(stack).resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::Lambda::Function', { Handler: 'index.longWait' }, 0);
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
