/**
 * A session as a readable Markdown transcript (docs/export.md): a title heading and a short
 * metadata block, a heading per message (role and time), text as written (it is Markdown
 * already), reasoning and tool outputs folded away in `<details>`, each tool call on one line.
 *
 * Everything the journal writes around the content is escaped (headings, the metadata, tool
 * lines); content stays as written but cannot break out: control characters are shown
 * (ESC as ␛), a fence the text leaves open is closed, and outputs sit in a fence longer than
 * any backtick run inside them.
 */
import { jsonLine, jsonPretty } from '../core/json-line.js'
import type { CorePorts } from '../core/ports.js'
import { shortPrompt } from '../core/prompt.js'
import { toolPart, type ToolPart } from '../core/tool-part.js'
import { toolSummary } from '../core/tool-what.js'
import type { JsonValue, Message, Part, SessionInfo } from '../core/types.js'
import { cutOutput, moreLinesNote, OUTPUT_LINES } from './cut.js'
import { redactValue, toRedactor, type Redactor } from './redact.js'

export type MarkdownPorts = Pick<CorePorts, 'readHistory'>

export interface MarkdownOptions {
  /** `true` for the built-in secret redactor, or a function applied to every string value. */
  redact?: boolean | Redactor
  /** Lines kept of each tool output (default OUTPUT_LINES, 20); the rest is counted, not shown. */
  maxOutputLines?: number
}

export async function exportMarkdown(ports: MarkdownPorts, id: string, options: MarkdownOptions = {}): Promise<string> {
  return toMarkdown(await ports.readHistory(id), options)
}

/** The transcript of a folded history (what `read()` returns). */
export function toMarkdown(history: { info: SessionInfo, messages: Message[] }, options: MarkdownOptions = {}): string {
  const redactor = toRedactor(options.redact)
  const { info, messages } = redactor ? redactValue({ info: history.info, messages: history.messages }, redactor) : history
  const maxLines = options.maxOutputLines ?? OUTPUT_LINES
  const out = [...head(info, messages)]
  for (const message of messages) {
    out.push(`## ${escapeInline(capitalized(message.role))} · ${escapeInline(message.created)}`, '')
    for (const part of message.parts) out.push(...renderPart(part, maxLines))
    if (message.parts.length === 0) out.push('*(empty)*', '')
  }
  return `${out.join('\n').trimEnd()}\n`
}

function head(info: SessionInfo, messages: Message[]): string[] {
  const prompt = firstPrompt(messages)
  const title = info.title ?? (prompt === null ? '(untitled)' : `“${prompt}”`)
  const roles = { user: 0, assistant: 0, system: 0 }
  for (const m of messages) roles[m.role]++
  const counts = Object.entries(roles).filter(([, n]) => n > 0).map(([role, n]) => `${n} ${role}`).join(', ')
  return [
    `# ${escapeInline(title)}`,
    '',
    `- **Session:** ${code(info.id)}`,
    `- **Project:** ${code(info.projectPath)}`,
    `- **Created:** ${escapeInline(info.created)} · **Updated:** ${escapeInline(info.updated)}`,
    `- **Messages:** ${messages.length}${counts === '' ? '' : ` (${counts})`}`,
    ...(info.meta.host ? [`- **Host:** ${escapeInline([info.meta.host.name, info.meta.host.version ?? ''].join(' ').trim())}`] : []),
    ...(info.usage.events > 0 ? [`- **Tokens:** ${info.usage.input} in, ${info.usage.output} out`] : []),
    ...(info.share ? [`- **Shared:** ${code(info.share.url)}`] : []),
    '',
  ]
}

/** A tool output that is no string is shown as pretty JSON up to this many characters (then cut by lines as well). */
const OUTPUT_CHARS = 1 << 20

function renderPart(part: Part, maxLines: number): string[] {
  const p = part as Record<string, JsonValue>
  if (part.type === 'text' && typeof p.text === 'string') return [contained(visible(p.text), false), '']
  if (part.type === 'reasoning' && typeof p.text === 'string') {
    return ['<details><summary>Reasoning</summary>', '', contained(visible(p.text), true), '', '</details>', '']
  }
  const tool = toolPart(p)
  if (tool) return renderTool(tool, maxLines)
  const { id: _id, type: _type, ...rest } = p
  return [`*[${escapeInline(part.type)}]* ${code(jsonLine(rest, 200), 200)}`, '']
}

