/**
 * The local services' HTTP servers never close an idle keep-alive socket themselves: on a
 * busy machine a client can reuse one just as the server closes it, and its call fails
 * with ECONNRESET (seen in lifecycle-campaign beside four CPU-bound processes). Only the
 * client or stop() closes them, so no outcome depends on the machine's speed.
 */
import * as http from 'http';
import { LocalLambda } from './local-lambda/server';
import { LocalPersonalize } from './local-personalize/server';
import { LocalS3 } from './local-s3/server';

/** The node http.Server behind a local service. */
function serverOf(service: object): http.Server {
  const found = Object.values(service).find((value) => value instanceof http.Server)
    ?? Object.values(service).flatMap((value) => (value && typeof value === 'object' ? Object.values(value) : []))
      .find((value) => value instanceof http.Server);
  if (!found) throw new Error('no http.Server found');
  return found as http.Server;
}

test.each([
  ['local Personalize (the JSON 1.1 server every JSON service shares)', () => LocalPersonalize.start()],
  ['local S3', () => LocalS3.start()],
  ['local Lambda', () => LocalLambda.start()],
])('%s keeps idle keep-alive sockets open until the client or stop() closes them', async (_name, start) => {
  const service = await start();
  try {
    expect(serverOf(service).keepAliveTimeout).toBe(0);
  } finally {
    await service.stop();
  }
});
