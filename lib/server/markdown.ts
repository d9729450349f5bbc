/**
 * Markdown to HTML for the viewer page (markdown-it: CommonMark, tables, strikethrough,
 * bare URLs). What a document can put on the page is narrowed here, before the CSP:
 * raw HTML is off (it shows as text); a link survives only when it is absolute http(s)
 * or mailto, and gets `rel="nofollow noopener noreferrer"`; an image is never loaded
 * (that would tell a third party who reads the share) but shown as a link to it;
 * table alignment is a class, since the CSP refuses style attributes. Text nested
 * deeper than markdown-it's limit (which drops what lies beyond) is shown as plain text.
 */

import MarkdownIt, { type Env, type MarkdownItOptions, type Renderer, type StateBlock, type Token } from 'markdown-it'
import { cut, escapeHtml } from './viewer-html.js'

/** Lists and quotes nest at most this deep; a reply that goes further is not one a reader wants laid out. */
export const MAX_NESTING = 32

const REL = 'nofollow noopener noreferrer'
const SCHEMES = new Set(['http:', 'https:', 'mailto:'])

/**
 * Whether a link target may become an href: absolute http(s) or mailto, nothing else
 * (no javascript:, data:, vbscript:, file:, no relative links, which would lead into the
 * share server, no whitespace or control characters that browsers strip before reading a scheme).
 */
export function safeHref(href: string): boolean {
  if (!/^(?:https?:\/\/|mailto:)/i.test(href) || /[\u0000-\u0020\u007f-\u009f]/.test(href)) return false
  try {
    return SCHEMES.has(new URL(href).protocol)
  } catch {
    return false
  }
}

const md = new MarkdownIt('default', { html: false, linkify: true, breaks: true, typographer: false, maxNesting: MAX_NESTING })
// Only links with a scheme: a fuzzy linker turns `README.md` and `main.rs` (country domains) into links.
md.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false })
md.validateLink = safeHref

// markdown-it drops, without a word, the rest of a block nested past maxNesting: notice it.
const tokenize = md.block.tokenize.bind(md.block)
md.block.tokenize = (state: StateBlock, startLine: number, endLine: number): void => {
  if (state.level >= MAX_NESTING) state.env.tooDeep = true
  tokenize(state, startLine, endLine)
}

// Task lists (`- [x] done`, GitHub's): the box as a symbol, no form control on the page.
md.core.ruler.after('inline', 'task_boxes', state => {
  state.tokens.forEach((token, i) => {
    const first = token.children?.[0]
    if (token.type !== 'inline' || state.tokens[i - 2]?.type !== 'list_item_open' || first?.type !== 'text') return
    first.content = first.content.replace(/^\[([ xX])\] /, (_, box: string) => box === ' ' ? '☐ ' : '☑ ')
  })
})

const rules = md.renderer.rules

rules.link_open = (tokens, idx, options, _env, self) => {
  const token = tokens[idx]!
  // validateLink already refused the rest; checked again where the attribute is written.
  const href = token.attrGet('href')
  if (typeof href !== 'string' || !safeHref(href)) token.attrs = null
  token.attrSet('rel', REL)
  return self.renderToken(tokens, idx, options)
}

rules.image = (tokens, idx) => {
  const token = tokens[idx]!
  const href = String(token.attrGet('src') ?? '')
  const alt = md.renderer.renderInlineAsText(token.children ?? [], md.options, {})
  const text = `image${alt === '' ? '' : `: ${escapeHtml(alt)}`}`
  return safeHref(href) ? `<a class="image" href="${escapeHtml(href)}" rel="${REL}">${text}</a>` : `<span class="image">${text}</span>`
}

/** A fence's language, as a label and in a class name restricted to a safe charset. */
rules.fence = (tokens, idx) => {
  const token = tokens[idx]!
  const lang = token.info.trim().split(/\s+/)[0] ?? ''
  const shown = lang.length > 40 ? `${cut(lang, 40)}…` : lang
  // In a class name only a plain language name (ts, c++, c#, objective-c), else no class at all.
  const cls = /^[A-Za-z0-9_+#.-]{1,40}$/.test(lang) ? ` class="language-${lang}"` : ''
  return `<div class="code">${shown === '' ? '' : `<div class="lang">${escapeHtml(shown)}</div>`}` +
    `<pre><code${cls}>${escapeHtml(token.content.replace(/\n$/, ''))}</code></pre></div>\n`
}

rules.table_open = () => '<div class="table"><table>\n'
rules.table_close = () => '</table></div>\n'

/** `style="text-align:right"` (markdown-it's) would break the CSP: the alignment becomes a class. */
const cell = (tokens: Token[], idx: number, options: Required<MarkdownItOptions>, self: Renderer): string => {
  const token = tokens[idx]!
  const align = /text-align:(left|center|right)/.exec(String(token.attrGet('style') ?? ''))?.[1]
  token.attrs = align === undefined ? null : [['class', `align-${align}`]]
  return self.renderToken(tokens, idx, options)
}
rules.th_open = (tokens, idx, options, _env, self) => cell(tokens, idx, options, self)
rules.td_open = (tokens, idx, options, _env, self) => cell(tokens, idx, options, self)

/**
 * One line that starts with a letter, ends with no space and holds nothing markdown-it reads as
 * markup (emphasis, code, links, HTML, entities, escapes, URL schemes): its output is one plain
 * paragraph. Many parts of a long chat are such lines; this skips the parser's setup for them.
 */
const PLAIN_LINE = /^\p{L}[^\n\r*_~`[\]!<>&\\:]*(?<!\s)$/u

/** Markdown as HTML, inside `<div class="md">`; text nested too deep for markdown-it as plain text. */
export function renderMarkdown(text: string): string {
  if (PLAIN_LINE.test(text)) return `<div class="md"><p>${md.utils.escapeHtml(text)}</p>\n</div>`
  const env: Env = {}
  const tokens = md.parse(text, env)
  if (env.tooDeep === true) return renderPlain(text)
  return `<div class="md">${md.renderer.render(tokens, md.options, env)}</div>`
}

/** Text as typed: escaped, its line breaks kept by the stylesheet. */
export function renderPlain(text: string): string {
  return `<div class="md plain">${escapeHtml(text)}</div>`
}
