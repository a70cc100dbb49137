/**
 * What the provider adds to every stack, checked against the README's "What each stack
 * gets" section, so the numbers a user reads there cannot drift from what synthesizes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DatasetGroup } from '../src';

const README = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
const section = README.slice(README.indexOf('## What each stack gets'), README.indexOf('## Deploying'));

/** The provider's resources: everything in a stack with one dataset group except the group's own custom resource. */
function providerResources(): Record<string, number> {
  const stack = new Stack(new App(), 'Footprint');
  new DatasetGroup(stack, 'Group');
  const counts: Record<string, number> = {};
  for (const resource of Object.values<any>(Template.fromStack(stack).toJSON().Resources)) {
    if (resource.Type.startsWith('Custom::Personalize')) continue;
    counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
  }
  return counts;
}

describe('the README states what the provider adds to each stack', () => {
  const actual = providerResources();

  test('the total the README states is the number of resources the provider adds', () => {
    const stated = Number(section.match(/The provider adds \*\*(\d+) resources\*\*/)?.[1]);
    expect(stated).toBe(Object.values(actual).reduce((total, count) => total + count, 0));
  });

  test('the README\'s table lists every resource type the provider adds, with its count', () => {
    const rows = [...section.matchAll(/^\| `(AWS::[\w:]+)` \| (\d+) \|/gm)].map(([, type, count]) => [type, Number(count)]);
    expect(Object.fromEntries(rows)).toEqual(actual);
  });

  test('a second dataset group in the stack adds no provider resources, only its own custom resource', () => {
    const stack = new Stack(new App(), 'Two');
    new DatasetGroup(stack, 'First');
    new DatasetGroup(stack, 'Second');
    const resources = Object.values<any>(Template.fromStack(stack).toJSON().Resources);
    expect(resources.filter((resource) => !resource.Type.startsWith('Custom::Personalize'))).toHaveLength(
      Object.values(actual).reduce((total, count) => total + count, 0));
  });
});
