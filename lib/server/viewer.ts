/**
 * The share viewer: a server-rendered, script-free HTML page of a conversation.
 * Everything from the document goes through escapeHtml(); the page carries no
 * script at all and the CSP allows only the one inline stylesheet (by hash),
 * so even a missed escape could not run code in a reader's browser.
 */

import { createHash } from 'node:crypto'
import type { JsonValue, Message, Part } from '../core/types.js'
import type { ShareDocument } from '../share/document.js'

const CSS = `
:root { color-scheme: light dark; --bg: #fafaf9; --fg: #1c1917; --muted: #6b6661; --card: #ffffff;
  --line: #e7e5e4; --code-bg: #f5f5f4; --user: #2563eb; --assistant: #059669; --system: #9333ea; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #171717; --fg: #e7e5e4; --muted: #a8a29e; --card: #1f1f1f; --line: #333; --code-bg: #262626;
    --user: #60a5fa; --assistant: #34d399; --system: #c084fc; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif; }
main { max-width: 52rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
header { border-bottom: 1px solid var(--line); margin-bottom: 1.5rem; padding-bottom: 1rem; }
h1 { font-size: 1.6rem; line-height: 1.3; margin: 0 0 .35rem; overflow-wrap: anywhere; }
.meta, .muted, footer { color: var(--muted); font-size: .875rem; }
.message { background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--line);
  border-radius: 8px; padding: .75rem 1rem; margin: 0 0 1rem; }
.message.user { border-left-color: var(--user); }
.message.assistant { border-left-color: var(--assistant); }
.message.system { border-left-color: var(--system); }
.role { display: flex; justify-content: space-between; gap: 1rem; font-size: .8rem; font-weight: 600;
  letter-spacing: .04em; text-transform: uppercase; color: var(--muted); margin-bottom: .35rem; }
.user .role-name { color: var(--user); } .assistant .role-name { color: var(--assistant); }
.system .role-name { color: var(--system); }
.role time { font-weight: 400; text-transform: none; letter-spacing: 0; }
p { margin: .5rem 0; white-space: pre-wrap; overflow-wrap: anywhere; }
code, pre { font: .875rem/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
p code { background: var(--code-bg); border-radius: 4px; padding: .1em .3em; }
pre { background: var(--code-bg); border: 1px solid var(--line); border-radius: 6px; padding: .75rem;
  margin: .5rem 0; overflow-x: auto; white-space: pre; }
.lang { font-size: .75rem; color: var(--muted); margin: .5rem 0 -.35rem; }
details { border: 1px solid var(--line); border-radius: 6px; margin: .5rem 0; padding: .35rem .75rem; }
summary { cursor: pointer; color: var(--muted); font-size: .9rem; }
details[open] summary { margin-bottom: .35rem; }
.reasoning .body { color: var(--muted); font-style: italic; }
.status { font-weight: 600; }
.status.error { color: #dc2626; }
.file { font-size: .9rem; margin: .5rem 0; }
.label { color: var(--muted); font-size: .75rem; text-transform: uppercase; letter-spacing: .04em; margin-right: .5rem; }
footer { margin-top: 2rem; text-align: center; }
`

/** The CSP pins the stylesheet by hash: no nonce to manage, and nothing else may load or run. */
export const VIEWER_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(CSS, 'utf8').digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => ESCAPES[c] ?? c)
}

export function renderSharePage(doc: ShareDocument): string {
  const title = doc.info.title ?? 'Untitled session'
  const count = doc.messages.length
  const body = count === 0
    ? '<p class="muted">No messages.</p>'
    : doc.messages.map(renderMessage).join('\n')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(title)}</h1>
<div class="meta">${count} ${count === 1 ? 'message' : 'messages'} · started ${renderTime(doc.info.created)} · updated ${renderTime(doc.info.updated)}</div>
</header>
${body}
<footer>Shared with session-journal</footer>
</main>
</body>
</html>
`
}

function renderMessage(message: Message): string {
  const role = escapeHtml(message.role)
  const parts = message.parts.map(renderPart).join('\n')
  return `<article class="message ${role}">
