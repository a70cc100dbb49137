import {
  CreateBatchInferenceJobCommand,
  CreateBatchInferenceJobCommandInput,
  CreateBatchSegmentJobCommand,
  CreateBatchSegmentJobCommandInput,
  CreateCampaignCommand,
  CreateDatasetCommand,
  CreateDatasetGroupCommand,
  CreateDatasetGroupCommandInput,
  CreateDatasetImportJobCommand,
  CreateEventTrackerCommand,
  CreateFilterCommand,
  CreateMetricAttributionCommand,
  CreateRecommenderCommand,
  CreateSchemaCommand,
  CreateSolutionCommand,
  CreateSolutionVersionCommand,
  DeleteCampaignCommand,
  DeleteDatasetCommand,
  DeleteDatasetGroupCommand,
  DeleteEventTrackerCommand,
  DeleteFilterCommand,
  DeleteMetricAttributionCommand,
  DeleteRecommenderCommand,
  DeleteSchemaCommand,
  DeleteSolutionCommand,
  DescribeBatchInferenceJobCommand,
  DescribeBatchSegmentJobCommand,
  DescribeCampaignCommand,
  DescribeDatasetCommand,
  DescribeDatasetGroupCommand,
  DescribeDatasetImportJobCommand,
  DescribeEventTrackerCommand,
  DescribeFilterCommand,
  DescribeMetricAttributionCommand,
  DescribeRecommenderCommand,
  DescribeSchemaCommand,
  DescribeSolutionCommand,
  DescribeSolutionVersionCommand,
  InvalidInputException,
  InvalidNextTokenException,
  LimitExceededException,
  ListBatchInferenceJobsCommand,
  ListBatchSegmentJobsCommand,
  ListCampaignsCommand,
  ListDatasetGroupsCommand,
  ListDatasetImportJobsCommand,
  ListDatasetsCommand,
  ListEventTrackersCommand,
  ListFiltersCommand,
  ListMetricAttributionMetricsCommand,
  ListMetricAttributionsCommand,
  ListRecommendersCommand,
  ListSchemasCommand,
  ListSolutionVersionsCommand,
  ListSolutionsCommand,
  ListTagsForResourceCommand,
  PersonalizeClient,
  PersonalizeServiceException,
  ResourceAlreadyExistsException,
  ResourceInUseException,
  ResourceNotFoundException,
  StopSolutionVersionCreationCommand,
  TagResourceCommand,
  TooManyTagKeysException,
  TooManyTagsException,
  UntagResourceCommand,
  StartRecommenderCommand,
  StopRecommenderCommand,
  UpdateCampaignCommand,
  UpdateDatasetCommand,
  UpdateRecommenderCommand,
  UpdateMetricAttributionCommand,
  UpdateSolutionCommand,
} from '@aws-sdk/client-personalize';
import { Gate, Hold, LocalPersonalize, LocalPersonalizeOptions, STATUS } from './server';

// ---- fixtures -------------------------------------------------------------------

function avro(name: string, fields: Array<{ name: string; type: unknown }>): string {
  return JSON.stringify({ type: 'record', name, namespace: 'com.amazonaws.personalize.schema', fields, version: '1.0' });
}

const ITEMS = avro('Items', [{ name: 'ITEM_ID', type: 'string' }]);
const ITEMS_V2 = avro('Items', [{ name: 'ITEM_ID', type: 'string' }, { name: 'GENRE', type: ['null', 'string'] }]);
const USERS = avro('Users', [{ name: 'USER_ID', type: 'string' }]);
const INTERACTIONS = avro('Interactions', [
  { name: 'USER_ID', type: 'string' }, { name: 'ITEM_ID', type: 'string' }, { name: 'TIMESTAMP', type: 'long' },
]);
const ACTION_INTERACTIONS = avro('ActionInteractions', [
  { name: 'USER_ID', type: 'string' }, { name: 'ACTION_ID', type: 'string' },
  { name: 'TIMESTAMP', type: 'long' }, { name: 'EVENT_TYPE', type: 'string' },
]);

const ACTIVE_MS = 90;
const DELETE_MS = 90;
const UPDATE_MS = 90;

interface Harness {
  readonly server: LocalPersonalize;
  readonly client: PersonalizeClient;
  /** The server's clock; tests move it by hand. */
  readonly clock: { t: number };
  advance(ms: number): void;
}

const open: Harness[] = [];

/** A server on a hand-driven clock, so lifecycle tests are instant and deterministic. */
async function setup(options: LocalPersonalizeOptions = {}): Promise<Harness> {
  const clock = { t: 1_700_000_000_000 };
  const server = await LocalPersonalize.start({
    activeAfterMs: ACTIVE_MS, deleteAfterMs: DELETE_MS, updateAfterMs: UPDATE_MS, now: () => clock.t, ...options,
  });
  const client = new PersonalizeClient(server.clientConfig());
  const harness = { server, client, clock, advance: (ms: number) => { clock.t += ms; } };
  open.push(harness);
  return harness;
}

afterEach(async () => {
  for (const h of open.splice(0)) {
    h.client.destroy();
    await h.server.stop();
  }
});

async function activeGroup(h: Harness, input: CreateDatasetGroupCommandInput): Promise<string> {
  const { datasetGroupArn } = await h.client.send(new CreateDatasetGroupCommand(input));
  h.advance(ACTIVE_MS);
  return datasetGroupArn!;
}

async function schema(h: Harness, name: string, text: string, domain?: 'ECOMMERCE' | 'VIDEO_ON_DEMAND'): Promise<string> {
  return (await h.client.send(new CreateSchemaCommand({ name, schema: text, domain }))).schemaArn!;
}

async function groupStatus(h: Harness, arn: string): Promise<string | undefined> {
  return (await h.client.send(new DescribeDatasetGroupCommand({ datasetGroupArn: arn }))).datasetGroup?.status;
}

async function datasetStatus(h: Harness, arn: string): Promise<string | undefined> {
  return (await h.client.send(new DescribeDatasetCommand({ datasetArn: arn }))).dataset?.status;
}

/** A group with an ACTIVE Items dataset. */
async function activeItemsDataset(h: Harness, datasetName = 'items'): Promise<{ groupArn: string; schemaArn: string; datasetArn: string }> {
  const groupArn = await activeGroup(h, { name: 'shop' });
  const schemaArn = await schema(h, 'items-v1', ITEMS);
  const { datasetArn } = await h.client.send(new CreateDatasetCommand({ name: datasetName, datasetGroupArn: groupArn, datasetType: 'Items', schemaArn }));
  h.advance(ACTIVE_MS);
  return { groupArn, schemaArn, datasetArn: datasetArn! };
}

async function rawCall(server: LocalPersonalize, operation: string, body: string): Promise<{ status: number; headers: Headers; json: any }> {
  const response = await fetch(server.endpoint + '/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AmazonPersonalize.${operation}` },
    body,
  });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

