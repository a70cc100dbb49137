/**
 * Structured JSON logs. Only identifiers and statuses are logged: resource
 * properties (which carry role and key ARNs) and request bodies never are.
 */
export type LogFields = Record<string, string | number | boolean | undefined>;

export function log(level: 'info' | 'warn' | 'error', message: string, fields: LogFields = {}): void {
  if (process.env.CDK_PERSONALIZE_SILENT === 'true') return;
  const line = JSON.stringify({ level, message, ...fields });
  if (level === 'error') console.error(line);
  else console.log(line);
}
