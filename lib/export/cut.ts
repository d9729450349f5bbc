/**
 * Long tool outputs cut for reading (`show`, the markdown export): the first lines, each line
 * cut too (one minified line can be megabytes), and how much was left out. Only what is kept
 * is ever copied: cutting a 100 MB output costs a scan for its newlines, not a split.
 */

/** Lines of a tool output shown by default (`show --max-output`, the markdown export). */
export const OUTPUT_LINES = 20

/** A kept line longer than this is cut: a reader wants its start, not a megabyte of it. */
export const LINE_CHARS = 2000

export interface CutOutput {
  /** The lines kept, joined by `\n` (without a final newline). */
  text: string
  /** How many lines were kept. */
  lines: number
  /** Lines left out after the kept ones. */
  moreLines: number
  /** Kept lines that were cut at LINE_CHARS characters. */
  cutLines: number
}

/** The first `maxLines` lines of `output` (all of them when `maxLines` is Infinity). */
export function cutOutput(output: string, maxLines: number): CutOutput {
  const body = output.endsWith('\n') ? output.slice(0, -1) : output
  const kept: string[] = []
  let cutLines = 0
  let at = 0
  while (kept.length < maxLines && at <= body.length) {
    const end = lineEnd(body, at)
    const line = body.slice(at, Math.min(end, at + LINE_CHARS))
    if (end - at > LINE_CHARS) {
      kept.push(`${line}… [${end - at - LINE_CHARS} more characters]`)
      cutLines++
    } else {
      kept.push(line)
    }
    at = end + 1
  }
  let moreLines = 0
  if (at <= body.length) {
    moreLines = 1
    for (let i = body.indexOf('\n', at); i !== -1; i = body.indexOf('\n', i + 1)) moreLines++
  }
  return { text: kept.join('\n'), lines: kept.length, moreLines, cutLines }
}

/** `… 112 more lines`, or '' when nothing was left out. */
export function moreLinesNote(cut: CutOutput): string {
  return cut.moreLines === 0 ? '' : `… ${cut.moreLines} more line${cut.moreLines === 1 ? '' : 's'}`
}

function lineEnd(text: string, from: number): number {
  const i = text.indexOf('\n', from)
  return i === -1 ? text.length : i
}