<div class="role"><span class="role-name">${role}</span>${renderTime(message.created)}</div>
${parts}
</article>`
}

function renderPart(part: Part): string {
  switch (part.type) {
    case 'text': return renderText(stringField(part, 'text') ?? '')
    case 'reasoning':
      return `<details class="reasoning"><summary>Reasoning</summary><div class="body">${renderText(stringField(part, 'text') ?? '')}</div></details>`
    case 'tool': return renderTool(part)
    case 'file': return renderFile(part)
    default:
      return `<details class="other"><summary>${escapeHtml(part.type)} part</summary><pre>${escapeHtml(json(part))}</pre></details>`
  }
}

/** Tool parts come in a few host shapes: fields on the part, or under `state` (opencode style). */
function renderTool(part: Part): string {
  const state = isObject(part.state) ? part.state : {}
  const name = stringField(part, 'tool') ?? stringField(part, 'name') ?? stringField(part, 'toolName') ?? 'tool'
  const status = stringField(state, 'status') ?? stringField(part, 'status')
  const input = state.input ?? part.input ?? part.args
  const output = state.output ?? part.output ?? part.result
  const error = state.error ?? part.error
  const statusHtml = status === undefined ? '' : ` · <span class="status${status === 'error' ? ' error' : ''}">${escapeHtml(status)}</span>`
  const sections = [
    input === undefined ? '' : `<div class="label">input</div><pre>${escapeHtml(show(input))}</pre>`,
    output === undefined ? '' : `<div class="label">output</div><pre>${escapeHtml(show(output))}</pre>`,
    error === undefined ? '' : `<div class="label">error</div><pre>${escapeHtml(show(error))}</pre>`,
  ].join('')
  return `<details class="tool"><summary>Tool <code>${escapeHtml(name)}</code>${statusHtml}</summary>${sections || '<p class="muted">No details.</p>'}</details>`
}

function renderFile(part: Part): string {
  const name = stringField(part, 'filename') ?? stringField(part, 'name') ?? stringField(part, 'path') ?? stringField(part, 'url') ?? 'unnamed file'
  const mime = stringField(part, 'mime') ?? stringField(part, 'mediaType')
  return `<div class="file"><span class="label">file</span>${escapeHtml(name)}${mime === undefined ? '' : ` <span class="muted">(${escapeHtml(mime)})</span>`}</div>`
}

/**
 * Plain text with fenced code blocks (``` or ~~~) as <pre><code>, paragraphs
 * split on blank lines, `inline code` as <code>. Not a Markdown renderer: the
 * rest stays as typed, which is what a reader of a chat log expects.
 */
export function renderText(text: string): string {
  const out: string[] = []
  const lines = text.split(/\r?\n/)
  let prose: string[] = []
  const flush = (): void => {
    const paragraphs = prose.join('\n').split(/\n[ \t]*\n/).filter(p => p.trim() !== '')
    for (const paragraph of paragraphs) out.push(`<p>${renderInline(paragraph.replace(/^\n+|\n+$/g, ''))}</p>`)
    prose = []
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(line)
    if (open === null) {
      prose.push(line)
      continue
    }
    flush()
    const fence = open[1] ?? '```'
    const closing = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`)
    const code: string[] = []
    for (i++; i < lines.length && !closing.test(lines[i] ?? ''); i++) code.push(lines[i] ?? '')
    const lang = open[2] ?? ''
    if (lang !== '') out.push(`<div class="lang">${escapeHtml(lang)}</div>`)
    out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`)
  }
  flush()
  return out.join('\n')
}

function renderInline(text: string): string {
  return text.split(/(`[^`\n]+`)/).map((piece, index) =>
    index % 2 === 1 ? `<code>${escapeHtml(piece.slice(1, -1))}</code>` : escapeHtml(piece),
  ).join('')
}

function renderTime(iso: string): string {
  const date = new Date(iso)
  const label = Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(label)}</time>`
}

function isObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stringField(object: { [key: string]: JsonValue }, key: string): string | undefined {
  const value = object[key]
  return typeof value === 'string' ? value : undefined
}

function show(value: JsonValue): string {
  return typeof value === 'string' ? value : json(value)
}

/** Pretty JSON; a document too deeply nested for JSON.stringify still renders. */
function json(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? ''
  } catch {
    return '[value too deeply nested to show]'
  }
}
