/**
 * The synth-time check of a CSV data file against an Avro record (src/personalize/private/csv-check.ts):
 * one test per message, each with its line and column.
 */
import { AvroRecord } from '../src/personalize/private/avro';
import { CSV_SAMPLE_ROWS, csvProblems } from '../src/personalize/private/csv-check';

const RECORD: AvroRecord = {
  name: 'Items',
  fields: [
    { name: 'ITEM_ID', type: 'string', nullable: false, categorical: false, textual: false },
    { name: 'STOCK', type: 'int', nullable: false, categorical: false, textual: false },
    { name: 'PRICE', type: 'double', nullable: true, categorical: false, textual: false },
    { name: 'ON_SALE', type: 'boolean', nullable: true, categorical: false, textual: false },
    { name: 'NOTE', type: 'string', nullable: true, categorical: false, textual: false },
  ],
};
const check = (text: string) => csvProblems('items.csv', text, RECORD);

test('a file that matches passes: quoted commas, doubled quotes, CRLF, a BOM and a last line without a break', () => {
  expect(check('\uFEFFITEM_ID,STOCK,PRICE,ON_SALE,NOTE\r\n"a,1",3,1.5e2,true,"say ""hi"" there"\r\nb,-4,,false,\r\nc,0,.5,,""')).toEqual([]);
});

test('a quote or a backslash escaped with a backslash is read as the guide\'s Items page writes text (issue 20)', () => {
  expect(check('ITEM_ID,STOCK,NOTE\na,1,"a \\"big\\" shoe, size 10\\\\11"\n')).toEqual([]);
});

test('a line break inside a quoted value is refused: each record is on a single line', () => {
  expect(check('ITEM_ID,STOCK,NOTE\na,1,"two\nlines"\n')).toEqual([
    'items.csv:2:9: a quoted value holds a line break, and Personalize reads each record from a single line; replace the line break with a space',
  ]);
});

test('a quoted header name is refused: headers are written without quotes', () => {
  expect(check('"ITEM_ID",STOCK\na,1\n')).toEqual(['items.csv:1:1: the header name "ITEM_ID" is in quotes; Personalize reads header names without quotes, write ITEM_ID']);
});

test('a header name with spaces around it is refused: names match the schema exactly', () => {
  expect(check('ITEM_ID, STOCK\na,1\n')).toEqual([
    "items.csv:1:9: the header name ' STOCK' has spaces around it; header names must match the schema's field names exactly, write 'STOCK'",
    'items.csv:1:1: the header lacks the required (non-null) field(s) STOCK; add the column(s)',
  ]);
});

test('a boolean in another case is refused, with its lower-case spelling', () => {
  expect(check('ITEM_ID,STOCK,ON_SALE\na,1,TRUE\n')).toEqual([
    'items.csv:2:5: ON_SALE "TRUE" is not a boolean; Personalize reads only true and false, in lower case: write true',
  ]);
});

test('a file that is not UTF-8 is refused at the line of the first bad byte', () => {
  const latin1 = Buffer.concat([Buffer.from('ITEM_ID,STOCK\nca'), Buffer.from([0xe9]), Buffer.from(',1\n')]);
  expect(csvProblems('items.csv', latin1, RECORD)).toEqual([
    'items.csv:2: byte 17 (0xe9) is not UTF-8; a file with non-ASCII characters must be UTF-8 encoded. Save it as UTF-8 (it may be Latin-1 or Windows-1252)',
  ]);
  expect(csvProblems('items.csv', Buffer.from('\uFEFFITEM_ID,STOCK\ncaf\u00e9,1\n'), RECORD)).toEqual([]);
});

test('a UTF-16 file is refused', () => {
  expect(csvProblems('items.csv', Buffer.from('\uFEFFITEM_ID,STOCK\n', 'utf16le'), RECORD)[0])
    .toMatch(/^items.csv:1:1: the file is UTF-16 .*; Personalize reads UTF-8/);
});

