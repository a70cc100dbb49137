import { Token } from 'aws-cdk-lib';
import type { IDatasetGroup } from '../dataset-group';

/**
 * A key for a dataset group imported into the app, so that the same group imported
 * twice counts as one: its name when known, else its ARN. Undefined when neither is
 * known at synth time; a group the app owns is keyed by itself.
 */
export function importedGroupKey(group: IDatasetGroup): string | undefined {
  if (Token.isUnresolved(group.datasetGroupName)) return Token.isUnresolved(group.datasetGroupArn) ? undefined : `arn ${group.datasetGroupArn}`;
  return `name ${group.datasetGroupName}`;
}
