/**
 * cdk-nag 2 and cdk-nag 3 on a stack with every construct and option, as a consumer
 * app runs them: the packed library, a current aws-cdk-lib and both cdk-nag majors
 * (installed as cdk-nag2 and cdk-nag3). Run by `.ci/ecosystem.sh nag` in a scratch
 * folder; plain JavaScript, so it needs no compiler.
 *
 * cdk-nag 3 needs an aws-cdk-lib that hands the construct tree to validation plugins,
 * newer than the library's minimum, which is why this runs outside the repository.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { App, Aspects, Stack, Tags, Validations } = require('aws-cdk-lib');
const { Annotations, Match } = require('aws-cdk-lib/assertions');
const iam = require('aws-cdk-lib/aws-iam');
const kms = require('aws-cdk-lib/aws-kms');
const s3 = require('aws-cdk-lib/aws-s3');
const sns = require('aws-cdk-lib/aws-sns');
const personalize = require('cdk-personalize');
const nag2 = require('cdk-nag2');
const nag3 = require('cdk-nag3');

const version = (name) => require(path.join(path.dirname(require.resolve(`${name}/package.json`)), 'package.json')).version;

/** Every construct and option: groups with and without a domain, keys with created and imported roles, imports, tags, a logs key. */
function everyConstruct(app) {
  const stack = new Stack(app, 'NagConsumer', { env: { account: '123456789012', region: 'us-east-1' } });
  const key = new kms.Key(stack, 'DatasetKey', { enableKeyRotation: true });
  const {
    AutoTraining, Campaign, DatasetGroup, Dataset, DatasetImportJob, DatasetType, Domain, EventTracker, Filter, FilterExpression, ImportMode,
    ImportSource, MetricAttribution, MetricExpression, ProviderLogging, Recipe, Recommender, Schema, SchemaDefinition, SchemaField, Solution,
    SolutionVersion, UseCase,
  } = personalize;
  const custom = new DatasetGroup(stack, 'Custom');
  const video = new DatasetGroup(stack, 'Video', { datasetGroupName: 'nag-video', domain: Domain.VIDEO_ON_DEMAND });
  new DatasetGroup(stack, 'EncryptedCreatedRole', { domain: Domain.ECOMMERCE, kmsKey: key });
  new DatasetGroup(stack, 'EncryptedImportedRole', {
    kmsKey: key,
    role: iam.Role.fromRoleArn(stack, 'ImportedRole', 'arn:aws:iam::123456789012:role/PersonalizeKeyAccess'),
  });
  const fields = [SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP'),
    SchemaField.stringField('EVENT_TYPE')];
  const interactions = custom.addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS,
    schema: new Schema(stack, 'InteractionsSchema', { definition: SchemaDefinition.fromFields(fields) }),
  });
  // Imports from a CSV file (copied into the construct's own bucket) and from a KMS-encrypted prefix.
  const csv = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-personalize-nag-data-')), 'events.csv');
  fs.writeFileSync(csv, 'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu1,i1,1700000000,click\n');
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
    datasetGroup: DatasetGroup.fromDatasetGroupArn(stack, 'ImportedGroup', 'arn:aws:personalize:us-east-1:123456789012:dataset-group/shared'),
    datasetType: DatasetType.USERS,
    schema: Schema.fromSchemaArn(stack, 'ImportedSchema', 'arn:aws:personalize:us-east-1:123456789012:schema/shared-users'),
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
  const campaign = new Campaign(stack, 'Campaign', { solutionVersion: new SolutionVersion(stack, 'Trained', { solution }) });
  campaign.grantGetRecommendations(api);
  new Recommender(stack, 'TopPicks', { datasetGroup: video, useCase: UseCase.VOD_TOP_PICKS }).grantGetRecommendations(api);
  ProviderLogging.configure(stack, { encryptionKey: new kms.Key(stack, 'LogKey', { enableKeyRotation: true }) });
  Tags.of(stack).add('cost-center', 'recommendations');
  return stack;
}

const outdir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-personalize-nag-'));
// As `cdk init` sets it for a new app: the app's own bucket logs its access through a bucket policy, not the
// deprecated AccessControl ACL, which aws-cdk-lib's template validation reports (W3045) and would count here.
const newApp = () => new App({ outdir: outdir(), context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } });
let failed = false;

// cdk-nag 2: an aspect; findings are annotations, suppressed ones logged as info with logIgnores.
{
  const app = newApp();
  const stack = everyConstruct(app);
  Aspects.of(app).add(new nag2.AwsSolutionsChecks({ logIgnores: true }));
  const annotations = Annotations.fromStack(stack);
  const errors = annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
  const warnings = annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
  const suppressed = annotations.findInfo('*', Match.stringLikeRegexp('was triggered but suppressed'));
  for (const finding of [...errors, ...warnings]) console.log(`  ${finding.id}: ${String(finding.entry.data).split('\n')[0]}`);
  console.log(`cdk-nag ${version('cdk-nag2')} AwsSolutions (aspect): ${errors.length} errors, ${warnings.length} warnings, ${suppressed.length} suppressed findings`);
  failed ||= errors.length + warnings.length > 0 || suppressed.length === 0;
}

// cdk-nag 3: a policy validation plugin. aws-cdk-lib writes the plugins' findings to the
// assembly's validation report; depending on the version and app mode, a violation throws
// or sets a failing exit code. The report lists only plugins that found something, so a
// control run with one unacknowledged violation (an SNS topic) proves the plugin ran.
function nag3Run(withControl) {
  const app = newApp();
  const stack = everyConstruct(app);
  if (withControl) new sns.Topic(stack, 'ControlTopic');
  Validations.of(app).addPlugins(new nag3.AwsSolutionsChecks(app));
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
  const report = reportFile ? JSON.parse(fs.readFileSync(path.join(app.outdir, reportFile), 'utf8')) : {};
  const paths = [];
  const collect = (value, key) => {
    if (typeof value === 'string' && key === 'constructPath') paths.push(value);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) collect(v, k);
  };
  collect(report);
  return { failed: threw || failedExit, paths: [...new Set(paths)], reportFile };
}
{
  const control = nag3Run(true);
  const outsideControl = control.paths.filter((p) => !p.startsWith('NagConsumer/ControlTopic'));
  const controlOk = control.failed && control.paths.length > 0 && outsideControl.length === 0;
  console.log(`  control: an unacknowledged SNS topic ${control.failed ? 'fails' : 'does NOT fail'} synth; violations on `
    + `${control.paths.join(', ') || 'nothing'}`);
  const clean = nag3Run(false);
  const cleanOk = !clean.failed && clean.paths.length === 0;
  for (const p of [...outsideControl, ...clean.paths]) console.log(`  violation on ${p}`);
  console.log(`cdk-nag ${version('cdk-nag3')} AwsSolutions (validation plugin, aws-cdk-lib ${version('aws-cdk-lib')}): `
    + `${cleanOk ? 'synth passes' : 'synth FAILS'}, ${clean.paths.length} violations on the library's resources`);
  failed ||= !controlOk || !cleanOk;
}

process.exit(failed ? 1 : 0);
