/**
 * The one sanitizer every string from a log or a document goes through before a human format
 * prints it, and the display width that lines columns up. Logs come from other machines
 * (import, share links): an ESC or a C1 control in a title must not clear the screen, retitle
 * the window or plant a hyperlink.
 *
 * What is made visible, in every mode:
 * - C0 controls and DEL become their Unicode control pictures (ESC -> `␛`, BEL -> `␇`,
 *   NUL -> `␀`, DEL -> `␡`): one column each, and obviously not part of the text;
 * - C1 controls (U+0080-U+009F, which terminals may act on as CSI, OSC...) and the bidi
 *   embedding, override and isolate controls (which reorder what is shown) have no picture:
 *   they become escaped text, `\u009b`.
 * Line breaks and tabs depend on the format: `line` (a table cell, a TSV field, a one-line
 * summary) turns each run of them into one space; `text` (a transcript) keeps `\n` and `\t`,
 * reads `\r\n`, U+2028 and U+2029 as `\n`, and shows a lone `\r` as `␍` (it would overwrite the line).
 */

export type SanitizeMode = 'line' | 'text'

const LINE_BREAKS = /[\t\n\v\f\r\u2028\u2029]+/g
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

function visible(c: string): string {
  const code = c.charCodeAt(0)
  if (code < 0x20) return String.fromCharCode(0x2400 + code)
  if (code === 0x7f) return '\u2421'
  return `\\u${code.toString(16).padStart(4, '0')}`
}

// Anything sanitize() would change in a line: most titles and paths have none of it.
const LINE_CLEAN = /^(?![\s\u2028\u2029])[^\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]*(?<![\s\u2028\u2029])$/

export function sanitize(text: string, mode: SanitizeMode): string {
  if (mode === 'line' && LINE_CLEAN.test(text)) return text
  if (mode === 'line') return text.replace(LINE_BREAKS, ' ').trim().replace(UNSAFE, visible)
  return text.replace(/\r\n/g, '\n').replace(/[\u2028\u2029]/g, '\n').replace(UNSAFE, c => (c === '\n' || c === '\t' ? c : visible(c)))
}

/** A value in one cell or one line: line breaks and tabs become single spaces. */
export function oneLine(text: string): string {
  return sanitize(text, 'line')
}

/** Session text (a message, tool output) for a transcript: lines kept, controls shown. */
export function printable(text: string): string {
  return sanitize(text, 'text')
}

/**
 * JSON text that is exactly `JSON.stringify(value)` once parsed, with DEL, C1 controls, U+2028,
 * U+2029 and bidi controls escaped as well (JSON.stringify leaves them raw, and a terminal
 * showing `--json` output would act on U+009B as on ESC [). They occur only inside strings,
 * where `\uXXXX` means the same character.
 */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

// Made on first use: building a Segmenter loads ICU data, a cost every command would pay at start-up.
let segmenter: Intl.Segmenter | undefined
const graphemes = () => (segmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' }))

// East Asian Wide and Fullwidth blocks (Hangul, CJK, kana, fullwidth forms...): two columns.
const WIDE: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f], [0x231a, 0x231b], [0x2329, 0x232a], [0x2e80, 0x303e], [0x3041, 0x33ff],
  [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf], [0xa960, 0xa97f], [0xac00, 0xd7a3],
  [0xf900, 0xfaff], [0xfe10, 0xfe19], [0xfe30, 0xfe6f], [0xff00, 0xff60], [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f], [0x1f900, 0x1f9ff], [0x20000, 0x2fffd], [0x30000, 0x3fffd],
]

function isWide(code: number): boolean {
  for (const [from, to] of WIDE) if (code >= from && code <= to) return true
  return false
}

/** Columns one grapheme takes on a terminal: 0 (combining, zero-width), 1, or 2 (wide, emoji). */
function graphemeWidth(g: string): number {
  if (/^[\p{Mn}\p{Me}\p{Cf}]+$/u.test(g)) return 0
  if (/\p{Regional_Indicator}|\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F/u.test(g)) return 2
  return isWide(g.codePointAt(0)!) ? 2 : 1
}

/** Terminal columns of `text` (already sanitized: no controls), by grapheme. */
export function displayWidth(text: string): number {
  // Plain ASCII, the common case, needs no segmenting.
  if (/^[\x20-\x7e]*$/.test(text)) return text.length
  let width = 0
  for (const { segment } of graphemes().segment(text)) width += graphemeWidth(segment)
  return width
}

/** At most `max` columns, whole graphemes only, `…` where it was cut. */
export function truncate(text: string, max: number): string {
  if (displayWidth(text) <= max) return text
  let out = ''
  let width = 0
  for (const { segment } of graphemes().segment(text)) {
    const w = graphemeWidth(segment)
    if (width + w > max - 1) break
    out += segment
    width += w
  }
  return `${out}…`
}

/** `text` padded with spaces to `width` columns. */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)))
}
