/**
 * The Node.js runtime of the library's own functions (ADR 0011). cdk-nag's latest-runtime
 * rules (AwsSolutions-L1, Serverless-LambdaLatestVersion) compare a function's runtime with
 * the newest runtime of its family in the app's `lambda.Runtime.ALL`, so the handler takes
 * that one, never older than the Node.js the bundle is built for.
 */
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** The oldest Node.js major the handler bundle targets (`esbuild --target=node22` in .projenrc.ts). */
export const BUNDLE_MIN_NODE_MAJOR = 22;

const NODE_RUNTIME_NAME = /^nodejs(\d+)\.x$/;

/** The Node.js major of a runtime such as `nodejs24.x`; undefined for any other runtime. */
export function nodeMajorOf(runtime: lambda.Runtime): number | undefined {
  if (runtime.family !== lambda.RuntimeFamily.NODEJS) return undefined;
  const match = NODE_RUNTIME_NAME.exec(runtime.name);
  return match ? Number(match[1]) : undefined;
}

/**
 * The newest `nodejsNN.x` runtime the app's aws-cdk-lib offers, as cdk-nag computes it,
 * and at least the bundle's floor. `NODEJS_LATEST` is skipped: its name is fixed per
 * aws-cdk-lib release and it only stands for another entry of the list.
 */
export function newestNodeRuntime(): lambda.Runtime {
  let newest: lambda.Runtime | undefined;
  let newestMajor = 0;
  for (const runtime of lambda.Runtime.ALL) {
    const major = nodeMajorOf(runtime);
    if (major === undefined || runtime.isVariable || major <= newestMajor) continue;
    newest = runtime;
    newestMajor = major;
  }
  return newest && newestMajor >= BUNDLE_MIN_NODE_MAJOR ? newest : lambda.Runtime.NODEJS_22_X;
}

/** Throws unless `runtime` is a Node.js runtime the bundle can run on. */
export function validateHandlerRuntime(property: string, runtime: lambda.Runtime): void {
  const major = nodeMajorOf(runtime);
  if (major === undefined || major < BUNDLE_MIN_NODE_MAJOR) {
    throw new Error(`Invalid ${property}: '${runtime.name}'. Expected a Node.js runtime of major ${BUNDLE_MIN_NODE_MAJOR} or later `
      + `(for example lambda.Runtime.NODEJS_${BUNDLE_MIN_NODE_MAJOR}_X): the handler is bundled for Node.js ${BUNDLE_MIN_NODE_MAJOR}.`);
  }
}
