/**
 * The way past a synth check. A user who knows better than the checker (a rule AWS has
 * relaxed, a case the documentation does not cover) sets `skipChecks: true` on the
 * source or construct; the checks still run and what they found is printed as a warning,
 * so the decision stays visible in every synth.
 */
import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The id of the warning that carries what a skipped check found. */
export const CHECK_SKIPPED_WARNING = 'cdk-personalize:checkSkipped';

/** Messages already printed, per construct: validation may run more than once in a synth. */
const printed = new WeakMap<IConstruct, Set<string>>();

/** Prints each problem as a checkSkipped warning on `scope`, once. */
export function warnSkipped(scope: IConstruct, problems: string[]): void {
  const seen = printed.get(scope) ?? new Set<string>();
  printed.set(scope, seen);
  for (const problem of problems) {
    if (seen.has(problem)) continue;
    seen.add(problem);
    Annotations.of(scope).addWarningV2(CHECK_SKIPPED_WARNING, 'Check skipped (skipChecks: true), Personalize or Rekognition may '
      + `refuse this at deploy: ${problem}`);
  }
}

/** For a check made at construction: throws the first problem, or warns of every problem when skipped. */
export function refuseOrWarn(scope: IConstruct, skip: boolean | undefined, problems: string[]): void {
  if (problems.length === 0) return;
  if (skip) {
    warnSkipped(scope, problems);
    return;
  }
  throw new Error(problems.join('\n'));
}

/** For a check made when the app is validated: the problems to fail synth with, or none (and warnings) when skipped. */
export function problemsUnlessSkipped(scope: IConstruct, skip: boolean | undefined, problems: string[]): string[] {
  if (!skip || problems.length === 0) return problems;
  warnSkipped(scope, problems);
  return [];
}
