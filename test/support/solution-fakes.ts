/**
 * Test-only solutions and solution versions: what a campaign needs of ISolution and
 * ISolutionVersion, with literal ARNs (made in the local service beforehand) or none.
 */
import { Resource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ISolution, ISolutionVersion } from '../../src';

export const RECIPES = {
  USER_PERSONALIZATION: 'arn:aws:personalize:::recipe/aws-user-personalization-v2',
  PERSONALIZED_RANKING: 'arn:aws:personalize:::recipe/aws-personalized-ranking-v2',
  NEXT_BEST_ACTION: 'arn:aws:personalize:::recipe/aws-next-best-action',
  SIMS: 'arn:aws:personalize:::recipe/aws-sims',
};

export class FakeSolution extends Resource implements ISolution {
  constructor(scope: Construct, id: string, public readonly solutionArn: string, public readonly recipeArn?: string) {
    super(scope, id);
  }

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.solutionArn] });
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'personalize:DescribeSolution');
  }
}

export class FakeSolutionVersion extends Resource implements ISolutionVersion {
  constructor(scope: Construct, id: string, public readonly solutionVersionArn: string, public readonly solution?: ISolution) {
    super(scope, id);
  }
}

/** A solution `solution/NAME` of `recipeArn` and its version `solution/NAME/ID`, under `scope`. */
export function fakeVersion(scope: Construct, options: { name?: string; id?: string; recipeArn?: string; withSolution?: boolean } = {}) {
  const solutionArn = `arn:aws:personalize:us-east-1:123456789012:solution/${options.name ?? 'shop'}`;
  const solution = options.withSolution === false ? undefined : new FakeSolution(scope, 'Solution', solutionArn, options.recipeArn);
  return new FakeSolutionVersion(scope, 'Version', `${solutionArn}/${options.id ?? 'abcd1234'}`, solution);
}
