/**
 * cdk-nag 2 and cdk-nag 3, with every pack the README names (AwsSolutions, HIPAA Security,
 * NIST 800-53 rev 5, PCI DSS 3.2.1, Serverless), on a stack with every construct and option,
 * as a consumer app runs them: the packed library and the aws-cdk-lib, constructs and
 * cdk-nag versions of package-lock.json beside this file (cdk-nag installed as cdk-nag2 and
 * cdk-nag3). Run by `.ci/ecosystem.sh nag`, and by `.ci/latest.sh` with the newest versions.
 *
 * It prints every finding on the library's resources (constructs of cdk-personalize and
 * their children, and the stack's provider) as `PACK RULE PATH`, for each major, and
 * compares them with expected-findings.txt, which the README's cdk-nag section documents.
 * Findings on the app's own resources (its keys, buckets and roles) are the app's business
 * and are not counted. Exit code 1 when a major's findings differ from the expected ones,
 * or when a pack did not run. `node app.js --write` rewrites expected-findings.txt.
 *
 * Plain JavaScript, so it needs no compiler.
 */
const fs = require('fs');
const path = require('path');
const { App, Aspects, Stack, Tags, Validations } = require('aws-cdk-lib');
const { Annotations, Match } = require('aws-cdk-lib/assertions');
const ec2 = require('aws-cdk-lib/aws-ec2');
const iam = require('aws-cdk-lib/aws-iam');
const kms = require('aws-cdk-lib/aws-kms');
const s3 = require('aws-cdk-lib/aws-s3');
const scheduler = require('aws-cdk-lib/aws-scheduler');
const sns = require('aws-cdk-lib/aws-sns');
const sqs = require('aws-cdk-lib/aws-sqs');
const personalize = require('cdk-personalize');
const nag2 = require('cdk-nag2');
const nag3 = require('cdk-nag3');

const EXPECTED_FILE = process.env.NAG_EXPECTED_FINDINGS ?? path.join(__dirname, 'expected-findings.txt');
const PACKS = ['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321', 'Serverless'];
const version = (name) => require(path.join(path.dirname(require.resolve(`${name}/package.json`)), 'package.json')).version;

/**
 * Every construct and option: groups with and without a domain, keys with created and imported roles, imports, tags, a
 * logs key. The regulated variant also runs the provider's functions in a VPC, with reserved concurrency and a
 * dead-letter queue (ProviderFunctions), as the HIPAA, NIST and PCI packs ask.
 */
