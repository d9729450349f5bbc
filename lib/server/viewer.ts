/**
 * The share viewer: a server-rendered, script-free HTML page of a conversation.
 * Everything from the document is escaped (viewer-html.ts) or rendered as Markdown
 * with raw HTML off and links narrowed (markdown.ts); the page carries no script at all and the CSP allows only the one inline stylesheet
 * (by hash), so even a missed escape could not run code in a reader's browser.
 * A page has a size budget: it stops at `maxPageBytes` and says what it left out.
 */

import { createHash } from 'node:crypto'
import type { Message } from '../core/types.js'
import type { ShareDocument } from '../share/document.js'
import { DEFAULT_PART_LIMITS, count, escapeHtml, label, type PartLimits } from './viewer-html.js'
import { renderPart } from './viewer-parts.js'

const CSS = `
:root { color-scheme: light dark; --bg: #fafaf9; --fg: #1c1917; --muted: #6b6661; --card: #ffffff;
  --line: #e7e5e4; --code-bg: #f5f5f4; --user: #2563eb; --assistant: #059669; --system: #9333ea;
  --err: #b91c1c; --err-bg: #fef2f2; --warn: #b45309; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #171717; --fg: #e7e5e4; --muted: #a8a29e; --card: #1f1f1f; --line: #333; --code-bg: #262626;
    --user: #60a5fa; --assistant: #34d399; --system: #c084fc; --err: #f87171; --err-bg: #2a1515; --warn: #fbbf24; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif; }
main { max-width: 52rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
header { border-bottom: 1px solid var(--line); margin-bottom: 1.5rem; padding-bottom: 1rem; }
h1 { font-size: 1.6rem; line-height: 1.3; margin: 0 0 .35rem; overflow-wrap: anywhere; }
.meta, .muted, footer { color: var(--muted); font-size: .875rem; }
.message { background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--line);
  border-radius: 8px; padding: .75rem 1rem; margin: 0 0 1rem; min-width: 0; }
.message.user { border-left-color: var(--user); }
.message.assistant { border-left-color: var(--assistant); }
.message.system { border-left-color: var(--system); }
.role { display: flex; justify-content: space-between; gap: 1rem; font-size: .8rem; font-weight: 600;
  letter-spacing: .04em; text-transform: uppercase; color: var(--muted); margin-bottom: .35rem; }
.user .role-name { color: var(--user); } .assistant .role-name { color: var(--assistant); }
.system .role-name { color: var(--system); }
.role time { font-weight: 400; text-transform: none; letter-spacing: 0; }
p { margin: .5rem 0; overflow-wrap: anywhere; }
code, pre { font: .875rem/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
:not(pre) > code { background: var(--code-bg); border-radius: 4px; padding: .1em .3em; overflow-wrap: break-word; }
pre { background: var(--code-bg); border: 1px solid var(--line); border-radius: 6px; padding: .75rem;
  margin: .5rem 0; overflow-x: auto; white-space: pre; max-width: 100%; }
.md { margin: .5rem 0; } .md > :first-child { margin-top: 0; } .md > :last-child { margin-bottom: 0; }
.md.plain { white-space: pre-wrap; overflow-wrap: anywhere; }
.md h1, .md h2, .md h3, .md h4, .md h5, .md h6 { font-size: 1rem; line-height: 1.35; margin: 1rem 0 .4rem; }
.md h1 { font-size: 1.25rem; } .md h2 { font-size: 1.125rem; }
.md ul, .md ol { margin: .5rem 0; padding-left: 1.5rem; }
.md li > p { margin: .25rem 0; }
.md blockquote { margin: .5rem 0; padding-left: .9rem; border-left: 3px solid var(--line); color: var(--muted); }
.md hr { border: 0; border-top: 1px solid var(--line); margin: 1rem 0; }
.md a { overflow-wrap: anywhere; }
.md .image { font-style: italic; }
.table { overflow-x: auto; margin: .5rem 0; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: var(--code-bg); }
th.align-center, td.align-center { text-align: center; } th.align-right, td.align-right { text-align: right; }
.code { margin: .5rem 0; }
.code .lang { display: inline-block; font: .75rem/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  color: var(--muted); background: var(--code-bg); border: 1px solid var(--line); border-bottom: 0;
  border-radius: 6px 6px 0 0; padding: .1rem .6rem; max-width: 100%; overflow: hidden; text-overflow: ellipsis; }
.code .lang + pre { margin-top: 0; border-top-left-radius: 0; }
details { border: 1px solid var(--line); border-radius: 6px; margin: .5rem 0; padding: .35rem .75rem; }
summary { cursor: pointer; color: var(--muted); font-size: .9rem; overflow-wrap: anywhere; }
details[open] summary { margin-bottom: .35rem; }
.reasoning .md { color: var(--muted); }
.tool { margin: .5rem 0; }
.tool details { margin: 0; }
.tool summary { color: var(--fg); }
.tool-name { font-weight: 600; }
.tool-what { font-size: .8125rem; }
.status, .duration { color: var(--muted); font-size: .8rem; white-space: nowrap; }
.status.completed { color: var(--assistant); } .status.error { color: var(--err); font-weight: 600; }
.status.running, .status.pending { color: var(--warn); }
.tool.failed details { border-color: var(--err); }
.tool-error pre { color: var(--err); background: var(--err-bg); border-color: var(--err); margin: .35rem 0 0;
  white-space: pre-wrap; overflow-wrap: anywhere; }
.file { font-size: .9rem; margin: .5rem 0; }
.label { color: var(--muted); font-size: .75rem; text-transform: uppercase; letter-spacing: .04em; margin-right: .5rem; }
footer { margin-top: 2rem; text-align: center; }
.more, .omitted { color: var(--muted); font-size: .875rem; font-style: italic; margin: .25rem 0 .5rem; }
.omitted { border: 1px dashed var(--line); border-radius: 8px; padding: .75rem 1rem; }
a { color: var(--user); }
@media (max-width: 480px) { main { padding: 1rem .5rem 3rem; } .message { padding: .6rem .7rem; } h1 { font-size: 1.35rem; } }
`

