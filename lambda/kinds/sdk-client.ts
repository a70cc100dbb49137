/**
 * How every kind makes its service's SDK client: one per process, so warm invocations
 * reuse connections, and a single attempt per call, since the engine owns retries. The
 * SDK reads AWS_ENDPOINT_URL_<SERVICE>, which points it at a local service in tests.
 */
export const SDK_CLIENT_CONFIG = {
  maxAttempts: 1,
  requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000, throwOnRequestTimeout: true },
};

/** A getter for a client made on first use with SDK_CLIENT_CONFIG. */
export function processClient<T>(make: (config: typeof SDK_CLIENT_CONFIG) => T): () => T {
  let client: T | undefined;
  return () => {
    client ??= make(SDK_CLIENT_CONFIG);
    return client;
  };
}