function everyConstruct(app, regulated) {
  // Another account, since explicit names are unique per account and region.
  const account = regulated ? '210987654321' : '123456789012';
  const stack = new Stack(app, regulated ? 'NagConsumerRegulated' : 'NagConsumer', { env: { account, region: 'us-east-1' } });
  if (regulated) {
    personalize.ProviderFunctions.configure(stack, {
      vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 }),
      reservedConcurrentExecutions: 2,
      deadLetterQueue: new sqs.Queue(stack, 'ProviderDeadLetters', { enforceSSL: true, encryption: sqs.QueueEncryption.KMS_MANAGED }),
    });
  }
  const key = new kms.Key(stack, 'DatasetKey', { enableKeyRotation: true });
  const {
    AutoTraining, BatchInferenceJob, BatchSegmentJob, Campaign, DatasetGroup, Dataset, DatasetImportJob, DatasetType, Domain, EventTracker, Filter, FilterExpression, ImportMode,
    ImportSource, MetricAttribution, MetricExpression, ProviderLogging, Recipe, Recommender, Schema, SchemaDefinition, SchemaField, Solution,
    SolutionVersion, UseCase,
  } = personalize;
  const custom = new DatasetGroup(stack, 'Custom');
  const video = new DatasetGroup(stack, 'Video', { datasetGroupName: 'nag-video', domain: Domain.VIDEO_ON_DEMAND });
  new DatasetGroup(stack, 'EncryptedCreatedRole', { domain: Domain.ECOMMERCE, kmsKey: key });
  new DatasetGroup(stack, 'EncryptedImportedRole', {
    kmsKey: key,
    role: iam.Role.fromRoleArn(stack, 'ImportedRole', `arn:aws:iam::${account}:role/PersonalizeKeyAccess`),
  });
  const fields = [SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP'),
    SchemaField.stringField('EVENT_TYPE')];
  const interactions = custom.addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS,
    schema: new Schema(stack, 'InteractionsSchema', { definition: SchemaDefinition.fromFields(fields) }),
  });
  // Imports from a CSV file (copied into the construct's own bucket) and from a KMS-encrypted prefix.
  // Beside the app (the check's own folder), not a new folder in the system temp folder each run.
  const csv = path.join(__dirname, 'events.csv');
  // An import needs at least 1,000 interaction records, which synth checks.
  const rows = Array.from({ length: 1000 }, (_, i) => `u${i % 50},i${i % 20},${1700000000 + i},click`);
  fs.writeFileSync(csv, `USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n${rows.join('\n')}\n`);
  new DatasetImportJob(stack, 'ImportEvents', { dataset: interactions, source: ImportSource.fromAsset(csv) });
  const data = new s3.Bucket(stack, 'Data', {
    encryptionKey: key, enforceSSL: true, serverAccessLogsPrefix: 'access/', blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  });
  new DatasetImportJob(stack, 'ImportMoreEvents', { dataset: interactions, source: ImportSource.fromBucket(data, 'events/'), importMode: ImportMode.INCREMENTAL });
  custom.addDataset('Actions', {
    datasetType: DatasetType.ACTIONS,
    datasetName: 'nag-actions',
    schema: new Schema(stack, 'ActionsSchema', {
      schemaName: 'nag-actions',
      definition: SchemaDefinition.fromFields([SchemaField.stringField('ACTION_ID'), SchemaField.longField('VALUE').nullable()]),
    }),
  });
  video.addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS,
    schema: new Schema(stack, 'VideoInteractionsSchema', { domain: Domain.VIDEO_ON_DEMAND, definition: SchemaDefinition.fromFields(fields) }),
  });
  new Dataset(stack, 'ImportedGroupUsers', {
    datasetGroup: DatasetGroup.fromDatasetGroupArn(stack, 'ImportedGroup', `arn:aws:personalize:us-east-1:${account}:dataset-group/shared`),
    datasetType: DatasetType.USERS,
    schema: Schema.fromSchemaArn(stack, 'ImportedSchema', `arn:aws:personalize:us-east-1:${account}:schema/shared-users`),
  });
  // Live events, filters and metrics, then a model trained on deploy behind a campaign, and a recommender.
  const api = new iam.Role(stack, 'Api', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  new EventTracker(stack, 'Tracker', { datasetGroup: custom }).grantPutEvents(api);
  new Filter(stack, 'NoClicks', { datasetGroup: custom, expression: FilterExpression.fromText('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")') });
  new MetricAttribution(stack, 'Metrics', {
    datasetGroup: custom, outputBucket: data, outputKey: key,
    metrics: [{ metricName: 'CLICKS', eventType: 'click', expression: MetricExpression.sampleCount() }],
  });
  const solution = new Solution(stack, 'Recs', { datasetGroup: custom, recipe: Recipe.USER_PERSONALIZATION_V2, autoTraining: AutoTraining.off() });
  const trained = new SolutionVersion(stack, 'Trained', { solution });
  const campaign = new Campaign(stack, 'Campaign', { solutionVersion: trained });
  // Batch work: recommendations every night (a schedule, its role and dead-letter queue), and segments once.
  new BatchInferenceJob(stack, 'Nightly', {
    solutionVersion: trained, inputBucket: data, inputKey: 'batch/users.jsonl', outputBucket: data, outputPrefix: 'batch/recommendations/',
    recurringRuns: { schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }) },
  });
  const affinity = new Solution(stack, 'Affinity', { datasetGroup: custom, recipe: Recipe.ITEM_AFFINITY, autoTraining: AutoTraining.off() });
  new BatchSegmentJob(stack, 'Segments', {
    solutionVersion: new SolutionVersion(stack, 'AffinityTrained', { solution: affinity }),
    inputBucket: data, inputKey: 'batch/items/', outputBucket: data, outputPrefix: 'batch/segments/',
  });
  campaign.grantGetRecommendations(api);
  new Recommender(stack, 'TopPicks', { datasetGroup: video, useCase: UseCase.VOD_TOP_PICKS }).grantGetRecommendations(api);
  ProviderLogging.configure(stack, { encryptionKey: new kms.Key(stack, 'LogKey', { enableKeyRotation: true }) });
  Tags.of(stack).add('cost-center', 'recommendations');
  return stack;
}

