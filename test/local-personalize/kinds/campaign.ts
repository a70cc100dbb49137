/**
 * Campaigns: a deployed solution version, or with syncWithLatestSolutionVersion the newest ACTIVE
 * version of a solution (`SOLUTION_ARN/$LATEST`). UpdateCampaign: see serving.ts.
 */
import type { DatasetRecord } from './dataset';
import { Family, TIMES } from './family';
import { ServingRecord, ServingUpdates } from './serving';
import type { SolutionVersionRecord } from './solution-version';
import { Input, KindFactory, Output } from '../core';
import { invalidInput, inUse } from '../errors';
import { IN_FLIGHT, STATUS } from '../lifecycle';
import { requestTags } from '../tags';

export const campaignKind: KindFactory = (core) => {
  const campaigns = new Family<ServingRecord>(core, 'campaign', {
    arnMember: 'campaignArn',
    listMember: 'campaigns',
    listedBy: 'solutionArn',
    describe: [
      'name', 'campaignArn', 'solutionVersionArn', 'minProvisionedTPS', 'campaignConfig', 'status', 'failureReason', ...TIMES,
      'latestCampaignUpdate',
    ],
    summary: ['name', 'campaignArn', 'status', ...TIMES, 'failureReason'],
  });
  const updates = new ServingUpdates(core, campaigns, 'latestCampaignUpdate', (campaign, requested, now) => {
    const details = campaign.details;
    details.requestedVersionArn = requested.solutionVersionArn;
    details.minProvisionedTPS = requested.minProvisionedTPS;
    details.campaignConfig = requested.campaignConfig;
    campaign.solutionVersionArn = deployableVersion(requested.solutionVersionArn as string, following(requested.campaignConfig), now).arn;
  });
  const activeVersionsOf = (solutionArn: string, now: number) => core.ofKind<SolutionVersionRecord>('solutionVersion')
    .filter((v) => v.solutionArn === solutionArn && core.phase(v, now).status === STATUS.active);

  /**
   * The version a campaign deploys: a solution version ARN, or `SOLUTION_ARN/$LATEST` with
   * syncWithLatestSolutionVersion (the solution's newest ACTIVE version).
   */
  function deployableVersion(arn: string, sync: boolean, now: number): SolutionVersionRecord {
    const latest = arn.endsWith('/$LATEST');
    if (latest !== sync) {
      throw invalidInput('syncWithLatestSolutionVersion true needs a solutionVersionArn in SolutionArn/$LATEST format, and that format needs syncWithLatestSolutionVersion true.');
    }
    if (!latest) {
      const version = core.find<SolutionVersionRecord>(arn, 'solutionVersion');
      core.requireActive(version, now, 'before it can be deployed in a campaign');
      return version;
    }
    const solution = core.find(arn.slice(0, -'/$LATEST'.length), 'solution');
    const active = activeVersionsOf(solution.arn, now);
    if (active.length === 0) throw inUse(`Solution ${solution.arn} has no ACTIVE solution version to deploy.`);
    return active[active.length - 1];
  }

  function create(input: Input, now: number): Output {
    const tags = requestTags(input);
    const version = deployableVersion(input.solutionVersionArn, following(input.campaignConfig), now);
    const details: Output = {
      solutionVersionArn: version.arn,
      requestedVersionArn: input.solutionVersionArn,
      minProvisionedTPS: input.minProvisionedTPS ?? 1,
      campaignConfig: input.campaignConfig,
    };
    const fields = {
      name: input.name,
      arn: core.arn(`campaign/${input.name}`),
      datasetGroupArn: version.datasetGroupArn,
      solutionArn: version.solutionArn,
      solutionVersionArn: version.arn,
      details,
    };
    return campaigns.create(now, fields, tags);
  }

  /** A campaign that follows its solution's latest version shows that version. */
  function describe(input: Input, now: number): Output {
    const campaign = campaigns.find(input.campaignArn);
    if (following(campaign.details.campaignConfig)) {
      const active = activeVersionsOf(campaign.solutionArn!, now);
      if (active.length > 0) campaign.solutionVersionArn = active[active.length - 1].arn;
    }
    return { campaign: updates.describe(campaign, now) };
  }

  function update(input: Input, now: number): Output {
    const campaign = campaigns.find(input.campaignArn);
    const { status } = core.phase(campaign, now);
    if (status !== STATUS.active && status !== STATUS.createFailed) {
      throw inUse(`Campaign ${campaign.arn} is in ${status} state. It must be ACTIVE or CREATE FAILED to be updated.`);
    }
    updates.requireNone(campaign, now);
    const config = (input.campaignConfig ?? campaign.details.campaignConfig) as Output | undefined;
    const versionArn: string = input.solutionVersionArn ?? campaign.details.requestedVersionArn ?? campaign.solutionVersionArn;
    deployableVersion(versionArn, following(config), now);
    const requested: Output = {
      solutionVersionArn: versionArn,
      minProvisionedTPS: input.minProvisionedTPS ?? campaign.details.minProvisionedTPS,
      campaignConfig: config,
    };
    updates.start(campaign, requested, now);
    return { campaignArn: campaign.arn };
  }

  return {
    label: 'Campaign',
    operations: {
      CreateCampaign: create,
      DescribeCampaign: describe,
      DeleteCampaign: campaigns.delete,
      ListCampaigns: campaigns.list,
      UpdateCampaign: update,
    },
    settle: (campaign: ServingRecord, _phase, now) => updates.settle(campaign, now),
    snapshot: campaigns.snapshot,
    blocks: {
      // https://docs.aws.amazon.com/personalize/latest/dg/API_DeleteSolution.html: "Before deleting a solution, you
      // must delete all campaigns based on the solution" (deleting ones too, until they are gone).
      solution: { reason: 'still has campaigns', blocking: (solution) => campaigns.all().filter((c) => c.solutionArn === solution.arn) },
      // https://docs.aws.amazon.com/personalize/latest/dg/delete-dataset.html: no associated Campaign may be
      // CREATE PENDING, IN PROGRESS or ACTIVE.
      dataset: {
        reason: 'is used by campaigns',
        blocking: (dataset: DatasetRecord, now) => core.withStatus(core.inGroup<ServingRecord>(dataset.datasetGroupArn, 'campaign'), [...IN_FLIGHT, STATUS.active], now),
      },
    },
  };
};

/** Whether a campaignConfig has the campaign follow its solution's newest version. */
function following(campaignConfig: unknown): boolean {
  return (campaignConfig as Output | undefined)?.syncWithLatestSolutionVersion === true;
}
