import * as path from 'path';
import { App, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import {
  DatasetGroup, DatasetImportJob, DatasetType, Domain, EventTracker, Filter, FilterCondition, FilterExpression, FilterField,
  FilterTarget, FilterValue, ImportSource, MetricAttribution, MetricExpression, Recommender, Schema, SchemaDefinition, SchemaField, UseCase,
} from '../src';

// Every feature flag at the value aws-cdk-lib recommends for a new project, as `cdk init` writes them
// into cdk.json: the behaviour a new app gets, and no "feature flags are not configured" notice.
const app = new App({ context: CURRENTLY_RECOMMENDED_FLAGS });
const stack = new Stack(app, 'PersonalizeExample', {
  // A fixed environment keeps the template identical on every machine.
  env: { account: '123456789012', region: 'us-east-1' },
});

const key = new kms.Key(stack, 'DatasetKey', { enableKeyRotation: true, description: 'Encrypts the Personalize datasets' });

const retail = new DatasetGroup(stack, 'Retail', {
  domain: Domain.ECOMMERCE,
  kmsKey: key,
});

// What shoppers did: the dataset every recommender trains on.
const interactions = new Schema(stack, 'InteractionsSchema', {
  domain: Domain.ECOMMERCE,
  definition: SchemaDefinition.fromFields([
    SchemaField.stringField('USER_ID'),
    SchemaField.stringField('ITEM_ID'),
    SchemaField.longField('TIMESTAMP'),
    SchemaField.stringField('EVENT_TYPE'),
    SchemaField.floatField('EVENT_VALUE').nullable(),
  ], { recordName: 'Interactions' }),
});
const history = retail.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema: interactions });

// Past clicks and purchases. A real shop imports its history here: recommenders need at least 1,000
// interactions from 25 users to train; this sample only shows the format.
new DatasetImportJob(stack, 'HistoryImport', {
  dataset: history,
  source: ImportSource.fromAsset(path.join(__dirname, 'data', 'interactions.csv')),
});

// The catalog. Its schema can later gain nullable fields in place.
const items = new Schema(stack, 'ItemsSchema', {
  domain: Domain.ECOMMERCE,
  definition: SchemaDefinition.fromFields([
    SchemaField.stringField('ITEM_ID'),
    SchemaField.floatField('PRICE'),
    SchemaField.stringField('CATEGORY_L1').categorical(),
    SchemaField.stringField('CATEGORY_L2').categorical().nullable(),
    SchemaField.stringField('PRODUCT_DESCRIPTION').textual().nullable(),
    SchemaField.longField('CREATION_TIMESTAMP'),
  ], { recordName: 'Items' }),
});
const catalog = retail.addDataset('Items', { datasetType: DatasetType.ITEMS, schema: items });

// The catalog's bulk data: a CSV file of the app, checked against the schema at synth and imported on
// deploy. A changed file runs a new import; the deploy waits until it is ACTIVE (25 minutes at most).
new DatasetImportJob(stack, 'CatalogImport', {
  dataset: catalog,
  source: ImportSource.fromAsset(path.join(__dirname, 'data', 'items.csv')),
});

const users = new Schema(stack, 'UsersSchema', {
  domain: Domain.ECOMMERCE,
  definition: SchemaDefinition.fromFields([
    SchemaField.stringField('USER_ID'),
    SchemaField.stringField('MEMBERSHIP_STATUS').categorical().nullable(),
  ], { recordName: 'Users' }),
});
retail.addDataset('Users', { datasetType: DatasetType.USERS, schema: users });

// Live events: the web shop's backend records clicks and purchases with the tracker's trackingId.
const tracker = new EventTracker(stack, 'ClickTracker', { datasetGroup: retail });
const webShop = new iam.Role(stack, 'WebShopBackend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
tracker.grantPutEvents(webShop);

// Filters for recommendations: nothing already bought, and a category chosen at request time.
new Filter(stack, 'NotPurchased', {
  datasetGroup: retail,
  expression: FilterExpression.exclude(FilterTarget.ITEMS,
    FilterCondition.isIn(FilterField.interactionsEventType(), [FilterValue.literal('purchase')])),
});
new Filter(stack, 'InCategory', {
  datasetGroup: retail,
  expression: FilterExpression.fromText('INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY) AND Items.PRICE <= $MAX_PRICE'),
});

// What recommendations earn: clicks counted, and purchase revenue from the catalog's prices.
new MetricAttribution(stack, 'Impact', {
  datasetGroup: retail,
  metrics: [
    { metricName: 'CLICKS', eventType: 'click', expression: MetricExpression.sampleCount() },
    { metricName: 'REVENUE', eventType: 'purchase', expression: MetricExpression.sumOfItems('PRICE') },
  ],
});

// Recommendations for each shopper, served to the web shop. Billed per hour of its minimum requests per
// second while it runs: `running: false` keeps it stopped, and unbilled, until the shop goes live.
const forYou = new Recommender(stack, 'RecommendedForYou', {
  datasetGroup: retail,
  useCase: UseCase.ECOMMERCE_RECOMMENDED_FOR_YOU,
  minRecommendationRequestsPerSecond: 1,
  running: false,
});
forYou.grantGetRecommendations(webShop);

Tags.of(stack).add('project', 'personalize-example');
app.synth();
