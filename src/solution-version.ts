import { IResource } from 'aws-cdk-lib';
import { ISolution } from './solution';

/**
 * A trained model of a solution, made by this app or imported. A construct that
 * deploys it (a campaign) depends on it, so it waits until training has finished.
 */
export interface ISolutionVersion extends IResource {
  /**
   * The ARN of the solution version.
   * @attribute
   */
  readonly solutionVersionArn: string;

  /**
   * The solution this version trains, when known.
   */
  readonly solution?: ISolution;
}
