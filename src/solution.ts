import { IResource } from 'aws-cdk-lib';
import { IDatasetGroup } from './dataset-group';

/**
 * An Amazon Personalize solution: a recipe and its settings for one dataset group,
 * owned by this app or imported.
 */
export interface ISolution extends IResource {
  /**
   * The ARN of the solution.
   * @attribute
   */
  readonly solutionArn: string;

  /**
   * The dataset group the solution trains on, when known.
   */
  readonly datasetGroup?: IDatasetGroup;

  /**
   * The ARN of the solution's recipe, when known
   * (for example `arn:aws:personalize:::recipe/aws-user-personalization-v2`).
   */
  readonly recipeArn?: string;
}
