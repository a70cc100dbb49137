/**
 * What builds a batch inference or batch segment job construct (ADR 0018): the checks of its
 * locations, its role and the buckets' and keys' grants to Personalize (as for imports), its
 * custom resource and wait, and the schedule of its recurring runs. The two constructs add
 * what only their kind has.
 */
import { CfnResource, Lazy, Stack, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { ownArnPattern, versionArns } from './grant-patterns';
import { whenAppDeclared } from './group-members';
import { batchJobRequest, BatchJobVariant } from './job-requests';
import { MAX_JOB_WAIT, waitedJob } from './job-wait';
import { ScheduledRuns, scheduleRuns, SCHEDULED_TIME, SCHEDULED_TIME_LENGTH } from './recurring-runs';
import { checkDataVersion, checkKeyBytes, S3_PATH_MAX_LENGTH } from './s3-locations';
import { Attributes, BatchJobProperties, TagProperty } from '../../private/contract';
import { KindDeclaration } from '../../private/declaration';
import { declaredResource } from '../../private/declared-resource';
import { grantPersonalizeKeyUse } from '../../private/key-access';
import { addNagSuppressions, flattenForNag } from '../../private/nag';
import { physicalName, replacementKeyOf } from '../../private/names';
import { requireConstruct, requireOptionalConstruct, requireOptionalInstance } from '../../private/runtime-types';
import { allowPersonalizeOnBucket, personalizeServiceRole } from '../../private/service-role';
import { tagProblems } from '../../private/validation';
import { BatchJobProps, BatchJobWait } from '../batch-job';
import { Filter } from '../filter';
import { ISolution, Solution } from '../solution';
import { SolutionVersion } from '../solution-version';


export interface BatchKindFacts {
  readonly kind: KindDeclaration;
  readonly variant: BatchJobVariant;
  /** The most results a line of input may ask for, with the page that says so. */
  readonly numResultsMax: { readonly value: number; readonly source: string };
  /** The properties only this kind has. */
  readonly own?: Pick<BatchJobProperties, 'Mode' | 'ThemeItemNameField' | 'JobConfig'>;
  /** Whether the kind's Create is authorized on the solution version too (scope `solutionVersion`). */
  readonly createOnVersion: boolean;
}

export interface BuiltBatchJob {
  readonly arn: string;
  readonly name: string;
  readonly solutionVersionArn: string;
  readonly role: iam.IRole;
  readonly tags: TagManager;
  readonly runs?: ScheduledRuns;
}

/** The job's custom resource and everything around it, under `construct`. */
export function buildBatchJob(construct: Construct, props: BatchJobProps, facts: BatchKindFacts): BuiltBatchJob {
  requireOptionalConstruct('solutionVersion', props.solutionVersion,
    'an ISolutionVersion (a SolutionVersion, or SolutionVersion.fromSolutionVersionArn)', 'solutionVersionArn');
  requireOptionalConstruct('solution', props.solution, 'an ISolution (a Solution, or Solution.fromSolutionArn)', 'solutionArn');
  if ((props.solutionVersion === undefined) === (props.solution === undefined)) {
    throw new Error(`Invalid props of ${facts.kind.noun} '${construct.node.path}': give solutionVersion (a trained version) or solution (its `
      + 'latest ACTIVE version when the job starts), not both and not neither.');
  }
  requireConstruct('inputBucket', props.inputBucket, 'an S3 bucket (s3.IBucket: s3.Bucket or s3.Bucket.fromBucketName)', 'bucketName');
  requireConstruct('outputBucket', props.outputBucket, 'an S3 bucket (s3.IBucket: s3.Bucket or s3.Bucket.fromBucketName)', 'bucketName');
  requireOptionalConstruct('filter', props.filter, 'a Personalize IFilter (a Filter, or Filter.fromFilterArn)', 'filterArn');
  requireOptionalConstruct('role', props.role, 'an IAM role (iam.IRole: iam.Role or iam.Role.fromRoleArn)', 'roleArn');
  requireOptionalInstance('wait', props.wait, BatchJobWait, 'a BatchJobWait (BatchJobWait.untilActive or BatchJobWait.startOnly)');
  checkKey('inputKey', props.inputKey);
  checkKey('outputPrefix', props.outputPrefix);
  if (!Token.isUnresolved(props.outputPrefix) && !props.outputPrefix.endsWith('/')) {
    throw new Error(`Invalid outputPrefix: '${props.outputPrefix}'. Personalize writes a batch job's output into a folder: give a prefix `
      + 'ending in \'/\', such as \'recommendations/\'.');
  }
  checkDataVersion(props.dataVersion);
  const numResults = checkNumResults(props.numResults, facts.numResultsMax);
  const inputPath = `s3://${props.inputBucket.bucketName}/${props.inputKey}`;
  const outputPath = `s3://${props.outputBucket.bucketName}/${props.outputPrefix}`;
  checkPathLength('inputKey', props.inputBucket, props.inputKey, 0);
  checkPathLength('outputPrefix', props.outputBucket, props.outputPrefix, props.recurringRuns ? SCHEDULED_TIME_LENGTH + 1 : 0);
  construct.node.addValidation({ validate: () => filterGroupProblems(construct, props) });

  const role = props.role ?? personalizeServiceRole(construct, `Lets Amazon Personalize read the input and write the output of ${facts.kind.noun} `
    + construct.node.path);
  const readable = props.inputKey.endsWith('/') ? `${props.inputKey}*` : props.inputKey;
  const writable = `${props.outputPrefix}*`;
  if (!props.role) grantBuckets(construct, role, props, readable, writable);
  const policies = [
    allowPersonalizeOnBucket(construct, props.inputBucket, {
      actions: ['s3:GetObject', 's3:ListBucket'],
      objects: props.inputBucket.arnForObjects(readable),
      warningId: 'cdk-personalize:importedInputBucket',
      needed: `s3:GetObject on '${readable}' and s3:ListBucket, or the job fails`,
    }),
    allowPersonalizeOnBucket(construct, props.outputBucket, {
      actions: ['s3:PutObject', 's3:ListBucket'],
      objects: props.outputBucket.arnForObjects(writable),
      warningId: 'cdk-personalize:importedOutputBucket',
      needed: `s3:PutObject on '${writable}' and s3:ListBucket, or the job fails`,
    }),
  ];
  // "Giving Amazon Personalize permission to use your AWS KMS key": the key policy must let Personalize in, and the role use the key.
  const keys = [props.inputBucket.encryptionKey, props.outputBucket.encryptionKey].filter((key) => key !== undefined);
  for (const key of new Set(keys)) grantPersonalizeKeyUse(construct, key!, props.role ? undefined : role, 'the job fails');

  const values = {
    SolutionVersionArn: props.solutionVersion?.solutionVersionArn,
    InputPath: inputPath,
    InputKmsKeyArn: props.inputBucket.encryptionKey?.keyArn,
    OutputPath: outputPath,
    OutputKmsKeyArn: props.outputBucket.encryptionKey?.keyArn,
    RoleArn: role.roleArn,
    FilterArn: props.filter?.filterArn,
    NumResults: numResults === undefined ? undefined : String(numResults),
    ...facts.own,
  };
  const solutionArn = props.solution?.solutionArn;
  // The name hashes everything the job does: a change is a new job. A replaced solution or filter of the app keeps its
  // ARN's token, so they count by their names, which a replacement changes.
  const name = physicalName(construct, undefined, [
    { ...values, FilterArn: props.filter && replacementKeyOf(props.filter, props.filter.filterArn) },
    props.solution ? replacementKeyOf(props.solution, solutionArn!) : null, props.dataVersion ?? null,
  ]);
  const wait = waitedJob(construct, facts.kind, name, props.wait ?? BatchJobWait.untilActive(MAX_JOB_WAIT), 'Ran');
  const tags = new TagManager(TagType.KEY_VALUE, facts.kind.resourceType);
  construct.node.addValidation({ validate: () => tagProblems(renderTags(tags)) });
  const resource = declaredResource<BatchJobProperties>(construct, facts.kind, {
    properties: {
      Name: name.name,
      ...values,
      SolutionArn: solutionArn,
      ...wait.properties,
      Tags: Lazy.any({ produce: () => renderTags(tags) }) as unknown as TagProperty[],
    },
    resources: {
      self: [ownArnPattern(construct, facts.kind, name)],
      role: [role.roleArn],
      ...(facts.createOnVersion ? { solutionVersion: versionGrantArns(props) } : {}),
    },
  });
  // Personalize checks the role and reads the bucket when the job starts; the version must be trained.
  resource.node.addDependency(role);
  for (const policy of policies) if (policy) resource.node.addDependency(policy);
  resource.node.addDependency(props.solutionVersion ?? props.solution!);
  if (props.solution) afterTrainingsOf(resource, props.solution);
  if (props.filter) resource.node.addDependency(props.filter);
  const arn = resource.getAttString(Attributes.ARN);
  wait.waitFor(resource, arn);

  // The runs use the version the deploy ran, read from the job: the schedule may name it (the handler's grants may not: a cycle).
  const ranVersion = resource.getAttString(Attributes.SOLUTION_VERSION_ARN);
  const runs = props.recurringRuns && scheduleRuns(construct, props.recurringRuns, {
    kind: facts.kind,
    deployedName: name.name,
    request: (jobName) => ({
      ...batchJobRequest(facts.variant, { ...values, Name: jobName, SolutionVersionArn: ranVersion, OutputPath: `${outputPath}${SCHEDULED_TIME}/` },
        numResults),
    }),
    resources: { role: [role.roleArn], ...(facts.createOnVersion ? { solutionVersion: [ranVersion] } : {}) },
  }, resource);
  return { arn, name: resource.getAttString(Attributes.NAME), solutionVersionArn: ranVersion, role, tags, runs };
}

/**
 * The versions the handler may run, as it is granted them: a pattern of the solution's versions when the app knows the
 * solution (a trained version's ARN comes from a custom resource, which the handler's grants cannot name without a cycle).
 */
function versionGrantArns(props: BatchJobProps): string[] {
  const solution = solutionOf(props);
  if (solution instanceof Solution) return versionArns(solution, solution._physicalName);
  return solution ? [`${solution.solutionArn}/*`] : [props.solutionVersion!.solutionVersionArn];
}

/** What identifies a solution or filter in a job's name: its name, for one of the app, else its ARN. */
/** The solution whose version runs, when the app knows it. */
export function solutionOf(props: BatchJobProps): ISolution | undefined {
  return props.solution ?? props.solutionVersion?.solution;
}

/** A job on a solution's latest version starts after every training of that solution the app declares. */
function afterTrainingsOf(resource: IConstruct, solution: ISolution): void {
  whenAppDeclared(resource, () => {
    for (const version of resource.node.root.node.findAll()) {
      if (version instanceof SolutionVersion && version.solution === solution) resource.node.addDependency(version);
    }
  });
}

function renderTags(tags: TagManager): TagProperty[] {
  return (tags.renderTags() as TagProperty[] | undefined) ?? [];
}

function checkKey(property: string, key: string): void {
  if (Token.isUnresolved(key)) return;
  if (key.startsWith('/')) throw new Error(`Invalid ${property}: '${key}'. S3 keys start without '/'.`);
  if (property === 'inputKey' && key.length === 0) throw new Error('Invalid inputKey: it is empty. Give the key of a JSON Lines file, or a prefix ending in \'/\'.');
  checkKeyBytes(property, key);
}

/** `s3://BUCKET/KEY` within the API's length; a bucket named at deploy counts as the shortest bucket name (3 characters). */
function checkPathLength(property: string, bucket: IBucket, key: string, reserved: number): void {
  if (Token.isUnresolved(key)) return;
  const bucketLength = Token.isUnresolved(bucket.bucketName) ? 3 : bucket.bucketName.length;
  const length = 's3://'.length + bucketLength + 1 + key.length;
  if (length + reserved > S3_PATH_MAX_LENGTH) {
    const why = reserved > 0 ? ` with the ${reserved} characters a recurring run adds (its scheduled time and '/')` : '';
    throw new Error(`Invalid ${property}: the S3 path of '${key.slice(0, 40)}…' is at least ${length} characters${why}; Personalize accepts `
      + `at most ${S3_PATH_MAX_LENGTH}.`);
  }
}

function checkNumResults(value: number | undefined, max: BatchKindFacts['numResultsMax']): number | undefined {
  if (value === undefined || Token.isUnresolved(value)) return value;
  if (!Number.isInteger(value) || value < 1 || value > max.value) {
    throw new Error(`Invalid numResults: ${value}. Expected a whole number from 1 to ${max.value} (${max.source}).`);
  }
  return value;
}

/** A filter works on the data of its own dataset group: a job's filter must belong to the solution's group. */
function filterGroupProblems(construct: IConstruct, props: BatchJobProps): string[] {
  const solutionGroup = solutionOf(props)?.datasetGroup;
  if (!(props.filter instanceof Filter) || !solutionGroup || props.filter.datasetGroup === solutionGroup) return [];
  return [`Invalid filter of '${construct.node.path}': filter '${props.filter.node.path}' belongs to dataset group `
    + `'${props.filter.datasetGroup.node.path}', and the solution version to '${solutionGroup.node.path}'. Personalize applies a filter `
    + 'to the data of its own group only: use a filter of the solution\'s group.'];
}

/** The created role reads exactly the input and writes under the output prefix. */
function grantBuckets(construct: Construct, role: iam.IRole, props: BatchJobProps, readable: string, writable: string): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [...new Set([props.inputBucket.bucketArn, props.outputBucket.bucketArn])] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.inputBucket.arnForObjects(readable)] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [props.outputBucket.arnForObjects(writable)] }));
  const policy = (role as iam.Role).node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
  if (!policy) return;
  const wildcards = [props.outputBucket.arnForObjects(writable), ...(readable.endsWith('*') ? [props.inputBucket.arnForObjects(readable)] : [])];
  addNagSuppressions(policy.node.defaultChild as CfnResource, [{
    id: 'AwsSolutions-IAM5',
    reason: 'A batch job writes its output files into a folder (and reads every file under an input prefix): the pattern is that folder.',
    appliesTo: wildcards.map((arn) => `Resource::${flattenForNag(Stack.of(construct).resolve(arn))}`),
  }]);
}
