/**
 * Synth-time schema checks. A definition that is an unresolved token is skipped;
 * the API checks it at deploy time.
 */
import { Token } from 'aws-cdk-lib';
import { AvroRecord, parseAvroSchema } from './avro';

/** Throws an error naming `property` when the definition would be refused by Personalize. */
export function validateDefinition(property: string, json: string): void {
  if (Token.isUnresolved(json)) return;
  const { problems } = parseAvroSchema(json);
  if (problems.length > 0) {
    throw new Error(`Invalid ${property}: ${problems.join('; ')}.`);
  }
}

/** The parsed record of a definition; undefined for a token or an invalid definition. */
export function recordOf(json: string | undefined): AvroRecord | undefined {
  if (json === undefined || Token.isUnresolved(json)) return undefined;
  return parseAvroSchema(json).record;
}
