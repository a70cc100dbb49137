/**
 * Synth-time check of a CSV data file against a dataset's Avro schema, as
 * Personalize reads it: a header row naming the schema's fields, every required
 * (non-null) field present, and values that parse as the declared types. Only the
 * first rows are checked, so a large file does not slow synthesis down.
 */
import { AvroRecord } from './avro';

/** How many data rows are checked. */
export const CSV_SAMPLE_ROWS = 1000;

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INT_RANGE = [-(2 ** 31), 2 ** 31 - 1];
const LONG_RANGE = [BigInt('-9223372036854775808'), BigInt('9223372036854775807')];

interface Cell {
  readonly text: string;
  readonly line: number;
  readonly column: number;
  /** Written in quotes: an empty quoted string is a string, not a missing value. */
  readonly quoted: boolean;
}

/** Problems of `text` (the file `file`) against `record`, each with its line and column; the first few. */
export function csvProblems(file: string, text: string, record: AvroRecord, maxProblems = 5): string[] {
  const problems: string[] = [];
  const rows = readRows(text.replace(/^\uFEFF/, ''), CSV_SAMPLE_ROWS + 1, (line, column, message) => {
    problems.push(`${file}:${line}:${column}: ${message}`);
  });
  if (problems.length > 0) return problems.slice(0, maxProblems);
  const [header, ...data] = rows;
  if (!header || (header.length === 1 && header[0].text === '')) return [`${file}:1:1: the file is empty; it needs a header row naming the schema's fields`];

  const fields = new Map(record.fields.map((field) => [field.name, field]));
  const columns = header.map((cell) => cell.text.trim());
  columns.forEach((name, index) => {
    if (!fields.has(name)) {
      problems.push(`${file}:1:${header[index].column}: the header names '${name}', which is not a field of schema record `
        + `'${record.name}' (fields: ${record.fields.map((f) => f.name).join(', ')})`);
    } else if (columns.indexOf(name) !== index) {
      problems.push(`${file}:1:${header[index].column}: the header names '${name}' twice`);
    }
  });
  const missing = record.fields.filter((field) => !field.nullable && !columns.includes(field.name)).map((field) => field.name);
  if (missing.length > 0) problems.push(`${file}:1:1: the header lacks the required (non-null) field(s) ${missing.join(', ')}`);
  if (problems.length > 0) return problems.slice(0, maxProblems);

  for (const row of data) {
    if (row.length === 1 && row[0].text === '' && !row[0].quoted) continue; // a blank line
    if (row.length !== columns.length) {
      problems.push(`${file}:${row[0].line}:1: the row has ${row.length} value(s); the header has ${columns.length}`);
    } else {
      row.forEach((cell, index) => {
        const field = fields.get(columns[index])!;
        const problem = valueProblem(cell, field.type, field.nullable);
        if (problem) problems.push(`${file}:${cell.line}:${cell.column}: ${columns[index]} ${problem}`);
      });
    }
    if (problems.length >= maxProblems) break;
  }
  return problems.slice(0, maxProblems);
}

function valueProblem(cell: Cell, type: string, nullable: boolean): string | undefined {
  const value = cell.text;
  if (value === '' && !(cell.quoted && type === 'string')) {
    return nullable ? undefined : `is empty, and the field is not nullable (its type is ${type}, not ["null", "${type}"])`;
  }
  const show = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  switch (type) {
    case 'int':
      return INTEGER.test(value) && Number(value) >= INT_RANGE[0] && Number(value) <= INT_RANGE[1] ? undefined : `${show} is not an int (32-bit whole number)`;
    case 'long':
      return INTEGER.test(value) && BigInt(value) >= LONG_RANGE[0] && BigInt(value) <= LONG_RANGE[1] ? undefined : `${show} is not a long (64-bit whole number)`;
    case 'float':
    case 'double':
      return DECIMAL.test(value) ? undefined : `${show} is not a ${type} (a decimal number)`;
    case 'boolean':
      return /^(true|false)$/i.test(value) ? undefined : `${show} is not a boolean (true or false)`;
    default:
      return undefined;
  }
}

/**
 * Splits CSV text into rows of cells (RFC 4180: quoted cells may hold commas, doubled
 * quotes and line breaks), up to `maxRows` rows. Reports malformed quoting.
 */
function readRows(text: string, maxRows: number, report: (line: number, column: number, message: string) => void): Cell[][] {
  const rows: Cell[][] = [];
  let row: Cell[] = [];
  let line = 1;
  let column = 1;
  let index = 0;
  while (index <= text.length && rows.length < maxRows) {
    const cellLine = line;
    const cellColumn = column;
    let value = '';
    let quoted = false;
    if (text[index] === '"') {
      quoted = true;
      index++; column++;
      for (;;) {
        if (index >= text.length) {
          report(cellLine, cellColumn, 'a quoted value is never closed');
          return rows;
        }
        const char = text[index];
        if (char === '"' && text[index + 1] === '"') {
          value += '"'; index += 2; column += 2;
        } else if (char === '"') {
          index++; column++;
          break;
        } else {
          value += char; index++;
          if (char === '\n') {
            line++; column = 1;
          } else {
            column++;
          }
        }
      }
      const next = text[index];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        report(line, column, 'a quoted value must be followed by a comma or the end of the line');
        return rows;
      }
    } else {
      while (index < text.length && text[index] !== ',' && text[index] !== '\n' && text[index] !== '\r') {
        if (text[index] === '"') {
          report(line, column, 'a quote inside an unquoted value; quote the whole value and double the quotes inside it');
          return rows;
        }
        value += text[index]; index++; column++;
      }
    }
    row.push({ text: value, line: cellLine, column: cellColumn, quoted });
    if (text[index] === ',') {
      index++; column++;
      continue;
    }
    // End of line or of the text.
    if (text[index] === '\r') index++;
    if (text[index] === '\n') index++;
    rows.push(row);
    row = [];
    line++; column = 1;
    if (index >= text.length) break;
  }
  return rows;
}
