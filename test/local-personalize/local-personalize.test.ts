import {
  CreateDatasetCommand,
  CreateDatasetGroupCommand,
  CreateDatasetGroupCommandInput,
  CreateSchemaCommand,
  DeleteDatasetCommand,
  DeleteDatasetGroupCommand,
  DeleteSchemaCommand,
  DescribeDatasetCommand,
  DescribeDatasetGroupCommand,
  DescribeSchemaCommand,
  InvalidInputException,
  InvalidNextTokenException,
  LimitExceededException,
  ListDatasetGroupsCommand,
  ListDatasetsCommand,
  ListSchemasCommand,
  ListTagsForResourceCommand,
  PersonalizeClient,
  PersonalizeServiceException,
  ResourceAlreadyExistsException,
  ResourceInUseException,
  ResourceNotFoundException,
  TagResourceCommand,
  TooManyTagKeysException,
  TooManyTagsException,
  UntagResourceCommand,
  UpdateDatasetCommand,
} from '@aws-sdk/client-personalize';
import { LocalPersonalize, LocalPersonalizeOptions } from './server';

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
    expect((await rawCall(server, 'CreateBatchInferenceJob', '{}')).json.__type).toBe('UnknownOperationException');
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

  test('progress on the real clock by default', async () => {
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
      expect([...statuses]).toEqual(['CREATE PENDING', 'CREATE IN_PROGRESS', 'ACTIVE']);
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
