import { ArnFormat, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PhysicalName } from '../../private/names';

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

/**
 * The ARNs of a solution's versions, `solution/NAME/ID`, as the handler is granted them: a generated
 * name's pattern (`STACKTOKEN_*`) covers them, an explicit name needs `NAME/*`.
 */
export function versionArns(scope: IConstruct, name: PhysicalName): string[] {
  const solution = personalizeArnPattern(scope, 'solution', name);
  return name.grantPattern === name.name ? [`${solution}/*`] : [solution];
}
