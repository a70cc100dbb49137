/**
 * The delete of a solution that campaigns block, over a mocked Personalize client and a virtual
 * clock: DeleteSolution is refused while any campaign is based on the solution
 * (https://docs.aws.amazon.com/personalize/latest/dg/API_DeleteSolution.html).
 */
import { DeleteCampaignCommand, DeleteSolutionCommand, DescribeSolutionCommand } from '@aws-sdk/client-personalize';
import 'aws-sdk-client-mock-jest';
import { requestsFor, resourceProperties } from './support/events';
import { mockedHandlers } from './support/mocked-handlers';
import { Neighbours } from './support/neighbours';
import { inUse, notFound } from './support/personalize-errors';
import { runToCompletion } from './support/polling';
import { SHORT_WAIT_POLICY } from './support/wait-policy';
import { ResourceTypes } from '../src/private/contract';

const { personalizeMock, clock, handlers } = mockedHandlers();
const SOLUTION_ARN = 'arn:aws:personalize:us-east-1:123456789012:solution/recs';
const { delete: deleteEvent } = requestsFor(ResourceTypes.SOLUTION, (overrides) => resourceProperties({
  Name: 'recs',
  DatasetGroupArn: 'arn:aws:personalize:us-east-1:123456789012:dataset-group/retail',
  RecipeArn: 'arn:aws:personalize:::recipe/aws-user-personalization-v2',
  PerformAutoTraining: 'false',
}, overrides), SOLUTION_ARN);

/** The solution is ACTIVE; DeleteSolution is refused while `blocked()`, then it is gone. */
function solutionRefusedWhile(blocked: () => boolean): void {
  let deleted = false;
  personalizeMock.on(DescribeSolutionCommand).callsFake(async () => {
    if (deleted) throw notFound();
    return { solution: { solutionArn: SOLUTION_ARN, name: 'recs', status: 'ACTIVE' } };
  });
  personalizeMock.on(DeleteSolutionCommand).callsFake(async () => {
    if (blocked()) throw inUse();
    deleted = true;
    return {};
  });
}

const run = (request = deleteEvent()) => runToCompletion(clock, handlers({ waitPolicy: SHORT_WAIT_POLICY }), request);

describe('Delete of a solution that campaigns are based on', () => {
  test('without GroupEmptyOnDelete, a campaign nobody deletes fails the delete after the grace, listed with what to do', async () => {
    const neighbours = new Neighbours(personalizeMock, clock);
    const campaign = neighbours.add('campaign', 'live', { solutionArn: SOLUTION_ARN });
    neighbours.add('campaign', 'elsewhere', { solutionArn: `${SOLUTION_ARN}-other` });
    solutionRefusedWhile(() => neighbours.has(campaign));

    const { failure, elapsedMs } = await run();

    expect(String(failure)).toBe(`Error: Personalize refused to delete solution ${SOLUTION_ARN}: 1 resource(s) that nobody is deleting `
      + `still block it: ${campaign}. Delete those campaigns, or set emptyOnDelete on the DatasetGroup so that the stack deletes those it `
      + 'does not manage first, then delete again.');
    expect(elapsedMs).toBeGreaterThanOrEqual(SHORT_WAIT_POLICY.blockedDeleteGraceMs);
    expect(elapsedMs).toBeLessThan(SHORT_WAIT_POLICY.totalTimeoutMs);
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteCampaignCommand);
  });

  test('a campaign someone else is deleting, even a CREATE FAILED one, is waited for, and the solution deleted once it is gone', async () => {
    const neighbours = new Neighbours(personalizeMock, clock);
    const campaign = neighbours.add('campaign', 'live', { solutionArn: SOLUTION_ARN, status: 'CREATE FAILED' });
    neighbours.startDeleting(campaign, SHORT_WAIT_POLICY.blockedDeleteGraceMs + 10_000);
    solutionRefusedWhile(() => neighbours.has(campaign));

    const { failure, elapsedMs } = await run();

    expect(failure).toBeUndefined();
    expect(elapsedMs).toBeGreaterThanOrEqual(SHORT_WAIT_POLICY.blockedDeleteGraceMs + 10_000);
  });

  test('with GroupEmptyOnDelete, campaigns without this stack\'s owner tag are deleted first, one still being created once it is ACTIVE', async () => {
    const neighbours = new Neighbours(personalizeMock, clock);
    const outside = neighbours.add('campaign', 'outside', { solutionArn: SOLUTION_ARN });
    const creating = neighbours.add('campaign', 'creating', {
      solutionArn: SOLUTION_ARN, status: 'CREATE IN_PROGRESS', activeAfterMs: SHORT_WAIT_POLICY.blockedDeleteGraceMs + 10_000,
    });
    solutionRefusedWhile(() => neighbours.has(outside) || neighbours.has(creating));

    const { failure, elapsedMs } = await run(deleteEvent(SOLUTION_ARN, { GroupEmptyOnDelete: 'true' }));

    expect(failure).toBeUndefined();
    expect(neighbours.deletes).toEqual([outside, creating]);
    expect(elapsedMs).toBeGreaterThanOrEqual(SHORT_WAIT_POLICY.blockedDeleteGraceMs + 10_000);
    expect(personalizeMock).toHaveReceivedCommandWith(DeleteSolutionCommand, { solutionArn: SOLUTION_ARN });
  });

  test('with GroupEmptyOnDelete, a campaign this stack manages is left to the stack; the delete fails after the grace, saying why', async () => {
    const neighbours = new Neighbours(personalizeMock, clock);
    const ours = neighbours.add('campaign', 'ours', { solutionArn: SOLUTION_ARN, owner: 'TestStack/Campaign' });
    solutionRefusedWhile(() => neighbours.has(ours));

    const { failure } = await run(deleteEvent(SOLUTION_ARN, { GroupEmptyOnDelete: 'true' }));

    expect(String(failure)).toContain(`1 resource(s) that nobody is deleting still block it: ${ours}. They carry this stack's owner tag, `
      + 'so emptyOnDelete leaves them: the stack retains them, or they stay in the app while this solution leaves it.');
    expect(neighbours.deletes).toEqual([]);
  });
});
