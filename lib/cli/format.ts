/** Small text helpers for human output: one-line strings, truncation, short times, tables. */

/** Control characters (tabs, newlines, U+2028...) as spaces, so a value stays in its cell. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim()
}

export function truncate(text: string, max: number): string {
  const chars = [...text]
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`
}

/** `2024-05-01T12:34:56.789Z` -> `2024-05-01 12:34:56` (UTC, as stored). */
export function shortTime(ts: string): string {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(ts) ? `${ts.slice(0, 10)} ${ts.slice(11, 19)}` : ts
}

/** Columns padded to their widest cell (by code points); the last column is not padded. */
export function table(rows: string[][]): string {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, [...cell].length) })
  return rows.map(row => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - [...cell].length))).join('  ').trimEnd())
    .join('\n') + '\n'
}

/** A short, one-line account of a JSON value. */
export function brief(value: unknown, max = 80): string {
  if (value === undefined) return ''
  return truncate(oneLine(typeof value === 'string' ? value : JSON.stringify(value)), max)
}

/**
 * Session text as it may be printed to a terminal: line and paragraph separators become
 * newlines, and control characters other than newline and tab (escape sequences in tool
 * output could move the cursor or retitle the window) become U+FFFD.
 */
export function printable(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/[\u2028\u2029]/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\ufffd')
}
