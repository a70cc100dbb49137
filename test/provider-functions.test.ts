/**
 * The runtime, VPC, concurrency and dead-letter settings of the provider's functions
 * (ADR 0011): by default the newest Node.js runtime the app's aws-cdk-lib knows, which is
 * what cdk-nag's latest-runtime rules compare with; a fixed one when the app asks for it.
 */
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import {
  AutoTraining, DatasetGroup, DatasetType, ProviderFunctions, Recipe, Schema, SchemaDefinition, SchemaField, Solution, SolutionVersion,
} from '../src';
import { BUNDLE_MIN_NODE_MAJOR, newestNodeRuntime } from '../src/private/handler-runtime';

function trainingStack(configure?: (stack: Stack) => void): Stack {
  const stack = new Stack(new App(), 'Functions', { env: { account: '123456789012', region: 'us-east-1' } });
  configure?.(stack);
  const group = new DatasetGroup(stack, 'Group');
  group.addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS,
    schema: new Schema(stack, 'Interactions', {
      definition: SchemaDefinition.fromFields([
        SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP'),
      ]),
    }),
  });
  new SolutionVersion(stack, 'Training', {
    solution: new Solution(stack, 'Recs', { datasetGroup: group, recipe: Recipe.POPULARITY_COUNT, autoTraining: AutoTraining.off() }),
  });
  return stack;
}

function libraryFunctions(stack: Stack): Array<[string, any]> {
  return Object.entries<any>(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
    .filter(([, fn]) => String(fn.Properties.Handler).startsWith('index.'));
}

/** The newest `nodejsNN.x` in aws-cdk-lib's runtime list, as cdk-nag's LambdaLatestVersion rule orders it. */
function newestNodeRuntimeNameAsCdkNagSeesIt(): string {
  const names = lambda.Runtime.ALL.map((runtime) => runtime.name).filter((name) => /^nodejs\d/.test(name));
  return names.sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).pop()!;
}

describe('the runtime of the library\'s functions', () => {
  test('is the newest Node.js runtime aws-cdk-lib knows, the one cdk-nag compares with', () => {
    const functions = libraryFunctions(trainingStack());

    expect(functions.length).toBeGreaterThanOrEqual(3);
    for (const [, fn] of functions) expect(fn.Properties.Runtime).toBe(newestNodeRuntimeNameAsCdkNagSeesIt());
  });

  test.each<[string, () => any]>([
    ['cdk-nag 2 AwsSolutions', () => new AwsSolutionsChecks()],
    ['cdk-nag 2 Serverless', () => new ServerlessChecks()],
  ])('%s reports no latest-runtime finding on them', (_pack, pack) => {
    const stack = trainingStack();
    Aspects.of(stack).add(pack());
    const annotations = Annotations.fromStack(stack);
    const runtimeFindings = [...annotations.findError('*', Match.stringLikeRegexp('(AwsSolutions-L1|Serverless-LambdaLatestVersion)')),
      ...annotations.findWarning('*', Match.stringLikeRegexp('(AwsSolutions-L1|Serverless-LambdaLatestVersion)'))];

    expect(runtimeFindings.map((finding) => finding.id)).toEqual([]);
  });

  test('follows a runtime newer than this aws-cdk-lib knows, once the app\'s aws-cdk-lib lists it', () => {
    const newer = new lambda.Runtime('nodejs98.x', lambda.RuntimeFamily.NODEJS);
    const all = [...lambda.Runtime.ALL];
    try {
      expect(newestNodeRuntime()).toBe(newer);
      for (const [, fn] of libraryFunctions(trainingStack())) expect(fn.Properties.Runtime).toBe('nodejs98.x');
    } finally {
      lambda.Runtime.ALL.splice(0, lambda.Runtime.ALL.length, ...all.filter((runtime) => runtime !== newer));
    }
  });

  test('is never older than the Node.js the bundle is built for, nor the variable NODEJS_LATEST', () => {
    const all = [...lambda.Runtime.ALL];
    try {
      lambda.Runtime.ALL.splice(0, lambda.Runtime.ALL.length, lambda.Runtime.NODEJS_18_X, lambda.Runtime.NODEJS_20_X, lambda.Runtime.NODEJS_LATEST);
      expect(newestNodeRuntime().name).toBe(`nodejs${BUNDLE_MIN_NODE_MAJOR}.x`);
    } finally {
      lambda.Runtime.ALL.splice(0, lambda.Runtime.ALL.length, ...all);
    }
  });

  test('is the fixed runtime the app configures', () => {
    const stack = trainingStack((s) => ProviderFunctions.configure(s, { runtime: lambda.Runtime.NODEJS_22_X }));

    for (const [, fn] of libraryFunctions(stack)) expect(fn.Properties.Runtime).toBe('nodejs22.x');
  });

  test.each([
    ['a Node.js runtime older than the bundle', lambda.Runtime.NODEJS_20_X, "Invalid runtime: 'nodejs20.x'. Expected a Node.js runtime of major 22 or later"],
    ['another language', lambda.Runtime.PYTHON_3_12, "Invalid runtime: 'python3.12'. Expected a Node.js runtime of major 22 or later"],
  ])('refuses %s, naming the runtime and the floor', (_case, runtime, message) => {
    expect(() => ProviderFunctions.configure(new Stack(new App(), 'Old'), { runtime })).toThrow(message);
  });
});

