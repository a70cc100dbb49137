import { ArnFormat, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { DATASET, DATASET_GROUP, groupChildKinds, SCHEMA, SOLUTION } from './declarations';
import { KindDeclaration } from '../../private/declaration';
import { PhysicalName } from '../../private/names';
import type { DatasetGroup, IDatasetGroup } from '../dataset-group';

/** The ARN the handler is granted for a dataset group: exact, or a pattern for a generated name. */
export function datasetGroupArnPattern(scope: IConstruct, name: PhysicalName): string {
  return ownArnPattern(scope, DATASET_GROUP, name);
}

/** The ARN the handler is granted for a schema: exact, or a pattern for a generated name. */
export function schemaArnPattern(scope: IConstruct, name: PhysicalName): string {
  return ownArnPattern(scope, SCHEMA, name);
}

/** The ARN the handler is granted for a resource of a kind whose ARN is `RESOURCE/NAME`: exact, or a pattern for a generated name. */
export function ownArnPattern(scope: IConstruct, kind: KindDeclaration, name: PhysicalName): string {
  return Stack.of(scope).formatArn({
    service: kind.service, resource: kind.arn!.resource, resourceName: name.grantPattern, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/**
 * The ARNs of a solution's versions, `solution/NAME/ID`, as the handler is granted them: a generated
 * name's pattern (`STACKTOKEN_*`) covers them, an explicit name needs `NAME/*`.
 */
export function versionArns(scope: IConstruct, name: PhysicalName): string[] {
  const solution = ownArnPattern(scope, SOLUTION, name);
  return name.grantPattern === name.name ? [`${solution}/*`] : [solution];
}

/**
 * What a group with emptyOnDelete deletes, as the handler is granted it. A dataset's ARN names its group, so
 * the grant names the group's datasets only; the other children have names of their own, so every resource
 * of their type is granted, and the handler role's Deny keeps those another stack owns out of reach (ADR 0013).
 */
export function childArnPatterns(scope: IConstruct, groupName: PhysicalName): string[] {
  const arn = (kind: KindDeclaration, resourceName: string) => Stack.of(scope).formatArn({
    service: kind.service, resource: kind.arn!.resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
  return groupChildKinds().map((kind) => (kind === DATASET ? arn(kind, `${groupName.grantPattern}/*`) : arn(kind, '*')));
}

/** For a dataset's or a solution's `groupChildren` scope: the group's children when the app's group has emptyOnDelete. */
export function emptyOnDeleteChildArns(group: IDatasetGroup): string[] | undefined {
  const ownGroup = group as Partial<DatasetGroup>;
  return ownGroup._emptyOnDelete === true && ownGroup._physicalName ? childArnPatterns(group, ownGroup._physicalName) : undefined;
}
