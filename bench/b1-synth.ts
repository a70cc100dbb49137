/**
 * B1: synthesis at scale. N dataset groups, each with Interactions, Items and
 * Users datasets and their schemas, built with this library (generated names,
 * and explicit names) and with the L1 constructs of aws-cdk-lib/aws-personalize.
 */
import type { SynthJob, SynthSample, Variant } from './b1-synth.child';
import { bytes, fixed, markdownTable, ratio, verdict } from './lib/markdown';
import { runChild, runSequentially } from './lib/processes';
import { median } from './lib/stats';

const GROUP_COUNTS = [10, 50, 200];
const RUNS = 5;
/** Timed against each other; explicit names change the grants, not the work, so that variant is synthesized once per N. */
const TIMED_VARIANTS: Variant[] = ['library', 'l1'];
const TIME_RATIO_TARGET = 1.5;
const BYTES_RATIO_TARGET = 2;
const IAM_ROLE_INLINE_POLICY_LIMIT = 10_240;

const VARIANT_LABELS: Record<Variant, string> = {
  'library': 'library, generated names',
  'library-explicit': 'library, explicit names',
  'l1': 'L1',
};

interface Limit {
  readonly name: string;
  readonly max: number;
  of(sample: SynthSample): number;
}

/** What the library's synth-time check compares with IAM's limit. */
const POLICY_ESTIMATE_LIMIT: Limit = {
  name: 'characters of the handler role\'s inline policies, synth-time estimate',
  max: IAM_ROLE_INLINE_POLICY_LIMIT,
  of: (sample) => sample.handlerPolicyChars,
};

/** Limits a deploy meets, whatever synth says. */
const LIMITS: Limit[] = [
  { name: 'CloudFormation resources per stack', max: 500, of: (sample) => sample.resources },
  { name: 'CloudFormation template bytes', max: 1_000_000, of: (sample) => sample.templateBytes },
  POLICY_ESTIMATE_LIMIT,
  {
    name: 'the same, with partition, region and account resolved',
    max: IAM_ROLE_INLINE_POLICY_LIMIT,
    of: (sample) => sample.handlerPolicyCharsResolved,
  },
];

interface Cell {
  readonly ms: number;
  /** Every sample of a cell synthesizes the same template. */
  readonly sample: SynthSample;
}

function bytesPerResource(cell: Cell): number {
  return cell.sample.templateBytes / cell.sample.personalizeResources;
}

/** The largest N within a limit, from a straight line through two measured N; undefined when the value does not grow. */
function largestN(low: number, lowValue: number, high: number, highValue: number, max: number): number | undefined {
  const perGroup = (highValue - lowValue) / (high - low);
  const fixedPart = lowValue - perGroup * low;
  return perGroup <= 0 ? undefined : Math.max(0, Math.floor((max - fixedPart) / perGroup));
}

async function synthAccepts(variant: Variant, groups: number): Promise<boolean> {
  const input: SynthJob = { variant, groups };
  return (await runChild<SynthSample>({ script: 'b1-synth.child.ts', input })).refusal === undefined;
}

/** The largest N that `cdk synth` accepts, found by synthesizing around the straight-line prediction. */
async function largestAcceptedN(variant: Variant, predicted: number): Promise<{ accepted: number; tried: string[] }> {
  const tried: string[] = [];
  const attempt = async (groups: number) => {
    const accepts = await synthAccepts(variant, groups);
    tried.push(`N = ${groups} ${accepts ? 'accepted' : 'refused'}`);
    return accepts;
  };
  let groups = Math.max(1, predicted);
  if (await attempt(groups)) {
    while (await attempt(groups + 1)) groups++;
    return { accepted: groups, tried };
  }
  while (groups > 1 && !(await attempt(groups - 1))) groups--;
  return { accepted: groups - 1, tried };
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}

