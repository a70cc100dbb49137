/**
 * Synth-time check of a CSV data file against a dataset's Avro schema, as
 * Personalize reads it. Only the first rows are checked, so a large file does not
 * slow synthesis down. Each rule names its source; the pages are under
 * https://docs.aws.amazon.com/personalize/latest/dg/:
 *
 * - data-prep-formatting.html ("Bulk data format guidelines"): a CSV file; a header row
 *   whose names are not in quotes and map to the schema; each record on a single line;
 *   timestamps in Unix epoch seconds; UTF-8 when the data holds non-ASCII characters.
 * - items-datasets.html ("Unstructured text metadata"): text in double quotes, with `\`
 *   escaping a double quote or a backslash.
 * - how-it-works-dataset-schema.html ("Schema data types"): boolean values `true` and
 *   `false` in lower case.
 * - limits.html ("Service quotas"): USER_ID and ITEM_ID values at most 256 characters,
 *   categorical and impression values at most 1,000; at least 1,000 interaction records
 *   per dataset import job (FULL or INCREMENTAL).
 * - action-dataset-requirements.html and actions-datasets.html: ACTION_ID at most 256
 *   characters; the repeat frequency in days, at most 30; the expiration timestamp in
 *   Unix epoch seconds.
 */
import { AvroField, AvroRecord } from './avro';

/** How many data rows are checked. */
export const CSV_SAMPLE_ROWS = 1000;
/** limits.html: "Minimum number of interactions records per dataset import job with FULL or INCREMENTAL import mode". */
export const MIN_INTERACTION_RECORDS = 1000;
/** limits.html: "Maximum number of characters for USER_ID / ITEM_ID data values"; the Actions pages say the same of ACTION_ID. */
export const ID_MAX_LENGTH = 256;
/** limits.html: "Maximum number of characters for categorical data and impression values". */
export const CATEGORICAL_MAX_LENGTH = 1000;
/** actions-datasets.html, "Repeat frequency data": days, at most 30. */
export const REPEAT_FREQUENCY_MAX_DAYS = 30;
/**
 * Epoch seconds have 10 digits until the year 2286; a larger value is milliseconds (or
 * microseconds), which Personalize reads as a date centuries ahead (team inference on the threshold).
 */
const LARGEST_EPOCH_SECONDS = 9_999_999_999;

const ID_FIELDS = new Set(['USER_ID', 'ITEM_ID', 'ACTION_ID']);
const TIMESTAMP_FIELDS = new Set(['TIMESTAMP', 'CREATION_TIMESTAMP', 'ACTION_EXPIRATION_TIMESTAMP']);
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

/** What the file is imported into, for the rules of that dataset type. */
export interface CsvContext {
  /** The dataset type (Interactions, Items, ...), when known. */
  readonly datasetType?: string;
  /** How many problems to report at most. */
  readonly maxProblems?: number;
}

/**
 * Problems of `data` (the file `file`, as bytes or text) against `record`, each with its
 * line and column and the fix; the first few.
 */
