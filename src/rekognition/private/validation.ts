/**
 * Synth-time checks for Rekognition Custom Labels resources, from the Rekognition API
 * model (botocore rekognition 2016-06-27). Unresolved tokens are skipped.
 */
import { Token } from 'aws-cdk-lib';

const PROJECT_NAME_PATTERN = /^[a-zA-Z0-9_.\-]{1,255}$/;
const PROJECT_ARN_PATTERN = /^arn:[a-z\d-]+:rekognition:[a-z\d-]+:\d{12}:project\/[a-zA-Z0-9_.\-]{1,255}\/[0-9]+$/;
const DATASET_ARN_PATTERN = /^arn:[a-z\d-]+:rekognition:[a-z\d-]+:\d{12}:project\/([a-zA-Z0-9_.\-]{1,255})\/dataset\/(train|test)\/[0-9]+$/;

export function validateProjectName(property: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  if (!PROJECT_NAME_PATTERN.test(name)) {
    throw new Error(`Invalid ${property}: '${name}' (${name.length} characters). A Rekognition project name must be 1-255 `
      + 'characters: letters, digits, underscores (_), dots (.) and hyphens (-).');
  }
}

export function validateProjectArn(property: string, arn: string): void {
  if (Token.isUnresolved(arn)) return;
  if (arn.length > 2048 || !PROJECT_ARN_PATTERN.test(arn)) {
    throw new Error(`Invalid ${property}: '${arn}'. Expected a Rekognition project ARN, `
      + 'arn:PARTITION:rekognition:REGION:ACCOUNT:project/NAME/CREATION_TIME (the creation time in digits), at most 2048 characters.');
  }
}

/** The project name and type (TRAIN or TEST) of a dataset ARN; throws for anything else. */
export function parseDatasetArn(property: string, arn: string): { projectName: string; datasetType: string } {
  const match = DATASET_ARN_PATTERN.exec(arn);
  if (arn.length > 2048 || !match) {
    throw new Error(`Invalid ${property}: '${arn}'. Expected a Rekognition Custom Labels dataset ARN, `
      + 'arn:PARTITION:rekognition:REGION:ACCOUNT:project/NAME/dataset/(train|test)/CREATION_TIME, at most 2048 characters.');
  }
  return { projectName: match[1], datasetType: match[2].toUpperCase() };
}