function renderTool(tool: ToolPart, maxLines: number): string[] {
  const ran = toolSummary(tool)
  const line = [`**Tool:** ${code(tool.name)}`, ...(ran === undefined ? [] : [code(ran, 200)]), ...(tool.status ? [escapeInline(tool.status)] : [])].join(' · ')
  const out = [line, '']
  if (tool.error !== undefined) out.push(...details('Error', tool.error, maxLines))
  if (tool.output !== undefined && tool.output !== null && tool.output !== '') {
    out.push(...details('Output', typeof tool.output === 'string' ? tool.output : jsonPretty(tool.output, OUTPUT_CHARS).text, maxLines))
  }
  return out
}

/** A collapsed, fenced block of `text`, cut at `maxLines` lines with a count of the rest. */
function details(label: string, text: string, maxLines: number): string[] {
  const cut = cutOutput(visible(text), maxLines)
  const total = cut.lines + cut.moreLines
  const fence = '`'.repeat(Math.max(3, longestRun(cut.text, '`') + 1))
  const note = moreLinesNote(cut)
  return [
    `<details><summary>${label} (${total} line${total === 1 ? '' : 's'})</summary>`, '',
    ...(cut.lines === 0 ? [] : [`${fence}text`, cut.text, fence, '']),
    ...(note === '' ? [] : [note, '']),
    '</details>', '',
  ]
}

function firstPrompt(messages: Message[]): string | null {
  for (const m of messages) {
    if (m.role !== 'user') continue
    for (const p of m.parts) if (p.type === 'text' && typeof p.text === 'string') return shortPrompt(p.text) || null
  }
  return null
}

/** An inline code span of a one-line value: a run of backticks inside cannot end it. */
function code(text: string, max = 500): string {
  let line = visible(text.replace(/[\r\n\u2028\u2029]+/g, ' '))
  if (line.length > max) line = `${line.slice(0, max)}…`
  const ticks = '`'.repeat(longestRun(line, '`') + 1)
  const pad = line.startsWith('`') || line.endsWith('`') || line === '' ? ' ' : ''
  return `${ticks}${pad}${line}${pad}${ticks}`
}

/** Text in a heading or a list item: one line, HTML and Markdown syntax taken literally. */
function escapeInline(text: string): string {
  return visible(text.replace(/\s+/g, ' ').trim())
    .replace(/[&<>]/g, c => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'))
    .replace(/[\\`*_[\]#|~!]/g, '\\$&')
}

/** Control characters shown, never sent to a terminal or a renderer: C0 as pictures (ESC as ␛), C1 and bidi controls escaped. */
function visible(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, c => {
    const n = c.charCodeAt(0)
    return n < 0x20 ? String.fromCharCode(0x2400 + n) : n === 0x7f ? '\u2421' : `\\u${n.toString(16).padStart(4, '0')}`
  })
}

/**
 * A message's text as written, kept inside its message: a code fence it leaves open is closed,
 * an HTML comment it leaves open is closed (else a renderer that allows HTML hides every later
 * message), and inside a <details> block (`inDetails`) a `</details>` of its own is escaped.
 * Lines inside code fences are literal and left alone.
 */
function contained(text: string, inDetails: boolean): string {
  let open: { char: string, length: number } | null = null
  let comment = false
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const fence = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line)
    // A backtick fence's info string may not hold a backtick (CommonMark): that line is no fence.
    if (fence && !comment && !(open === null && fence[1]![0] === '`' && fence[2]!.includes('`'))) {
      const run = fence[1]!
      if (open === null) open = { char: run[0]!, length: run.length }
      else if (run[0] === open.char && run.length >= open.length && fence[2]!.trim() === '') open = null
      continue
    }
    if (open !== null) continue
    if (inDetails) lines[i] = line.replace(/<\/details/gi, tag => `&lt;${tag.slice(1)}`)
    for (let at = 0; ;) {
      const next = comment ? line.indexOf('-->', at) : line.indexOf('<!--', at)
      if (next === -1) break
      at = next + (comment ? 3 : 4)
      comment = !comment
    }
  }
  const closing = [...(open === null ? [] : [open.char.repeat(open.length)]), ...(comment ? ['-->'] : [])]
  return [...lines, ...closing].join('\n')
}

function longestRun(text: string, char: string): number {
  let longest = 0
  let run = 0
  for (let i = 0; i < text.length; i++) {
    run = text[i] === char ? run + 1 : 0
    if (run > longest) longest = run
  }
  return longest
}

function capitalized(role: string): string {
  return role.charAt(0).toUpperCase() + role.slice(1)
}