/** The CSP pins the stylesheet by hash: no nonce to manage, and nothing else may load or run. */
export const VIEWER_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(CSS, 'utf8').digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

export interface PageOptions extends PartLimits {
  /** The page stops before it grows past this many bytes (UTF-8) and says what it left out; default 4 MiB. */
  maxPageBytes: number
}

export const DEFAULT_PAGE_OPTIONS: PageOptions = { ...DEFAULT_PART_LIMITS, maxPageBytes: 4 * 1024 * 1024 }

/** Bump when the markup changes: stored pages of another revision are rendered again. */
const PAGE_REVISION = '5'

/** Names how a page was rendered (markup, stylesheet, limits): a stored page of another version is stale. */
export function pageVersion(options: PageOptions): string {
  const { jsonHref: _, ...limits } = options
  return createHash('sha256').update(`${PAGE_REVISION}\n${CSS}\n${JSON.stringify(limits)}`).digest('hex').slice(0, 12)
}

/** Room kept for the closing notice, so stopping never overshoots the budget. */
const NOTICE_ROOM = 1024

export function renderSharePage(doc: ShareDocument, options: Partial<PageOptions> = {}): string {
  const limits: PageOptions = { ...DEFAULT_PAGE_OPTIONS, ...options }
  const title = doc.info.title ?? 'Untitled session'
  const total = doc.messages.length
  const head = `${pageHead(title)}<header>
<h1>${label(title)}</h1>
<div class="meta">${total} ${total === 1 ? 'message' : 'messages'} · started ${renderTime(doc.info.created)} · updated ${renderTime(doc.info.updated)}</div>
</header>
`
  const tail = PAGE_TAIL
  const budget = limits.maxPageBytes - Buffer.byteLength(head) - Buffer.byteLength(tail) - NOTICE_ROOM
  const chunks: string[] = []
  let used = 0
  const fits = (html: string, reserve = 0): boolean => {
    const size = Buffer.byteLength(html)
    if (used + size + reserve > budget) return false
    chunks.push(html)
    used += size
    return true
  }
  const markdown = { markdownChars: limits.markdownChars }
  let stop: { message: number, part: number } | undefined
  messages: for (const [m, message] of doc.messages.entries()) {
    if (!fits(messageHead(message), ARTICLE_END.length)) {
      stop = { message: m, part: 0 }
      break
    }
    for (const [p, part] of message.parts.entries()) {
      if (!fits(`${renderPart(part, limits, markdown)}\n`, ARTICLE_END.length)) {
        chunks.push(ARTICLE_END)
        stop = { message: m, part: p }
        break messages
      }
    }
    chunks.push(ARTICLE_END)
    used += ARTICLE_END.length
  }
  const body = total === 0 ? '<p class="muted">No messages.</p>\n' : chunks.join('')
  return head + body + (stop === undefined ? '' : omitted(doc.messages, stop, limits)) + tail
}

/** What the page left out, with the way to all of it. */
function omitted(messages: Message[], stop: { message: number, part: number }, limits: PageOptions): string {
  let parts = 0
  for (let m = stop.message; m < messages.length; m++) parts += messages[m]!.parts.length
  parts -= stop.part
  const left = messages.length - stop.message
  const link = limits.jsonHref === undefined ? '' : ` <a href="${escapeHtml(limits.jsonHref)}">The whole conversation is in the JSON.</a>`
  return `<p class="omitted">This page stops here: it is limited to ${count(limits.maxPageBytes)} bytes. ` +
    `${count(parts)} ${parts === 1 ? 'part' : 'parts'} of ${count(left)} ${left === 1 ? 'message are' : 'messages are'} not shown.${link}</p>\n`
}

const ARTICLE_END = '</article>\n'

const PAGE_TAIL = `<footer>Shared with session-journal</footer>
</main>
</body>
</html>
`

function pageHead(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${label(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
`
}

function messageHead(message: Message): string {
  const role = escapeHtml(message.role)
  return `<article class="message ${role}">
<div class="role"><span class="role-name">${role}</span>${renderTime(message.created)}</div>
`
}

/** A small page for a link that leads nowhere (a browser should not be shown raw JSON); same CSP. */
export function renderErrorPage(heading: string, text: string): string {
  return `${pageHead(heading)}<header>
<h1>${escapeHtml(heading)}</h1>
</header>
<p>${escapeHtml(text)}</p>
${PAGE_TAIL}`
}

function renderTime(iso: string): string {
  const date = new Date(iso)
  const text = Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`
  return `<time datetime="${label(iso)}">${label(text)}</time>`
}
