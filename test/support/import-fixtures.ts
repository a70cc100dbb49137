import * as path from 'path';
import { SchemaField } from '../../src';

/** The CSV files of the import tests. */
export const IMPORT_FIXTURES = path.join(__dirname, '..', 'fixtures', 'import');

/** An Interactions schema that `interactions.csv` matches: an event type and a nullable event value besides the required fields. */
export function interactionsWithEventFields(): SchemaField[] {
  return [
    SchemaField.stringField('USER_ID'),
    SchemaField.stringField('ITEM_ID'),
    SchemaField.longField('TIMESTAMP'),
    SchemaField.stringField('EVENT_TYPE'),
    SchemaField.floatField('EVENT_VALUE').nullable(),
  ];
}
