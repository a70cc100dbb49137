/**
 * Batch inference and batch segment jobs (ADR 0018): jobs that run once, like imports. The
 * construct puts a hash of everything the job does in its name, so a change of input, output,
 * version or config is a new job (a replacement); tags change in place. The API can neither
 * stop nor delete a batch job: a delete leaves it, running or ended, and its output stays in S3.
 * The request is built by the same function that builds a schedule's recurring runs.
 */
import { ListSolutionVersionsCommand } from '@aws-sdk/client-personalize';
import { apiTags, describeOrUndefined, hasOwnerTag, personalize, syncTags } from './common';
import { listAll, PAGE_SIZE } from './group-children';
import { JobView, JobWait, jobOutcome, leaveJob, observeJob, parseJobWait } from './job-runs';
import { BatchJobRequest, batchJobRequest, BatchJobVariant } from '../../../src/personalize/private/job-requests';
import { Attributes, BatchJobProperties } from '../../../src/private/contract';
import { KindDeclaration } from '../../../src/private/declaration';
import { optionalString, parseTags, requiredString } from '../../properties';
import { KindContext, ResourceKind } from '../../resource-kind';
import { arnByName, declaredFields } from '../declared';

export interface BatchJobSpec extends JobWait {
  readonly name: string;
  /** Without a version in the request: the solution whose latest ACTIVE version runs, found at create. */
  readonly latestOf?: string;
  readonly request: BatchJobRequest;
  readonly tags: Record<string, string>;
}

/** What differs between the two kinds: their calls. */
export interface BatchVariant {
  readonly variant: BatchJobVariant;
  create(request: BatchJobRequest, tags: ReturnType<typeof apiTags>): Promise<string | undefined>;
  describe(arn: string): Promise<JobView & { readonly request: Partial<BatchJobRequest> } | undefined>;
}

const MODES = ['BATCH_INFERENCE', 'THEME_GENERATION'];
/** The public class whose bound a job outlasted, in messages. */
const WAIT_CLASS = 'BatchJobWait';

/** What a Describe of either kind tells the engine, with the request it holds (for ownership) and the version it ran. */
export function viewBatchJob(arn: string, jobArn: string | undefined, job: Record<string, any>):
  JobView & { readonly request: Partial<BatchJobRequest> } {
  return {
    arn: jobArn ?? arn,
    name: job.jobName ?? '',
    status: job.status ?? 'UNKNOWN',
    failureReason: job.failureReason,
    createdAt: job.creationDateTime?.getTime(),
    request: job as Partial<BatchJobRequest>,
    attributes: { [Attributes.SOLUTION_VERSION_ARN]: job.solutionVersionArn ?? '' },
  };
}

/** The solution's newest ACTIVE version, as ListSolutionVersions shows it; an error saying so when it has none. */
async function latestActiveVersion(context: KindContext, solutionArn: string, noun: string): Promise<string> {
  const versions = await listAll(context, 'ListSolutionVersions', async (nextToken) => {
    const r = await personalize().send(new ListSolutionVersionsCommand({ solutionArn, nextToken, maxResults: PAGE_SIZE }));
    return { items: r.solutionVersions, nextToken: r.nextToken };
  });
  const active = versions.filter((version) => version.status === 'ACTIVE' && version.solutionVersionArn)
    .sort((a, b) => (b.creationDateTime?.getTime() ?? 0) - (a.creationDateTime?.getTime() ?? 0));
  if (active.length === 0) {
    throw new Error(`Solution ${solutionArn} has no ACTIVE version for the ${noun} to run on: train one first (a SolutionVersion of it in the `
      + 'app is trained before the job starts), or give the job a solutionVersion.');
  }
  return active[0].solutionVersionArn!;
}