describe('ProviderFunctions', () => {
  test('places the library\'s functions and the framework\'s in the VPC, and lets their roles manage the network interfaces', () => {
    let vpc: ec2.Vpc | undefined;
    const stack = trainingStack((s) => {
      vpc = new ec2.Vpc(s, 'Vpc', { maxAzs: 2, natGateways: 1 });
      ProviderFunctions.configure(s, { vpc });
    });
    const template = Template.fromStack(stack);
    const functions = Object.values<any>(template.findResources('AWS::Lambda::Function'));
    const privateSubnets = vpc!.privateSubnets.map((subnet) => stack.resolve(subnet.subnetId));

    // The handler's two, the framework's three and the long wait's.
    expect(functions).toHaveLength(6);
    for (const fn of functions) expect(fn.Properties.VpcConfig.SubnetIds).toEqual(privateSubnets);
    const networkActions = ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'];
    const rolesWithNetworkActions = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => policy.Properties.PolicyDocument.Statement.some(
        (statement: any) => JSON.stringify(statement.Action) === JSON.stringify(networkActions) && statement.Resource === '*'))
      .flatMap((policy) => policy.Properties.Roles.map((role: any) => role.Ref));
    const functionRoles = [...new Set(functions.map((fn) => fn.Properties.Role['Fn::GetAtt'][0]))];
    expect(rolesWithNetworkActions.sort()).toEqual(functionRoles.sort());
  });

  test('cdk-nag 2 AwsSolutions finds nothing new in a VPC: the network-interface grant on "*" is acknowledged with its reason', () => {
    const stack = trainingStack((s) => ProviderFunctions.configure(s, { vpc: new ec2.Vpc(s, 'Vpc', { maxAzs: 2, natGateways: 1 }) }));
    Aspects.of(stack).add(new AwsSolutionsChecks());
    const findings = Annotations.fromStack(stack).findError('/Functions/CdkPersonalizeProvider/*', Match.stringLikeRegexp('AwsSolutions-'));

    expect(findings.map((finding) => `${finding.id}: ${String(finding.entry.data).split(':')[0]}`)).toEqual([]);
  });

  test('reserves concurrency and sets the dead-letter queue on each of the library\'s functions, with the right to send to it', () => {
    let queue: sqs.Queue | undefined;
    const stack = trainingStack((s) => {
      queue = new sqs.Queue(s, 'Dlq', { enforceSSL: true });
      ProviderFunctions.configure(s, { reservedConcurrentExecutions: 3, deadLetterQueue: queue });
    });
    const template = Template.fromStack(stack);

    for (const [, fn] of libraryFunctions(stack)) {
      expect(fn.Properties.ReservedConcurrentExecutions).toBe(3);
      expect(fn.Properties.DeadLetterConfig).toEqual({ TargetArn: stack.resolve(queue!.queueArn) });
    }
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: stack.resolve(queue!.queueArn) }]) },
    });
  });

  test('without settings, no function has a VPC, reserved concurrency or dead-letter queue', () => {
    for (const fn of Object.values<any>(Template.fromStack(trainingStack()).findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.VpcConfig).toBeUndefined();
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
      expect(fn.Properties.DeadLetterConfig).toBeUndefined();
    }
  });

  test('refuses settings given after the stack\'s first construct of the library, saying to move the call', () => {
    const stack = new Stack(new App(), 'Late');
    new DatasetGroup(stack, 'Group');

    expect(() => ProviderFunctions.configure(stack, { reservedConcurrentExecutions: 2 })).toThrow(
      "ProviderFunctions.configure was called for stack 'Late' after its first cdk-personalize construct: the provider functions "
      + "already exist. Call it before defining the stack's Personalize and Rekognition resources.");
  });

  test('refuses a second call for the same stack', () => {
    const stack = new Stack(new App(), 'Twice');
    ProviderFunctions.configure(stack, { reservedConcurrentExecutions: 2 });

    expect(() => ProviderFunctions.configure(stack, { reservedConcurrentExecutions: 3 })).toThrow(
      "ProviderFunctions.configure was already called for stack 'Twice'");
  });

  test.each([0, -1, 1.5])('refuses reservedConcurrentExecutions %d', (value) => {
    expect(() => ProviderFunctions.configure(new Stack(new App(), 'Bad'), { reservedConcurrentExecutions: value }))
      .toThrow(`Invalid reservedConcurrentExecutions: ${value}. Expected a whole number of at least 1.`);
  });

  test('refuses subnets or security groups without a VPC', () => {
    expect(() => ProviderFunctions.configure(new Stack(new App(), 'NoVpc'), { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }))
      .toThrow('Invalid vpcSubnets or securityGroups: they place the functions in a VPC, so they need vpc as well.');
  });
});
