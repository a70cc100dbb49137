import * as fs from 'fs';
import { ACCOUNT, LifecycleEnvironment, REGION } from '../harness/environment';
import { SynthesizedStack } from '../harness/stacks';

/** The bootstrap staging bucket the harness resolves asset locations to. */
export const ASSET_BUCKET = `cdk-hnb659fds-assets-${ACCOUNT}-${REGION}`;

/** Puts `file` where CDK would have uploaded the CSV asset of the import job at `importPath`. */
export function stageImportAsset(env: LifecycleEnvironment, stack: SynthesizedStack, file: string, importPath = 'Import'): void {
  const properties = stack.template.Resources[stack.logicalIds[importPath]].Properties as Record<string, any>;
  env.s3.putObject(ASSET_BUCKET, properties.CopySourceKey, fs.readFileSync(file));
}