/** The handler kind of one batch variant, from its declaration. */
export function batchJobKind(declaration: KindDeclaration, variant: BatchVariant): ResourceKind<BatchJobSpec, BatchJobProperties> {
  const { noun } = declaration;
  const describe = (context: KindContext, arn: string) => describeOrUndefined(context, `Describe${operationType(declaration)}`,
    () => variant.describe(arn));
  return {
    ...declaredFields(declaration),

    parse: (properties) => {
      const numResultsText = optionalString(properties, 'NumResults');
      const numResults = numResultsText === undefined ? undefined : Number(numResultsText);
      if (numResults !== undefined && (!Number.isInteger(numResults) || numResults < 1)) {
        throw new Error(`Property 'NumResults' must be a whole number, at least 1, got '${numResultsText}'`);
      }
      const mode = optionalString(properties, 'Mode');
      if (mode !== undefined && !MODES.includes(mode)) throw new Error(`Property 'Mode' must be one of ${MODES.join(', ')}, got '${mode}'`);
      const jobConfig = optionalString(properties, 'JobConfig');
      if (jobConfig !== undefined) {
        try {
          JSON.parse(jobConfig);
        } catch {
          throw new Error(`Property 'JobConfig' must be JSON text, got '${jobConfig}'`);
        }
      }
      const values = {
        Name: requiredString(properties, 'Name'),
        SolutionVersionArn: optionalString(properties, 'SolutionVersionArn'),
        InputPath: requiredString(properties, 'InputPath'),
        InputKmsKeyArn: optionalString(properties, 'InputKmsKeyArn'),
        OutputPath: requiredString(properties, 'OutputPath'),
        OutputKmsKeyArn: optionalString(properties, 'OutputKmsKeyArn'),
        RoleArn: requiredString(properties, 'RoleArn'),
        FilterArn: optionalString(properties, 'FilterArn'),
        Mode: mode,
        ThemeItemNameField: optionalString(properties, 'ThemeItemNameField'),
        JobConfig: jobConfig,
      };
      const latestOf = optionalString(properties, 'SolutionArn');
      if ((values.SolutionVersionArn === undefined) === (latestOf === undefined)) {
        throw new Error('Exactly one of the properties \'SolutionVersionArn\' and \'SolutionArn\' must be given');
      }
      const request = batchJobRequest(variant.variant, values, numResults);
      return { name: values.Name, latestOf, request, ...parseJobWait(properties), tags: parseTags(properties) };
    },

    nameOf: (spec) => spec.name,

    replacementCauses: (oldSpec, newSpec) => {
      const members = new Set([...Object.keys(oldSpec.request), ...Object.keys(newSpec.request)]) as Set<keyof BatchJobRequest>;
      return [...[...members].filter((member) => JSON.stringify(oldSpec.request[member]) !== JSON.stringify(newSpec.request[member])),
        ...(oldSpec.latestOf !== newSpec.latestOf ? ['solution'] : [])];
    },

    create: async (context, spec) => {
      const request = spec.latestOf ? { ...spec.request, solutionVersionArn: await latestActiveVersion(context, spec.latestOf, noun) } : spec.request;
      const arn = await context.call(`Create${operationType(declaration)}`, () => variant.create(request, apiTags(spec.tags, context.owner)));
      return arn!;
    },

    arnOf: arnByName(declaration),

    isOwned: async (context, arn, spec, question) => {
      if (!await hasOwnerTag(context, arn)) return false;
      if (question.purpose === 'delete' || spec === undefined) return true;
      const job = await describe(context, arn);
      const sameVersion = spec.latestOf ? job?.request.solutionVersionArn?.startsWith(`${spec.latestOf}/`)
        : job?.request.solutionVersionArn === spec.request.solutionVersionArn;
      return job !== undefined && sameVersion === true
        && job.request.jobInput?.s3DataSource.path === spec.request.jobInput.s3DataSource.path
        && job.request.jobOutput?.s3DataDestination.path === spec.request.jobOutput.s3DataDestination.path;
    },

    update: (context, arn, oldSpec, newSpec) => syncTags(context, arn, newSpec.tags, oldSpec.tags),

    observe: async (context, arn, operation, spec) => observeJob(context, declaration.resourceType, await describe(context, arn), operation,
      spec, (seconds) => `the ${noun} is still running after ${seconds} s, the bound of ${WAIT_CLASS}.untilActive. The job goes on `
        + `and still writes its output. ${advice(WAIT_CLASS)}`),

    delete: async (_context, arn) => leaveJob(noun, arn, 'the API neither stops nor deletes batch jobs. It is left as it is, and its output stays in S3.'),

    longWorkAdvice: advice(WAIT_CLASS),

    outcome: async (context, arn) => jobOutcome(noun, arn, await describe(context, arn),
      'its solution was probably deleted', 'wrote its output'),
  };
}

function advice(waitClass: string): string {
  return `Raise the bound of ${waitClass}.untilActive (at most 12 hours), or deploy with ${waitClass}.startOnly() to let the deploy finish `
    + 'while the job runs.';
}

/** `BatchInferenceJob` of `personalize:CreateBatchInferenceJob`. */
function operationType(declaration: KindDeclaration): string {
  const create = declaration.calls.find((declared) => /:Create/.test(declared.operation))!.operation;
  return create.replace(/^[a-z]+:Create/, '');
}