export function csvProblems(file: string, data: string | Uint8Array, record: AvroRecord, context: CsvContext = {}): string[] {
  const maxProblems = context.maxProblems ?? 5;
  const decoded = typeof data === 'string' ? { text: data } : decodeUtf8(file, data);
  if (decoded.problem) return [decoded.problem];
  const problems: string[] = [];
  const rows = readRows(decoded.text!.replace(/^\uFEFF/, ''), CSV_SAMPLE_ROWS + 1, (line, column, message) => {
    problems.push(`${file}:${line}:${column}: ${message}`);
  });
  if (problems.length > 0) return problems.slice(0, maxProblems);
  const [header, ...dataRows] = rows;
  if (!header || (header.length === 1 && header[0].text === '')) return [`${file}:1:1: the file is empty; it needs a header row naming the schema's fields`];

  const fields = new Map(record.fields.map((field) => [field.name, field]));
  const columns = header.map((cell) => cell.text);
  columns.forEach((name, index) => {
    const at = `${file}:1:${header[index].column}`;
    if (header[index].quoted) {
      problems.push(`${at}: the header name "${name}" is in quotes; Personalize reads header names without quotes, write ${name}`);
    } else if (name !== name.trim()) {
      problems.push(`${at}: the header name '${name}' has spaces around it; header names must match the schema's field names exactly, write '${name.trim()}'`);
    } else if (!fields.has(name)) {
      problems.push(`${at}: the header names '${name}', which is not a field of schema record `
        + `'${record.name}' (fields: ${record.fields.map((f) => f.name).join(', ')}); rename the column or add the field to the schema`);
    } else if (columns.indexOf(name) !== index) {
      problems.push(`${at}: the header names '${name}' twice; remove one of the columns`);
    }
  });
  const missing = record.fields.filter((field) => !field.nullable && !columns.includes(field.name)).map((field) => field.name);
  if (missing.length > 0) problems.push(`${file}:1:1: the header lacks the required (non-null) field(s) ${missing.join(', ')}; add the column(s)`);
  if (problems.length > 0) return problems.slice(0, maxProblems);

  let records = 0;
  for (const row of dataRows) {
    if (row.length === 1 && row[0].text === '' && !row[0].quoted) continue; // a blank line
    records++;
    if (row.length !== columns.length) {
      problems.push(`${file}:${row[0].line}:1: the row has ${row.length} value(s); the header has ${columns.length}. `
        + 'Quote a value that holds a comma, and give every column a value (empty for null)');
    } else {
      row.forEach((cell, index) => {
        const field = fields.get(columns[index])!;
        const problem = valueProblem(cell, field);
        if (problem) problems.push(`${file}:${cell.line}:${cell.column}: ${columns[index]} ${problem}`);
      });
    }
    if (problems.length >= maxProblems) break;
  }
  if (problems.length === 0 && context.datasetType === 'Interactions' && records < MIN_INTERACTION_RECORDS) {
    problems.push(`${file}: the file holds ${records} interaction record(s); a dataset import job needs at least `
      + `${MIN_INTERACTION_RECORDS.toLocaleString('en-US')} (Service quotas). Add records, or record the few with PutEvents (an EventTracker)`);
  }
  return problems.slice(0, maxProblems);
}

function valueProblem(cell: Cell, field: AvroField): string | undefined {
  const { type, nullable, name } = field;
  const value = cell.text;
  if (value === '' && !(cell.quoted && type === 'string')) {
    return nullable ? undefined : `is empty, and the field is not nullable (its type is ${type}, not ["null", "${type}"]); give a value`;
  }
  const show = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  switch (type) {
    case 'int':
      return INTEGER.test(value) && Number(value) >= INT_RANGE[0] && Number(value) <= INT_RANGE[1] ? undefined : `${show} is not an int (32-bit whole number)`;
    case 'long':
      if (!INTEGER.test(value) || BigInt(value) < LONG_RANGE[0] || BigInt(value) > LONG_RANGE[1]) return `${show} is not a long (64-bit whole number)`;
      return longRuleProblem(name, BigInt(value), show);
    case 'float':
    case 'double':
      return DECIMAL.test(value) ? undefined : `${show} is not a ${type} (a decimal number)`;
    case 'boolean':
      // Schema data types: "values true and false must be lower case in your data".
      return /^(true|false)$/.test(value) ? undefined
        : `${show} is not a boolean; Personalize reads only true and false, in lower case${/^(true|false)$/i.test(value) ? `: write ${value.toLowerCase()}` : ''}`;
    default:
      return stringLengthProblem(field, value);
  }
}

/** Timestamps in epoch seconds and the repeat frequency in days, for the reserved long fields. */
function longRuleProblem(name: string, value: bigint, show: string): string | undefined {
  if (TIMESTAMP_FIELDS.has(name) && value > BigInt(LARGEST_EPOCH_SECONDS)) {
    return `${show} is not a Unix epoch time in seconds (it has ${String(value).length} digits, as milliseconds do); `
      + `Personalize reads seconds: divide by 1000, for example ${String(value / BigInt(1000))}`;
  }
  if (name === 'REPEAT_FREQUENCY' && (value < BigInt(0) || value > BigInt(REPEAT_FREQUENCY_MAX_DAYS))) {
    return `${show} is a repeat frequency outside 0-${REPEAT_FREQUENCY_MAX_DAYS} days; Personalize takes at most ${REPEAT_FREQUENCY_MAX_DAYS} days`;
  }
  return undefined;
}

