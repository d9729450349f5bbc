/**
 * One part of a message as HTML, for the viewer page (viewer.ts): text and
 * reasoning as Markdown (markdown.ts), tool calls as one line (viewer-tool.ts),
 * files by name, anything else as clipped JSON. Text is cut at `textChars`
 * before it is parsed, so no part costs more than its share of the page.
 */

import type { Part } from '../core/types.js'
import { renderMarkdown, renderPlain } from './markdown.js'
import { clipped, count, cut, label, moreNote, printable, stringField, type PartLimits } from './viewer-html.js'
import { toolPart } from '../core/tool-part.js'
import { renderTool } from './viewer-tool.js'

/** What is left of a page's Markdown budget (`markdownChars`), spent by the parts in order. */
export interface PageBudget { markdownChars: number }

export function renderPart(part: Part, limits: PartLimits, budget: PageBudget = { ...limits }): string {
  const tool = toolPart(part)
  if (tool) return renderTool(tool, limits)
  switch (part.type) {
    case 'text': return renderLongText(stringField(part, 'text') ?? '', limits, budget)
    case 'reasoning':
      return `<details class="reasoning"><summary>Reasoning</summary>${renderLongText(stringField(part, 'text') ?? '', limits, budget)}</details>`
    case 'file': return renderFile(part)
    default:
      return `<details class="other"><summary>${label(part.type)} part</summary>${clipped(part, limits)}</details>`
  }
}

/** A part's text, cut at `textChars`; as Markdown while the page's budget lasts, then as typed. */
function renderLongText(text: string, limits: PartLimits, budget: PageBudget): string {
  const source = printable(cut(text, limits.textChars))
  const markdown = source.length <= budget.markdownChars
  if (markdown) budget.markdownChars -= source.length
  const shown = markdown ? renderMarkdown(source) : renderPlain(source)
  return text.length <= limits.textChars ? shown : shown + moreNote(`${count(text.length - limits.textChars)} more characters`, limits)
}

function renderFile(part: Part): string {
  const name = stringField(part, 'filename') ?? stringField(part, 'name') ?? stringField(part, 'path') ?? stringField(part, 'url') ?? 'unnamed file'
  const mime = stringField(part, 'mime') ?? stringField(part, 'mediaType')
  return `<div class="file"><span class="label">file</span>${label(name)}${mime === undefined ? '' : ` <span class="muted">(${label(mime)})</span>`}</div>`
}
