/**
 * The Create request of a job that runs once (a batch job, an import), built once from its
 * properties: the handler sends it at deploy (lambda/kinds/personalize/), and a schedule's
 * universal target sends it at each tick with the name and output path Scheduler fills in
 * (src/personalize/private/recurring-runs.ts).
 * Member names are those of the Personalize API reference (botocore's `personalize` model), which
 * is what a universal target's Input must use. Plain data: the handler's bundle imports it.
 */
import type { BatchJobProperties, DatasetImportJobProperties } from '../../private/contract';

/** Which Create a batch job calls. */
export type BatchJobVariant = 'inference' | 'segment';

/** CreateBatchInferenceJob's or CreateBatchSegmentJob's request, without tags. */
export interface BatchJobRequest {
  readonly jobName: string;
  /** Absent until the handler has found the solution's latest version (SolutionArn). */
  readonly solutionVersionArn?: string;
  readonly filterArn?: string;
  readonly numResults?: number;
  readonly jobInput: { readonly s3DataSource: { readonly path: string; readonly kmsKeyArn?: string } };
  readonly jobOutput: { readonly s3DataDestination: { readonly path: string; readonly kmsKeyArn?: string } };
  readonly roleArn: string;
  readonly batchInferenceJobConfig?: Record<string, unknown>;
  readonly batchInferenceJobMode?: string;
  readonly themeGenerationConfig?: { readonly fieldsForThemeGeneration: { readonly itemName: string } };
}

type RequestValues = Omit<BatchJobProperties, 'ContractVersion' | 'Wait' | 'WaitSeconds' | 'WaitStateMachineArn' | 'SignalUrl' | 'Tags' | 'SolutionArn'>;

/** The request for `values`; `numResults` is the parsed NumResults (a number in JSON, which a universal target's Input keeps). */
export function batchJobRequest(variant: BatchJobVariant, values: RequestValues, numResults: number | undefined): BatchJobRequest {
  const common = {
    jobName: values.Name,
    solutionVersionArn: values.SolutionVersionArn,
    filterArn: values.FilterArn,
    numResults,
    jobInput: { s3DataSource: withoutUndefined({ path: values.InputPath, kmsKeyArn: values.InputKmsKeyArn }) },
    jobOutput: { s3DataDestination: withoutUndefined({ path: values.OutputPath, kmsKeyArn: values.OutputKmsKeyArn }) },
    roleArn: values.RoleArn,
  };
  if (variant === 'segment') return withoutUndefined(common);
  return withoutUndefined({
    ...common,
    batchInferenceJobConfig: values.JobConfig === undefined ? undefined : JSON.parse(values.JobConfig),
    batchInferenceJobMode: values.Mode,
    themeGenerationConfig: values.ThemeItemNameField === undefined ? undefined
      : { fieldsForThemeGeneration: { itemName: values.ThemeItemNameField } },
  });
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as T;
}

/** CreateDatasetImportJob's request, without tags. */
export interface DatasetImportJobRequest {
  readonly jobName: string;
  readonly datasetArn: string;
  readonly dataSource: { readonly dataLocation: string };
  readonly roleArn: string;
  readonly importMode: string;
  readonly publishAttributionMetricsToS3: boolean;
}

export function datasetImportJobRequest(
  values: Pick<DatasetImportJobProperties, 'Name' | 'DatasetArn' | 'DataLocation' | 'RoleArn' | 'ImportMode'>, publishAttributionMetricsToS3: boolean,
): DatasetImportJobRequest {
  return {
    jobName: values.Name,
    datasetArn: values.DatasetArn,
    dataSource: { dataLocation: values.DataLocation },
    roleArn: values.RoleArn,
    importMode: values.ImportMode,
    publishAttributionMetricsToS3,
  };
}
