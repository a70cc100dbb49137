import {
  Arn, ArnFormat, IResource, ITaggable, Lazy, RemovalPolicy, Resource, TagManager,
  TagType, Token,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { DatasetGroup, IDatasetGroup } from './dataset-group';
import { FilterExpression } from './filter-expression';
import { AvroRecord } from './private/avro';
import { problemsUnlessSkipped, refuseOrWarn } from '../private/checks';
import { Attributes, FilterProperties, ResourceTypes, TagProperty } from '../private/contract';
import { FILTER } from './private/declarations';
import { recordOf } from './private/definition-checks';
import { describeFilterProblem, firstFilterProblem, parseFilterExpression } from './private/filter-grammar';
import { ownArnPattern } from './private/grant-patterns';
import { datasetsOf, memberCreationArn, whenAppDeclared } from './private/group-members';
import { requireDatasetGroup } from './private/own-group';
import { declaredResource } from '../private/declared-resource';
import { PhysicalName, physicalName, replacementKeyOf } from '../private/names';
import { requireInstance } from '../private/runtime-types';
import { claimName, tagProblems, validateName, validatePersonalizeArn } from '../private/validation';

/**
 * An Amazon Personalize filter, owned by this app or imported.
 */
export interface IFilter extends IResource {
  /**
   * The ARN of the filter.
   * @attribute
   */
  readonly filterArn: string;

  /**
   * The name of the filter.
   * @attribute
   */
  readonly filterName: string;

  /**
   * Grants the given actions on this filter.
   */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /**
   * Grants permission to describe this filter.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/**
 * Properties of a filter.
 */
export interface FilterProps {
  /**
   * The dataset group the filter belongs to.
   */
  readonly datasetGroup: IDatasetGroup;

  /**
   * The expression: what the filter includes in or excludes from recommendations.
   *
   * Checked at synth: the grammar, the service's rules, and every field against the
   * schema of its dataset when that dataset is declared in this app; a refusal names the
   * filter, the character where the problem is and the rule. `FilterExpression.fromText(text,
   * { skipChecks: true })` turns refusals into `cdk-personalize:checkSkipped` warnings.
   * Filters cannot be updated: a changed expression replaces the filter.
   */
  readonly expression: FilterExpression;

  /**
   * The name of the filter: 1-63 letters, digits, hyphens and underscores, starting
   * with a letter or digit.
   *
   * With an explicit name, a changed expression is refused at deploy time, since the
   * replacement would need the same name: change the name in the same deployment.
   *
   * @default - a name generated from the construct path, the group and the expression,
   * so a replacement gets a new one
   */
  readonly filterName?: string;

  /**
   * What happens to the filter when it leaves the stack. A retained filter keeps
   * its group's datasets from being deleted.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

abstract class FilterBase extends Resource implements IFilter {
  public abstract readonly filterArn: string;
  public abstract readonly filterName: string;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.filterArn] });
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'personalize:DescribeFilter');
  }
}

/**
 * An Amazon Personalize filter: an expression that includes or excludes items,
 * actions or users from recommendations and segments, by interactions or metadata.
 *
 * Backed by a custom resource that waits until the filter is ACTIVE, reports the
 * service's failure reason, updates tags in place and replaces the filter when its
 * expression changes. The filter is created after the group's datasets declared in
 * this app, and deleted before them (Personalize refuses to delete a dataset while
 * its group has filters).
 *
 * @resource Custom::PersonalizeFilter
 */
export class Filter extends FilterBase implements ITaggable {
  /**
   * Imports a filter by its ARN, `…:filter/NAME`.
   */
  public static fromFilterArn(scope: Construct, id: string, filterArn: string): IFilter {
    validatePersonalizeArn('filterArn', filterArn);
    const name = Token.isUnresolved(filterArn) ? undefined : Arn.split(filterArn, ArnFormat.SLASH_RESOURCE_NAME);
    if (name && name.resource !== 'filter') {
      throw new Error(`Invalid filterArn: '${filterArn}' is a Personalize '${name.resource}' ARN, not a filter ARN (…:filter/NAME).`);
    }
    class Import extends FilterBase {
      public readonly filterArn = filterArn;
      public readonly filterName = name?.resourceName ?? Arn.split(filterArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
    }
    return new Import(scope, id, { environmentFromArn: filterArn });
  }

  public readonly filterArn: string;
  public readonly filterName: string;

  /**
   * The dataset group the filter belongs to.
   */
  public readonly datasetGroup: IDatasetGroup;

  /**
   * The filter's expression.
   */
  public readonly expression: FilterExpression;

  /**
   * Tags for the filter. Tags set with `Tags.of(scope)` land here too.
   */
  public readonly tags: TagManager;

  /** @internal the filter's name, which changes when it is replaced (what a batch job's name hashes) */
  public readonly _physicalName: PhysicalName;

  constructor(scope: Construct, id: string, props: FilterProps) {
    super(scope, id);
    const { datasetGroup: group, expression } = props;
    validateName('filterName', props.filterName);
    requireDatasetGroup(group);
    requireInstance('expression', expression, FilterExpression, 'FilterExpression (FilterExpression.fromText, .include or .exclude)');
    refuseOrWarn(this, expression.skipChecks, syntaxProblems(this, expression.text));
    claimName(this, 'Filter', 'filterName', props.filterName);
    this.datasetGroup = group;
    this.expression = expression;

    const name = physicalName(this, props.filterName, [replacementKeyOf(group, group.datasetGroupArn), expression.text]);
    this._physicalName = name;
    this.tags = new TagManager(TagType.KEY_VALUE, ResourceTypes.FILTER);
    this.node.addValidation({
      validate: () => [
        ...tagProblems(this.renderTags()), ...problemsUnlessSkipped(this, expression.skipChecks, schemaProblems(this, group, expression.text)),
      ],
    });

    const resource = declaredResource<FilterProperties>(this, FILTER, {
      properties: {
        Name: name.name,
        DatasetGroupArn: group.datasetGroupArn,
        FilterExpression: expression.text,
        Tags: Lazy.any({ produce: () => this.renderTags() }) as unknown as TagProperty[],
      },
      removalPolicy: props.removalPolicy,
      resources: { self: [ownArnPattern(this, FILTER, name)], group: [memberCreationArn(group)] },
    });

    this.filterArn = resource.getAttString(Attributes.ARN);
    this.filterName = resource.getAttString(Attributes.NAME);

    // After every dataset of the group: CreateFilter needs them, and DeleteDataset waits for filters.
    whenAppDeclared(this, () => datasetsOf(this, group).forEach((dataset) => resource.node.addDependency(dataset)));
  }

  private renderTags(): TagProperty[] {
    return (this.tags.renderTags() as TagProperty[] | undefined) ?? [];
  }
}

function syntaxProblems(scope: IConstruct, text: string): string[] {
  if (Token.isUnresolved(text)) return [];
  const { problem } = parseFilterExpression(text);
  return problem ? [`Invalid expression of filter '${scope.node.path}': ${describeFilterProblem(text, problem)}.`] : [];
}

/** The rules that need the group's datasets, checked once the whole app is declared. */
function schemaProblems(scope: IConstruct, group: IDatasetGroup, text: string): string[] {
  if (Token.isUnresolved(text)) return [];
  const datasets = datasetsOf(scope, group);
  const schemas: Record<string, AvroRecord | undefined> = {};
  for (const dataset of datasets) schemas[dataset.datasetType] = recordOf(dataset.schema.definition?.json);
  // Only for a group this app owns is the list of its datasets complete.
  const types = group instanceof DatasetGroup ? new Set(datasets.map((dataset) => dataset.datasetType as string)) : undefined;
  const problem = firstFilterProblem(text, schemas, types);
  return problem ? [`Invalid expression of filter '${scope.node.path}': ${describeFilterProblem(text, problem)}.`] : [];
}
