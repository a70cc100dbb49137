/**
 * The synth-time check of a CSV data file against an Avro record (src/private/csv-check.ts):
 * one test per message, each with its line and column.
 */
import { AvroRecord } from '../src/private/avro';
import { CSV_SAMPLE_ROWS, csvProblems } from '../src/private/csv-check';

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

test('a file that matches passes: quoted commas, doubled quotes, line breaks in quotes, CRLF, a BOM and a last line without a break', () => {
  expect(check('\uFEFFITEM_ID,STOCK,PRICE,ON_SALE,NOTE\r\n"a,1",3,1.5e2,TRUE,"say ""hi""\nthere"\r\nb,-4,,false,\r\nc,0,.5,,""')).toEqual([]);
});

test('an empty file needs a header', () => {
  expect(check('')).toEqual(["items.csv:1:1: the file is empty; it needs a header row naming the schema's fields"]);
});

test('a header naming a field twice is refused at its column', () => {
  expect(check('ITEM_ID,STOCK,ITEM_ID\n')).toEqual(["items.csv:1:15: the header names 'ITEM_ID' twice"]);
});

test.each([
  ['a,x,2,true', 'items.csv:2:3: STOCK "x" is not an int (32-bit whole number)'],
  ['a,2147483648,2,true', 'items.csv:2:3: STOCK "2147483648" is not an int (32-bit whole number)'],
  ['a,1,"1,5",true', 'items.csv:2:5: PRICE "1,5" is not a double (a decimal number)'],
  ['a,1,abc,true', 'items.csv:2:5: PRICE "abc" is not a double (a decimal number)'],
  ['a,1,2,yes', 'items.csv:2:7: ON_SALE "yes" is not a boolean (true or false)'],
  [',1,2,true', 'items.csv:2:1: ITEM_ID is empty, and the field is not nullable (its type is string, not ["null", "string"])'],
])('the row %j is refused with the line and column of the value', (row, message) => {
  expect(check(`ITEM_ID,STOCK,PRICE,ON_SALE\n${row}\n`)).toEqual([message]);
});

test('an empty quoted string is a string, not a missing value', () => {
  expect(check('ITEM_ID,STOCK\n"",1\n')).toEqual([]);
});

test('a quoted value followed by more text is refused where the text starts', () => {
  expect(check('ITEM_ID,STOCK\n"a"b,1\n')).toEqual(['items.csv:2:4: a quoted value must be followed by a comma or the end of the line']);
});

test('a quote inside an unquoted value is refused at the quote', () => {
  expect(check('ITEM_ID,STOCK\na"b,1\n')).toEqual(['items.csv:2:2: a quote inside an unquoted value; quote the whole value and double the quotes inside it']);
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
