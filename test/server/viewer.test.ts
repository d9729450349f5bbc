import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { DEFAULT_PAGE_OPTIONS, VIEWER_CSP, pageVersion, renderErrorPage, renderSharePage } from '../../lib/server/viewer.js'
import type { ShareDocument } from '../../lib/share/document.js'
import { loadDoc } from './docs.js'

test('the CSP allows exactly the inline stylesheet the page carries', async () => {
  const html = renderSharePage(await loadDoc())
  const css = /<style>([\s\S]*)<\/style>/.exec(html)?.[1]
  assert.ok(css !== undefined)
  const hash = createHash('sha256').update(css, 'utf8').digest('base64')
  assert.ok(VIEWER_CSP.includes(`style-src 'sha256-${hash}'`))
  assert.match(VIEWER_CSP, /^default-src 'none';/)
})

test('a session without title or messages still renders', async () => {
  const doc = await loadDoc()
  const html = renderSharePage({ ...doc, info: { ...doc.info, title: null }, messages: [] })
  assert.match(html, /<title>Untitled session<\/title>/)
  assert.match(html, /0 messages/)
  assert.match(html, /<p class="muted">No messages\.<\/p>/)
})

test('a conversation reads as Markdown with tool calls on one line, and no style attribute anywhere', async () => {
  const doc = await loadDoc()
  const html = renderSharePage({
    ...doc,
    messages: [{ id: 'm', role: 'assistant', created: doc.info.created, parts: [
      { id: 't', type: 'tool', name: 'grep', status: 'running', args: { pattern: 'a<b' } },
      { id: 'x', type: 'text', text: '| a |\n|--:|\n| **1** |' },
      { id: 'f', type: 'file', path: 'docs/a.md' },
    ] }],
  })
  assert.match(html, /<summary><span class="tool-name">grep<\/span> <code class="tool-what">a&lt;b<\/code> · <span class="status running">running<\/span><\/summary><div class="label">input<\/div><pre>\{\n {2}&quot;pattern&quot;: &quot;a&lt;b&quot;\n\}<\/pre>/)
  assert.match(html, /<td class="align-right"><strong>1<\/strong><\/td>/)
  assert.match(html, /<span class="label">file<\/span>docs\/a\.md<\/div>/)
  assert.doesNotMatch(html, /\sstyle=/)
})

test('the page version names the revision and every limit, the Markdown budget included', () => {
  const base = pageVersion(DEFAULT_PAGE_OPTIONS)
  assert.match(base, /^[0-9a-f]{12}$/)
  assert.equal(pageVersion({ ...DEFAULT_PAGE_OPTIONS, jsonHref: '../api/share/x' }), base)
  assert.notEqual(pageVersion({ ...DEFAULT_PAGE_OPTIONS, markdownChars: 1 }), base)
  assert.notEqual(pageVersion({ ...DEFAULT_PAGE_OPTIONS, toolLines: 40 }), base)
})

test('past the Markdown budget a page shows text as typed, and still shows all of it', async () => {
  const doc = await loadDoc()
  const messages = Array.from({ length: 4 }, (_, m) => ({
    id: `m${m}`, role: 'user' as const, created: doc.info.created, parts: [{ id: `p${m}`, type: 'text', text: `**part ${m}** ${'w'.repeat(100)}` }],
  }))
  const html = renderSharePage({ ...doc, messages }, { markdownChars: 250 })
  assert.equal(html.match(/<strong>part \d<\/strong>/g)?.length, 2)
  assert.deepEqual(html.match(/<div class="md plain">\*\*part \d\*\*/g), ['<div class="md plain">**part 2**', '<div class="md plain">**part 3**'])
  // The budget is the page's: every page starts with all of it.
  assert.equal(renderSharePage({ ...doc, messages }, { markdownChars: 250 }), html)
})

/** `parts` tiny text parts spread over `messages` messages: the shape of the 16.6 MB, 790k-part report. */
function manyParts(doc: ShareDocument, messages: number, parts: number): ShareDocument {
  return {
    ...doc,
    messages: Array.from({ length: messages }, (_, m) => ({
      id: `m${m}`, role: m % 2 === 0 ? 'user' as const : 'assistant' as const, created: doc.info.created,
      parts: Array.from({ length: parts / messages }, (_, p) => ({ id: `p${m}.${p}`, type: 'text', text: `part ${p}` })),
    })),
  }
}

test('a page stays within its byte budget and says how many parts and messages it left out', async () => {
  const doc = manyParts(await loadDoc(), 400, 400_000)
  const html = renderSharePage(doc, { jsonHref: '../api/share/x' })
  assert.ok(Buffer.byteLength(html) <= 4 * 1024 * 1024, `${Buffer.byteLength(html)} bytes`)
  assert.ok(Buffer.byteLength(html) > 3 * 1024 * 1024, 'the budget is used, not wasted')
  const notice = /<p class="omitted">This page stops here: it is limited to 4,194,304 bytes\. ([\d,]+) parts of ([\d,]+) messages are not shown\. <a href="\.\.\/api\/share\/x">The whole conversation is in the JSON\.<\/a><\/p>/.exec(html)
  assert.ok(notice !== null)
  const shown = html.match(/(?:<p>|<div class="md plain">)part \d+</g)?.length ?? 0
  assert.ok(shown > 0)
  assert.equal(Number(notice[1]!.replaceAll(',', '')), 400_000 - shown)
  const articles = html.match(/<article /g)?.length ?? 0
  // The message it stopped in counts as not shown too (its rest is missing).
  assert.equal(Number(notice[2]!.replaceAll(',', '')), 400 - articles + 1)
  assert.match(html, /<\/footer>\n<\/main>\n<\/body>\n<\/html>\n$/)
})

test('a small budget holds exactly, whatever the document', async () => {
  const doc = await loadDoc()
  for (const maxPageBytes of [16 * 1024, 32 * 1024, 100_000]) {
    for (const big of [manyParts(doc, 1, 20_000), manyParts(doc, 20_000, 20_000)]) {
      const html = renderSharePage(big, { maxPageBytes })
      assert.ok(Buffer.byteLength(html) <= maxPageBytes, `${Buffer.byteLength(html)} > ${maxPageBytes}`)
      assert.match(html, /class="omitted"/)
    }
  }
  assert.doesNotMatch(renderSharePage(doc), /class="omitted"/)
})

test('the error page carries the same stylesheet (so the same CSP holds) and no script', () => {
  const html = renderErrorPage('Not shared', 'This conversation is no longer shared <b>.')
  const css = /<style>([\s\S]*)<\/style>/.exec(html)?.[1]
  assert.ok(css !== undefined)
  assert.ok(VIEWER_CSP.includes(`'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`))
  assert.match(html, /<h1>Not shared<\/h1>/)
  assert.match(html, /no longer shared &lt;b&gt;\./)
  assert.doesNotMatch(html, /<script/i)
})