function stringLengthProblem(field: AvroField, value: string): string | undefined {
  const length = [...value].length;
  if (ID_FIELDS.has(field.name) && length > ID_MAX_LENGTH) {
    return `is ${length} characters long; an ID is at most ${ID_MAX_LENGTH} characters (Service quotas). Shorten it, or map long IDs to short ones`;
  }
  const impression = field.name === 'IMPRESSION';
  if ((field.categorical || impression) && length > CATEGORICAL_MAX_LENGTH) {
    return `is ${length} characters long; ${impression ? 'an impression' : 'a categorical'} value is at most ${CATEGORICAL_MAX_LENGTH} `
      + 'characters (separators | included), or the import job fails. Shorten it';
  }
  return undefined;
}

/** The text of a UTF-8 file, or the problem with its encoding, at the line of the first bad byte. */
function decodeUtf8(file: string, bytes: Uint8Array): { text?: string; problem?: string } {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { problem: `${file}:1:1: the file is UTF-16 (it starts with a UTF-16 byte order mark); Personalize reads UTF-8. Save it as UTF-8` };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, offset).filter((byte) => byte === 0x0a).length + 1;
    return {
      problem: `${file}:${line}: byte ${offset + 1} (0x${bytes[offset].toString(16).padStart(2, '0')}) is not UTF-8; a file with non-ASCII `
        + 'characters must be UTF-8 encoded. Save it as UTF-8 (it may be Latin-1 or Windows-1252)',
    };
  }
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const byte = bytes[index];
    const length = byte < 0x80 ? 1 : byte >= 0xc2 && byte < 0xe0 ? 2 : byte >= 0xe0 && byte < 0xf0 ? 3 : byte >= 0xf0 && byte < 0xf5 ? 4 : 0;
    if (length === 0) return index;
    for (let next = 1; next < length; next++) {
      if (index + next >= bytes.length || bytes[index + next] < 0x80 || bytes[index + next] > 0xbf) return index;
    }
    index += length;
  }
  return index;
}

/**
 * Splits CSV text into rows of cells, up to `maxRows` rows: quoted cells may hold commas
 * and quotes, doubled (RFC 4180) or escaped with `\` (as items-datasets.html prescribes
 * for text), but no line break, since each record is on a single line. Reports malformed
 * quoting with its fix.
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
          report(cellLine, cellColumn, 'a quoted value is never closed; add the closing double quote (")');
          return rows;
        }
        const char = text[index];
        if (char === '\\' && (text[index + 1] === '"' || text[index + 1] === '\\')) {
          value += text[index + 1]; index += 2; column += 2;
        } else if (char === '"' && text[index + 1] === '"') {
          value += '"'; index += 2; column += 2;
        } else if (char === '"') {
          index++; column++;
          break;
        } else if (char === '\n' || char === '\r') {
          if (text.indexOf('"', index) < 0) {
            report(cellLine, cellColumn, 'a quoted value is never closed; add the closing double quote (")');
          } else {
            report(line, column, 'a quoted value holds a line break, and Personalize reads each record from a single line; '
              + 'replace the line break with a space');
          }
          return rows;
        } else {
          value += char; index++; column++;
        }
      }
      const next = text[index];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        report(line, column, 'a quoted value must be followed by a comma or the end of the line; '
          + 'write a quote inside a quoted value as "" or \\"');
        return rows;
      }
    } else {
      while (index < text.length && text[index] !== ',' && text[index] !== '\n' && text[index] !== '\r') {
        if (text[index] === '"') {
          report(line, column, 'a quote inside an unquoted value; quote the whole value and write the quotes inside it as "" or \\"');
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
