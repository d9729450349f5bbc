/**
 * The viewer's Markdown on adversarial text: every construct whose parse could backtrack
 * (brackets, link openers, emphasis runs, HTML starts, entities, nesting, table cells), at
 * twice the size against twice the work at the size, side by side. Linear time gives about 1x;
 * a parse gone quadratic (a markdown-it upgrade, a rule of ours) gives 0.5x or less.
 */
import { renderMarkdown } from '../lib/server/markdown.js'
import { sideBySide, type Row } from './util.js'

export const MARKDOWN_UNITS = ['[', '[a](', '![x](', '*a _b ', '**a ', '`a', '<', '<a href=', '&#', '\\', '> ', '- ', '|a', '_',
  'https://a.example/b ', 'x\n']

function texts(bytes: number): string[] {
  return MARKDOWN_UNITS.map(unit => unit.repeat(Math.ceil(bytes / unit.length)))
}

export async function viewerScenario(kib: number, rounds: number): Promise<Row> {
  const half = texts(kib * 512)
  const full = texts(kib * 1024)
  const r = await sideBySide(rounds, () => {
    for (let i = 0; i < 2; i++) for (const text of half) renderMarkdown(text)
  }, () => {
    for (const text of full) renderMarkdown(text)
  })
  const ratio = r.baseline / r.journal
  const ms = (value: number) => `${value.toFixed(1)} ms`
  return {
    scenario: `viewer Markdown, ${MARKDOWN_UNITS.length} adversarial texts of ${kib} KiB vs twice ${kib / 2} KiB`,
    target: '>= 0.7x',
    ratio,
    ok: ratio >= 0.7,
    journal: ms(r.journal),
    baseline: ms(r.baseline),
  }
}