/** The paths of the library's constructs (the roots of what the library made) in `stack`. */
function libraryRoots(stack) {
  const exported = new Set([...Object.values(personalize), ...Object.values(personalize.rekognition)].filter((value) => typeof value === 'function'));
  return stack.node.findAll()
    .filter((construct) => exported.has(construct.constructor) || construct.node.id === 'CdkPersonalizeProvider')
    .map((construct) => construct.node.path);
}

const isLibrary = (roots) => (constructPath) => roots.some((root) => constructPath === root || constructPath.startsWith(`${root}/`));
// Each app synthesizes under the check's own folder, removed on exit: nothing is left in the system temp folder.
const OUT_ROOT = path.join(__dirname, 'cdk.out');
fs.rmSync(OUT_ROOT, { recursive: true, force: true });
fs.mkdirSync(OUT_ROOT);
process.on('exit', () => fs.rmSync(OUT_ROOT, { recursive: true, force: true }));
const outdir = () => fs.mkdtempSync(path.join(OUT_ROOT, 'app-'));
// As `cdk init` sets it for a new app: the app's own bucket logs its access through a bucket policy, not the
// deprecated AccessControl ACL, which aws-cdk-lib's template validation reports (W3045).
const newApp = () => new App({ outdir: outdir(), context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } });
const packOf = (ruleId) => PACKS.find((pack) => ruleId.startsWith(`${pack}-`));