describe('rules of reserved and typed fields', () => {
  const field = (name: string, type: string, extra: Partial<AvroRecord['fields'][number]> = {}) =>
    ({ name, type, nullable: true, categorical: false, textual: false, ...extra });
  const record: AvroRecord = {
    name: 'Actions',
    fields: [field('ACTION_ID', 'string', { nullable: false }), field('CREATION_TIMESTAMP', 'long'), field('REPEAT_FREQUENCY', 'long'),
      field('LEVEL', 'string', { categorical: true }), field('IMPRESSION', 'string')],
  };
  const checkRow = (row: string) => csvProblems('actions.csv', `ACTION_ID,CREATION_TIMESTAMP,REPEAT_FREQUENCY,LEVEL,IMPRESSION\n${row}\n`, record);

  test.each([
    ['a timestamp in milliseconds', 'a,1700000000000,,,', 'actions.csv:2:3: CREATION_TIMESTAMP "1700000000000" is not a Unix epoch time in seconds (it has 13 digits, as milliseconds do); Personalize reads seconds: divide by 1000, for example 1700000000'],
    ['a repeat frequency over 30 days', 'a,,31,,', 'actions.csv:2:4: REPEAT_FREQUENCY "31" is a repeat frequency outside 0-30 days; Personalize takes at most 30 days'],
    ['an ID over 256 characters', `${'x'.repeat(257)},,,,`, 'actions.csv:2:1: ACTION_ID is 257 characters long; an ID is at most 256 characters (Service quotas). Shorten it, or map long IDs to short ones'],
    ['a categorical value over 1,000 characters', `a,,,${'c'.repeat(1001)},`, 'actions.csv:2:5: LEVEL is 1001 characters long; a categorical value is at most 1000 characters (separators | included), or the import job fails. Shorten it'],
    ['impressions over 1,000 characters', `a,,,,${'i|'.repeat(501)}`, 'actions.csv:2:6: IMPRESSION is 1002 characters long; an impression value is at most 1000 characters (separators | included), or the import job fails. Shorten it'],
  ])('%s is refused', (_name, row, message) => {
    expect(checkRow(row)).toEqual([message]);
  });

  test('values at the limits pass', () => {
    expect(checkRow(`${'x'.repeat(256)},9999999999,30,${'c'.repeat(1000)},${'i'.repeat(1000)}`)).toEqual([]);
  });
});

test('an Interactions file with fewer than 1,000 records is refused; the 1,000th record makes it pass', () => {
  const interactions: AvroRecord = { name: 'Interactions', fields: [{ name: 'USER_ID', type: 'string', nullable: false, categorical: false, textual: false }] };
  const rows = (count: number) => `USER_ID\n${Array.from({ length: count }, (_, i) => `u${i}`).join('\n')}\n`;
  expect(csvProblems('events.csv', rows(999), interactions, { datasetType: 'Interactions' })).toEqual([
    'events.csv: the file holds 999 interaction record(s); a dataset import job needs at least 1,000 (Service quotas). Add records, or record the few with PutEvents (an EventTracker)',
  ]);
  expect(csvProblems('events.csv', rows(1000), interactions, { datasetType: 'Interactions' })).toEqual([]);
  expect(csvProblems('users.csv', rows(3), interactions, { datasetType: 'Users' })).toEqual([]);
});

test('an empty file needs a header', () => {
  expect(check('')).toEqual(["items.csv:1:1: the file is empty; it needs a header row naming the schema's fields"]);
});

test('a header naming a field twice is refused at its column', () => {
  expect(check('ITEM_ID,STOCK,ITEM_ID\n')).toEqual(["items.csv:1:15: the header names 'ITEM_ID' twice; remove one of the columns"]);
});

test.each([
  ['a,x,2,true', 'items.csv:2:3: STOCK "x" is not an int (32-bit whole number)'],
  ['a,2147483648,2,true', 'items.csv:2:3: STOCK "2147483648" is not an int (32-bit whole number)'],
  ['a,1,"1,5",true', 'items.csv:2:5: PRICE "1,5" is not a double (a decimal number)'],
  ['a,1,abc,true', 'items.csv:2:5: PRICE "abc" is not a double (a decimal number)'],
  ['a,1,2,yes', 'items.csv:2:7: ON_SALE "yes" is not a boolean; Personalize reads only true and false, in lower case'],
  [',1,2,true', 'items.csv:2:1: ITEM_ID is empty, and the field is not nullable (its type is string, not ["null", "string"]); give a value'],
])('the row %j is refused with the line and column of the value', (row, message) => {
  expect(check(`ITEM_ID,STOCK,PRICE,ON_SALE\n${row}\n`)).toEqual([message]);
});

test('an empty quoted string is a string, not a missing value', () => {
  expect(check('ITEM_ID,STOCK\n"",1\n')).toEqual([]);
});

test('a quoted value followed by more text is refused where the text starts', () => {
  expect(check('ITEM_ID,STOCK\n"a"b,1\n')).toEqual(['items.csv:2:4: a quoted value must be followed by a comma or the end of the line; write a quote inside a quoted value as "" or \\"']);
});

test('a quote inside an unquoted value is refused at the quote', () => {
  expect(check('ITEM_ID,STOCK\na"b,1\n')).toEqual(['items.csv:2:2: a quote inside an unquoted value; quote the whole value and write the quotes inside it as "" or \\"']);
});

test('blank lines are skipped', () => {
  expect(check('ITEM_ID,STOCK\n\na,1\n\n')).toEqual([]);
});

test(`only the first ${CSV_SAMPLE_ROWS} rows are checked`, () => {
  const good = Array.from({ length: CSV_SAMPLE_ROWS }, (_, i) => `i${i},${i}`).join('\n');
  expect(check(`ITEM_ID,STOCK\n${good}\nlate,not-a-number\n`)).toEqual([]);
});

test('at most five problems are reported', () => {
  const bad = Array.from({ length: 9 }, () => 'a,x').join('\n');
  expect(check(`ITEM_ID,STOCK\n${bad}\n`)).toHaveLength(5);
});
