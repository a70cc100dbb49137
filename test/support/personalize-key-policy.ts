/** What Personalize's principal needs on a key (its KMS page): the same list for a group, an import and an attribution. */
export const PERSONALIZE_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:ListGrants', 'kms:CreateGrant'];

/** The key policy statement, as synthesized, that lets Personalize use a key of the stack for this account and region only. */
export function personalizeKeyStatement(account: string, region: string) {
  return {
    Effect: 'Allow',
    Principal: { Service: 'personalize.amazonaws.com' },
    Action: [...PERSONALIZE_KEY_ACTIONS],
    Resource: '*',
    Condition: {
      StringEquals: { 'aws:SourceAccount': account },
      ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:${region}:${account}:*`]] } },
    },
  };
}
