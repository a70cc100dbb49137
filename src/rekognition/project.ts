import { Arn, ArnFormat, IResource, Names, RemovalPolicy, Resource, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnProject } from 'aws-cdk-lib/aws-rekognition';
import { Construct } from 'constructs';
import { validateProjectArn, validateProjectName } from './private/validation';


/**
 * An Amazon Rekognition Custom Labels project, owned by this app or imported.
 */
export interface IProject extends IResource {
  /**
   * The ARN of the project, `arn:aws:rekognition:REGION:ACCOUNT:project/NAME/CREATION_TIME`.
   * Unknown (reading it throws) for a project imported by name: the ARN ends in the
   * project's creation time.
   *
   * @attribute
   */
  readonly projectArn: string;

  /**
   * The name of the project.
   * @attribute
   */
  readonly projectName: string;

  /**
   * Grants permission to describe the projects of the account (`rekognition:DescribeProjects`,
   * which takes no resource-level permission).
   */
  grantDescribe(grantee: iam.IGrantable): iam.Grant;
}

/**
 * Properties of a project.
 */
export interface ProjectProps {
  /**
   * The name of the project: 1-255 letters, digits, underscores, dots and hyphens.
   *
   * @default - a name generated from the construct path
   */
  readonly projectName?: string;

  /**
   * What happens to the project when it leaves the stack. A project can be deleted
   * only once its datasets and models are deleted.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

abstract class ProjectBase extends Resource implements IProject {
  public abstract readonly projectArn: string;
  public abstract readonly projectName: string;

  public grantDescribe(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['rekognition:DescribeProjects'], resourceArns: ['*'] });
  }
}

/**
 * An Amazon Rekognition Custom Labels project: the container of a model's TRAIN and
 * TEST datasets and of its versions.
 *
 * An L2 over CloudFormation's `AWS::Rekognition::Project`, which creates the project
 * synchronously and needs nothing more; its datasets are `Dataset` constructs.
 *
 * @resource AWS::Rekognition::Project
 */
export class Project extends ProjectBase {
  /**
   * Imports a project by its ARN, `arn:aws:rekognition:REGION:ACCOUNT:project/NAME/CREATION_TIME`.
   */
  public static fromProjectArn(scope: Construct, id: string, projectArn: string): IProject {
    validateProjectArn('projectArn', projectArn);
    const projectName = Token.isUnresolved(projectArn)
      ? Arn.split(projectArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!.split('/')[0]
      : projectArn.split(':project/')[1].split('/')[0];

    class Import extends ProjectBase {
      public readonly projectArn = projectArn;
      public readonly projectName = projectName;
    }
    return new Import(scope, id, { environmentFromArn: projectArn });
  }

  /**
   * Imports a project by its name. Its ARN is not known (it ends in the project's
   * creation time); datasets in it find the project by name when they are created.
   */
  public static fromProjectName(scope: Construct, id: string, projectName: string): IProject {
    validateProjectName('projectName', projectName);

    class Import extends ProjectBase {
      public readonly projectName = projectName;

      public get projectArn(): string {
        throw new Error(`The ARN of imported project '${this.node.path}' is unknown: it ends in the project's creation time. `
          + 'Import it with Project.fromProjectArn to use its ARN.');
      }
    }
    return new Import(scope, id);
  }

  public readonly projectArn: string;
  public readonly projectName: string;

  constructor(scope: Construct, id: string, props: ProjectProps = {}) {
    super(scope, id);
    validateProjectName('projectName', props.projectName);
    this.projectName = props.projectName ?? Names.uniqueResourceName(this, { maxLength: 255, separator: '-' });
    const resource = new CfnProject(this, 'Resource', { projectName: this.projectName });
    resource.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.DESTROY);
    this.projectArn = resource.attrArn;
  }
}

