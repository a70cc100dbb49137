import { Resource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { grantOnArn } from './grants';

/**
 * What a Personalize dataset and a Rekognition dataset grant alike, on the dataset's ARN.
 * Hidden from jsii: its members become each Dataset's own.
 * @internal
 */
export abstract class GrantableDataset extends Resource {
  public abstract readonly datasetArn: string;
  /** @internal the actions grantRead grants */
  protected abstract readonly _readActions: string[];

  /**
   * Grants the given actions on this dataset.
   */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return grantOnArn(grantee, this.datasetArn, actions);
  }

  /**
   * Grants permission to read this dataset.
   *
   * An Amazon Personalize dataset: to describe it and list its tags. A Rekognition Custom Labels
   * dataset: to describe it and read its entries and labels (`rekognition:DescribeDataset`,
   * `rekognition:ListDatasetEntries`, `rekognition:ListDatasetLabels`), which is also what copying
   * it into another dataset needs.
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...this._readActions);
  }
}