/** cdk-nag 2: every pack as an aspect; findings are error and warning annotations, suppressed ones info (logIgnores). */
function nag2Findings() {
  const app = newApp();
  const stacks = [everyConstruct(app, false), everyConstruct(app, true)];
  for (const Pack of [nag2.AwsSolutionsChecks, nag2.HIPAASecurityChecks, nag2.NIST80053R5Checks, nag2.PCIDSS321Checks, nag2.ServerlessChecks]) {
    Aspects.of(app).add(new Pack({ logIgnores: true }));
  }
  let findings = [];
  let suppressed = 0;
  for (const stack of stacks) {
    const annotations = Annotations.fromStack(stack);
    const library = isLibrary(libraryRoots(stack));
    findings = [...findings, ...[...annotations.findError('*', Match.anyValue()), ...annotations.findWarning('*', Match.anyValue())]
      .map((entry) => ({ ruleId: String(entry.entry.data).match(/^([\w.]+-\w+)/)?.[1], path: entry.id.replace(/^\//, '') }))
      .filter((finding) => finding.ruleId && packOf(finding.ruleId) && library(finding.path))];
    suppressed += annotations.findInfo('*', Match.stringLikeRegexp('was triggered but suppressed')).length;
  }
  return { findings, suppressed };
}

/**
 * cdk-nag 3: every pack as a policy validation plugin. aws-cdk-lib writes the plugins'
 * violations to the assembly's validation report and fails synth (throws or sets the exit
 * code, depending on the version).
 */
function nag3Report(withControl) {
  const app = newApp();
  const stacks = [everyConstruct(app, false), everyConstruct(app, true)];
  if (withControl) new sns.Topic(stacks[0], 'ControlTopic');
  Validations.of(app).addPlugins(new nag3.AwsSolutionsChecks(app), new nag3.HIPAASecurityChecks(app), new nag3.NIST80053R5Checks(app),
    new nag3.PCIDSS321Checks(app), new nag3.ServerlessChecks(app));
  const log = console.error;
  console.error = () => {};
  let threw = false;
  try {
    app.synth();
  } catch {
    threw = true;
  } finally {
    console.error = log;
  }
  const failedExit = process.exitCode === 1;
  process.exitCode = 0;
  const reportFile = fs.readdirSync(app.outdir).find((name) => /validation-report\.json$/.test(name));
  const report = reportFile ? JSON.parse(fs.readFileSync(path.join(app.outdir, reportFile), 'utf8')) : { pluginReports: [] };
  const findings = report.pluginReports.flatMap((plugin) => plugin.violations.flatMap((violation) =>
    violation.violatingConstructs.map((construct) => ({ ruleId: violation.ruleName.replace(/\[.*$/, ''), path: construct.constructPath }))));
  const library = isLibrary(stacks.flatMap(libraryRoots));
  return { failed: threw || failedExit, findings, library, plugins: report.pluginReports.map((p) => p.pluginName) };
}

const lines = (findings) => [...new Set(findings.map((f) => `${packOf(f.ruleId)}  ${f.ruleId}  ${f.path}`))].sort();

function compare(label, actual, expected) {
  const missing = expected.filter((line) => !actual.includes(line));
  const extra = actual.filter((line) => !expected.includes(line));
  for (const line of extra) console.log(`  + ${line}`);
  for (const line of missing) console.log(`  - ${line}`);
  const counts = PACKS.map((pack) => `${pack} ${actual.filter((line) => line.startsWith(`${pack} `)).length}`).join(', ');
  console.log(`${label}: ${actual.length} findings on the library's resources (${counts}); `
    + `${extra.length + missing.length === 0 ? 'as expected' : `${extra.length} new, ${missing.length} gone (+/- above)`}`);
  return extra.length + missing.length === 0;
}

const expected = fs.existsSync(EXPECTED_FILE)
  ? fs.readFileSync(EXPECTED_FILE, 'utf8').split('\n').filter((line) => line && !line.startsWith('#')) : [];
let failed = false;

const nag2Run = nag2Findings();
const nag2Lines = lines(nag2Run.findings);
failed = !compare(`cdk-nag ${version('cdk-nag2')} (aspects, aws-cdk-lib ${version('aws-cdk-lib')}), ${nag2Run.suppressed} suppressed findings`,
  nag2Lines, expected) || failed;
failed ||= nag2Run.suppressed === 0;

// The report lists only plugins that found something: a control run with an unacknowledged SNS topic proves each ran.
const control = nag3Report(true);
const controlPaths = control.findings.filter((f) => f.path.startsWith('NagConsumer/ControlTopic')).map((f) => packOf(f.ruleId));
const silentPacks = PACKS.filter((pack) => !controlPaths.includes(pack) && !control.plugins.includes(pack));
console.log(`  control: an unacknowledged SNS topic ${control.failed ? 'fails' : 'does NOT fail'} synth; packs that reported it: `
  + `${[...new Set(controlPaths)].sort().join(', ') || 'none'}`);
failed ||= !control.failed || silentPacks.length > 0;
const clean = nag3Report(false);
const nag3Lines = lines(clean.findings.filter((f) => clean.library(f.path)));
const outside = clean.findings.filter((f) => !clean.library(f.path));
failed = !compare(`cdk-nag ${version('cdk-nag3')} (validation plugins, aws-cdk-lib ${version('aws-cdk-lib')}), synth ${clean.failed ? 'fails' : 'passes'}`,
  nag3Lines, expected) || failed;
if (outside.length > 0) console.log(`  (${outside.length} findings on the app's own resources, not counted)`);

if (process.argv.includes('--write')) {
  const header = [
    '# Findings of every cdk-nag pack on the library\'s resources in test/smoke/nag/app.js (PACK  RULE  PATH),',
    '# the same for cdk-nag 2 and 3. The README\'s cdk-nag section documents them; `node app.js --write` rewrites this file.',
  ];
  fs.writeFileSync(EXPECTED_FILE, [...header, ...nag2Lines].join('\n') + '\n');
  console.log(`wrote ${EXPECTED_FILE}`);
}
const majorsAgree = JSON.stringify(nag2Lines) === JSON.stringify(nag3Lines);
if (!majorsAgree) console.log('cdk-nag 2 and cdk-nag 3 disagree (see +/- above)');
process.exit(failed || !majorsAgree ? 1 : 0);
