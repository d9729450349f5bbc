import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { VIEWER_CSP, escapeHtml, renderSharePage, renderText } from '../../lib/server/viewer.js'
import type { ShareDocument } from '../../lib/share/document.js'

const loadDoc = async (): Promise<ShareDocument> =>
  JSON.parse(await readFile(new URL('../../../fixtures/share/conversation.json', import.meta.url), 'utf8')) as ShareDocument

test('escapeHtml escapes the five HTML-significant characters', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&amp;</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;')
})

test('the CSP allows exactly the inline stylesheet the page carries', async () => {
  const html = renderSharePage(await loadDoc())
  const css = /<style>([\s\S]*)<\/style>/.exec(html)?.[1]
  assert.ok(css !== undefined)
  const hash = createHash('sha256').update(css, 'utf8').digest('base64')
  assert.ok(VIEWER_CSP.includes(`style-src 'sha256-${hash}'`))
  assert.match(VIEWER_CSP, /^default-src 'none';/)
})

test('fenced code blocks become <pre><code>, with the language as a label', () => {
  assert.equal(renderText('see:\n\n```ts\nconst a = 1 < 2\n```\n\nok'),
    '<p>see:</p>\n<div class="lang">ts</div>\n<pre><code>const a = 1 &lt; 2</code></pre>\n<p>ok</p>')
})

test('~~~ fences, CRLF line ends and longer fences around shorter ones', () => {
  assert.equal(renderText('a\r\n\r\n~~~\r\nx <y>\r\n~~~\r\nb'), '<p>a</p>\n<pre><code>x &lt;y&gt;</code></pre>\n<p>b</p>')
  assert.equal(renderText('````\n```\ninner\n```\n````'), '<pre><code>```\ninner\n```</code></pre>')
})

test('an unclosed fence runs to the end of the text', () => {
  assert.equal(renderText('before\n```js\nunclosed <b>'), '<p>before</p>\n<div class="lang">js</div>\n<pre><code>unclosed &lt;b&gt;</code></pre>')
})

test('paragraphs split on blank lines, single newlines stay, inline code is escaped', () => {
  assert.equal(renderText('one\ntwo\n\n\nthree `<x>` four'), '<p>one\ntwo</p>\n<p>three <code>&lt;x&gt;</code> four</p>')
  assert.equal(renderText(''), '')
})

test('a session without title or messages still renders', async () => {
  const doc = await loadDoc()
  const html = renderSharePage({ ...doc, info: { ...doc.info, title: null }, messages: [] })
  assert.match(html, /<title>Untitled session<\/title>/)
  assert.match(html, /0 messages/)
  assert.match(html, /<p class="muted">No messages\.<\/p>/)
})

test('tool parts in the flat shape (fields on the part) are summarized too', async () => {
  const doc = await loadDoc()
  const html = renderSharePage({
    ...doc,
    messages: [{ id: 'm', role: 'assistant', created: doc.info.created, parts: [
      { id: 't', type: 'tool', name: 'grep', status: 'running', args: { pattern: 'a<b' } },
      { id: 'f', type: 'file', path: 'docs/a.md' },
    ] }],
  })
  assert.match(html, /<summary>Tool <code>grep<\/code> · <span class="status">running<\/span><\/summary><div class="label">input<\/div><pre>\{\n {2}&quot;pattern&quot;: &quot;a&lt;b&quot;\n\}<\/pre>/)
  assert.match(html, /<span class="label">file<\/span>docs\/a\.md<\/div>/)
})
