/** A Markdown table: the first `labelColumns` columns left-aligned, the others (figures) right-aligned. */
export function markdownTable(header: string[], rows: Array<Array<string | number>>, labelColumns = 1): string {
  const line = (cells: Array<string | number>) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map((_, column) => (column < labelColumns ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

export function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

export function seconds(ms: number, digits = 2): string {
  return fixed(ms / 1000, digits);
}

export function bytes(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function ratio(value: number): string {
  return `${fixed(value, 2)}×`;
}

export function verdict(met: boolean): string {
  return met ? 'yes' : '**no**';
}
