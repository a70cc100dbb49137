/**
 * cdk-nag suppressions written as plain construct and template metadata, so the
 * library needs no dependency on cdk-nag and works with both of its majors:
 *
 * - cdk-nag 2 (an aspect) reads `cdk_nag.rules_to_suppress` from the CloudFormation
 *   resource's Metadata, where a finding may be named exactly or by a regular expression;
 * - cdk-nag 3 (a policy validation plugin) reads the rules acknowledged on the construct
 *   or its ancestors, under aws-cdk-lib's `Validations.ACKNOWLEDGED_RULES_METADATA_KEY`.
 *   It matches exact IDs only, a rule reporting findings as `RULE[FINDING]`.
 *
 * `Validations.of(x).acknowledge()` writes that same metadata, but refuses IDs with
 * more than one `::`, and every IAM5 finding on a Personalize ARN has several
 * (`Resource::arn:<AWS::Partition>:…`), so the entry is written here directly.
 */
import { CfnResource, Validations } from 'aws-cdk-lib';

/** A finding named by a regular expression, in cdk-nag 2's `/pattern/flags` form. */
export interface NagFindingPattern {
  readonly regex: string;
}

/** One suppression: a rule, why it does not apply, and for rules with findings the findings it covers. */
export interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  /**
   * The findings suppressed, for rules that report findings (such as IAM5). Patterns are
   * understood by cdk-nag 2 only; give cdk-nag 3 the exact findings in `exactFindings`.
   */
  readonly appliesTo?: Array<string | NagFindingPattern>;
  /** For cdk-nag 3 when `appliesTo` holds patterns: the exact findings they were written for. */
  readonly exactFindings?: string[];
}

/** The construct metadata type cdk-nag 3 reads acknowledgments from: 'aws:cdk:acknowledged-rules'. */
export const ACKNOWLEDGED_RULES_METADATA_KEY = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

/** Adds suppressions for both cdk-nag majors, keeping any that are there already. */
export function addNagSuppressions(resource: CfnResource, suppressions: NagSuppression[]): void {
  // cdk-nag 2: the CloudFormation resource's Metadata.
  const existing = (resource.getMetadata('cdk_nag') as { rules_to_suppress?: unknown[] } | undefined)?.rules_to_suppress ?? [];
  const rules = suppressions.map(({ id, reason, appliesTo }) => (appliesTo ? { id, reason, applies_to: appliesTo } : { id, reason }));
  resource.addMetadata('cdk_nag', { rules_to_suppress: [...existing, ...rules] });

  // cdk-nag 3: acknowledged rule IDs on the construct node.
  const acknowledged: Record<string, string> = {};
  for (const suppression of suppressions) {
    for (const ruleId of acknowledgedIds(suppression)) acknowledged[ruleId] = suppression.reason;
  }
  if (Object.keys(acknowledged).length > 0) resource.node.addMetadata(ACKNOWLEDGED_RULES_METADATA_KEY, acknowledged);
}

/** The rule IDs cdk-nag 3 reports for what a suppression covers: `RULE`, or `RULE[FINDING]` per finding. */
export function acknowledgedIds(suppression: NagSuppression): string[] {
  const exact = [
    ...(suppression.appliesTo ?? []).filter((finding): finding is string => typeof finding === 'string'),
    ...(suppression.exactFindings ?? []),
  ];
  if (exact.length === 0 && !suppression.appliesTo) return [suppression.id];
  return exact.map((finding) => `${suppression.id}[${finding}]`);
}

/**
 * A resolved CloudFormation value as cdk-nag names it in a finding: `Fn::Join` joined,
 * `Ref` as `<Name>`, `Fn::GetAtt` as `<Resource.Attribute>`, `${...}` as `<...>`.
 */
export function flattenForNag(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof value === 'object' && value !== null) {
    const node = value as Record<string, any>;
    if (node['Fn::Join']) {
      const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
      return parts.map(flattenForNag).join(separator);
    }
    if (node['Fn::Sub']) return flattenForNag(node['Fn::Sub']);
    if (node['Fn::GetAtt']) {
      const [logicalId, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenForNag(logicalId)}.${flattenForNag(attribute)}>`;
    }
    if (node['Fn::ImportValue']) return flattenForNag(node['Fn::ImportValue']);
    if (node.Ref) return `<${flattenForNag(node.Ref)}>`;
  }
  return JSON.stringify(value);
}
