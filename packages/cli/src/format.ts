/** Small text-formatting helpers for human-readable CLI output. */

/** `1234567` → `1,234,567`. */
export function int(n: number): string {
  return n.toLocaleString('en-US');
}

/** Bytes as `9.8 MB` (decimal units, as file managers show them). */
export function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Unix seconds as `2026-11-24 14:09 UTC`; `-` for 0. */
export function date(seconds: number): string {
  if (!seconds) return '-';
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Left-aligned label/value lines with the values in one column. */
export function aligned(rows: ReadonlyArray<readonly [string, string]>, indent = '  '): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`).join('\n');
}

/** A plain text table: first column left-aligned, the others right-aligned. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, indent = '  '): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    indent + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** `count(1, 'section')` → `1 section`, `count(2, 'activity', 'activities')` → `2 activities` (with thousands separators). */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${int(n)} ${n === 1 ? singular : plural}`;
}