export async function runSynthBench(): Promise<string> {
  const cells = new Map<string, Cell>();
  for (const groups of GROUP_COUNTS) {
    // Interleaving the variants spreads any drift of the machine's load over all of them.
    const jobs = Array.from({ length: RUNS }, () => TIMED_VARIANTS.map((variant) => {
      const input: SynthJob = { variant, groups };
      return { script: 'b1-synth.child.ts', input };
    })).flat();
    const results = await runSequentially<SynthSample>(jobs);
    for (const variant of TIMED_VARIANTS) {
      const samples = results.filter((_, index) => (jobs[index].input as SynthJob).variant === variant);
      cells.set(`${variant}/${groups}`, { ms: median(samples.map((sample) => sample.synthMs)), sample: samples[0] });
    }
    const explicit = await runChild<SynthSample>({ script: 'b1-synth.child.ts', input: { variant: 'library-explicit', groups } });
    cells.set(`library-explicit/${groups}`, { ms: explicit.synthMs, sample: explicit });
  }
  const cell = (variant: Variant, groups: number) => cells.get(`${variant}/${groups}`)!;
  const synthVerdict = (sample: SynthSample) => (sample.refusal === undefined ? 'accepts' : '**refuses**');

  const costRows = GROUP_COUNTS.map((groups) => {
    const ours = cell('library', groups);
    const l1 = cell('l1', groups);
    return [
      `${groups}`,
      `${ours.sample.personalizeResources}`,
      fixed(ours.ms, 0),
      fixed(l1.ms, 0),
      ratio(ours.ms / l1.ms),
      verdict(ours.ms / l1.ms <= TIME_RATIO_TARGET),
      bytes(bytesPerResource(ours)),
      bytes(bytesPerResource(l1)),
      ratio(bytesPerResource(ours) / bytesPerResource(l1)),
      verdict(bytesPerResource(ours) / bytesPerResource(l1) <= BYTES_RATIO_TARGET),
      synthVerdict(ours.sample),
    ];
  });
  const costHeader = ['N', 'Personalize resources', 'library (ms)', 'L1 (ms)', 'time ratio', `≤ ${TIME_RATIO_TARGET}×`,
    'library bytes per resource', 'L1 bytes per resource', 'bytes ratio', `≤ ${BYTES_RATIO_TARGET}×`, 'cdk synth'];

  const [low, , high] = GROUP_COUNTS;
  const marginal = (variant: Variant) => (cell(variant, high).sample.templateBytes - cell(variant, low).sample.templateBytes)
    / (cell(variant, high).sample.personalizeResources - cell(variant, low).sample.personalizeResources);
  const marginalMs = (variant: Variant) => (cell(variant, high).ms - cell(variant, low).ms) / (high - low);
  // What the per-resource ARNs of the grants policy cost: the policy is the only AWS::IAM::Policy that grows with N.
  const policyBytes = (groups: number) => cell('library', groups).sample.bytesByType['AWS::IAM::Policy'] ?? 0;
  const marginalWithoutPolicy = marginal('library') - (policyBytes(high) - policyBytes(low))
    / (cell('library', high).sample.personalizeResources - cell('library', low).sample.personalizeResources);
  const typeBytes = cell('library', high).sample.bytesByType;
  const resourceBytes = Object.values(typeBytes).reduce((sum, size) => sum + size, 0);
  const breakdown = Object.entries(typeBytes)
    .filter(([, size]) => size / resourceBytes >= 0.01)
    .sort(([, a], [, b]) => b - a)
    .map(([type, size]) => `${type} ${fixed((100 * size) / resourceBytes, 0)}%`)
    .join(', ');

  const ALL_VARIANTS: Variant[] = ['library', 'library-explicit', 'l1'];
  const LIBRARY_VARIANTS: Variant[] = ['library', 'library-explicit'];
  const growthRows = GROUP_COUNTS.map((groups) => {
    const sample = cell('library', groups).sample;
    return [
      `${groups}`,
      `${sample.resourcesByType['AWS::Lambda::Function'] ?? 0}`,
      `${sample.resourcesByType['AWS::StepFunctions::StateMachine'] ?? 0}`,
      `${sample.resourcesByType['AWS::IAM::Policy'] ?? 0}`,
      ALL_VARIANTS.map((variant) => bytes(cell(variant, groups).sample.resources)).join(' / '),
      ALL_VARIANTS.map((variant) => bytes(cell(variant, groups).sample.templateBytes)).join(' / '),
      LIBRARY_VARIANTS.map((variant) => bytes(cell(variant, groups).sample.handlerPolicyChars)).join(' / '),
      LIBRARY_VARIANTS.map((variant) => synthVerdict(cell(variant, groups).sample)).join(' / '),
    ];
  });

  const predictions = new Map<string, number | undefined>();
  const predictionKey = (variant: Variant, limit: Limit) => `${variant}/${limit.name}`;
  const limitRows = LIMITS.map((limit) => [
    `${limit.name} (${bytes(limit.max)})`,
    ...ALL_VARIANTS.map((variant) => {
      const sample = (groups: number) => cell(variant, groups).sample;
      // The L1 stack has no handler role, so it has nothing to count against IAM's per-role limit.
      if (variant === 'l1' && limit.max === IAM_ROLE_INLINE_POLICY_LIMIT) return 'no handler role';
      const n = largestN(low, limit.of(sample(low)), high, limit.of(sample(high)), limit.max);
      predictions.set(predictionKey(variant, limit), n);
      return n === undefined ? 'unbounded' : `${n}`;
    }),
  ]);
  const checks = [];
  for (const variant of LIBRARY_VARIANTS) {
    const predicted = predictions.get(predictionKey(variant, POLICY_ESTIMATE_LIMIT));
    if (predicted === undefined) continue;
    const { accepted, tried } = await largestAcceptedN(variant, predicted);
    checks.push(`${VARIANT_LABELS[variant]}: the largest N \`cdk synth\` accepts is ${accepted} (${tried.join(', ')}).`);
  }
  const refusal = cell('library', high).sample.refusal;

  return [
    '### B1: synthesis at scale',
    '',
    'N dataset groups, each with Interactions, Items and Users datasets and one schema per dataset (7 Personalize resources per group).',
    `Time: constructing the stack, \`app.synth()\` and its validations, median of ${RUNS} fresh processes per cell. Each process first`,
    'synthesizes a one-group stack in another App, so that module loading is not timed. Bytes: the template file as synthesized.',
    'A stack that `cdk synth` refuses is still measured: the bench runs the validations after writing the template, not before.',
    '',
    markdownTable(costHeader, costRows),
    '',
    `Bytes per added resource (N = ${low} → ${high}): library ${bytes(marginal('library'))}, L1 ${bytes(marginal('l1'))}, `
      + `ratio ${ratio(marginal('library') / marginal('l1'))}.`,
    `The grants policy takes ${bytes(marginal('library') - marginalWithoutPolicy)} of the library's; the rest is `
      + `${bytes(marginalWithoutPolicy)}, ratio ${ratio(marginalWithoutPolicy / marginal('l1'))}.`,
    `Where the library's resource bytes go at N = ${high}: ${breakdown}.`,
    `Time per added group (N = ${low} → ${high}): library ${fixed(marginalMs('library'), 1)} ms, L1 ${fixed(marginalMs('l1'), 1)} ms, `
      + `ratio ${ratio(marginalMs('library') / marginalMs('l1'))}.`,
    '',
    `What stays constant, and what grows toward a deploy-time limit (${ALL_VARIANTS.map((variant) => VARIANT_LABELS[variant]).join(' / ')}):`,
    '',
    markdownTable(['N', 'Lambda functions', 'state machines', 'IAM policies', 'CloudFormation resources per stack', 'CloudFormation template bytes',
      'handler role\'s inline policies, synth-time estimate (chars; generated / explicit)', 'cdk synth (generated / explicit)'], growthRows),
    '',
    'The largest N within each limit, from a straight line through N = 10 and N = 200:',
    '',
    markdownTable(['limit', ...ALL_VARIANTS.map((variant) => VARIANT_LABELS[variant])], limitRows),
    '',
    ...checks,
    ...(refusal ? ['', `What \`cdk synth\` says at N = ${high} with generated names: "${firstLine(refusal)}"`] : []),
  ].join('\n');
}