async function caught(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

const UNKNOWN_GROUP = 'arn:aws:personalize:us-east-1:123456789012:dataset-group/nope';

// ---- protocol ------------------------------------------------------------------------

describe('AWS JSON 1.1 protocol', () => {
  test('answers with the x-amz-json-1.1 content type and a request id', async () => {
    const { server } = await setup();
    const { status, headers, json } = await rawCall(server, 'CreateSchema', JSON.stringify({ name: 's', schema: ITEMS }));
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(json).toEqual({ schemaArn: 'arn:aws:personalize:us-east-1:123456789012:schema/s' });
  });

  test('errors are HTTP 400 with __type in the body and the x-amzn-ErrorType header', async () => {
    const { server } = await setup();
    const { status, headers, json } = await rawCall(server, 'DescribeDatasetGroup', JSON.stringify({ datasetGroupArn: UNKNOWN_GROUP }));
    expect(status).toBe(400);
    expect(headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(json).toEqual({ __type: 'ResourceNotFoundException', message: expect.stringContaining(UNKNOWN_GROUP) });
  });

  test('timestamps are epoch seconds on the wire and Dates in the SDK', async () => {
    const h = await setup();
    const { datasetGroupArn } = await h.client.send(new CreateDatasetGroupCommand({ name: 'g' }));
    const { json } = await rawCall(h.server, 'DescribeDatasetGroup', JSON.stringify({ datasetGroupArn }));
    expect(json.datasetGroup.creationDateTime).toBe(h.clock.t / 1000);
    const { datasetGroup } = await h.client.send(new DescribeDatasetGroupCommand({ datasetGroupArn }));
    expect(datasetGroup?.creationDateTime).toEqual(new Date(h.clock.t));
  });

  test('an unknown operation is UnknownOperationException and malformed JSON is SerializationException', async () => {
    const { server } = await setup();
    expect((await rawCall(server, 'CreateDatasetExportJob', '{}')).json.__type).toBe('UnknownOperationException');
    expect((await rawCall(server, 'CreateSchema', '{not json')).json.__type).toBe('SerializationException');
  });

  test('a member of the wrong JSON type is SerializationException, raised by the SDK as a PersonalizeServiceException', async () => {
    const { server, client } = await setup();
    expect((await rawCall(server, 'CreateSchema', JSON.stringify({ name: 5, schema: ITEMS }))).json.__type).toBe('SerializationException');
    server.inject('DescribeSchema', { kind: 'error', name: 'SerializationException' });
    const err = await caught(client.send(new DescribeSchemaCommand({ schemaArn: UNKNOWN_GROUP })));
    expect(err).toBeInstanceOf(PersonalizeServiceException);
    expect(err.name).toBe('SerializationException');
  });
});

// ---- error mapping in the SDK ----------------------------------------------------------

describe('modelled errors reach the SDK as their exception classes', () => {
  test('ResourceNotFoundException for an unknown ARN, with HTTP 400 and the request id', async () => {
    const { client } = await setup();
    const err = await caught(client.send(new DescribeDatasetGroupCommand({ datasetGroupArn: UNKNOWN_GROUP })));
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err).toBeInstanceOf(PersonalizeServiceException);
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(err.$fault).toBe('client');
  });

  test('InvalidInputException lists every constraint violation', async () => {
    const { client } = await setup();
    const err = await caught(client.send(new CreateDatasetGroupCommand({ name: 'x'.repeat(64), domain: 'BOOKS' as any })));
    expect(err).toBeInstanceOf(InvalidInputException);
    expect(err.message).toMatch(/^2 validation errors detected: /);
    expect(err.message).toContain('at \'name\' failed to satisfy constraint: Member must have length less than or equal to 63');
    expect(err.message).toContain('Member must satisfy enum value set: [ECOMMERCE, VIDEO_ON_DEMAND]');
  });

  test('ResourceAlreadyExistsException, ResourceInUseException, TooManyTagsException, TooManyTagKeysException, InvalidNextTokenException', async () => {
    const h = await setup();
    const { datasetGroupArn } = await h.client.send(new CreateDatasetGroupCommand({ name: 'g' }));
    await expect(h.client.send(new CreateDatasetGroupCommand({ name: 'g' }))).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    await expect(h.client.send(new DeleteDatasetGroupCommand({ datasetGroupArn }))).rejects.toBeInstanceOf(ResourceInUseException);
    const tags = Array.from({ length: 51 }, (_, i) => ({ tagKey: `k${i}`, tagValue: 'v' }));
    await expect(h.client.send(new TagResourceCommand({ resourceArn: datasetGroupArn, tags }))).rejects.toBeInstanceOf(TooManyTagsException);
    const tagKeys = Array.from({ length: 51 }, (_, i) => `k${i}`);
    await expect(h.client.send(new UntagResourceCommand({ resourceArn: datasetGroupArn, tagKeys }))).rejects.toBeInstanceOf(TooManyTagKeysException);
    await expect(h.client.send(new ListDatasetGroupsCommand({ nextToken: 'garbage!' }))).rejects.toBeInstanceOf(InvalidNextTokenException);
  });

  test('LimitExceededException from a throttle fault', async () => {
    const { server, client } = await setup();
    server.inject('ListSchemas', { kind: 'throttle' });
    const err = await caught(client.send(new ListSchemasCommand({})));
    expect(err).toBeInstanceOf(LimitExceededException);
    expect(err.$metadata.httpStatusCode).toBe(400);
  });
});

// ---- fault injection -------------------------------------------------------------------

describe('fault injection', () => {
  test.each([500, 503] as const)('an http %i fault is a server error with that status code', async (status) => {
    const { server, client } = await setup();
    server.inject('DescribeDatasetGroup', { kind: 'http', status });
    const err = await caught(client.send(new DescribeDatasetGroupCommand({ datasetGroupArn: UNKNOWN_GROUP })));
    expect(err).toBeInstanceOf(PersonalizeServiceException);
    expect(err.$metadata.httpStatusCode).toBe(status);
    expect(err.$fault).toBe('server');
    expect(server.calls[0]).toMatchObject({ operation: 'DescribeDatasetGroup', status });
  });

  test('a reset fault destroys the connection: the SDK raises a network error and the request has no effect', async () => {
    const { server, client } = await setup();
    server.inject('CreateSchema', { kind: 'reset' });
    const err = await caught(client.send(new CreateSchemaCommand({ name: 's', schema: ITEMS })));
    expect(err).not.toBeInstanceOf(PersonalizeServiceException);
    expect(`${err.code ?? ''} ${err.message}`).toMatch(/ECONNRESET|socket hang up/);
    expect(server.calls[0]).toMatchObject({ operation: 'CreateSchema', status: 0, errorType: 'reset' });
    expect(server.resources()).toEqual([]);
  });

  test('a reset after processing loses the response but keeps the effect, so a retried create finds the resource', async () => {
    const { server, client } = await setup();
    server.inject('CreateDatasetGroup', { kind: 'reset', afterProcessing: true });
    await expect(client.send(new CreateDatasetGroupCommand({ name: 'g' }))).rejects.toThrow(/ECONNRESET|socket hang up/);
    expect(server.resources().map((r) => r.name)).toEqual(['g']);
    await expect(client.send(new CreateDatasetGroupCommand({ name: 'g' }))).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
  });

  test('a delay fault slows the answer, then the request is handled normally', async () => {
    const { server, client } = await setup();
    server.inject('CreateSchema', { kind: 'delay', ms: 150 });
    const started = Date.now();
    const { schemaArn } = await client.send(new CreateSchemaCommand({ name: 's', schema: ITEMS }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(schemaArn).toMatch(/:schema\/s$/);
  });

  test('a delay longer than the client request timeout makes the SDK time out', async () => {
    const { server } = await setup();
    const client = new PersonalizeClient({ ...server.clientConfig(), requestHandler: { requestTimeout: 50, throwOnRequestTimeout: true } });
    try {
      server.inject('ListSchemas', { kind: 'delay', ms: 250 });
      const err = await caught(client.send(new ListSchemasCommand({})));
      expect(err.name).toBe('TimeoutError');
    } finally {
      client.destroy();
    }
  });

  test('faults are consumed in order and `times` counts matching requests', async () => {
    const { server, client } = await setup();
    server.inject('ListSchemas', { kind: 'throttle', times: 2 });
    server.inject('ListSchemas', { kind: 'http', status: 503 });
    expect(server.faultsRemaining()).toBe(3);
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      try {
        await client.send(new ListSchemasCommand({}));
        outcomes.push('ok');
      } catch (err: any) {
        outcomes.push(`${err.name}/${err.$metadata?.httpStatusCode}`);
      }
    }
    expect(outcomes).toEqual(['LimitExceededException/400', 'LimitExceededException/400', 'ServiceUnavailable/503', 'ok']);
    expect(server.faultsRemaining()).toBe(0);
  });

  test('a fault for * applies to any operation, `always` until clearFaults, `when` filters by input', async () => {
    const { server, client } = await setup();
    server.inject('*', { kind: 'error', name: 'ResourceInUseException', message: 'busy', always: true, when: (input) => input.name === 'blocked' });
    for (let i = 0; i < 3; i++) {
      const err = await caught(client.send(new CreateSchemaCommand({ name: 'blocked', schema: ITEMS })));
      expect(err).toBeInstanceOf(ResourceInUseException);
      expect(err.message).toBe('busy');
    }
    await client.send(new CreateSchemaCommand({ name: 'free', schema: ITEMS }));
    server.clearFaults();
    await client.send(new CreateSchemaCommand({ name: 'blocked', schema: ITEMS }));
    expect(server.countCalls('CreateSchema')).toBe(5);
  });

  test('the SDK standard retry strategy retries injected throttles, 5xx and resets', async () => {
    const { server } = await setup();
    const client = new PersonalizeClient({ ...server.clientConfig(), maxAttempts: 4 });
    try {
      server.inject('ListSchemas', { kind: 'throttle' });
      server.inject('ListSchemas', { kind: 'http', status: 503 });
      server.inject('ListSchemas', { kind: 'reset' });
      const output = await client.send(new ListSchemasCommand({}));
      expect(output.$metadata.attempts).toBe(4);
      expect(server.calls.map((c) => c.status)).toEqual([400, 503, 0, 200]);
    } finally {
      client.destroy();
    }
  });

  test('injecting a fault for an unknown operation name is a programming error', async () => {
    const { server } = await setup();
    expect(() => server.inject('CreateDatasetGroups' as any, { kind: 'throttle' })).toThrow(/Unknown operation/);
    expect(() => server.inject('*', { kind: 'throttle', times: 0 })).toThrow();
  });
});

// ---- rate limit ---------------------------------------------------------------------------

describe('request rate limit', () => {
  test('requests over requestsPerSecond in a sliding second get LimitExceededException; rejected ones are not counted', async () => {
    const h = await setup({ requestsPerSecond: 3 });
    const attempt = async () => {
      try {
        await h.client.send(new ListSchemasCommand({}));
        return 'ok';
      } catch (err) {
        return err instanceof LimitExceededException ? 'throttled' : String(err);
      }
    };
    expect([await attempt(), await attempt(), await attempt(), await attempt()]).toEqual(['ok', 'ok', 'ok', 'throttled']);
    h.advance(600);
    expect(await attempt()).toBe('throttled');
    h.advance(401); // 1001 ms after the first three: they left the window; the rejected ones never entered it
    expect([await attempt(), await attempt(), await attempt(), await attempt()]).toEqual(['ok', 'ok', 'ok', 'throttled']);
    expect(h.server.calls.map((c) => c.status)).toEqual([200, 200, 200, 400, 400, 200, 200, 200, 400]);
  });
});

// ---- dataset groups --------------------------------------------------------------------------

describe('dataset groups', () => {
  test('go CREATE PENDING -> CREATE IN_PROGRESS (at a third of activeAfterMs) -> ACTIVE', async () => {
    const h = await setup();
    const { datasetGroupArn, domain } = await h.client.send(new CreateDatasetGroupCommand({ name: 'shop-1', domain: 'ECOMMERCE' }));
    expect(datasetGroupArn).toBe('arn:aws:personalize:us-east-1:123456789012:dataset-group/shop-1');
    expect(domain).toBe('ECOMMERCE');
    const created = new Date(h.clock.t);
    expect(await groupStatus(h, datasetGroupArn!)).toBe('CREATE PENDING');
    h.advance(ACTIVE_MS / 3);
    expect(await groupStatus(h, datasetGroupArn!)).toBe('CREATE IN_PROGRESS');
    h.advance(ACTIVE_MS);
    const { datasetGroup } = await h.client.send(new DescribeDatasetGroupCommand({ datasetGroupArn }));
    expect(datasetGroup).toEqual({
      name: 'shop-1',
      datasetGroupArn,
      status: 'ACTIVE',
      domain: 'ECOMMERCE',
      creationDateTime: created,
      lastUpdatedDateTime: new Date(created.getTime() + ACTIVE_MS),
    });
  });

  test('progress on the real clock by default: statuses only move forward and reach ACTIVE', async () => {
    const server = await LocalPersonalize.start({ activeAfterMs: 60 });
    const client = new PersonalizeClient(server.clientConfig());
    try {
      const { datasetGroupArn } = await client.send(new CreateDatasetGroupCommand({ name: 'g' }));
      const statuses = new Set<string>();
      for (let status = ''; status !== 'ACTIVE';) {
        status = (await client.send(new DescribeDatasetGroupCommand({ datasetGroupArn }))).datasetGroup!.status!;
        statuses.add(status);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      // A busy machine may look too late to see every step; the order and the end do not depend on its speed.
      const order = ['CREATE PENDING', 'CREATE IN_PROGRESS', 'ACTIVE'];
      expect([...statuses]).toEqual(order.filter((status) => statuses.has(status)));
      expect(statuses.has('ACTIVE')).toBe(true);
    } finally {
      client.destroy();
      await server.stop();
    }
  });

  test('return roleArn and kmsKeyArn, which must be given together', async () => {
    const h = await setup();
    const roleArn = 'arn:aws:iam::123456789012:role/personalize-kms';
    const kmsKeyArn = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    await expect(h.client.send(new CreateDatasetGroupCommand({ name: 'a', roleArn }))).rejects.toBeInstanceOf(InvalidInputException);
    await expect(h.client.send(new CreateDatasetGroupCommand({ name: 'b', kmsKeyArn }))).rejects.toBeInstanceOf(InvalidInputException);
    await expect(h.client.send(new CreateDatasetGroupCommand({ name: 'c', kmsKeyArn, roleArn: 'arn:aws:iam::123:role/x' })))
      .rejects.toThrow(/Member must satisfy regular expression pattern/);
    const { datasetGroupArn } = await h.client.send(new CreateDatasetGroupCommand({ name: 'd', roleArn, kmsKeyArn }));
    const { datasetGroup } = await h.client.send(new DescribeDatasetGroupCommand({ datasetGroupArn }));
    expect(datasetGroup).toMatchObject({ roleArn, kmsKeyArn });
  });

  test('failCreation makes a group end in CREATE FAILED with the reason; a failed group can be deleted', async () => {
    const h = await setup();
    h.server.failCreation('bad', 'KMS key not accessible');
    const { datasetGroupArn } = await h.client.send(new CreateDatasetGroupCommand({ name: 'bad' }));
    h.advance(ACTIVE_MS / 2);
    expect(await groupStatus(h, datasetGroupArn!)).toBe('CREATE IN_PROGRESS');
    h.advance(ACTIVE_MS);
    const { datasetGroup } = await h.client.send(new DescribeDatasetGroupCommand({ datasetGroupArn }));
    expect(datasetGroup).toMatchObject({ status: 'CREATE FAILED', failureReason: 'KMS key not accessible' });
    await h.client.send(new DeleteDatasetGroupCommand({ datasetGroupArn }));
    expect(await groupStatus(h, datasetGroupArn!)).toBe('DELETE PENDING');
  });

  test('neverActivate keeps a group CREATE IN_PROGRESS, and it cannot be deleted', async () => {
    const h = await setup();
    h.server.neverActivate('stuck');
    const { datasetGroupArn } = await h.client.send(new CreateDatasetGroupCommand({ name: 'stuck' }));
    h.advance(ACTIVE_MS * 100);
    expect(await groupStatus(h, datasetGroupArn!)).toBe('CREATE IN_PROGRESS');
    await expect(h.client.send(new DeleteDatasetGroupCommand({ datasetGroupArn }))).rejects.toBeInstanceOf(ResourceInUseException);
  });

  test('delete shows DELETE PENDING for deleteAfterMs, then the group is not found and its name is free', async () => {
    const h = await setup();
    const arn = await activeGroup(h, { name: 'g' });
    await h.client.send(new DeleteDatasetGroupCommand({ datasetGroupArn: arn }));
    expect(await groupStatus(h, arn)).toBe('DELETE PENDING');
    await expect(h.client.send(new DeleteDatasetGroupCommand({ datasetGroupArn: arn }))).rejects.toBeInstanceOf(ResourceInUseException);
    await expect(h.client.send(new CreateDatasetGroupCommand({ name: 'g' }))).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    h.advance(DELETE_MS - 1);
    expect(await groupStatus(h, arn)).toBe('DELETE PENDING');
    h.advance(1);
    await expect(h.client.send(new DescribeDatasetGroupCommand({ datasetGroupArn: arn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(h.client.send(new DeleteDatasetGroupCommand({ datasetGroupArn: arn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await h.client.send(new CreateDatasetGroupCommand({ name: 'g' }));
  });

  test('cannot be deleted while CREATE PENDING or CREATE IN_PROGRESS', async () => {
    const h = await setup();
    const { datasetGroupArn } = await h.client.send(new CreateDatasetGroupCommand({ name: 'g' }));
    await expect(h.client.send(new DeleteDatasetGroupCommand({ datasetGroupArn }))).rejects.toThrow(/CREATE PENDING/);
    h.advance(ACTIVE_MS / 2);
    await expect(h.client.send(new DeleteDatasetGroupCommand({ datasetGroupArn }))).rejects.toThrow(/CREATE IN_PROGRESS/);
  });

  test('names must be 1-63 characters matching ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*$', async () => {
    const h = await setup({ maxDatasetGroups: 10 });
    for (const bad of ['', '-lead', '_lead', 'with space', 'dot.ted', 'x'.repeat(64)]) {
      await expect(h.client.send(new CreateDatasetGroupCommand({ name: bad }))).rejects.toBeInstanceOf(InvalidInputException);
    }
    await expect(h.client.send(new CreateDatasetGroupCommand({} as any))).rejects.toThrow(/Value null at 'name' failed to satisfy constraint: Member must not be null/);
    for (const good of ['a', 'A-b_9', 'x'.repeat(63)]) await h.client.send(new CreateDatasetGroupCommand({ name: good }));
  });

  test('at most maxDatasetGroups (default 5) exist at once: LimitExceededException', async () => {
    const h = await setup();
    for (let i = 0; i < 5; i++) await h.client.send(new CreateDatasetGroupCommand({ name: `g${i}` }));
    await expect(h.client.send(new CreateDatasetGroupCommand({ name: 'g5' }))).rejects.toBeInstanceOf(LimitExceededException);
  });

  test('an ARN that does not match the model pattern is InvalidInputException, an unknown one ResourceNotFoundException', async () => {
    const h = await setup();
    await expect(h.client.send(new DescribeDatasetGroupCommand({ datasetGroupArn: 'dataset-group/x' }))).rejects.toBeInstanceOf(InvalidInputException);
    const schemaArn = await schema(h, 's', ITEMS);
    // A schema ARN is not a dataset group.
    await expect(h.client.send(new DescribeDatasetGroupCommand({ datasetGroupArn: schemaArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('are listed with pagination', async () => {
    const h = await setup();
    for (const name of ['a', 'b', 'c']) await h.client.send(new CreateDatasetGroupCommand({ name }));
    const first = await h.client.send(new ListDatasetGroupsCommand({ maxResults: 2 }));
    expect(first.datasetGroups?.map((g) => [g.name, g.status])).toEqual([['a', 'CREATE PENDING'], ['b', 'CREATE PENDING']]);
    const second = await h.client.send(new ListDatasetGroupsCommand({ maxResults: 2, nextToken: first.nextToken }));
    expect(second.datasetGroups?.map((g) => g.name)).toEqual(['c']);
    expect(second.nextToken).toBeUndefined();
  });
});

// ---- schemas ----------------------------------------------------------------------------------

describe('schemas', () => {
  test('are created synchronously and described without a status', async () => {
    const h = await setup();
    const schemaArn = await schema(h, 'items', ITEMS, 'ECOMMERCE');
    expect(schemaArn).toBe('arn:aws:personalize:us-east-1:123456789012:schema/items');
    const { schema: described } = await h.client.send(new DescribeSchemaCommand({ schemaArn }));
    expect(described).toEqual({
      name: 'items',
      schemaArn,
      schema: ITEMS,
      domain: 'ECOMMERCE',
      creationDateTime: new Date(h.clock.t),
      lastUpdatedDateTime: new Date(h.clock.t),
    });
    const { schemas } = await h.client.send(new ListSchemasCommand({}));
    expect(schemas?.map((s) => s.schemaArn)).toEqual([schemaArn]);
  });

  test('names are unique: ResourceAlreadyExistsException', async () => {
    const h = await setup();
    await schema(h, 'items', ITEMS);
    await expect(schema(h, 'items', USERS)).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
  });

  test('the schema text must be JSON, an Avro record, and at most 20,000 characters', async () => {
    const h = await setup();
    await expect(schema(h, 'a', '{oops')).rejects.toThrow(/not valid JSON/);
    await expect(schema(h, 'b', '{"type": "string"}')).rejects.toBeInstanceOf(InvalidInputException);
    const huge = avro('Items', [{ name: 'ITEM_ID', type: 'string' }, { name: 'PAD', type: ['null', 'string'], doc: 'x'.repeat(20000) } as any]);
    await expect(schema(h, 'c', huge)).rejects.toThrow(/length less than or equal to 20000/);
    await expect(schema(h, 'd', ITEMS, 'BOOKS' as any)).rejects.toBeInstanceOf(InvalidInputException);
  });

  test('strictSchemas: false accepts any JSON', async () => {
    const h = await setup({ strictSchemas: false });
    await schema(h, 'a', '{"type": "string"}');
    await expect(schema(h, 'b', 'not json')).rejects.toBeInstanceOf(InvalidInputException);
  });

  test('cannot be deleted while a dataset uses it, even one still deleting; afterwards it is gone', async () => {
    const h = await setup();
    const { schemaArn, datasetArn } = await activeItemsDataset(h);
    await expect(h.client.send(new DeleteSchemaCommand({ schemaArn }))).rejects.toBeInstanceOf(ResourceInUseException);
    await h.client.send(new DeleteDatasetCommand({ datasetArn }));
    await expect(h.client.send(new DeleteSchemaCommand({ schemaArn }))).rejects.toBeInstanceOf(ResourceInUseException);
    h.advance(DELETE_MS);
    await h.client.send(new DeleteSchemaCommand({ schemaArn }));
    await expect(h.client.send(new DescribeSchemaCommand({ schemaArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(h.client.send(new DeleteSchemaCommand({ schemaArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

// ---- datasets ------------------------------------------------------------------------------------

describe('datasets', () => {
  test('ARN is dataset/GROUP/TYPE, the type is case-insensitive, and the lifecycle is PENDING -> IN_PROGRESS -> ACTIVE', async () => {
    const h = await setup();
    const groupArn = await activeGroup(h, { name: 'shop' });
    const schemaArn = await schema(h, 'items', ITEMS);
    const { datasetArn } = await h.client.send(new CreateDatasetCommand({ name: 'items-ds', datasetGroupArn: groupArn, datasetType: 'iTeMs', schemaArn }));
    expect(datasetArn).toBe('arn:aws:personalize:us-east-1:123456789012:dataset/shop/ITEMS');
    expect(await datasetStatus(h, datasetArn!)).toBe('CREATE PENDING');
    h.advance(ACTIVE_MS / 3);
    expect(await datasetStatus(h, datasetArn!)).toBe('CREATE IN_PROGRESS');
    h.advance(ACTIVE_MS);
    const { dataset } = await h.client.send(new DescribeDatasetCommand({ datasetArn }));
    expect(dataset).toEqual({
      name: 'items-ds',
      datasetArn,
      datasetGroupArn: groupArn,
      datasetType: 'Items',
      schemaArn,
      status: 'ACTIVE',
      creationDateTime: expect.any(Date),
      lastUpdatedDateTime: expect.any(Date),
    });
    const { datasets } = await h.client.send(new ListDatasetsCommand({ datasetGroupArn: groupArn }));
    expect(datasets?.map((d) => [d.datasetArn, d.status])).toEqual([[datasetArn, 'ACTIVE']]);
  });

  test('Action_Interactions datasets get ACTION_INTERACTIONS ARNs and a trackingId', async () => {
    const h = await setup();
    const groupArn = await activeGroup(h, { name: 'g' });
    const actionsSchema = await schema(h, 'ai', ACTION_INTERACTIONS);
    const { datasetArn } = await h.client.send(new CreateDatasetCommand({ name: 'ai', datasetGroupArn: groupArn, datasetType: 'Action_Interactions', schemaArn: actionsSchema }));
    expect(datasetArn).toMatch(/:dataset\/g\/ACTION_INTERACTIONS$/);
    const { dataset } = await h.client.send(new DescribeDatasetCommand({ datasetArn }));
    expect(dataset?.trackingId).toMatch(/^[0-9a-f-]{36}$/);
    const interactions = await schema(h, 'i', INTERACTIONS);
    const other = await h.client.send(new CreateDatasetCommand({ name: 'i', datasetGroupArn: groupArn, datasetType: 'Interactions', schemaArn: interactions }));
    expect((await h.client.send(new DescribeDatasetCommand({ datasetArn: other.datasetArn }))).dataset?.trackingId).toBeUndefined();
  });

  test('one dataset per type per group: ResourceAlreadyExistsException', async () => {
    const h = await setup();
    const { groupArn, schemaArn } = await activeItemsDataset(h);
    await expect(h.client.send(new CreateDatasetCommand({ name: 'other', datasetGroupArn: groupArn, datasetType: 'ITEMS', schemaArn })))
      .rejects.toBeInstanceOf(ResourceAlreadyExistsException);
  });

  test('an unknown group or schema is ResourceNotFoundException', async () => {
    const h = await setup();
    const groupArn = await activeGroup(h, { name: 'g' });
    const schemaArn = await schema(h, 's', ITEMS);
    await expect(h.client.send(new CreateDatasetCommand({ name: 'd', datasetGroupArn: UNKNOWN_GROUP, datasetType: 'Items', schemaArn })))
      .rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(h.client.send(new CreateDatasetCommand({ name: 'd', datasetGroupArn: groupArn, datasetType: 'Items', schemaArn: `${schemaArn}x` })))
      .rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('a group that is not ACTIVE is ResourceInUseException', async () => {
    const h = await setup();
    const { datasetGroupArn } = await h.client.send(new CreateDatasetGroupCommand({ name: 'g' }));
    const schemaArn = await schema(h, 's', ITEMS);
    await expect(h.client.send(new CreateDatasetCommand({ name: 'd', datasetGroupArn, datasetType: 'Items', schemaArn })))
      .rejects.toBeInstanceOf(ResourceInUseException);
  });

  test('type, domain and schema rules are InvalidInputException', async () => {
    const h = await setup();
    const custom = await activeGroup(h, { name: 'custom' });
    const domainGroup = await activeGroup(h, { name: 'domain', domain: 'VIDEO_ON_DEMAND' });
    const plainItems = await schema(h, 'plain-items', ITEMS);
    const vodItems = await schema(h, 'vod-items', ITEMS, 'VIDEO_ON_DEMAND');
    const shopItems = await schema(h, 'shop-items', ITEMS, 'ECOMMERCE');
    const actions = await schema(h, 'actions', avro('Actions', [{ name: 'ACTION_ID', type: 'string' }]), 'VIDEO_ON_DEMAND');
    const create = (datasetGroupArn: string, datasetType: string, schemaArn: string) =>
      h.client.send(new CreateDatasetCommand({ name: 'd', datasetGroupArn, datasetType, schemaArn }));

    await expect(create(custom, 'Books', plainItems)).rejects.toThrow(/Invalid datasetType/);
    await expect(create(custom, 'Item-s', plainItems)).rejects.toThrow(/regular expression pattern/);
    await expect(create(domainGroup, 'Actions', actions)).rejects.toThrow(/Domain dataset group/);
    await expect(create(domainGroup, 'Items', shopItems)).rejects.toThrow(/does not match the domain/);
    await expect(create(domainGroup, 'Items', plainItems)).rejects.toBeInstanceOf(InvalidInputException);
    await expect(create(custom, 'Items', vodItems)).rejects.toBeInstanceOf(InvalidInputException);
    await expect(create(custom, 'Users', plainItems)).rejects.toThrow(/missing required field\(s\) USER_ID/);
    await create(domainGroup, 'Items', vodItems);
  });

  test('delete goes DELETE PENDING -> DELETE IN_PROGRESS -> not found; only ACTIVE or CREATE FAILED datasets can be deleted', async () => {
    const h = await setup();
    const groupArn = await activeGroup(h, { name: 'g' });
    const schemaArn = await schema(h, 's', ITEMS);
    const { datasetArn } = await h.client.send(new CreateDatasetCommand({ name: 'd', datasetGroupArn: groupArn, datasetType: 'Items', schemaArn }));
    await expect(h.client.send(new DeleteDatasetCommand({ datasetArn }))).rejects.toBeInstanceOf(ResourceInUseException);
    h.advance(ACTIVE_MS);
    await h.client.send(new DeleteDatasetCommand({ datasetArn }));
    expect(await datasetStatus(h, datasetArn!)).toBe('DELETE PENDING');
    await expect(h.client.send(new DeleteDatasetCommand({ datasetArn }))).rejects.toBeInstanceOf(ResourceInUseException);
    h.advance(DELETE_MS / 3);
    expect(await datasetStatus(h, datasetArn!)).toBe('DELETE IN_PROGRESS');
    await expect(h.client.send(new CreateDatasetCommand({ name: 'd2', datasetGroupArn: groupArn, datasetType: 'Items', schemaArn })))
      .rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    h.advance(DELETE_MS);
    await expect(h.client.send(new DescribeDatasetCommand({ datasetArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('a dataset group with datasets, even deleting ones, cannot be deleted', async () => {
    const h = await setup();
    const { groupArn, datasetArn } = await activeItemsDataset(h);
    await expect(h.client.send(new DeleteDatasetGroupCommand({ datasetGroupArn: groupArn }))).rejects.toThrow(/still contains datasets/);
    await h.client.send(new DeleteDatasetCommand({ datasetArn }));
    await expect(h.client.send(new DeleteDatasetGroupCommand({ datasetGroupArn: groupArn }))).rejects.toBeInstanceOf(ResourceInUseException);
    h.advance(DELETE_MS);
    await h.client.send(new DeleteDatasetGroupCommand({ datasetGroupArn: groupArn }));
  });

  test('failCreation(name, reason, "dataset") ends a dataset in CREATE FAILED; the reason is visible in resources()', async () => {
    const h = await setup();
    h.server.failCreation('items', 'schema mismatch', 'dataset');
    const { datasetArn, groupArn } = await activeItemsDataset(h, 'items');
    expect(await datasetStatus(h, datasetArn)).toBe('CREATE FAILED');
    expect(await groupStatus(h, groupArn)).toBe('ACTIVE');
    expect(h.server.resources('dataset')[0]).toMatchObject({ status: 'CREATE FAILED', failureReason: 'schema mismatch' });
    await h.client.send(new DeleteDatasetCommand({ datasetArn }));
  });
});

// ---- UpdateDataset ----------------------------------------------------------------------------------

describe('UpdateDataset', () => {
  test('latestDatasetUpdate goes UPDATE PENDING -> UPDATE IN_PROGRESS -> ACTIVE, then the dataset uses the new schema', async () => {
    const h = await setup();
    const { datasetArn, schemaArn } = await activeItemsDataset(h);
    const v2 = await schema(h, 'items-v2', ITEMS_V2);
    const started = new Date(h.clock.t);
    expect(await h.client.send(new UpdateDatasetCommand({ datasetArn, schemaArn: v2 }))).toMatchObject({ datasetArn });
    const describe = async () => (await h.client.send(new DescribeDatasetCommand({ datasetArn }))).dataset!;

    expect(await describe()).toMatchObject({ schemaArn, status: 'ACTIVE', latestDatasetUpdate: { schemaArn: v2, status: 'UPDATE PENDING', creationDateTime: started } });
    h.advance(UPDATE_MS / 3);
    expect(await describe()).toMatchObject({ schemaArn, latestDatasetUpdate: { status: 'UPDATE IN_PROGRESS' } });
    await expect(h.client.send(new UpdateDatasetCommand({ datasetArn, schemaArn: v2 }))).rejects.toThrow(/update in progress/);
    await expect(h.client.send(new DeleteSchemaCommand({ schemaArn: v2 }))).rejects.toBeInstanceOf(ResourceInUseException);
    h.advance(UPDATE_MS);
    expect(await describe()).toMatchObject({
      schemaArn: v2,
      latestDatasetUpdate: { schemaArn: v2, status: 'ACTIVE', lastUpdatedDateTime: new Date(started.getTime() + UPDATE_MS) },
    });
    await h.client.send(new DeleteSchemaCommand({ schemaArn })); // the old schema is free now
  });

  test('failUpdate ends the update in UPDATE FAILED with the reason and keeps the old schema', async () => {
    const h = await setup();
    h.server.failUpdate('items', 'incompatible data');
    const { datasetArn, schemaArn } = await activeItemsDataset(h);
    const v2 = await schema(h, 'items-v2', ITEMS_V2);
    await h.client.send(new UpdateDatasetCommand({ datasetArn, schemaArn: v2 }));
    h.advance(UPDATE_MS);
    const { dataset } = await h.client.send(new DescribeDatasetCommand({ datasetArn }));
    expect(dataset).toMatchObject({ schemaArn, latestDatasetUpdate: { schemaArn: v2, status: 'UPDATE FAILED', failureReason: 'incompatible data' } });
    // A failed update does not block the next one.
    h.server.clearBehaviours();
    await h.client.send(new UpdateDatasetCommand({ datasetArn, schemaArn: v2 }));
  });

  test('only Items and Users datasets, only ACTIVE ones, and only compatible schemas', async () => {
    const h = await setup();
    const groupArn = await activeGroup(h, { name: 'g' });
    const interactions = await schema(h, 'i', INTERACTIONS);
    const { datasetArn: interactionsArn } = await h.client.send(new CreateDatasetCommand({ name: 'i', datasetGroupArn: groupArn, datasetType: 'Interactions', schemaArn: interactions }));
    const items = await schema(h, 'items', ITEMS);
    const { datasetArn: itemsArn } = await h.client.send(new CreateDatasetCommand({ name: 'items', datasetGroupArn: groupArn, datasetType: 'Items', schemaArn: items }));
    const v2 = await schema(h, 'v2', ITEMS_V2);
    await expect(h.client.send(new UpdateDatasetCommand({ datasetArn: itemsArn, schemaArn: v2 }))).rejects.toBeInstanceOf(ResourceInUseException);
    h.advance(ACTIVE_MS);
    await expect(h.client.send(new UpdateDatasetCommand({ datasetArn: interactionsArn, schemaArn: interactions }))).rejects.toThrow(/Only Items and Users/);
    const required = await schema(h, 'required-field', avro('Items', [{ name: 'ITEM_ID', type: 'string' }, { name: 'GENRE', type: 'string' }]));
    await expect(h.client.send(new UpdateDatasetCommand({ datasetArn: itemsArn, schemaArn: required }))).rejects.toThrow(/must allow null/);
    const retyped = await schema(h, 'retyped', avro('Items', [{ name: 'ITEM_ID', type: 'long' }]));
    await expect(h.client.send(new UpdateDatasetCommand({ datasetArn: itemsArn, schemaArn: retyped }))).rejects.toThrow(/changes its type/);
    await expect(h.client.send(new UpdateDatasetCommand({ datasetArn: `${itemsArn}X`, schemaArn: v2 }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await h.client.send(new UpdateDatasetCommand({ datasetArn: itemsArn, schemaArn: v2 }));
  });
});

// ---- tags ------------------------------------------------------------------------------------------

describe('tags', () => {
  test('are set at creation, merged by TagResource, removed by UntagResource and listed as [{tagKey, tagValue}]', async () => {
    const h = await setup();
    const { datasetGroupArn } = await h.client.send(new CreateDatasetGroupCommand({ name: 'g', tags: [{ tagKey: 'team', tagValue: 'recs' }] }));
    await h.client.send(new TagResourceCommand({ resourceArn: datasetGroupArn, tags: [{ tagKey: 'team', tagValue: 'ml' }, { tagKey: 'env', tagValue: '' }] }));
    const listed = await h.client.send(new ListTagsForResourceCommand({ resourceArn: datasetGroupArn }));
    expect(listed.tags).toEqual([{ tagKey: 'team', tagValue: 'ml' }, { tagKey: 'env', tagValue: '' }]);
    await h.client.send(new UntagResourceCommand({ resourceArn: datasetGroupArn, tagKeys: ['team', 'absent'] }));
    expect(h.server.resources()).toEqual([expect.objectContaining({ kind: 'datasetGroup', arn: datasetGroupArn, tags: { env: '' } })]);
  });

  test('tag rules: no aws: prefix, key 1-128 and value 0-256 characters of the allowed set, no duplicate keys', async () => {
    const h = await setup();
    const { datasetGroupArn: resourceArn } = await h.client.send(new CreateDatasetGroupCommand({ name: 'g' }));
    const bad = [
      [{ tagKey: 'aws:owner', tagValue: 'x' }],
      [{ tagKey: 'AWS:owner', tagValue: 'x' }],
      [{ tagKey: '', tagValue: 'x' }],
      [{ tagKey: 'k'.repeat(129), tagValue: 'x' }],
      [{ tagKey: 'k', tagValue: 'v'.repeat(257) }],
      [{ tagKey: 'semi;colon', tagValue: 'x' }],
      [{ tagKey: 'k', tagValue: 'a' }, { tagKey: 'k', tagValue: 'b' }],
    ];
    for (const tags of bad) {
      await expect(h.client.send(new TagResourceCommand({ resourceArn, tags }))).rejects.toBeInstanceOf(InvalidInputException);
    }
    await expect(h.client.send(new UntagResourceCommand({ resourceArn, tagKeys: ['aws:x'] }))).rejects.toBeInstanceOf(InvalidInputException);
    await h.client.send(new TagResourceCommand({ resourceArn, tags: [{ tagKey: 'Ünïcode key_.:/=+-@ 1', tagValue: 'v'.repeat(256) }] }));
  });

  test('more than 50 tags on a resource, at creation or by adding, is TooManyTagsException', async () => {
    const h = await setup();
    const tags = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => ({ tagKey: `${prefix}${i}`, tagValue: 'v' }));
    await expect(h.client.send(new CreateDatasetGroupCommand({ name: 'g', tags: tags(51) }))).rejects.toBeInstanceOf(TooManyTagsException);
    const { datasetGroupArn: resourceArn } = await h.client.send(new CreateDatasetGroupCommand({ name: 'g', tags: tags(50) }));
    await h.client.send(new TagResourceCommand({ resourceArn, tags: tags(50) })); // overwriting keeps 50
    await expect(h.client.send(new TagResourceCommand({ resourceArn, tags: tags(1, 'new') }))).rejects.toBeInstanceOf(TooManyTagsException);
  });

  test('tag calls on an unknown ARN are ResourceNotFoundException', async () => {
    const { client } = await setup();
    await expect(client.send(new ListTagsForResourceCommand({ resourceArn: UNKNOWN_GROUP }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(new TagResourceCommand({ resourceArn: UNKNOWN_GROUP, tags: [] }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(new UntagResourceCommand({ resourceArn: UNKNOWN_GROUP, tagKeys: [] })))
      .rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

// ---- introspection ---------------------------------------------------------------------------------

describe('introspection', () => {
  test('calls records every request with operation, input and the status answered; countCalls counts them', async () => {
    const h = await setup();
    await h.client.send(new CreateDatasetGroupCommand({ name: 'g' }));
    await caught(h.client.send(new CreateDatasetGroupCommand({ name: 'g' })));
    expect(h.server.calls).toEqual([
      expect.objectContaining({ operation: 'CreateDatasetGroup', status: 200, input: { name: 'g' }, at: h.clock.t }),
      expect.objectContaining({ operation: 'CreateDatasetGroup', status: 400, errorType: 'ResourceAlreadyExistsException' }),
    ]);
    expect(h.server.countCalls('CreateDatasetGroup')).toBe(2);
    expect(h.server.countCalls('DeleteDatasetGroup')).toBe(0);
    h.server.clearCalls();
    expect(h.server.countCalls('*')).toBe(0);
  });

  test('resources() shows what exists now, with region and account from the options', async () => {
    const h = await setup({ region: 'eu-west-1', accountId: '210987654321' });
    const { groupArn, schemaArn, datasetArn } = await activeItemsDataset(h);
    expect(groupArn).toBe('arn:aws:personalize:eu-west-1:210987654321:dataset-group/shop');
    expect(h.server.resources()).toEqual([
      expect.objectContaining({ kind: 'datasetGroup', arn: groupArn, name: 'shop', status: 'ACTIVE', tags: {} }),
      expect.objectContaining({ kind: 'schema', arn: schemaArn, name: 'items-v1', tags: {} }),
      expect.objectContaining({ kind: 'dataset', arn: datasetArn, name: 'items', status: 'ACTIVE', datasetType: 'Items', schemaArn }),
    ]);
    await h.client.send(new DeleteDatasetCommand({ datasetArn }));
    h.advance(DELETE_MS);
    expect(h.server.resources('dataset')).toEqual([]);
  });
});

// ---- the rest of the family: fixtures -------------------------------------------------------------

const TRAIN_MS = 3 * ACTIVE_MS; // the default trainAfterMs
const RECIPE = 'arn:aws:personalize:::recipe/aws-user-personalization';
const ECOMMERCE_RECIPE = 'arn:aws:personalize:::recipe/aws-ecomm-recommended-for-you';
const METRICS_OUTPUT = { roleArn: 'arn:aws:iam::123456789012:role/metrics', s3DataDestination: { path: 's3://bucket/metrics' } };
const METRICS = [{ eventType: 'click', metricName: 'CLICKS', expression: 'SAMPLECOUNT()' }];
const FILTER = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")';

/** An ACTIVE ECOMMERCE group with an ACTIVE Interactions dataset: every kind can be created in it. */
async function interactionsGroup(h: Harness, name = 'shop'): Promise<{ groupArn: string; datasetArn: string }> {
  const groupArn = await activeGroup(h, { name, domain: 'ECOMMERCE' });
  const schemaArn = await schema(h, `${name}-interactions`, INTERACTIONS, 'ECOMMERCE');
  const { datasetArn } = await h.client.send(new CreateDatasetCommand({ name: `${name}-interactions`, datasetGroupArn: groupArn, datasetType: 'Interactions', schemaArn }));
  h.advance(ACTIVE_MS);
  return { groupArn, datasetArn: datasetArn! };
}

async function createSolution(h: Harness, datasetGroupArn: string, name = 'sol'): Promise<string> {
  return (await h.client.send(new CreateSolutionCommand({ name, datasetGroupArn, recipeArn: RECIPE, performAutoTraining: false }))).solutionArn!;
}

async function activeSolution(h: Harness, datasetGroupArn: string, name = 'sol'): Promise<string> {
  const arn = await createSolution(h, datasetGroupArn, name);
  h.advance(ACTIVE_MS);
  return arn;
}

async function trainedVersion(h: Harness, solutionArn: string): Promise<string> {
  const { solutionVersionArn } = await h.client.send(new CreateSolutionVersionCommand({ solutionArn }));
  h.advance(TRAIN_MS);
  return solutionVersionArn!;
}

async function versionStatus(h: Harness, solutionVersionArn: string): Promise<string | undefined> {
  return (await h.client.send(new DescribeSolutionVersionCommand({ solutionVersionArn }))).solutionVersion?.status;
}

/** Collects every page of a List operation, checking that each page holds at most maxResults items. */
async function allPages<T>(maxResults: number, page: (nextToken?: string) => Promise<{ items?: T[]; nextToken?: string }>): Promise<T[][]> {
  const pages: T[][] = [];
  let nextToken: string | undefined;
  do {
    const result = await page(nextToken);
    expect((result.items ?? []).length).toBeLessThanOrEqual(maxResults);
    pages.push(result.items ?? []);
    nextToken = result.nextToken;
  } while (nextToken !== undefined);
  return pages;
}

/** The operations of one kind, so that rules common to all kinds are tested once for each. */
interface KindOps {
  /** Creates one in the group (solution versions and campaigns: with what they need, made ACTIVE first). */
  create(h: Harness, groupArn: string, name: string): Promise<string>;
  status(h: Harness, arn: string): Promise<string | undefined>;
  remove(h: Harness, arn: string): Promise<unknown>;
}

const KINDS: Record<'solution' | 'campaign' | 'recommender' | 'eventTracker' | 'filter' | 'metricAttribution', KindOps> = {
  solution: {
    create: (h, groupArn, name) => createSolution(h, groupArn, name),
    status: async (h, solutionArn) => (await h.client.send(new DescribeSolutionCommand({ solutionArn }))).solution?.status,
    remove: (h, solutionArn) => h.client.send(new DeleteSolutionCommand({ solutionArn })),
  },
  campaign: {
    create: async (h, groupArn, name) => {
      const solutionVersionArn = await trainedVersion(h, await activeSolution(h, groupArn, `${name}-sol`));
      return (await h.client.send(new CreateCampaignCommand({ name, solutionVersionArn }))).campaignArn!;
    },
    status: async (h, campaignArn) => (await h.client.send(new DescribeCampaignCommand({ campaignArn }))).campaign?.status,
    remove: (h, campaignArn) => h.client.send(new DeleteCampaignCommand({ campaignArn })),
  },
  recommender: {
    create: async (h, datasetGroupArn, name) =>
      (await h.client.send(new CreateRecommenderCommand({ name, datasetGroupArn, recipeArn: ECOMMERCE_RECIPE }))).recommenderArn!,
    status: async (h, recommenderArn) => (await h.client.send(new DescribeRecommenderCommand({ recommenderArn }))).recommender?.status,
    remove: (h, recommenderArn) => h.client.send(new DeleteRecommenderCommand({ recommenderArn })),
  },
  eventTracker: {
    create: async (h, datasetGroupArn, name) => (await h.client.send(new CreateEventTrackerCommand({ name, datasetGroupArn }))).eventTrackerArn!,
    status: async (h, eventTrackerArn) => (await h.client.send(new DescribeEventTrackerCommand({ eventTrackerArn }))).eventTracker?.status,
    remove: (h, eventTrackerArn) => h.client.send(new DeleteEventTrackerCommand({ eventTrackerArn })),
  },
  filter: {
    create: async (h, datasetGroupArn, name) =>
      (await h.client.send(new CreateFilterCommand({ name, datasetGroupArn, filterExpression: FILTER }))).filterArn!,
    status: async (h, filterArn) => (await h.client.send(new DescribeFilterCommand({ filterArn }))).filter?.status,
    remove: (h, filterArn) => h.client.send(new DeleteFilterCommand({ filterArn })),
  },
  metricAttribution: {
    create: async (h, datasetGroupArn, name) => {
      const input = { name, datasetGroupArn, metrics: METRICS, metricsOutputConfig: METRICS_OUTPUT };
      return (await h.client.send(new CreateMetricAttributionCommand(input))).metricAttributionArn!;
    },
    status: async (h, metricAttributionArn) =>
      (await h.client.send(new DescribeMetricAttributionCommand({ metricAttributionArn }))).metricAttribution?.status,
    remove: (h, metricAttributionArn) => h.client.send(new DeleteMetricAttributionCommand({ metricAttributionArn })),
  },
};
const KIND_NAMES = Object.keys(KINDS) as Array<keyof typeof KINDS>;

/** Lets pending promise callbacks and I/O run once, to show that something has not happened. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** How DeleteDatasetGroup names the kinds it is blocked by. */
const GROUP_CHILDREN: Record<string, string> = {
  solution: 'solutions', eventTracker: 'event trackers', recommender: 'recommenders', filter: 'filters', metricAttribution: 'metric attributions',
};

// ---- rules common to the new kinds ----------------------------------------------------------

describe.each(KIND_NAMES)('%s', (kind) => {
  const ops = KINDS[kind];

  test('goes CREATE PENDING -> CREATE IN_PROGRESS -> ACTIVE; delete goes DELETE PENDING -> DELETE IN_PROGRESS -> not found', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const arn = await ops.create(h, groupArn, 'x1');
    expect(await ops.status(h, arn)).toBe('CREATE PENDING');
    h.advance(ACTIVE_MS / 3);
    expect(await ops.status(h, arn)).toBe('CREATE IN_PROGRESS');
    h.advance(ACTIVE_MS);
    expect(await ops.status(h, arn)).toBe('ACTIVE');
    await ops.remove(h, arn);
    expect(await ops.status(h, arn)).toBe('DELETE PENDING');
    await expect(ops.remove(h, arn)).rejects.toBeInstanceOf(ResourceInUseException);
    h.advance(DELETE_MS / 3);
    expect(await ops.status(h, arn)).toBe('DELETE IN_PROGRESS');
    h.advance(DELETE_MS);
    await expect(ops.status(h, arn)).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(h.server.resources(kind)).toEqual([]);
  });

  test('delete is ResourceInUseException while CREATE PENDING or CREATE IN_PROGRESS; a CREATE FAILED one can be deleted', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    h.server.failCreation('x1', 'bad input data', kind);
    const arn = await ops.create(h, groupArn, 'x1');
    await expect(ops.remove(h, arn)).rejects.toThrow(/is in CREATE PENDING state and cannot be deleted/);
    h.advance(ACTIVE_MS / 3);
    await expect(ops.remove(h, arn)).rejects.toThrow(/is in CREATE IN_PROGRESS state/);
    h.advance(ACTIVE_MS);
    expect(await ops.status(h, arn)).toBe('CREATE FAILED');
    expect(h.server.resources(kind)).toEqual([expect.objectContaining({ arn, name: 'x1', status: 'CREATE FAILED', failureReason: 'bad input data', datasetGroupArn: groupArn })]);
    await ops.remove(h, arn);
  });

  test('an unknown ARN is ResourceNotFoundException; a malformed ARN is a validation error', async () => {
    const h = await setup();
    await expect(ops.status(h, `arn:aws:personalize:us-east-1:123456789012:${kind}/nope`)).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(ops.remove(h, 'not-an-arn')).rejects.toThrow(/Member must satisfy regular expression pattern: arn:/);
    // An ARN of another kind is not found either.
    await expect(ops.status(h, (await interactionsGroup(h)).groupArn)).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('blocks DeleteDatasetGroup (ResourceInUseException) until it is deleted and gone', async () => {
    const h = await setup();
    const datasetGroupArn = await activeGroup(h, { name: 'bare', domain: 'ECOMMERCE' });
    const arn = await ops.create(h, datasetGroupArn, 'x1');
    h.advance(ACTIVE_MS);
    const deleteGroup = () => h.client.send(new DeleteDatasetGroupCommand({ datasetGroupArn }));
    // A campaign blocks through its solution, which the group contains.
    const contains = kind === 'campaign' ? /still contains solutions/ : new RegExp(`still contains ${GROUP_CHILDREN[kind]}: ${arn}\\.`);
    await expect(deleteGroup()).rejects.toThrow(contains);
    await ops.remove(h, arn);
    await expect(deleteGroup()).rejects.toThrow(contains); // deleting still counts
    h.advance(DELETE_MS);
    if (kind === 'campaign') {
      await expect(deleteGroup()).rejects.toThrow(contains);
      await h.client.send(new DeleteSolutionCommand({ solutionArn: h.server.resources('solution')[0].arn }));
      h.advance(DELETE_MS);
    }
    await deleteGroup();
    h.advance(DELETE_MS);
    expect(h.server.resources()).toEqual([]);
  });

  test('is tagged at creation where the model allows it, and through TagResource / UntagResource', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const resourceArn = await ops.create(h, groupArn, 'x1');
    await h.client.send(new TagResourceCommand({ resourceArn, tags: [{ tagKey: 'team', tagValue: 'recs' }, { tagKey: 'env', tagValue: 'test' }] }));
    await h.client.send(new UntagResourceCommand({ resourceArn, tagKeys: ['env'] }));
    expect((await h.client.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual([{ tagKey: 'team', tagValue: 'recs' }]);
    expect(h.server.resources(kind)[0].tags).toEqual({ team: 'recs' });
  });
});

// ---- solutions -----------------------------------------------------------------------------------

describe('UpdateSolution', () => {
  test('reports its progress as latestSolutionUpdate, CREATE PENDING to ACTIVE, and then the solution holds what it set', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const solutionArn = await activeSolution(h, groupArn);
    await h.client.send(new UpdateSolutionCommand({
      solutionArn, performAutoTraining: true, solutionUpdateConfig: { autoTrainingConfig: { schedulingExpression: 'rate(3 days)' } },
    }));
    const describe = async () => (await h.client.send(new DescribeSolutionCommand({ solutionArn }))).solution!;
    expect([(await describe()).status, (await describe()).latestSolutionUpdate?.status]).toEqual(['ACTIVE', 'CREATE PENDING']);
    await expect(h.client.send(new UpdateSolutionCommand({ solutionArn, performAutoTraining: false }))).rejects.toThrow(ResourceInUseException);
    h.advance(UPDATE_MS / 3);
    expect((await describe()).latestSolutionUpdate?.status).toBe('CREATE IN_PROGRESS');
    h.advance(UPDATE_MS);
    const solution = await describe();
    expect(solution.latestSolutionUpdate).toMatchObject({
      status: 'ACTIVE', performAutoTraining: true, solutionUpdateConfig: { autoTrainingConfig: { schedulingExpression: 'rate(3 days)' } },
    });
    expect([solution.performAutoTraining, solution.solutionConfig?.autoTrainingConfig?.schedulingExpression]).toEqual([true, 'rate(3 days)']);
  });

  test('failUpdate ends the update CREATE FAILED with the reason and leaves the solution as it was', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const solutionArn = await activeSolution(h, groupArn);
    h.server.failUpdate('sol', 'quota reached');
    await h.client.send(new UpdateSolutionCommand({ solutionArn, performAutoTraining: true }));
    h.advance(UPDATE_MS * 2);
    const { solution } = await h.client.send(new DescribeSolutionCommand({ solutionArn }));
    expect(solution?.latestSolutionUpdate).toMatchObject({ status: 'CREATE FAILED', failureReason: 'quota reached' });
    expect(solution?.performAutoTraining).toBe(false);
  });

  test('is checked against the model, and incremental updates are refused outside Semantic-Similarity', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const solutionArn = await activeSolution(h, groupArn);
    await expect(h.client.send(new UpdateSolutionCommand({ solutionArn, solutionUpdateConfig: { autoTrainingConfig: { schedulingExpression: 'weekly' } } })))
      .rejects.toThrow(/failed to satisfy constraint: Member must satisfy regular expression pattern: rate/);
    await expect(h.client.send(new UpdateSolutionCommand({
      solutionArn, solutionUpdateConfig: { eventsConfig: { eventParametersList: [{ eventType: 'click', weight: 2 }] } },
    }))).rejects.toThrow(/Member must have value less than or equal to 1/);
    await expect(h.client.send(new UpdateSolutionCommand({ solutionArn, performIncrementalUpdate: true })))
      .rejects.toThrow(/performIncrementalUpdate is supported only for solutions that use the aws-semantic-similarity recipe/);
  });
});

describe('solutions', () => {
  test('are described with the members of the model and the defaults of the service', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const created = new Date(h.clock.t);
    const { solutionArn } = await h.client.send(new CreateSolutionCommand({
      name: 'sol',
      datasetGroupArn: groupArn,
      recipeArn: RECIPE,
      eventType: 'click',
      solutionConfig: { autoTrainingConfig: { schedulingExpression: 'rate(7 days)' } },
    }));
    expect(solutionArn).toBe('arn:aws:personalize:us-east-1:123456789012:solution/sol');
    h.advance(ACTIVE_MS);
    const { solution } = await h.client.send(new DescribeSolutionCommand({ solutionArn }));
    expect(solution).toEqual({
      name: 'sol',
      solutionArn,
      performHPO: false,
      performAutoML: false,
      performAutoTraining: true,
      recipeArn: RECIPE,
      datasetGroupArn: groupArn,
      eventType: 'click',
      solutionConfig: { autoTrainingConfig: { schedulingExpression: 'rate(7 days)' } },
      status: 'ACTIVE',
      creationDateTime: created,
      lastUpdatedDateTime: new Date(created.getTime() + ACTIVE_MS),
    });
  });

  test('requests are checked against the model: patterns, enums, lengths, map sizes; a boolean of the wrong JSON type is SerializationException', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const err = await caught(h.client.send(new CreateSolutionCommand({
      name: '-sol',
      datasetGroupArn: groupArn,
      recipeArn: RECIPE,
      solutionConfig: {
        autoTrainingConfig: { schedulingExpression: 'rate(1 week)' },
        optimizationObjective: { objectiveSensitivity: 'EXTREME' as any },
        algorithmHyperParameters: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`p${i}`, '1'])),
      },
    })));
    expect(err).toBeInstanceOf(InvalidInputException);
    expect(err.message).toMatch(/^4 validation errors detected: /);
    expect(err.message).toContain('at \'name\' failed to satisfy constraint: Member must satisfy regular expression pattern');
    expect(err.message).toContain('at \'solutionConfig.autoTrainingConfig.schedulingExpression\' failed to satisfy constraint: Member must satisfy regular expression pattern: rate\\(\\d+ days?\\)');
    expect(err.message).toContain('Member must satisfy enum value set: [LOW, MEDIUM, HIGH, OFF]');
    expect(err.message).toContain('at \'solutionConfig.algorithmHyperParameters\' failed to satisfy constraint: Member must have length less than or equal to 100');
    await expect(h.client.send(new CreateSolutionCommand({ name: 'sol' } as any))).rejects.toThrow(/Value null at 'datasetGroupArn'/);
    const raw = await rawCall(h.server, 'CreateSolution', JSON.stringify({ name: 'sol', datasetGroupArn: groupArn, recipeArn: RECIPE, performHPO: 'yes' }));
    expect(raw.json.__type).toBe('SerializationException');
  });

  test('recipeArn is required unless performAutoML is true, and must be omitted when it is', async () => {
    const h = await setup();
    const { groupArn: datasetGroupArn } = await interactionsGroup(h);
    await expect(h.client.send(new CreateSolutionCommand({ name: 'a', datasetGroupArn }))).rejects.toThrow(/recipeArn is required/);
    await expect(h.client.send(new CreateSolutionCommand({ name: 'b', datasetGroupArn, performAutoML: true, recipeArn: RECIPE })))
      .rejects.toThrow(/recipeArn must be omitted/);
    await h.client.send(new CreateSolutionCommand({ name: 'c', datasetGroupArn, performAutoML: true }));
  });

  test('need an existing, ACTIVE dataset group and a name not used by another solution, even a deleting one', async () => {
    const h = await setup();
    const { datasetGroupArn } = await h.client.send(new CreateDatasetGroupCommand({ name: 'young' }));
    await expect(createSolution(h, datasetGroupArn!)).rejects.toThrow(/is in CREATE PENDING state. It must be ACTIVE before solutions can be created in it/);
    await expect(createSolution(h, UNKNOWN_GROUP)).rejects.toBeInstanceOf(ResourceNotFoundException);
    h.advance(ACTIVE_MS);
    const solutionArn = await activeSolution(h, datasetGroupArn!);
    await expect(createSolution(h, datasetGroupArn!)).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    await h.client.send(new DeleteSolutionCommand({ solutionArn }));
    await expect(createSolution(h, datasetGroupArn!)).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    h.advance(DELETE_MS);
    await createSolution(h, datasetGroupArn!);
  });

  test('DeleteSolution is refused while a version is in training or a campaign, even a deleting one, uses the solution; versions go with it', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const solutionArn = await activeSolution(h, groupArn);
    const deleteSolution = () => h.client.send(new DeleteSolutionCommand({ solutionArn }));
    const { solutionVersionArn } = await h.client.send(new CreateSolutionVersionCommand({ solutionArn }));
    await expect(deleteSolution()).rejects.toThrow(new RegExp(`has solution versions in training: ${solutionVersionArn}`));
    h.advance(TRAIN_MS);
    const { campaignArn } = await h.client.send(new CreateCampaignCommand({ name: 'live', solutionVersionArn }));
    h.advance(ACTIVE_MS);
    await expect(deleteSolution()).rejects.toThrow(new RegExp(`still has campaigns: ${campaignArn}`));
    await h.client.send(new DeleteCampaignCommand({ campaignArn }));
    await expect(deleteSolution()).rejects.toBeInstanceOf(ResourceInUseException);
    h.advance(DELETE_MS);
    await deleteSolution();
    expect(h.server.resources('solutionVersion')).toHaveLength(1); // until the solution is gone
    h.advance(DELETE_MS);
    expect(h.server.resources('solution')).toEqual([]);
    expect(h.server.resources('solutionVersion')).toEqual([]);
    await expect(versionStatus(h, solutionVersionArn!)).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('DeleteSolution is refused while an UpdateSolution is under way, and accepted once it is ACTIVE or CREATE FAILED', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const solutionArn = await activeSolution(h, groupArn, 'weekly');
    const deleteSolution = () => h.client.send(new DeleteSolutionCommand({ solutionArn }));
    await h.client.send(new UpdateSolutionCommand({ solutionArn, performAutoTraining: true }));

    const refusal = deleteSolution();
    await expect(refusal).rejects.toBeInstanceOf(ResourceInUseException);
    await expect(refusal).rejects.toThrow(`Solution ${solutionArn} has an update in progress (latestSolutionUpdate CREATE PENDING).`);
    h.advance(UPDATE_MS / 3);
    await expect(deleteSolution()).rejects.toThrow(/has an update in progress \(latestSolutionUpdate CREATE IN_PROGRESS\)/);
    h.advance(UPDATE_MS);
    await deleteSolution();

    const failing = await activeSolution(h, groupArn, 'failing');
    h.server.failUpdate('failing', 'no');
    await h.client.send(new UpdateSolutionCommand({ solutionArn: failing, performAutoTraining: true }));
    h.advance(UPDATE_MS);
    await h.client.send(new DeleteSolutionCommand({ solutionArn: failing }));
  });

  test('ListSolutions pages through all solutions with maxResults and nextToken, optionally of one dataset group', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const other = await activeGroup(h, { name: 'other' });
    for (let i = 0; i < 5; i++) await createSolution(h, groupArn, `sol-${i}`);
    await createSolution(h, other, 'elsewhere');
    const pages = await allPages(2, async (nextToken) => {
      const out = await h.client.send(new ListSolutionsCommand({ datasetGroupArn: groupArn, maxResults: 2, nextToken }));
      return { items: out.solutions, nextToken: out.nextToken };
    });
    expect(pages.map((p) => p.map((s) => s.name))).toEqual([['sol-0', 'sol-1'], ['sol-2', 'sol-3'], ['sol-4']]);
    expect(pages[0][0]).toEqual({
      name: 'sol-0',
      solutionArn: expect.stringMatching(/:solution\/sol-0$/),
      status: 'CREATE PENDING',
      recipeArn: RECIPE,
      creationDateTime: expect.any(Date),
      lastUpdatedDateTime: expect.any(Date),
    });
    expect((await h.client.send(new ListSolutionsCommand({}))).solutions).toHaveLength(6);
    await expect(h.client.send(new ListSolutionsCommand({ nextToken: 'garbage!' }))).rejects.toBeInstanceOf(InvalidNextTokenException);
  });
});

// ---- solution versions --------------------------------------------------------------------------------

describe('solution versions', () => {
  test('train CREATE PENDING -> CREATE IN_PROGRESS -> ACTIVE at trainAfterMs (3 x activeAfterMs by default)', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const solutionArn = await activeSolution(h, groupArn);
    const created = new Date(h.clock.t);
    const { solutionVersionArn } = await h.client.send(new CreateSolutionVersionCommand({ solutionArn, name: 'v1', tags: [{ tagKey: 'k', tagValue: 'v' }] }));
    expect(solutionVersionArn).toMatch(new RegExp(`^${solutionArn}/[0-9a-f]{8}$`));
    const statuses: Array<string | undefined> = [];
    for (let step = 0; step < 10; step++) {
      statuses.push(await versionStatus(h, solutionVersionArn!));
      h.advance(ACTIVE_MS / 3);
    }
    expect(statuses).toEqual(['CREATE PENDING', ...Array(8).fill('CREATE IN_PROGRESS'), 'ACTIVE']);
    const { solutionVersion } = await h.client.send(new DescribeSolutionVersionCommand({ solutionVersionArn }));
    expect(solutionVersion).toEqual({
      name: 'v1',
      solutionVersionArn,
      solutionArn,
      performHPO: false,
      performAutoML: false,
      recipeArn: RECIPE,
      datasetGroupArn: groupArn,
      trainingMode: 'FULL',
      trainingType: 'MANUAL',
      status: 'ACTIVE',
      creationDateTime: created,
      lastUpdatedDateTime: new Date(created.getTime() + TRAIN_MS),
    });
    const { solution } = await h.client.send(new DescribeSolutionCommand({ solutionArn }));
    expect(solution?.latestSolutionVersion).toMatchObject({ solutionVersionArn, status: 'ACTIVE', trainingMode: 'FULL' });
    expect(h.server.resources('solutionVersion')).toEqual([expect.objectContaining({ arn: solutionVersionArn, name: 'v1', solutionArn, tags: { k: 'v' } })]);
  });

  test('the trainAfterMs option sets the training time', async () => {
    const h = await setup({ trainAfterMs: 1000 });
    const { groupArn } = await interactionsGroup(h);
    const { solutionVersionArn } = await h.client.send(new CreateSolutionVersionCommand({ solutionArn: await activeSolution(h, groupArn) }));
    h.advance(999);
    expect(await versionStatus(h, solutionVersionArn!)).toBe('CREATE IN_PROGRESS');
    h.advance(1);
    expect(await versionStatus(h, solutionVersionArn!)).toBe('ACTIVE');
  });

  test('need an ACTIVE solution; UPDATE training needs an ACTIVE FULL version; trainingMode is an enum', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const solutionArn = await createSolution(h, groupArn);
    await expect(h.client.send(new CreateSolutionVersionCommand({ solutionArn }))).rejects.toThrow(/It must be ACTIVE before it can be trained/);
    await expect(h.client.send(new CreateSolutionVersionCommand({ solutionArn: `${solutionArn}x` }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    h.advance(ACTIVE_MS);
    await expect(h.client.send(new CreateSolutionVersionCommand({ solutionArn, trainingMode: 'UPDATE' }))).rejects.toThrow(/needs an ACTIVE solution version/);
    await expect(h.client.send(new CreateSolutionVersionCommand({ solutionArn, trainingMode: 'PARTIAL' as any })))
      .rejects.toThrow(/Member must satisfy enum value set: \[FULL, UPDATE, AUTOTRAIN\]/);
    await trainedVersion(h, solutionArn);
    await h.client.send(new CreateSolutionVersionCommand({ solutionArn, trainingMode: 'UPDATE' }));
  });

  test('StopSolutionVersionCreation: CREATE IN_PROGRESS -> CREATE STOPPING -> CREATE STOPPED, CREATE PENDING -> CREATE STOPPED', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const solutionArn = await activeSolution(h, groupArn);
    const { solutionVersionArn: training } = await h.client.send(new CreateSolutionVersionCommand({ solutionArn }));
    h.advance(ACTIVE_MS);
    const { solutionVersionArn: pending } = await h.client.send(new CreateSolutionVersionCommand({ solutionArn }));
    expect([await versionStatus(h, training!), await versionStatus(h, pending!)]).toEqual(['CREATE IN_PROGRESS', 'CREATE PENDING']);

    await h.client.send(new StopSolutionVersionCreationCommand({ solutionVersionArn: training }));
    await h.client.send(new StopSolutionVersionCreationCommand({ solutionVersionArn: pending }));
    expect([await versionStatus(h, training!), await versionStatus(h, pending!)]).toEqual([STATUS.createStopping, STATUS.createStopped]);
    // Still stopping: the solution cannot be deleted yet.
    await expect(h.client.send(new DeleteSolutionCommand({ solutionArn }))).rejects.toThrow(/has solution versions in training/);
    h.advance(ACTIVE_MS / 3);
    expect(await versionStatus(h, training!)).toBe('CREATE STOPPED');
    h.advance(TRAIN_MS);
    expect(await versionStatus(h, training!)).toBe('CREATE STOPPED');
    await expect(h.client.send(new StopSolutionVersionCreationCommand({ solutionVersionArn: training })))
      .rejects.toThrow(/is in CREATE STOPPED state; only a CREATE PENDING or CREATE IN_PROGRESS version can be stopped/);
    await h.client.send(new DeleteSolutionCommand({ solutionArn }));
  });

  test('an ACTIVE version cannot be stopped; an unknown one is ResourceNotFoundException', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const solutionVersionArn = await trainedVersion(h, await activeSolution(h, groupArn));
    await expect(h.client.send(new StopSolutionVersionCreationCommand({ solutionVersionArn }))).rejects.toBeInstanceOf(ResourceInUseException);
    await expect(h.client.send(new StopSolutionVersionCreationCommand({ solutionVersionArn: `${solutionVersionArn}0` })))
      .rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('ListSolutionVersions pages through the versions of one solution; an unknown solution is ResourceNotFoundException', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const solutionArn = await activeSolution(h, groupArn, 'a');
    const otherArn = await activeSolution(h, groupArn, 'b');
    const arns: string[] = [];
    for (let i = 0; i < 5; i++) arns.push((await h.client.send(new CreateSolutionVersionCommand({ solutionArn }))).solutionVersionArn!);
    await h.client.send(new CreateSolutionVersionCommand({ solutionArn: otherArn }));
    const pages = await allPages(3, async (nextToken) => {
      const out = await h.client.send(new ListSolutionVersionsCommand({ solutionArn, maxResults: 3, nextToken }));
      return { items: out.solutionVersions, nextToken: out.nextToken };
    });
    expect(pages.map((p) => p.length)).toEqual([3, 2]);
    expect(pages.flat().map((v) => v.solutionVersionArn)).toEqual(arns);
    expect(pages[0][0]).toEqual({
      solutionVersionArn: arns[0],
      status: 'CREATE PENDING',
      trainingMode: 'FULL',
      trainingType: 'MANUAL',
      creationDateTime: expect.any(Date),
      lastUpdatedDateTime: expect.any(Date),
    });
    await expect(h.client.send(new ListSolutionVersionsCommand({ solutionArn: `${solutionArn}zz` }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

// ---- campaigns ---------------------------------------------------------------------------------------

describe('campaigns', () => {
  test('deploy an ACTIVE solution version; minProvisionedTPS defaults to 1; a version still training is ResourceInUseException', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const solutionArn = await activeSolution(h, groupArn);
    const { solutionVersionArn } = await h.client.send(new CreateSolutionVersionCommand({ solutionArn }));
    await expect(h.client.send(new CreateCampaignCommand({ name: 'live', solutionVersionArn }))).rejects.toThrow(/must be ACTIVE before it can be deployed/);
    await expect(h.client.send(new CreateCampaignCommand({ name: 'live', solutionVersionArn, minProvisionedTPS: 0 })))
      .rejects.toThrow(/at 'minProvisionedTPS' failed to satisfy constraint: Member must have value greater than or equal to 1/);
    h.advance(TRAIN_MS);
    const created = new Date(h.clock.t);
    const { campaignArn } = await h.client.send(new CreateCampaignCommand({ name: 'live', solutionVersionArn, campaignConfig: { enableMetadataWithRecommendations: true } }));
    expect(campaignArn).toBe('arn:aws:personalize:us-east-1:123456789012:campaign/live');
    await expect(h.client.send(new CreateCampaignCommand({ name: 'live', solutionVersionArn }))).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    h.advance(ACTIVE_MS);
    const { campaign } = await h.client.send(new DescribeCampaignCommand({ campaignArn }));
    expect(campaign).toEqual({
      name: 'live',
      campaignArn,
      solutionVersionArn,
      minProvisionedTPS: 1,
      campaignConfig: { enableMetadataWithRecommendations: true },
      status: 'ACTIVE',
      creationDateTime: created,
      lastUpdatedDateTime: new Date(created.getTime() + ACTIVE_MS),
    });
    expect(h.server.resources('campaign')).toEqual([expect.objectContaining({ arn: campaignArn, solutionArn, solutionVersionArn, datasetGroupArn: groupArn })]);
  });

  test('ListCampaigns pages through the campaigns of a solution', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const solutionArn = await activeSolution(h, groupArn);
    const solutionVersionArn = await trainedVersion(h, solutionArn);
    const otherVersion = await trainedVersion(h, await activeSolution(h, groupArn, 'other'));
    for (let i = 0; i < 4; i++) await h.client.send(new CreateCampaignCommand({ name: `c${i}`, solutionVersionArn }));
    await h.client.send(new CreateCampaignCommand({ name: 'elsewhere', solutionVersionArn: otherVersion }));
    const pages = await allPages(3, async (nextToken) => {
      const out = await h.client.send(new ListCampaignsCommand({ solutionArn, maxResults: 3, nextToken }));
      return { items: out.campaigns, nextToken: out.nextToken };
    });
    expect(pages.map((p) => p.map((c) => c.name))).toEqual([['c0', 'c1', 'c2'], ['c3']]);
    expect((await h.client.send(new ListCampaignsCommand({}))).campaigns).toHaveLength(5);
  });
});

// ---- recommenders ------------------------------------------------------------------------------------

describe('recommenders', () => {
  test('exist in Domain dataset groups only, with a use case of the group\'s domain', async () => {
    const h = await setup();
    const custom = await activeGroup(h, { name: 'custom' });
    const vod = await activeGroup(h, { name: 'vod', domain: 'VIDEO_ON_DEMAND' });
    const { groupArn: shop } = await interactionsGroup(h);
    const create = (datasetGroupArn: string, recipeArn: string) => h.client.send(new CreateRecommenderCommand({ name: 'r', datasetGroupArn, recipeArn }));
    await expect(create(custom, ECOMMERCE_RECIPE)).rejects.toThrow(/only be created in a Domain dataset group/);
    await expect(create(vod, ECOMMERCE_RECIPE)).rejects.toThrow(/is not a use case of the VIDEO_ON_DEMAND domain/);
    await expect(create(UNKNOWN_GROUP, ECOMMERCE_RECIPE)).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(h.client.send(new CreateRecommenderCommand({ name: 'r', datasetGroupArn: shop, recipeArn: ECOMMERCE_RECIPE, recommenderConfig: { minRecommendationRequestsPerSecond: 0 } })))
      .rejects.toBeInstanceOf(InvalidInputException);
    const created = new Date(h.clock.t);
    const recommenderConfig = { minRecommendationRequestsPerSecond: 2, trainingDataConfig: { excludedDatasetColumns: { Interactions: ['EVENT_VALUE'] } } };
    const { recommenderArn } = await h.client.send(new CreateRecommenderCommand({ name: 'r', datasetGroupArn: shop, recipeArn: ECOMMERCE_RECIPE, recommenderConfig }));
    expect(recommenderArn).toBe('arn:aws:personalize:us-east-1:123456789012:recommender/r');
    await h.client.send(new CreateRecommenderCommand({ name: 'r-vod', datasetGroupArn: vod, recipeArn: 'arn:aws:personalize:::recipe/aws-vod-top-picks' }));
    h.advance(ACTIVE_MS);
    expect((await h.client.send(new DescribeRecommenderCommand({ recommenderArn }))).recommender).toEqual({
      name: 'r',
      recommenderArn,
      datasetGroupArn: shop,
      recipeArn: ECOMMERCE_RECIPE,
      recommenderConfig,
      status: 'ACTIVE',
      creationDateTime: created,
      lastUpdatedDateTime: new Date(created.getTime() + ACTIVE_MS),
    });
  });

  test('ListRecommenders pages through the recommenders, optionally of one dataset group', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    for (let i = 0; i < 5; i++) await KINDS.recommender.create(h, groupArn, `r${i}`);
    const pages = await allPages(2, async (nextToken) => {
      const out = await h.client.send(new ListRecommendersCommand({ datasetGroupArn: groupArn, maxResults: 2, nextToken }));
      return { items: out.recommenders, nextToken: out.nextToken };
    });
    expect(pages.map((p) => p.map((r) => r.name))).toEqual([['r0', 'r1'], ['r2', 'r3'], ['r4']]);
    expect(pages[0][0]).toMatchObject({ recommenderArn: expect.stringMatching(/:recommender\/r0$/), datasetGroupArn: groupArn, recipeArn: ECOMMERCE_RECIPE });
    expect((await h.client.send(new ListRecommendersCommand({ datasetGroupArn: UNKNOWN_GROUP }))).recommenders).toEqual([]);
  });
});

// ---- event trackers ----------------------------------------------------------------------------------

describe('event trackers', () => {
  test('CreateEventTracker answers the ARN and a trackingId, which DescribeEventTracker shows with the account', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const { eventTrackerArn, trackingId } = await h.client.send(new CreateEventTrackerCommand({ name: 'clicks', datasetGroupArn: groupArn, tags: [{ tagKey: 'a', tagValue: 'b' }] }));
    expect(eventTrackerArn).toMatch(/^arn:aws:personalize:us-east-1:123456789012:event-tracker\/[0-9a-f]{8}$/);
    expect(trackingId).toMatch(/^[0-9a-f-]{36}$/);
    h.advance(ACTIVE_MS);
    expect((await h.client.send(new DescribeEventTrackerCommand({ eventTrackerArn }))).eventTracker).toEqual({
      name: 'clicks',
      eventTrackerArn,
      accountId: '123456789012',
      trackingId,
      datasetGroupArn: groupArn,
      status: 'ACTIVE',
      creationDateTime: expect.any(Date),
      lastUpdatedDateTime: expect.any(Date),
    });
    expect(h.server.resources('eventTracker')[0].tags).toEqual({ a: 'b' });
  });

  test('a dataset group has at most one: a second is ResourceAlreadyExistsException until the first is gone', async () => {
    const h = await setup();
    const { groupArn: datasetGroupArn } = await interactionsGroup(h);
    const first = await KINDS.eventTracker.create(h, datasetGroupArn, 'one');
    const second = () => h.client.send(new CreateEventTrackerCommand({ name: 'two', datasetGroupArn }));
    await expect(second()).rejects.toThrow(new RegExp(`already has an event tracker: ${first}`));
    h.advance(ACTIVE_MS);
    await KINDS.eventTracker.remove(h, first);
    await expect(second()).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    h.advance(DELETE_MS);
    await second();
  });

  test('ListEventTrackers pages through the trackers of all groups or of one', async () => {
    const h = await setup();
    const groups = [await activeGroup(h, { name: 'g0' }), await activeGroup(h, { name: 'g1' }), await activeGroup(h, { name: 'g2' })];
    for (const [i, g] of groups.entries()) await KINDS.eventTracker.create(h, g, `t${i}`);
    const pages = await allPages(2, async (nextToken) => {
      const out = await h.client.send(new ListEventTrackersCommand({ maxResults: 2, nextToken }));
      return { items: out.eventTrackers, nextToken: out.nextToken };
    });
    expect(pages.map((p) => p.map((t) => t.name))).toEqual([['t0', 't1'], ['t2']]);
    expect(Object.keys(pages[0][0]).sort()).toEqual(['creationDateTime', 'eventTrackerArn', 'lastUpdatedDateTime', 'name', 'status']);
    expect((await h.client.send(new ListEventTrackersCommand({ datasetGroupArn: groups[1] }))).eventTrackers!.map((t) => t.name)).toEqual(['t1']);
  });
});

// ---- filters -------------------------------------------------------------------------------------------

describe('filters', () => {
  test('need an expression of the INCLUDE/EXCLUDE form, 1-2500 characters, which errors do not echo', async () => {
    const h = await setup();
    const { groupArn: datasetGroupArn } = await interactionsGroup(h);
    const create = (filterExpression: string) => h.client.send(new CreateFilterCommand({ name: 'f', datasetGroupArn, filterExpression }));
    await expect(create('SELECT * FROM items')).rejects.toThrow(/must start with INCLUDE or EXCLUDE/);
    const long = await caught(create(`INCLUDE ItemID WHERE Items.GENRE IN ("${'x'.repeat(2500)}")`));
    expect(long.message).toContain('Value \'***\' at \'filterExpression\' failed to satisfy constraint: Member must have length less than or equal to 2500');
    await expect(create('')).rejects.toThrow(/Member must have length greater than or equal to 1/);
    const { filterArn } = await create(FILTER);
    expect(filterArn).toBe('arn:aws:personalize:us-east-1:123456789012:filter/f');
    await expect(create(FILTER)).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    h.advance(ACTIVE_MS);
    expect((await h.client.send(new DescribeFilterCommand({ filterArn }))).filter).toEqual({
      name: 'f',
      filterArn,
      datasetGroupArn,
      filterExpression: FILTER,
      status: 'ACTIVE',
      creationDateTime: expect.any(Date),
      lastUpdatedDateTime: expect.any(Date),
    });
  });

  test('ListFilters pages through the filters (the model\'s list member is "Filters")', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    for (let i = 0; i < 4; i++) await KINDS.filter.create(h, groupArn, `f${i}`);
    const raw = await rawCall(h.server, 'ListFilters', JSON.stringify({ maxResults: 3 }));
    expect(raw.json.Filters).toHaveLength(3);
    const pages = await allPages(3, async (nextToken) => {
      const out = await h.client.send(new ListFiltersCommand({ datasetGroupArn: groupArn, maxResults: 3, nextToken }));
      return { items: out.Filters, nextToken: out.nextToken };
    });
    expect(pages.map((p) => p.map((f) => f.name))).toEqual([['f0', 'f1', 'f2'], ['f3']]);
    expect(pages[0][0]).toMatchObject({ filterArn: expect.stringMatching(/:filter\/f0$/), datasetGroupArn: groupArn, status: 'CREATE PENDING' });
  });
});

// ---- metric attributions -----------------------------------------------------------------------------

describe('metric attributions', () => {
  test('need metrics and an output config with a role; one per dataset group', async () => {
    const h = await setup();
    const { groupArn: datasetGroupArn } = await interactionsGroup(h);
    await expect(h.client.send(new CreateMetricAttributionCommand({ name: 'm', datasetGroupArn } as any)))
      .rejects.toThrow(/^2 validation errors detected: Value null at 'metrics'.*Value null at 'metricsOutputConfig'/);
    await expect(h.client.send(new CreateMetricAttributionCommand({ name: 'm', datasetGroupArn, metrics: METRICS, metricsOutputConfig: { roleArn: 'role' } })))
      .rejects.toThrow(/at 'metricsOutputConfig.roleArn' failed to satisfy constraint/);
    const tooMany = Array.from({ length: 11 }, () => METRICS[0]);
    await expect(h.client.send(new CreateMetricAttributionCommand({ name: 'm', datasetGroupArn, metrics: tooMany, metricsOutputConfig: METRICS_OUTPUT })))
      .rejects.toThrow(/at 'metrics' failed to satisfy constraint: Member must have length less than or equal to 10/);
    const metricAttributionArn = await KINDS.metricAttribution.create(h, datasetGroupArn, 'm');
    expect(metricAttributionArn).toBe('arn:aws:personalize:us-east-1:123456789012:metric-attribution/m');
    await expect(KINDS.metricAttribution.create(h, datasetGroupArn, 'm2')).rejects.toThrow(/already has a metric attribution/);
    h.advance(ACTIVE_MS);
    expect((await h.client.send(new DescribeMetricAttributionCommand({ metricAttributionArn }))).metricAttribution).toEqual({
      name: 'm',
      metricAttributionArn,
      datasetGroupArn,
      metricsOutputConfig: METRICS_OUTPUT,
      status: 'ACTIVE',
      creationDateTime: expect.any(Date),
      lastUpdatedDateTime: expect.any(Date),
    });
  });

  test('ListMetricAttributions pages through the attributions of all groups or of one', async () => {
    const h = await setup();
    const groups = [await activeGroup(h, { name: 'g0' }), await activeGroup(h, { name: 'g1' }), await activeGroup(h, { name: 'g2' })];
    for (const [i, g] of groups.entries()) await KINDS.metricAttribution.create(h, g, `m${i}`);
    const pages = await allPages(1, async (nextToken) => {
      const out = await h.client.send(new ListMetricAttributionsCommand({ maxResults: 1, nextToken }));
      return { items: out.metricAttributions, nextToken: out.nextToken };
    });
    expect(pages.map((p) => p.map((m) => m.name))).toEqual([['m0'], ['m1'], ['m2']]);
    expect((await h.client.send(new ListMetricAttributionsCommand({ datasetGroupArn: groups[2] }))).metricAttributions!.map((m) => m.name)).toEqual(['m2']);
  });
});

describe('dataset import jobs', () => {
  const SOURCE = { dataLocation: 's3://bucket/interactions.csv' };
  const ROLE = 'arn:aws:iam::123456789012:role/import';

  test('import into an ACTIVE dataset, go through the create statuses and are described with the model\'s members', async () => {
    const h = await setup();
    const { datasetArn } = await interactionsGroup(h);
    const { datasetImportJobArn } = await h.client.send(new CreateDatasetImportJobCommand({
      jobName: 'load', datasetArn, dataSource: SOURCE, roleArn: ROLE, importMode: 'INCREMENTAL',
    }));
    expect(datasetImportJobArn).toBe('arn:aws:personalize:us-east-1:123456789012:dataset-import-job/load');
    const describe = async () => (await h.client.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn }))).datasetImportJob!;
    expect((await describe()).status).toBe(STATUS.createPending);
    await expect(h.client.send(new DeleteDatasetCommand({ datasetArn }))).rejects.toThrow(/has import jobs in progress/);
    await expect(h.client.send(new CreateDatasetImportJobCommand({ jobName: 'load', datasetArn, dataSource: SOURCE })))
      .rejects.toThrow(ResourceAlreadyExistsException);
    h.advance(ACTIVE_MS);
    expect(await describe()).toEqual({
      jobName: 'load',
      datasetImportJobArn,
      datasetArn,
      dataSource: SOURCE,
      roleArn: ROLE,
      status: 'ACTIVE',
      importMode: 'INCREMENTAL',
      publishAttributionMetricsToS3: false,
      creationDateTime: expect.any(Date),
      lastUpdatedDateTime: expect.any(Date),
    });
    expect((await h.client.send(new ListDatasetImportJobsCommand({ datasetArn }))).datasetImportJobs!.map((j) => j.jobName)).toEqual(['load']);
  });

  test('refuse a data location that is not a URL, and fail with failCreation\'s reason', async () => {
    const h = await setup();
    const { datasetArn } = await interactionsGroup(h);
    await expect(h.client.send(new CreateDatasetImportJobCommand({ jobName: 'bad', datasetArn, dataSource: { dataLocation: 'bucket/key' } })))
      .rejects.toThrow(/at 'dataSource.dataLocation' failed to satisfy constraint/);
    h.server.failCreation('broken', 'Input CSV is missing the column TIMESTAMP', 'datasetImportJob');
    const { datasetImportJobArn } = await h.client.send(new CreateDatasetImportJobCommand({ jobName: 'broken', datasetArn, dataSource: SOURCE }));
    h.advance(ACTIVE_MS);
    expect((await h.client.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn }))).datasetImportJob)
      .toMatchObject({ status: STATUS.createFailed, failureReason: 'Input CSV is missing the column TIMESTAMP' });
  });

  test('with dataExists, a job whose data location holds nothing is accepted, then fails saying so', async () => {
    const present = new Set(['s3://bucket/interactions.csv']);
    const h = await setup({ dataExists: (location) => present.has(location) });
    const { datasetArn } = await interactionsGroup(h);
    const ok = await h.client.send(new CreateDatasetImportJobCommand({ jobName: 'found', datasetArn, dataSource: SOURCE }));
    const missing = await h.client.send(new CreateDatasetImportJobCommand({
      jobName: 'missing', datasetArn, dataSource: { dataLocation: 's3://bucket/other.csv' },
    }));
    h.advance(ACTIVE_MS);
    const describe = async (datasetImportJobArn?: string) =>
      (await h.client.send(new DescribeDatasetImportJobCommand({ datasetImportJobArn }))).datasetImportJob!;
    expect((await describe(ok.datasetImportJobArn)).status).toBe('ACTIVE');
    expect(await describe(missing.datasetImportJobArn)).toMatchObject({
      status: STATUS.createFailed,
      failureReason: 'Input data not found at s3://bucket/other.csv. Check the S3 path and the role\'s access to it.',
    });
  });

  test('go with their dataset: the API cannot delete them', async () => {
    const h = await setup();
    const { datasetArn } = await interactionsGroup(h);
    await h.client.send(new CreateDatasetImportJobCommand({ jobName: 'load', datasetArn, dataSource: SOURCE }));
    h.advance(ACTIVE_MS);
    await h.client.send(new DeleteDatasetCommand({ datasetArn }));
    h.advance(10 * ACTIVE_MS);
    expect(h.server.resources('datasetImportJob')).toEqual([]);
  });
});

// ---- batch inference and batch segment jobs ----------------------------------------------------------

describe('batch jobs', () => {
  const ROLE = 'arn:aws:iam::123456789012:role/batch';
  const JOB_INPUT = { s3DataSource: { path: 's3://bucket/in/users.json' } };
  const JOB_OUTPUT = { s3DataDestination: { path: 's3://bucket/out/' } };
  /** batchAfterMs defaults to importAfterMs, which defaults to activeAfterMs. */
  const BATCH_MS = ACTIVE_MS;
  const recipe = (name: string) => `arn:aws:personalize:::recipe/${name}`;

  /** An ACTIVE solution version of a new solution with this recipe. */
  async function versionOf(h: Harness, datasetGroupArn: string, recipeName: string, name = recipeName): Promise<string> {
    const input = { name, datasetGroupArn, recipeArn: recipe(recipeName), performAutoTraining: false };
    const { solutionArn } = await h.client.send(new CreateSolutionCommand(input));
    h.advance(ACTIVE_MS);
    return trainedVersion(h, solutionArn!);
  }

  type JobInput<T> = Partial<T> & { solutionVersionArn: string };
  const inferenceJob = (h: Harness, input: JobInput<CreateBatchInferenceJobCommandInput>) => h.client.send(new CreateBatchInferenceJobCommand({
    jobName: 'j', jobInput: JOB_INPUT, jobOutput: JOB_OUTPUT, roleArn: ROLE, ...input,
  }));
  const segmentJob = (h: Harness, input: JobInput<CreateBatchSegmentJobCommandInput>) => h.client.send(new CreateBatchSegmentJobCommand({
    jobName: 'j', jobInput: JOB_INPUT, jobOutput: JOB_OUTPUT, roleArn: ROLE, ...input,
  }));
  const inference = async (h: Harness, batchInferenceJobArn?: string) =>
    (await h.client.send(new DescribeBatchInferenceJobCommand({ batchInferenceJobArn }))).batchInferenceJob!;
  const segment = async (h: Harness, batchSegmentJobArn?: string) =>
    (await h.client.send(new DescribeBatchSegmentJobCommand({ batchSegmentJobArn }))).batchSegmentJob!;

  test('a batch inference job at batch-inference-job/NAME goes PENDING -> IN PROGRESS -> ACTIVE at batchAfterMs, described with the model\'s members', async () => {
    const h = await setup({ batchAfterMs: 300 });
    const { groupArn } = await interactionsGroup(h);
    const solutionVersionArn = await versionOf(h, groupArn, 'aws-user-personalization');
    const filterArn = await KINDS.filter.create(h, groupArn, 'f');
    const created = new Date(h.clock.t);
    const batchInferenceJobConfig = { itemExplorationConfig: { explorationWeight: '0.3' }, rankingInfluence: { POPULARITY: 0.5 } };
    const { batchInferenceJobArn } = await inferenceJob(h, { jobName: 'nightly', solutionVersionArn, filterArn, numResults: 50, batchInferenceJobConfig });
    expect(batchInferenceJobArn).toBe('arn:aws:personalize:us-east-1:123456789012:batch-inference-job/nightly');
    expect((await inference(h, batchInferenceJobArn)).status).toBe(STATUS.pending);
    h.advance(ACTIVE_MS / 3);
    expect((await inference(h, batchInferenceJobArn)).status).toBe('IN PROGRESS');
    h.advance(300 - 1 - ACTIVE_MS / 3);
    expect((await inference(h, batchInferenceJobArn)).status).toBe(STATUS.inProgress);
    h.advance(1);
    expect(await inference(h, batchInferenceJobArn)).toEqual({
      jobName: 'nightly',
      batchInferenceJobArn,
      filterArn,
      solutionVersionArn,
      numResults: 50,
      jobInput: JOB_INPUT,
      jobOutput: JOB_OUTPUT,
      batchInferenceJobConfig,
      roleArn: ROLE,
      batchInferenceJobMode: 'BATCH_INFERENCE',
      status: 'ACTIVE',
      creationDateTime: created,
      lastUpdatedDateTime: new Date(created.getTime() + 300),
    });
    expect(h.server.resources('batchInferenceJob')).toEqual([expect.objectContaining({
      arn: batchInferenceJobArn, name: 'nightly', status: 'ACTIVE', datasetGroupArn: groupArn, solutionVersionArn,
    })]);
  });

  test('a batch segment job at batch-segment-job/NAME goes PENDING -> IN PROGRESS -> ACTIVE, with numResults 25 by default', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const solutionVersionArn = await versionOf(h, groupArn, 'aws-item-affinity');
    const created = new Date(h.clock.t);
    const { batchSegmentJobArn } = await segmentJob(h, { jobName: 'audience', solutionVersionArn });
    expect(batchSegmentJobArn).toBe('arn:aws:personalize:us-east-1:123456789012:batch-segment-job/audience');
    expect((await segment(h, batchSegmentJobArn)).status).toBe('PENDING');
    h.advance(ACTIVE_MS / 3);
    expect((await segment(h, batchSegmentJobArn)).status).toBe('IN PROGRESS');
    h.advance(BATCH_MS - ACTIVE_MS / 3);
    expect(await segment(h, batchSegmentJobArn)).toEqual({
      jobName: 'audience',
      batchSegmentJobArn,
      solutionVersionArn,
      numResults: 25,
      jobInput: JOB_INPUT,
      jobOutput: JOB_OUTPUT,
      roleArn: ROLE,
      status: 'ACTIVE',
      creationDateTime: created,
      lastUpdatedDateTime: new Date(created.getTime() + BATCH_MS),
    });
  });

  test('batchAfterMs defaults to importAfterMs', async () => {
    const h = await setup({ importAfterMs: 500 });
    const { groupArn } = await interactionsGroup(h);
    const { batchInferenceJobArn } = await inferenceJob(h, { solutionVersionArn: await versionOf(h, groupArn, 'aws-user-personalization') });
    h.advance(499);
    expect((await inference(h, batchInferenceJobArn)).status).toBe('IN PROGRESS');
    h.advance(1);
    expect((await inference(h, batchInferenceJobArn)).status).toBe('ACTIVE');
  });

  test('a job name already taken by a job of the same kind is ResourceAlreadyExistsException, even once the job is done', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const recommending = await versionOf(h, groupArn, 'aws-user-personalization');
    const segmenting = await versionOf(h, groupArn, 'aws-item-affinity');
    await inferenceJob(h, { jobName: 'daily', solutionVersionArn: recommending });
    await segmentJob(h, { jobName: 'daily', solutionVersionArn: segmenting }); // another kind, another ARN
    h.advance(BATCH_MS);
    await expect(inferenceJob(h, { jobName: 'daily', solutionVersionArn: recommending })).rejects.toThrow(ResourceAlreadyExistsException);
    await expect(segmentJob(h, { jobName: 'daily', solutionVersionArn: segmenting })).rejects.toThrow(ResourceAlreadyExistsException);
  });

  test('the solution version must exist (ResourceNotFoundException) and be ACTIVE (ResourceInUseException)', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const recommendingSolution = await activeSolution(h, groupArn);
    const { solutionVersionArn: recommending } = await h.client.send(new CreateSolutionVersionCommand({ solutionArn: recommendingSolution }));
    const segmentingSolution = await h.client.send(new CreateSolutionCommand({ name: 'seg', datasetGroupArn: groupArn, recipeArn: recipe('aws-item-affinity') }));
    h.advance(ACTIVE_MS);
    const { solutionVersionArn: segmenting } = await h.client.send(new CreateSolutionVersionCommand({ solutionArn: segmentingSolution.solutionArn }));
    await expect(inferenceJob(h, { solutionVersionArn: `${recommending}0` })).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(segmentJob(h, { solutionVersionArn: `${segmenting}0` })).rejects.toBeInstanceOf(ResourceNotFoundException);
    const training = await caught(inferenceJob(h, { solutionVersionArn: recommending! }));
    expect(training).toBeInstanceOf(ResourceInUseException);
    expect(training.message).toBe(`Solution version ${recommending} is in CREATE IN_PROGRESS state. It must be ACTIVE before a batch inference job can use it.`);
    await expect(segmentJob(h, { solutionVersionArn: segmenting! })).rejects.toThrow(/is in CREATE PENDING state. It must be ACTIVE before a batch segment job can use it/);
    h.advance(TRAIN_MS);
    await inferenceJob(h, { solutionVersionArn: recommending! });
    await segmentJob(h, { solutionVersionArn: segmenting! });
  });

  test.each(['aws-trending-now', 'aws-next-best-action', 'aws-item-affinity', 'aws-item-attribute-affinity'])(
    'CreateBatchInferenceJob refuses a solution version trained with %s (InvalidInputException)', async (name) => {
      const h = await setup();
      const { groupArn } = await interactionsGroup(h);
      const err = await caught(inferenceJob(h, { solutionVersionArn: await versionOf(h, groupArn, name) }));
      expect(err).toBeInstanceOf(InvalidInputException);
      expect(err.message).toContain(`Batch inference jobs cannot use a solution version trained with ${recipe(name)}`);
      expect(h.server.resources('batchInferenceJob')).toEqual([]);
    });

  test('CreateBatchInferenceJob takes USER_PERSONALIZATION, PERSONALIZED_RANKING, RELATED_ITEMS, Popularity-Count and AutoML solution versions', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const names = [
      'aws-user-personalization', 'aws-user-personalization-v2', 'aws-personalized-ranking', 'aws-personalized-ranking-v2',
      'aws-similar-items', 'aws-sims', 'aws-semantic-similarity', 'aws-popularity-count',
    ];
    for (const name of names) {
      await inferenceJob(h, { jobName: name, solutionVersionArn: await versionOf(h, groupArn, name) });
      h.advance(BATCH_MS); // within the quota of running jobs
    }
    const { solutionArn } = await h.client.send(new CreateSolutionCommand({ name: 'automl', datasetGroupArn: groupArn, performAutoML: true }));
    h.advance(ACTIVE_MS);
    await inferenceJob(h, { jobName: 'automl', solutionVersionArn: await trainedVersion(h, solutionArn!) });
    expect(h.server.resources('batchInferenceJob').map((job) => job.name)).toEqual([...names, 'automl']);
  });

  test('CreateBatchSegmentJob takes only Item-Affinity and Item-Attribute-Affinity solution versions (InvalidInputException otherwise)', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    for (const name of ['aws-item-affinity', 'aws-item-attribute-affinity']) {
      await segmentJob(h, { jobName: name, solutionVersionArn: await versionOf(h, groupArn, name) });
    }
    for (const name of ['aws-user-personalization', 'aws-similar-items', 'aws-popularity-count', 'aws-trending-now']) {
      const err = await caught(segmentJob(h, { jobName: name, solutionVersionArn: await versionOf(h, groupArn, name) }));
      expect(err).toBeInstanceOf(InvalidInputException);
      expect(err.message).toBe(`Batch segment jobs need a solution version trained with a USER_SEGMENTATION recipe (aws-item-affinity, aws-item-attribute-affinity), not ${recipe(name)}.`);
    }
    expect(h.server.resources('batchSegmentJob').map((job) => job.name)).toEqual(['aws-item-affinity', 'aws-item-attribute-affinity']);
  });

  test('batchInferenceJobMode THEME_GENERATION needs a Similar-Items solution version and a themeGenerationConfig', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const similar = await versionOf(h, groupArn, 'aws-similar-items');
    const personal = await versionOf(h, groupArn, 'aws-user-personalization');
    const themeGenerationConfig = { fieldsForThemeGeneration: { itemName: 'TITLE' } };
    const themed = (solutionVersionArn: string, input: Partial<CreateBatchInferenceJobCommandInput> = { themeGenerationConfig }) =>
      inferenceJob(h, { jobName: 'themed', solutionVersionArn, batchInferenceJobMode: 'THEME_GENERATION', ...input });
    const wrongRecipe = await caught(themed(personal));
    expect(wrongRecipe).toBeInstanceOf(InvalidInputException);
    expect(wrongRecipe.message).toMatch(/THEME_GENERATION needs a solution version trained with the Similar-Items recipe \(aws-similar-items\)/);
    await expect(themed(similar, {})).rejects.toThrow(/THEME_GENERATION needs a themeGenerationConfig/);
    await expect(themed(similar, { themeGenerationConfig: { fieldsForThemeGeneration: { itemName: '1TITLE' } } }))
      .rejects.toThrow(/at 'themeGenerationConfig.fieldsForThemeGeneration.itemName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    await expect(themed(similar, { batchInferenceJobMode: 'THEMES' as any })).rejects.toThrow(/Member must satisfy enum value set: \[BATCH_INFERENCE, THEME_GENERATION\]/);
    const { batchInferenceJobArn } = await themed(similar);
    expect(await inference(h, batchInferenceJobArn)).toMatchObject({ batchInferenceJobMode: 'THEME_GENERATION', themeGenerationConfig });
    const { batchInferenceJobs } = await h.client.send(new ListBatchInferenceJobsCommand({ solutionVersionArn: similar }));
    expect(batchInferenceJobs).toEqual([expect.objectContaining({ jobName: 'themed', batchInferenceJobMode: 'THEME_GENERATION' })]);
  });

  test('a filterArn must name a filter of the solution\'s dataset group (InvalidInputException otherwise)', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const { groupArn: otherGroup } = await interactionsGroup(h, 'other');
    const recommending = await versionOf(h, groupArn, 'aws-user-personalization');
    const segmenting = await versionOf(h, groupArn, 'aws-item-attribute-affinity');
    const own = await KINDS.filter.create(h, groupArn, 'own');
    const foreign = await KINDS.filter.create(h, otherGroup, 'foreign');
    const creates = [
      (filterArn: string) => inferenceJob(h, { jobName: 'i', solutionVersionArn: recommending, filterArn }),
      (filterArn: string) => segmentJob(h, { jobName: 's', solutionVersionArn: segmenting, filterArn }),
    ];
    for (const create of creates) {
      const missing = await caught(create(`${own}-gone`));
      expect(missing).toBeInstanceOf(InvalidInputException);
      expect(missing.message).toBe(`Filter ${own}-gone does not exist.`);
      const elsewhere = await caught(create(foreign));
      expect(elsewhere).toBeInstanceOf(InvalidInputException);
      expect(elsewhere.message).toBe(`Filter ${foreign} belongs to dataset group ${otherGroup}, not to the solution's dataset group ${groupArn}.`);
      await create(own);
    }
  });

  test('numResults: at least 1, and for a batch segment job at most 5,000,000 users (InvalidInputException)', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const recommending = await versionOf(h, groupArn, 'aws-user-personalization');
    const segmenting = await versionOf(h, groupArn, 'aws-item-affinity');
    await expect(inferenceJob(h, { solutionVersionArn: recommending, numResults: 0 })).rejects.toThrow(/^numResults must be at least 1, got 0\.$/);
    await expect(segmentJob(h, { solutionVersionArn: segmenting, numResults: -1 })).rejects.toThrow(InvalidInputException);
    const tooMany = await caught(segmentJob(h, { solutionVersionArn: segmenting, numResults: 5_000_001 }));
    expect(tooMany).toBeInstanceOf(InvalidInputException);
    expect(tooMany.message).toBe('numResults must be at most 5000000, got 5000001.');
    const { batchSegmentJobArn } = await segmentJob(h, { solutionVersionArn: segmenting, numResults: 5_000_000 });
    expect((await segment(h, batchSegmentJobArn)).numResults).toBe(5_000_000);
    const { batchInferenceJobArn } = await inferenceJob(h, { solutionVersionArn: recommending, numResults: 500 });
    expect((await inference(h, batchInferenceJobArn)).numResults).toBe(500);
    expect((await rawCall(h.server, 'CreateBatchSegmentJob', JSON.stringify({
      jobName: 'typed', solutionVersionArn: segmenting, numResults: '5', jobInput: JOB_INPUT, jobOutput: JOB_OUTPUT, roleArn: ROLE,
    }))).json.__type).toBe('SerializationException');
  });

  test('at most 5 batch inference jobs and, apart, 5 batch segment jobs PENDING or IN PROGRESS (LimitExceededException); a finished job frees its place', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const recommending = await versionOf(h, groupArn, 'aws-user-personalization');
    const segmenting = await versionOf(h, groupArn, 'aws-item-affinity');
    for (let i = 0; i < 5; i++) await inferenceJob(h, { jobName: `i${i}`, solutionVersionArn: recommending });
    const sixth = await caught(inferenceJob(h, { jobName: 'i5', solutionVersionArn: recommending }));
    expect(sixth).toBeInstanceOf(LimitExceededException);
    expect(sixth.message).toBe('The limit of 5 pending or in progress batch inference jobs has been reached.');
    h.advance(ACTIVE_MS / 3); // IN PROGRESS counts too
    for (let i = 0; i < 5; i++) await segmentJob(h, { jobName: `s${i}`, solutionVersionArn: segmenting });
    await expect(segmentJob(h, { jobName: 's5', solutionVersionArn: segmenting }))
      .rejects.toThrow('The limit of 5 pending or in progress batch segment jobs has been reached.');
    await expect(inferenceJob(h, { jobName: 'i5', solutionVersionArn: recommending })).rejects.toBeInstanceOf(LimitExceededException);
    h.advance(BATCH_MS - ACTIVE_MS / 3); // the inference jobs are ACTIVE, the segment jobs still IN PROGRESS
    await inferenceJob(h, { jobName: 'i5', solutionVersionArn: recommending });
    await expect(segmentJob(h, { jobName: 's5', solutionVersionArn: segmenting })).rejects.toBeInstanceOf(LimitExceededException);
    h.advance(ACTIVE_MS / 3);
    await segmentJob(h, { jobName: 's5', solutionVersionArn: segmenting });
  });

  test('failCreation ends a job CREATE FAILED with its reason, neverActivate keeps it IN PROGRESS, holdCreation holds it until release', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const recommending = await versionOf(h, groupArn, 'aws-user-personalization');
    const segmenting = await versionOf(h, groupArn, 'aws-item-affinity');
    h.server.failCreation('broken', 'The input file holds no valid records', 'batchInferenceJob');
    h.server.neverActivate('stuck', 'batchSegmentJob');
    const hold = h.server.holdCreation('held', 'batchInferenceJob');
    const broken = await inferenceJob(h, { jobName: 'broken', solutionVersionArn: recommending });
    const stuck = await segmentJob(h, { jobName: 'stuck', solutionVersionArn: segmenting });
    const held = await inferenceJob(h, { jobName: 'held', solutionVersionArn: recommending });
    await hold.reached;
    h.advance(100 * BATCH_MS);
    expect(await inference(h, broken.batchInferenceJobArn)).toMatchObject({ status: 'CREATE FAILED', failureReason: 'The input file holds no valid records' });
    expect((await segment(h, stuck.batchSegmentJobArn)).status).toBe('IN PROGRESS');
    expect((await inference(h, held.batchInferenceJobArn)).status).toBe('IN PROGRESS');
    hold.release();
    h.advance(BATCH_MS - 1);
    expect((await inference(h, held.batchInferenceJobArn)).status).toBe('IN PROGRESS');
    h.advance(1);
    expect((await inference(h, held.batchInferenceJobArn)).status).toBe('ACTIVE');
    expect(h.server.resources('batchSegmentJob')).toEqual([expect.objectContaining({ name: 'stuck', status: 'IN PROGRESS' })]);
    const { batchInferenceJobs } = await h.client.send(new ListBatchInferenceJobsCommand({}));
    expect(batchInferenceJobs?.find((job) => job.jobName === 'broken')).toMatchObject({ status: 'CREATE FAILED', failureReason: 'The input file holds no valid records' });
  });

  test('a job is accepted, then ends CREATE FAILED when its input holds no data (dataExists), its role cannot read it (readDenied) or write the output (writeDenied)', async () => {
    const BLIND = 'arn:aws:iam::123456789012:role/blind';
    const READ_ONLY = 'arn:aws:iam::123456789012:role/read-only';
    const h = await setup({
      dataExists: (location) => location === JOB_INPUT.s3DataSource.path,
      readDenied: (roleArn, location) => (roleArn === BLIND ? `${roleArn} is not authorized to perform: s3:GetObject on ${location}` : undefined),
      writeDenied: (roleArn, location) => (roleArn === READ_ONLY ? `${roleArn} is not authorized to perform: s3:PutObject on ${location}` : undefined),
    });
    const { groupArn } = await interactionsGroup(h);
    const recommending = await versionOf(h, groupArn, 'aws-user-personalization');
    const segmenting = await versionOf(h, groupArn, 'aws-item-affinity');
    const empty = { s3DataSource: { path: 's3://bucket/in/nothing.json' } };
    const missing = await inferenceJob(h, { jobName: 'missing', solutionVersionArn: recommending, jobInput: empty });
    const unreadable = await inferenceJob(h, { jobName: 'unreadable', solutionVersionArn: recommending, roleArn: BLIND });
    const unwritable = await segmentJob(h, { jobName: 'unwritable', solutionVersionArn: segmenting, roleArn: READ_ONLY });
    const fine = await segmentJob(h, { jobName: 'fine', solutionVersionArn: segmenting });
    expect((await inference(h, missing.batchInferenceJobArn)).status).toBe('PENDING');
    h.advance(BATCH_MS);
    expect(await inference(h, missing.batchInferenceJobArn)).toMatchObject({
      status: 'CREATE FAILED', failureReason: 'Input data not found at s3://bucket/in/nothing.json. Check the S3 path and the role\'s access to it.',
    });
    expect(await inference(h, unreadable.batchInferenceJobArn)).toMatchObject({
      status: 'CREATE FAILED',
      failureReason: `Insufficient privileges for accessing data in S3: ${BLIND} is not authorized to perform: s3:GetObject on s3://bucket/in/users.json`,
    });
    expect(await segment(h, unwritable.batchSegmentJobArn)).toMatchObject({
      status: 'CREATE FAILED',
      failureReason: `Insufficient privileges for writing data to S3: ${READ_ONLY} is not authorized to perform: s3:PutObject on s3://bucket/out/`,
    });
    expect((await segment(h, fine.batchSegmentJobArn)).status).toBe('ACTIVE');
  });

  test('with writeOutput, a job writes INPUT_NAME.out under its output path once, when it is first seen ACTIVE; a failed job writes nothing', async () => {
    const written: Array<[string, string]> = [];
    const h = await setup({ writeOutput: (location, body) => written.push([location, body]) });
    const { groupArn } = await interactionsGroup(h);
    const recommending = await versionOf(h, groupArn, 'aws-user-personalization');
    const segmenting = await versionOf(h, groupArn, 'aws-item-affinity');
    h.server.failCreation('broken', 'no records', 'batchInferenceJob');
    const { batchInferenceJobArn } = await inferenceJob(h, {
      jobName: 'recs', solutionVersionArn: recommending, jobOutput: { s3DataDestination: { path: 's3://bucket/recs' } },
    });
    await inferenceJob(h, { jobName: 'broken', solutionVersionArn: recommending });
    await segmentJob(h, {
      jobName: 'audience',
      solutionVersionArn: segmenting,
      jobInput: { s3DataSource: { path: 's3://bucket/in/items.json' } },
      jobOutput: { s3DataDestination: { path: 's3://bucket/segments/' } },
    });
    h.advance(BATCH_MS - 1);
    expect((await inference(h, batchInferenceJobArn)).status).toBe('IN PROGRESS');
    h.advance(1);
    expect(written).toEqual([]); // nothing happens by itself: the clock only tells what a request sees
    expect((await inference(h, batchInferenceJobArn)).status).toBe('ACTIVE');
    await inference(h, batchInferenceJobArn);
    h.server.resources();
    expect(written).toEqual([
      ['s3://bucket/recs/users.json.out', '{"input":{},"output":{"recommendedItems":[],"scores":[]},"error":null}\n'],
      ['s3://bucket/segments/items.json.out', '{"input":{},"output":{"recommendedUsers":[]},"error":null}\n'],
    ]);
  });

  test('ListBatchInferenceJobs and ListBatchSegmentJobs page through the jobs of one solution version, with the summary members', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const first = await versionOf(h, groupArn, 'aws-user-personalization', 'a');
    const second = await versionOf(h, groupArn, 'aws-user-personalization', 'b');
    const segmenting = await versionOf(h, groupArn, 'aws-item-affinity');
    const arns: string[] = [];
    for (let i = 0; i < 3; i++) arns.push((await inferenceJob(h, { jobName: `a${i}`, solutionVersionArn: first })).batchInferenceJobArn!);
    await inferenceJob(h, { jobName: 'b0', solutionVersionArn: second });
    const pages = await allPages(2, async (nextToken) => {
      const out = await h.client.send(new ListBatchInferenceJobsCommand({ solutionVersionArn: first, maxResults: 2, nextToken }));
      return { items: out.batchInferenceJobs, nextToken: out.nextToken };
    });
    expect(pages.map((page) => page.map((job) => job.jobName))).toEqual([['a0', 'a1'], ['a2']]);
    expect(pages[0][0]).toEqual({
      batchInferenceJobArn: arns[0],
      jobName: 'a0',
      status: 'PENDING',
      creationDateTime: expect.any(Date),
      lastUpdatedDateTime: expect.any(Date),
      solutionVersionArn: first,
      batchInferenceJobMode: 'BATCH_INFERENCE',
    });
    expect((await h.client.send(new ListBatchInferenceJobsCommand({}))).batchInferenceJobs).toHaveLength(4);
    expect((await h.client.send(new ListBatchInferenceJobsCommand({ solutionVersionArn: `${first}0` }))).batchInferenceJobs).toEqual([]);

    const { batchSegmentJobArn } = await segmentJob(h, { jobName: 's0', solutionVersionArn: segmenting });
    expect((await h.client.send(new ListBatchSegmentJobsCommand({ solutionVersionArn: segmenting }))).batchSegmentJobs).toEqual([{
      batchSegmentJobArn, jobName: 's0', status: 'PENDING', creationDateTime: expect.any(Date), lastUpdatedDateTime: expect.any(Date), solutionVersionArn: segmenting,
    }]);
    expect((await h.client.send(new ListBatchSegmentJobsCommand({ solutionVersionArn: first }))).batchSegmentJobs).toEqual([]);
  });

  test('jobs are tagged at creation and through TagResource / UntagResource', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const tags = [{ tagKey: 'team', tagValue: 'recs' }];
    const { batchInferenceJobArn } = await inferenceJob(h, { solutionVersionArn: await versionOf(h, groupArn, 'aws-user-personalization'), tags });
    const { batchSegmentJobArn } = await segmentJob(h, { solutionVersionArn: await versionOf(h, groupArn, 'aws-item-affinity'), tags });
    for (const resourceArn of [batchInferenceJobArn!, batchSegmentJobArn!]) {
      await h.client.send(new TagResourceCommand({ resourceArn, tags: [{ tagKey: 'env', tagValue: 'test' }] }));
      expect((await h.client.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual([...tags, { tagKey: 'env', tagValue: 'test' }]);
      await h.client.send(new UntagResourceCommand({ resourceArn, tagKeys: ['team'] }));
    }
    expect(h.server.resources().filter((r) => r.kind === 'batchInferenceJob' || r.kind === 'batchSegmentJob').map((r) => r.tags))
      .toEqual([{ env: 'test' }, { env: 'test' }]);
    await expect(inferenceJob(h, { jobName: 'k', solutionVersionArn: h.server.resources('solutionVersion')[0].arn, tags: [{ tagKey: 'aws:x', tagValue: 'v' }] }))
      .rejects.toBeInstanceOf(InvalidInputException);
  });

  test('go with their solution version: DeleteSolution is not refused for a job in progress (AWS documents no such rule), and the job is gone with it', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const recommending = await versionOf(h, groupArn, 'aws-user-personalization', 'recs');
    const segmenting = await versionOf(h, groupArn, 'aws-item-affinity', 'segs');
    const { batchInferenceJobArn } = await inferenceJob(h, { solutionVersionArn: recommending });
    const { batchSegmentJobArn } = await segmentJob(h, { solutionVersionArn: segmenting });
    h.advance(ACTIVE_MS / 3);
    for (const solution of h.server.resources('solution')) await h.client.send(new DeleteSolutionCommand({ solutionArn: solution.arn }));
    expect((await inference(h, batchInferenceJobArn)).status).toBe('IN PROGRESS');
    h.advance(DELETE_MS);
    await expect(inference(h, batchInferenceJobArn)).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(segment(h, batchSegmentJobArn)).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(h.server.resources().filter((r) => r.kind === 'batchInferenceJob' || r.kind === 'batchSegmentJob')).toEqual([]);
  });

  test('DeleteDataset is refused (ResourceInUseException) while a batch job of the group is PENDING or IN PROGRESS', async () => {
    const h = await setup();
    const { groupArn, datasetArn } = await interactionsGroup(h);
    const recommending = await versionOf(h, groupArn, 'aws-user-personalization');
    const segmenting = await versionOf(h, groupArn, 'aws-item-affinity');
    const deleteDataset = () => h.client.send(new DeleteDatasetCommand({ datasetArn }));
    const { batchInferenceJobArn } = await inferenceJob(h, { solutionVersionArn: recommending });
    const refusal = await caught(deleteDataset());
    expect(refusal).toBeInstanceOf(ResourceInUseException);
    expect(refusal.message).toBe(`Dataset ${datasetArn} is used by batch inference jobs in progress: ${batchInferenceJobArn}.`);
    h.advance(ACTIVE_MS / 3);
    await expect(deleteDataset()).rejects.toThrow(/is used by batch inference jobs in progress/);
    h.advance(BATCH_MS);
    const { batchSegmentJobArn } = await segmentJob(h, { solutionVersionArn: segmenting });
    await expect(deleteDataset()).rejects.toThrow(`Dataset ${datasetArn} is used by batch segment jobs in progress: ${batchSegmentJobArn}.`);
    h.advance(BATCH_MS);
    await deleteDataset();
  });

  test.each([
    ['CreateBatchInferenceJob', (i: any) => new CreateBatchInferenceJobCommand(i)],
    ['CreateBatchSegmentJob', (i: any) => new CreateBatchSegmentJobCommand(i)],
  ] as const)('%s: the required members and the patterns of the S3 paths and the role, from the model', async (_operation, command) => {
    const { client } = await setup();
    const required = ['jobName', 'solutionVersionArn', 'jobInput', 'jobOutput', 'roleArn'];
    const missing = await caught(client.send(command({})));
    expect(missing).toBeInstanceOf(InvalidInputException);
    expect(missing.message).toBe(`5 validation errors detected: ${required.map((m) => `Value null at '${m}' failed to satisfy constraint: Member must not be null`).join('; ')}`);
    const bad = await caught(client.send(command({
      jobName: '_j',
      solutionVersionArn: 'arn:aws:personalize:us-east-1:123456789012:solution/s/1',
      roleArn: 'role',
      jobInput: { s3DataSource: { path: 'bucket/key' } },
      jobOutput: {},
    })));
    expect(bad.message).toMatch(/^4 validation errors detected: /);
    expect(bad.message).toContain('at \'jobName\' failed to satisfy constraint: Member must satisfy regular expression pattern');
    expect(bad.message).toContain('Value \'bucket/key\' at \'jobInput.s3DataSource.path\' failed to satisfy constraint: Member must satisfy regular expression pattern: (s3|http|https)://.+');
    expect(bad.message).toContain('Value null at \'jobOutput.s3DataDestination\' failed to satisfy constraint: Member must not be null');
    expect(bad.message).toContain('Value \'role\' at \'roleArn\' failed to satisfy constraint: Member must satisfy regular expression pattern');
  });
});

describe('UpdateMetricAttribution', () => {
  const VIEWS = { eventType: 'view', metricName: 'VIEWS', expression: 'SAMPLECOUNT()' };

  test('adds and removes metrics through UPDATE PENDING and UPDATE IN_PROGRESS; the change shows once ACTIVE', async () => {
    const h = await setup();
    const { groupArn: datasetGroupArn } = await interactionsGroup(h);
    const metricAttributionArn = await KINDS.metricAttribution.create(h, datasetGroupArn, 'm');
    await expect(h.client.send(new UpdateMetricAttributionCommand({ metricAttributionArn, addMetrics: [VIEWS] })))
      .rejects.toThrow(ResourceInUseException);
    h.advance(ACTIVE_MS);
    const newOutput = { roleArn: 'arn:aws:iam::123456789012:role/metrics2' };

    await h.client.send(new UpdateMetricAttributionCommand({ metricAttributionArn, addMetrics: [VIEWS], removeMetrics: ['CLICKS'], metricsOutputConfig: newOutput }));

    const describe = async () => (await h.client.send(new DescribeMetricAttributionCommand({ metricAttributionArn }))).metricAttribution!;
    const metrics = async () => (await h.client.send(new ListMetricAttributionMetricsCommand({ metricAttributionArn }))).metrics;
    expect((await describe()).status).toBe(STATUS.updatePending);
    h.advance(UPDATE_MS / 3);
    expect((await describe()).status).toBe(STATUS.updateInProgress);
    expect(await metrics()).toEqual(METRICS);
    await expect(h.client.send(new UpdateMetricAttributionCommand({ metricAttributionArn, removeMetrics: ['VIEWS'] }))).rejects.toThrow(ResourceInUseException);
    h.advance(UPDATE_MS);
    expect(await describe()).toMatchObject({ status: 'ACTIVE', metricsOutputConfig: newOutput });
    expect(await metrics()).toEqual([VIEWS]);
  });

  test('refuses unknown metric names, names already taken and more than 10 metrics', async () => {
    const h = await setup();
    const { groupArn: datasetGroupArn } = await interactionsGroup(h);
    const metricAttributionArn = await KINDS.metricAttribution.create(h, datasetGroupArn, 'm');
    h.advance(ACTIVE_MS);
    const metric = (i: number) => ({ eventType: 'click', metricName: `M${i}`, expression: 'SAMPLECOUNT()' });

    await expect(h.client.send(new UpdateMetricAttributionCommand({ metricAttributionArn, removeMetrics: ['NOPE'] })))
      .rejects.toThrow(/has no metrics named NOPE/);
    await expect(h.client.send(new UpdateMetricAttributionCommand({ metricAttributionArn, addMetrics: [METRICS[0]] })))
      .rejects.toThrow(ResourceAlreadyExistsException);
    const tenMore = Array.from({ length: 10 }, (_, i) => metric(i));
    await expect(h.client.send(new UpdateMetricAttributionCommand({ metricAttributionArn, addMetrics: tenMore })))
      .rejects.toThrow(/at most 10 metrics; this update would leave 11/);
  });

  test('holdUpdate keeps the update IN_PROGRESS and failUpdate ends it UPDATE FAILED with the reason', async () => {
    const h = await setup();
    const { groupArn: datasetGroupArn } = await interactionsGroup(h);
    const metricAttributionArn = await KINDS.metricAttribution.create(h, datasetGroupArn, 'm');
    h.advance(ACTIVE_MS);
    const hold = h.server.holdUpdate('m');
    h.server.failUpdate('m', 'role cannot write to the bucket');

    await h.client.send(new UpdateMetricAttributionCommand({ metricAttributionArn, addMetrics: [VIEWS] }));
    await hold.reached;
    h.advance(10 * UPDATE_MS);
    const describe = async () => (await h.client.send(new DescribeMetricAttributionCommand({ metricAttributionArn }))).metricAttribution!;
    expect((await describe()).status).toBe(STATUS.updateInProgress);
    hold.release();
    h.advance(UPDATE_MS);
    expect(await describe()).toMatchObject({ status: STATUS.updateFailed, failureReason: 'role cannot write to the bucket' });
    expect((await h.client.send(new ListMetricAttributionMetricsCommand({ metricAttributionArn }))).metrics).toEqual(METRICS);
  });
});

describe('ListMetricAttributionMetrics', () => {
  test('of an attribution that does not exist (any more) is InvalidInputException, the only fitting error its model declares', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const metricAttributionArn = await KINDS.metricAttribution.create(h, groupArn, 'gone');
    h.advance(ACTIVE_MS);
    await KINDS.metricAttribution.remove(h, metricAttributionArn);
    h.advance(DELETE_MS);

    const listing = h.client.send(new ListMetricAttributionMetricsCommand({ metricAttributionArn }));

    await expect(listing).rejects.toBeInstanceOf(InvalidInputException);
    await expect(listing).rejects.toThrow(`Metric attribution ${metricAttributionArn} does not exist.`);
  });
});

// ---- what blocks DeleteDataset -------------------------------------------------------------------------

describe('DeleteDataset is refused while', () => {
  test('the dataset group has a filter, for every dataset of the group', async () => {
    const h = await setup();
    const { groupArn, datasetArn } = await interactionsGroup(h);
    const items = await schema(h, 'shop-items', ITEMS, 'ECOMMERCE');
    const { datasetArn: itemsArn } = await h.client.send(new CreateDatasetCommand({ name: 'items', datasetGroupArn: groupArn, datasetType: 'Items', schemaArn: items }));
    const filterArn = await KINDS.filter.create(h, groupArn, 'f');
    h.advance(ACTIVE_MS);
    for (const arn of [datasetArn, itemsArn!]) {
      await expect(h.client.send(new DeleteDatasetCommand({ datasetArn: arn }))).rejects.toThrow(new RegExp(`while its dataset group has filters: ${filterArn}`));
    }
    await KINDS.filter.remove(h, filterArn);
    h.advance(DELETE_MS);
    await h.client.send(new DeleteDatasetCommand({ datasetArn: itemsArn }));
    await h.client.send(new DeleteDatasetCommand({ datasetArn }));
  });

  test.each(['eventTracker', 'metricAttribution'] as const)('a %s exists, for the Interactions dataset only', async (kind) => {
    const h = await setup();
    const { groupArn, datasetArn } = await interactionsGroup(h);
    const items = await schema(h, 'shop-items', ITEMS, 'ECOMMERCE');
    const { datasetArn: itemsArn } = await h.client.send(new CreateDatasetCommand({ name: 'items', datasetGroupArn: groupArn, datasetType: 'Items', schemaArn: items }));
    const arn = await KINDS[kind].create(h, groupArn, 'x');
    h.advance(ACTIVE_MS);
    await expect(h.client.send(new DeleteDatasetCommand({ datasetArn }))).rejects.toThrow(new RegExp(`is used by .*: ${arn}`));
    await h.client.send(new DeleteDatasetCommand({ datasetArn: itemsArn }));
    await KINDS[kind].remove(h, arn);
    h.advance(DELETE_MS);
    await h.client.send(new DeleteDatasetCommand({ datasetArn }));
  });

  test('a metric attribution with a metric on Items.PRICE, for the Items dataset too; one that counts only events leaves Items alone', async () => {
    const h = await setup();
    const { groupArn, datasetArn } = await interactionsGroup(h);
    const items = await schema(h, 'shop-items', ITEMS, 'ECOMMERCE');
    const { datasetArn: itemsArn } = await h.client.send(new CreateDatasetCommand({ name: 'items', datasetGroupArn: groupArn, datasetType: 'Items', schemaArn: items }));
    const metrics = [...METRICS, { eventType: 'purchase', metricName: 'REVENUE', expression: 'SUM(Items.PRICE)' }];
    const { metricAttributionArn } = await h.client.send(new CreateMetricAttributionCommand({
      name: 'revenue', datasetGroupArn: groupArn, metrics, metricsOutputConfig: METRICS_OUTPUT,
    }));
    h.advance(ACTIVE_MS);
    const deleteItems = () => h.client.send(new DeleteDatasetCommand({ datasetArn: itemsArn }));
    for (const arn of [itemsArn!, datasetArn]) {
      const refusal = h.client.send(new DeleteDatasetCommand({ datasetArn: arn }));
      await expect(refusal).rejects.toBeInstanceOf(ResourceInUseException);
      await expect(refusal).rejects.toThrow(`Dataset ${arn} is used by metric attributions: ${metricAttributionArn}.`);
    }
    // Once the Items metric is removed (the update is ACTIVE), only the Interactions dataset is referenced.
    await h.client.send(new UpdateMetricAttributionCommand({ metricAttributionArn, removeMetrics: ['REVENUE'] }));
    await expect(deleteItems()).rejects.toThrow(/is used by metric attributions/);
    h.advance(UPDATE_MS);
    await deleteItems();
    await expect(h.client.send(new DeleteDatasetCommand({ datasetArn }))).rejects.toThrow(/is used by metric attributions/);
  });

  test('a metric attribution update under way that adds a metric on Items.PRICE, for the Items dataset too', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const items = await schema(h, 'shop-items', ITEMS, 'ECOMMERCE');
    const { datasetArn: itemsArn } = await h.client.send(new CreateDatasetCommand({ name: 'items', datasetGroupArn: groupArn, datasetType: 'Items', schemaArn: items }));
    const metricAttributionArn = await KINDS.metricAttribution.create(h, groupArn, 'clicks');
    h.advance(ACTIVE_MS);
    const revenue = { eventType: 'purchase', metricName: 'REVENUE', expression: 'SUM(Items.PRICE)' };
    await h.client.send(new UpdateMetricAttributionCommand({ metricAttributionArn, addMetrics: [revenue] }));

    await expect(h.client.send(new DeleteDatasetCommand({ datasetArn: itemsArn })))
      .rejects.toThrow(`Dataset ${itemsArn} is used by metric attributions: ${metricAttributionArn}.`);
  });

  test('a solution version is in training or a recommender is being created, not once they are ACTIVE', async () => {
    const h = await setup();
    const { groupArn, datasetArn } = await interactionsGroup(h);
    const solutionArn = await activeSolution(h, groupArn);
    const { solutionVersionArn } = await h.client.send(new CreateSolutionVersionCommand({ solutionArn }));
    const recommenderArn = await KINDS.recommender.create(h, groupArn, 'r');
    const deleteDataset = () => h.client.send(new DeleteDatasetCommand({ datasetArn }));
    await expect(deleteDataset()).rejects.toThrow(new RegExp(`is used by recommenders being created: ${recommenderArn}`));
    h.advance(ACTIVE_MS);
    await expect(deleteDataset()).rejects.toThrow(new RegExp(`is used by solution versions in training: ${solutionVersionArn}`));
    h.advance(TRAIN_MS);
    await deleteDataset();
  });

  test('a campaign is being created or ACTIVE; a CREATE FAILED campaign does not block', async () => {
    const h = await setup();
    const { groupArn, datasetArn } = await interactionsGroup(h);
    h.server.failCreation('broken', 'out of capacity', 'campaign');
    const campaignArn = await KINDS.campaign.create(h, groupArn, 'live');
    const brokenArn = (await h.client.send(new CreateCampaignCommand({ name: 'broken', solutionVersionArn: h.server.resources('solutionVersion')[0].arn }))).campaignArn!;
    const deleteDataset = () => h.client.send(new DeleteDatasetCommand({ datasetArn }));
    await expect(deleteDataset()).rejects.toThrow(/is used by campaigns/);
    h.advance(ACTIVE_MS);
    expect(await KINDS.campaign.status(h, brokenArn)).toBe('CREATE FAILED');
    await expect(deleteDataset()).rejects.toThrow(new RegExp(`is used by campaigns: ${campaignArn}\\.$`));
    await KINDS.campaign.remove(h, campaignArn);
    await deleteDataset(); // a deleting campaign is no longer ACTIVE
  });
});

// ---- holds: in-flight states on demand -----------------------------------------------------------------

describe('holdCreation', () => {
  test('keeps a resource CREATE IN_PROGRESS until release, then ACTIVE activeAfterMs after the release; reached resolves on creation', async () => {
    const h = await setup();
    const hold: Hold = h.server.holdCreation('slow');
    const events: string[] = [];
    void hold.reached.then(() => events.push('reached'));
    await settle();
    expect(events).toEqual([]);
    const { datasetGroupArn } = await h.client.send(new CreateDatasetGroupCommand({ name: 'slow' }));
    events.push('created');
    await hold.reached;
    expect(events).toEqual(['reached', 'created']);
    expect(await groupStatus(h, datasetGroupArn!)).toBe('CREATE PENDING');
    h.advance(100 * ACTIVE_MS);
    expect(await groupStatus(h, datasetGroupArn!)).toBe('CREATE IN_PROGRESS');
    await expect(h.client.send(new DeleteDatasetGroupCommand({ datasetGroupArn }))).rejects.toBeInstanceOf(ResourceInUseException);
    expect(hold.isReleased).toBe(false);
    hold.release();
    expect(hold.isReleased).toBe(true);
    h.advance(ACTIVE_MS - 1);
    expect(await groupStatus(h, datasetGroupArn!)).toBe('CREATE IN_PROGRESS');
    h.advance(1);
    const { datasetGroup } = await h.client.send(new DescribeDatasetGroupCommand({ datasetGroupArn }));
    expect(datasetGroup).toMatchObject({ status: 'ACTIVE', lastUpdatedDateTime: new Date(h.clock.t) });
  });

  test('with failCreation, the released resource ends CREATE FAILED', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    h.server.failCreation('f', 'bad expression');
    const hold = h.server.holdCreation('f', 'filter');
    const filterArn = await KINDS.filter.create(h, groupArn, 'f');
    h.advance(10 * ACTIVE_MS);
    expect(await KINDS.filter.status(h, filterArn)).toBe('CREATE IN_PROGRESS');
    hold.release();
    h.advance(ACTIVE_MS);
    expect((await h.client.send(new DescribeFilterCommand({ filterArn }))).filter).toMatchObject({ status: 'CREATE FAILED', failureReason: 'bad expression' });
  });

  test('holds only the named kind, and resources created after the release are not held', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const hold = h.server.holdCreation('x', 'solution');
    const filterArn = await KINDS.filter.create(h, groupArn, 'x');
    const held = await createSolution(h, groupArn, 'x');
    h.advance(ACTIVE_MS);
    expect([await KINDS.filter.status(h, filterArn), await KINDS.solution.status(h, held)]).toEqual(['ACTIVE', 'CREATE IN_PROGRESS']);
    hold.release();
    await KINDS.filter.remove(h, filterArn);
    h.advance(DELETE_MS);
    const later = await KINDS.filter.create(h, groupArn, 'x');
    h.advance(ACTIVE_MS);
    expect([await KINDS.filter.status(h, later), await KINDS.solution.status(h, held)]).toEqual(['ACTIVE', 'ACTIVE']);
  });

  test('holds a solution version (matched by its solution\'s name) mid-training, where StopSolutionVersionCreation stops it', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const hold = h.server.holdCreation('sol', 'solutionVersion');
    const solutionArn = await activeSolution(h, groupArn, 'sol');
    const { solutionVersionArn } = await h.client.send(new CreateSolutionVersionCommand({ solutionArn }));
    await hold.reached;
    h.advance(10 * TRAIN_MS);
    expect(await versionStatus(h, solutionVersionArn!)).toBe('CREATE IN_PROGRESS');
    await h.client.send(new StopSolutionVersionCreationCommand({ solutionVersionArn }));
    expect(await versionStatus(h, solutionVersionArn!)).toBe('CREATE STOPPING');
    h.advance(ACTIVE_MS / 3);
    expect(await versionStatus(h, solutionVersionArn!)).toBe('CREATE STOPPED');
    hold.release(); // a stopped version stays stopped
    h.advance(TRAIN_MS);
    expect(await versionStatus(h, solutionVersionArn!)).toBe('CREATE STOPPED');
  });

  test('clearBehaviours disarms a hold, but what it holds stays held until release', async () => {
    const h = await setup();
    const hold = h.server.holdCreation('g');
    const { datasetGroupArn: held } = await h.client.send(new CreateDatasetGroupCommand({ name: 'g' }));
    h.server.clearBehaviours();
    const { datasetGroupArn: free } = await h.client.send(new CreateDatasetGroupCommand({ name: 'g2' }));
    h.server.holdCreation('g3');
    h.server.clearBehaviours();
    const { datasetGroupArn: free3 } = await h.client.send(new CreateDatasetGroupCommand({ name: 'g3' }));
    h.advance(ACTIVE_MS);
    expect([await groupStatus(h, held!), await groupStatus(h, free!), await groupStatus(h, free3!)]).toEqual(['CREATE IN_PROGRESS', 'ACTIVE', 'ACTIVE']);
    hold.release();
    h.advance(ACTIVE_MS);
    expect(await groupStatus(h, held!)).toBe('ACTIVE');
  });
});

describe('holdUpdate', () => {
  test('keeps UpdateDataset UPDATE IN_PROGRESS until release, then ACTIVE updateAfterMs later; meanwhile the dataset cannot be deleted', async () => {
    const h = await setup();
    const { datasetArn, schemaArn } = await activeItemsDataset(h, 'items');
    const v2 = await schema(h, 'items-v2', ITEMS_V2);
    const hold = h.server.holdUpdate('items');
    await h.client.send(new UpdateDatasetCommand({ datasetArn, schemaArn: v2 }));
    await hold.reached;
    const describe = async () => (await h.client.send(new DescribeDatasetCommand({ datasetArn }))).dataset!;
    expect((await describe()).latestDatasetUpdate?.status).toBe('UPDATE PENDING');
    h.advance(100 * UPDATE_MS);
    expect(await describe()).toMatchObject({ schemaArn, latestDatasetUpdate: { status: 'UPDATE IN_PROGRESS' } });
    await expect(h.client.send(new DeleteDatasetCommand({ datasetArn }))).rejects.toThrow(/has an update in progress/);
    hold.release();
    h.advance(UPDATE_MS - 1);
    expect((await describe()).latestDatasetUpdate?.status).toBe('UPDATE IN_PROGRESS');
    h.advance(1);
    expect(await describe()).toMatchObject({ schemaArn: v2, latestDatasetUpdate: { status: 'ACTIVE' } });
  });

  test('a hold for another dataset name is not reached', async () => {
    const h = await setup();
    const { datasetArn } = await activeItemsDataset(h, 'items');
    const hold = h.server.holdUpdate('users');
    let reached = false;
    void hold.reached.then(() => { reached = true; });
    await h.client.send(new UpdateDatasetCommand({ datasetArn, schemaArn: await schema(h, 'items-v2', ITEMS_V2) }));
    await settle();
    expect(reached).toBe(false);
    h.advance(UPDATE_MS);
    expect((await h.client.send(new DescribeDatasetCommand({ datasetArn }))).dataset?.latestDatasetUpdate?.status).toBe('ACTIVE');
  });
});

// ---- gates: requests held on the wire ------------------------------------------------------------------

describe('hold faults and gates', () => {
  test('a request waits at the gate with no effect until open(); reached resolves when it arrives', async () => {
    const h = await setup();
    const gate: Gate = h.server.gate();
    h.server.inject('CreateDatasetGroup', { kind: 'hold', gate });
    const events: string[] = [];
    void gate.reached.then(() => events.push('reached'));
    await settle();
    expect(events).toEqual([]);
    const sent = h.client.send(new CreateDatasetGroupCommand({ name: 'g' })).then((out) => {
      events.push('answered');
      return out;
    });
    await gate.reached;
    expect(h.server.resources()).toEqual([]);
    expect(h.server.calls).toEqual([expect.objectContaining({ operation: 'CreateDatasetGroup', status: 0 })]);
    expect(gate.isOpen).toBe(false);
    gate.open();
    expect(gate.isOpen).toBe(true);
    const { datasetGroupArn } = await sent;
    expect(events).toEqual(['reached', 'answered']);
    expect(h.server.resources()).toEqual([expect.objectContaining({ arn: datasetGroupArn, status: 'CREATE PENDING' })]);
    expect(h.server.calls[0].status).toBe(200);
  });

  test('with afterProcessing the request takes effect first and only its answer waits', async () => {
    const h = await setup();
    const gate = h.server.gate();
    h.server.inject('CreateSolution', { kind: 'hold', gate, afterProcessing: true });
    const { groupArn } = await interactionsGroup(h);
    let answered = false;
    const sent = createSolution(h, groupArn).then((arn) => {
      answered = true;
      return arn;
    });
    await gate.reached;
    expect(h.server.resources('solution')).toEqual([expect.objectContaining({ name: 'sol', status: 'CREATE PENDING' })]);
    // The service goes on meanwhile: another client sees the solution and its lifecycle.
    h.advance(ACTIVE_MS);
    expect((await h.client.send(new ListSolutionsCommand({}))).solutions!.map((s) => s.status)).toEqual(['ACTIVE']);
    await settle();
    expect(answered).toBe(false);
    gate.open();
    expect(await sent).toMatch(/:solution\/sol$/);
  });

  test('`when` picks the requests that wait; `times` and `always` count like other faults; an open gate lets later ones through', async () => {
    const h = await setup();
    const gate = h.server.gate();
    h.server.inject('*', { kind: 'hold', gate, always: true, when: (input) => input.name === 'slow' });
    const slow = h.client.send(new CreateSchemaCommand({ name: 'slow', schema: ITEMS }));
    await gate.reached;
    await h.client.send(new CreateSchemaCommand({ name: 'fast', schema: ITEMS })); // not held
    expect(h.server.resources().map((r) => r.name)).toEqual(['fast']);
    gate.open();
    await slow;
    await h.client.send(new CreateDatasetGroupCommand({ name: 'slow' })); // matches, passes the open gate
    expect(h.server.faultsRemaining()).toBe(Infinity);

    const once = h.server.gate();
    h.server.clearFaults();
    h.server.inject('ListSchemas', { kind: 'hold', gate: once, times: 1 });
    const first = h.client.send(new ListSchemasCommand({}));
    await once.reached;
    expect(h.server.faultsRemaining()).toBe(0);
    expect((await h.client.send(new ListSchemasCommand({}))).schemas).toHaveLength(2); // the fault was used up
    once.open();
    await first;
  });

  test('a hold fault needs a gate made by the server', async () => {
    const h = await setup();
    const fake = { open: () => undefined, reached: Promise.resolve(), isOpen: false };
    expect(() => h.server.inject('ListSchemas', { kind: 'hold', gate: fake })).toThrow(/needs a gate from server.gate\(\)/);
  });
});

// ---- timestamps ---------------------------------------------------------------------------------------

describe('reset', () => {
  test('reset forgets resources, faults, behaviours and calls, and the same endpoint goes on serving', async () => {
    const h = await setup();
    const { server, client } = h;
    await activeGroup(h, { name: 'shop' });
    server.inject('CreateDatasetGroup', { kind: 'throttle', always: true });
    server.failCreation('shop', 'broken');

    server.reset();

    expect(server.resources()).toEqual([]);
    expect(server.calls).toEqual([]);
    expect(server.faultsRemaining()).toBe(0);
    await client.send(new CreateDatasetGroupCommand({ name: 'shop' }));
    expect(server.resources().map((r) => [r.name, r.status])).toEqual([['shop', 'CREATE PENDING']]);
  });
});

describe('creationDateTime and lastUpdatedDateTime', () => {
  test('are epoch seconds with the milliseconds as a fraction, from the service clock, for schemas, groups and datasets', async () => {
    const h = await setup();
    h.advance(123);
    const created = h.clock.t;
    const schemaArn = await schema(h, 'items', ITEMS);
    expect((await rawCall(h.server, 'DescribeSchema', JSON.stringify({ schemaArn }))).json.schema).toMatchObject({
      creationDateTime: 1_700_000_000.123, lastUpdatedDateTime: 1_700_000_000.123,
    });
    const { schema: described } = await h.client.send(new DescribeSchemaCommand({ schemaArn }));
    expect(described?.creationDateTime?.getTime()).toBe(created);
    expect(described?.lastUpdatedDateTime?.getTime()).toBe(created);
    expect((await h.client.send(new ListSchemasCommand({}))).schemas![0].creationDateTime?.getTime()).toBe(created);

    const datasetGroupArn = await activeGroup(h, { name: 'g' });
    const { datasetGroup } = await h.client.send(new DescribeDatasetGroupCommand({ datasetGroupArn }));
    expect(datasetGroup?.creationDateTime?.getTime()).toBe(created);
    expect(datasetGroup?.lastUpdatedDateTime?.getTime()).toBe(created + ACTIVE_MS);
    const { datasetArn } = await h.client.send(new CreateDatasetCommand({ name: 'd', datasetGroupArn, datasetType: 'Items', schemaArn }));
    const { dataset } = await h.client.send(new DescribeDatasetCommand({ datasetArn }));
    expect(dataset?.creationDateTime?.getTime()).toBe(created + ACTIVE_MS);
  });
});

// ---- the model's constraints on every new operation ---------------------------------------------------

describe('requests of the new operations are checked against the model', () => {
  const ARN_MEMBERS: Array<[string, (input: any) => any, string]> = [
    ['DescribeSolution', (i) => new DescribeSolutionCommand(i), 'solutionArn'],
    ['DeleteSolution', (i) => new DeleteSolutionCommand(i), 'solutionArn'],
    ['CreateSolutionVersion', (i) => new CreateSolutionVersionCommand(i), 'solutionArn'],
    ['DescribeSolutionVersion', (i) => new DescribeSolutionVersionCommand(i), 'solutionVersionArn'],
    ['StopSolutionVersionCreation', (i) => new StopSolutionVersionCreationCommand(i), 'solutionVersionArn'],
    ['DescribeCampaign', (i) => new DescribeCampaignCommand(i), 'campaignArn'],
    ['DeleteCampaign', (i) => new DeleteCampaignCommand(i), 'campaignArn'],
    ['DescribeRecommender', (i) => new DescribeRecommenderCommand(i), 'recommenderArn'],
    ['DeleteRecommender', (i) => new DeleteRecommenderCommand(i), 'recommenderArn'],
    ['DescribeEventTracker', (i) => new DescribeEventTrackerCommand(i), 'eventTrackerArn'],
    ['DeleteEventTracker', (i) => new DeleteEventTrackerCommand(i), 'eventTrackerArn'],
    ['DescribeFilter', (i) => new DescribeFilterCommand(i), 'filterArn'],
    ['DeleteFilter', (i) => new DeleteFilterCommand(i), 'filterArn'],
    ['DescribeMetricAttribution', (i) => new DescribeMetricAttributionCommand(i), 'metricAttributionArn'],
    ['DeleteMetricAttribution', (i) => new DeleteMetricAttributionCommand(i), 'metricAttributionArn'],
    ['DescribeBatchInferenceJob', (i) => new DescribeBatchInferenceJobCommand(i), 'batchInferenceJobArn'],
    ['DescribeBatchSegmentJob', (i) => new DescribeBatchSegmentJobCommand(i), 'batchSegmentJobArn'],
  ];

  test.each(ARN_MEMBERS)('%s: the ARN is required, at most 256 characters and of the ARN pattern', async (_operation, command, member) => {
    const { client } = await setup();
    await expect(client.send(command({}))).rejects.toThrow(new RegExp(`^1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null$`));
    const long = `arn:aws:personalize:us-east-1:123456789012:x/${'a'.repeat(256)}`;
    await expect(client.send(command({ [member]: long }))).rejects.toThrow(/Member must have length less than or equal to 256/);
    const err = await caught(client.send(command({ [member]: 'arn:aws:s3:::bucket' })));
    expect(err).toBeInstanceOf(InvalidInputException);
    expect(err.message).toContain(`Value 'arn:aws:s3:::bucket' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:([a-z\\d-]+):personalize:.*:.*:.+`);
  });

  test.each([
    ['CreateSolution', (i: any) => new CreateSolutionCommand(i), ['name', 'datasetGroupArn']],
    ['CreateCampaign', (i: any) => new CreateCampaignCommand(i), ['name', 'solutionVersionArn']],
    ['CreateRecommender', (i: any) => new CreateRecommenderCommand(i), ['name', 'datasetGroupArn', 'recipeArn']],
    ['CreateEventTracker', (i: any) => new CreateEventTrackerCommand(i), ['name', 'datasetGroupArn']],
    ['CreateFilter', (i: any) => new CreateFilterCommand(i), ['name', 'datasetGroupArn', 'filterExpression']],
    ['CreateMetricAttribution', (i: any) => new CreateMetricAttributionCommand(i), ['name', 'datasetGroupArn', 'metrics', 'metricsOutputConfig']],
  ] as const)('%s: required members, and a name of 1-63 characters of the name pattern', async (_operation, command, required) => {
    const { client } = await setup();
    const missing = await caught(client.send(command({}) as any));
    expect(missing).toBeInstanceOf(InvalidInputException);
    expect(missing.message).toBe(`${required.length} validation errors detected: ${required.map((m) => `Value null at '${m}' failed to satisfy constraint: Member must not be null`).join('; ')}`);
    const named = (name: string) => caught(client.send(command({ name }) as any));
    expect((await named('x'.repeat(64))).message).toContain('at \'name\' failed to satisfy constraint: Member must have length less than or equal to 63');
    expect((await named('_x')).message).toContain('at \'name\' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*');
  });

  test.each([
    ['ListSolutions', (i: any) => new ListSolutionsCommand(i)],
    ['ListSolutionVersions', (i: any) => new ListSolutionVersionsCommand(i)],
    ['ListCampaigns', (i: any) => new ListCampaignsCommand(i)],
    ['ListRecommenders', (i: any) => new ListRecommendersCommand(i)],
    ['ListEventTrackers', (i: any) => new ListEventTrackersCommand(i)],
    ['ListFilters', (i: any) => new ListFiltersCommand(i)],
    ['ListMetricAttributions', (i: any) => new ListMetricAttributionsCommand(i)],
    ['ListBatchInferenceJobs', (i: any) => new ListBatchInferenceJobsCommand(i)],
    ['ListBatchSegmentJobs', (i: any) => new ListBatchSegmentJobsCommand(i)],
  ] as const)('%s: maxResults is 1-100 and a nextToken must be one the service gave', async (_operation, command) => {
    const { client } = await setup();
    await expect(client.send(command({ maxResults: 0 }))).rejects.toThrow(/at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1/);
    await expect(client.send(command({ maxResults: 101 }))).rejects.toThrow(/Member must have value less than or equal to 100/);
    await expect(client.send(command({ nextToken: 'not a token' }))).rejects.toBeInstanceOf(InvalidNextTokenException);
    expect((await client.send(command({ maxResults: 100 }))).nextToken).toBeUndefined();
  });
});

// ---- campaign and recommender updates --------------------------------------------------------------

describe('UpdateCampaign, UpdateRecommender, StartRecommender and StopRecommender', () => {
  test('UpdateCampaign is checked against the model, and the campaign serves the old version until latestCampaignUpdate is ACTIVE', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const solutionArn = await activeSolution(h, groupArn);
    const first = await trainedVersion(h, solutionArn);
    const second = await trainedVersion(h, solutionArn);
    const { campaignArn } = await h.client.send(new CreateCampaignCommand({ name: 'live', solutionVersionArn: first }));
    await expect(h.client.send(new UpdateCampaignCommand({ campaignArn, solutionVersionArn: second }))).rejects.toThrow(/must be ACTIVE or CREATE FAILED/);
    h.advance(ACTIVE_MS);
    await expect(h.client.send(new UpdateCampaignCommand({ campaignArn, minProvisionedTPS: 0 })))
      .rejects.toThrow(/at 'minProvisionedTPS' failed to satisfy constraint: Member must have value greater than or equal to 1/);
    await expect(h.client.send(new UpdateCampaignCommand({ campaignArn, campaignConfig: { rankingInfluence: { POPULARITY: 1.5 } } })))
      .rejects.toThrow(/at 'campaignConfig.rankingInfluence.POPULARITY' failed to satisfy constraint: Member must have value less than or equal to 1/);

    await h.client.send(new UpdateCampaignCommand({ campaignArn, solutionVersionArn: second, minProvisionedTPS: 2 }));
    await expect(h.client.send(new UpdateCampaignCommand({ campaignArn, minProvisionedTPS: 3 }))).rejects.toThrow(/already has an update in progress/);
    const during = (await h.client.send(new DescribeCampaignCommand({ campaignArn }))).campaign!;
    expect(during).toMatchObject({ status: 'ACTIVE', solutionVersionArn: first, minProvisionedTPS: 1 });
    expect(during.latestCampaignUpdate).toMatchObject({ solutionVersionArn: second, minProvisionedTPS: 2, status: 'CREATE PENDING' });
    h.advance(UPDATE_MS);
    const after = (await h.client.send(new DescribeCampaignCommand({ campaignArn }))).campaign!;
    expect(after).toMatchObject({ solutionVersionArn: second, minProvisionedTPS: 2, latestCampaignUpdate: { status: 'ACTIVE' } });
  });

  test('a campaign on SOLUTION/$LATEST needs syncWithLatestSolutionVersion, and deploys the newest ACTIVE version', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const solutionArn = await activeSolution(h, groupArn);
    await expect(h.client.send(new CreateCampaignCommand({ name: 'live', solutionVersionArn: `${solutionArn}/$LATEST` })))
      .rejects.toBeInstanceOf(InvalidInputException);
    const sync = { syncWithLatestSolutionVersion: true };
    await expect(h.client.send(new CreateCampaignCommand({ name: 'live', solutionVersionArn: `${solutionArn}/$LATEST`, campaignConfig: sync })))
      .rejects.toThrow(/has no ACTIVE solution version/);
    await trainedVersion(h, solutionArn);
    const newest = await trainedVersion(h, solutionArn);
    const { campaignArn } = await h.client.send(new CreateCampaignCommand({ name: 'live', solutionVersionArn: `${solutionArn}/$LATEST`, campaignConfig: sync }));
    expect((await h.client.send(new DescribeCampaignCommand({ campaignArn }))).campaign!.solutionVersionArn).toBe(newest);
  });

  test('a failed update reports its reason on the update summary and leaves the resource as it was', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const { recommenderArn } = await h.client.send(new CreateRecommenderCommand({ name: 'r', datasetGroupArn: groupArn, recipeArn: ECOMMERCE_RECIPE }));
    h.advance(ACTIVE_MS);
    h.server.failUpdate('r', 'Column COLOR not found');
    await h.client.send(new UpdateRecommenderCommand({ recommenderArn, recommenderConfig: { minRecommendationRequestsPerSecond: 4 } }));
    h.advance(UPDATE_MS);
    const { recommender } = await h.client.send(new DescribeRecommenderCommand({ recommenderArn }));
    expect(recommender).toMatchObject({ status: 'ACTIVE', latestRecommenderUpdate: { status: 'CREATE FAILED', failureReason: 'Column COLOR not found' } });
    expect(recommender!.recommenderConfig).toBeUndefined();
    // A failed update does not keep another from starting.
    await h.client.send(new UpdateRecommenderCommand({ recommenderArn, recommenderConfig: { minRecommendationRequestsPerSecond: 4 } }));
  });

  test('StopRecommender goes STOP PENDING, STOP IN_PROGRESS, INACTIVE; StartRecommender back to ACTIVE; each from its own state only', async () => {
    const h = await setup();
    const { groupArn } = await interactionsGroup(h);
    const { recommenderArn } = await h.client.send(new CreateRecommenderCommand({ name: 'r', datasetGroupArn: groupArn, recipeArn: ECOMMERCE_RECIPE }));
    await expect(h.client.send(new StopRecommenderCommand({ recommenderArn }))).rejects.toBeInstanceOf(ResourceInUseException);
    h.advance(ACTIVE_MS);
    await expect(h.client.send(new StartRecommenderCommand({ recommenderArn }))).rejects.toThrow(/must be INACTIVE to start/);
    const status = async () => (await h.client.send(new DescribeRecommenderCommand({ recommenderArn }))).recommender!.status;

    await h.client.send(new StopRecommenderCommand({ recommenderArn }));
    expect(await status()).toBe('STOP PENDING');
    h.advance(UPDATE_MS / 3);
    expect(await status()).toBe('STOP IN_PROGRESS');
    h.advance(UPDATE_MS);
    expect(await status()).toBe('INACTIVE');
    await expect(h.client.send(new UpdateRecommenderCommand({ recommenderArn, recommenderConfig: {} })))
      .rejects.toBeInstanceOf(ResourceInUseException);

    await h.client.send(new StartRecommenderCommand({ recommenderArn }));
    expect(await status()).toBe('START PENDING');
    h.advance(UPDATE_MS);
    expect(await status()).toBe('ACTIVE');
    await h.client.send(new StopRecommenderCommand({ recommenderArn }));
    h.advance(UPDATE_MS);
    // An INACTIVE recommender can be deleted.
    await h.client.send(new DeleteRecommenderCommand({ recommenderArn }));
  });
});
