/**
 * Batch inference and batch segment jobs (ADR 0018): jobs that run once, like imports. The
 * construct puts a hash of everything the job does in its name, so a change of input, output,
 * version or config is a new job (a replacement); tags change in place. The API can neither
 * stop nor delete a batch job: a delete leaves it, running or ended, and its output stays in S3.
 * The request is built by the same function that builds a schedule's recurring runs.
 */
import { apiTags, describeOrUndefined, hasOwnerTag, syncTags } from './common';
import { JobView, JobWait, jobOutcome, leaveJob, observeJob, parseJobWait } from './job-runs';
import { BatchJobRequest, batchJobRequest, BatchJobVariant } from '../../../src/personalize/private/job-requests';
import { BatchJobProperties } from '../../../src/private/contract';
import { KindDeclaration } from '../../../src/private/declaration';
import { optionalString, parseTags, requiredString } from '../../properties';
import { KindContext, ResourceKind } from '../../resource-kind';
import { arnByName, declaredFields } from '../declared';

export interface BatchJobSpec extends JobWait {
  readonly name: string;
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

/** What a Describe of either kind tells the engine, with the request it holds (for ownership). */
export function viewBatchJob(arn: string, jobArn: string | undefined, job: Record<string, any>):
  JobView & { readonly request: Partial<BatchJobRequest> } {
  return {
    arn: jobArn ?? arn,
    name: job.jobName ?? '',
    status: job.status ?? 'UNKNOWN',
    failureReason: job.failureReason,
    createdAt: job.creationDateTime?.getTime(),
    request: job as Partial<BatchJobRequest>,
  };
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
        SolutionVersionArn: requiredString(properties, 'SolutionVersionArn'),
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
      const request = batchJobRequest(variant.variant, values, numResults);
      return { name: values.Name, request, ...parseJobWait(properties), tags: parseTags(properties) };
    },

    nameOf: (spec) => spec.name,

    replacementCauses: (oldSpec, newSpec) => {
      const members = new Set([...Object.keys(oldSpec.request), ...Object.keys(newSpec.request)]) as Set<keyof BatchJobRequest>;
      return [...members].filter((member) => JSON.stringify(oldSpec.request[member]) !== JSON.stringify(newSpec.request[member]));
    },

    create: async (context, spec) => {
      const arn = await context.call(`Create${operationType(declaration)}`, () => variant.create(spec.request, apiTags(spec.tags, context.owner)));
      return arn!;
    },

    arnOf: arnByName(declaration),

    isOwned: async (context, arn, spec, question) => {
      if (!await hasOwnerTag(context, arn)) return false;
      if (question.purpose === 'delete' || spec === undefined) return true;
      const job = await describe(context, arn);
      return job !== undefined && job.request.solutionVersionArn === spec.request.solutionVersionArn
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
