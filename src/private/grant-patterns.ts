import { ArnFormat, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PhysicalName } from './names';

/** The ARN the handler is granted for a dataset group: exact, or a pattern for a generated name. */
export function datasetGroupArnPattern(scope: IConstruct, name: PhysicalName): string {
  return personalizeArnPattern(scope, 'dataset-group', name);
}

/** The ARN the handler is granted for a schema: exact, or a pattern for a generated name. */
export function schemaArnPattern(scope: IConstruct, name: PhysicalName): string {
  return personalizeArnPattern(scope, 'schema', name);
}

/** The ARN the handler is granted for a resource whose ARN is `RESOURCE/NAME`: exact, or a pattern for a generated name. */
export function personalizeArnPattern(scope: IConstruct, resource: string, name: PhysicalName): string {
  return Stack.of(scope).formatArn({ service: 'personalize', resource, resourceName: name.grantPattern, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}
