/** Small helpers for human output: tables and one-line accounts of values. */
import { jsonLine } from '../index.js'
import { displayWidth, oneLine, padEnd, truncate } from './text.js'

/**
 * Columns padded to their widest cell, by display width (a CJK title or an emoji takes two
 * columns); the last column is not padded. Cells must already be sanitized.
 */
export function table(rows: string[][]): string {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell)) })
  return rows.map(row => row.map((cell, i) => (i === row.length - 1 ? cell : padEnd(cell, widths[i]!))).join('  ').trimEnd())
    .join('\n') + '\n'
}

/** A short, one-line, sanitized account of a JSON value. */
export function brief(value: unknown, max = 80): string {
  if (value === undefined) return ''
  // jsonLine, not JSON.stringify: a part from a log written elsewhere may be nested past any stack.
  return truncate(oneLine(typeof value === 'string' ? value : jsonLine(value, max * 4)), max)
}
