import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Part } from '../../lib/core/types.js'
import { DEFAULT_PART_LIMITS, cut, escapeHtml, prettyJson, renderPart, renderText } from '../../lib/server/viewer-parts.js'

const limits = { ...DEFAULT_PART_LIMITS, jsonHref: '../api/share/abc' }

test('escapeHtml escapes the five HTML-significant characters', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&amp;</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;')
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

test('a long tool output shows its first lines, then how many more and the link to the JSON', () => {
  const output = Array.from({ length: 1000 }, (_, i) => `line ${i} <x>`).join('\n')
  const html = renderPart({ id: 't', type: 'tool', tool: 'bash', state: { status: 'completed', output } } as Part, limits)
  const pre = /<div class="label">output<\/div><pre>([\s\S]*?)<\/pre>/.exec(html)?.[1]
  assert.ok(pre !== undefined)
  assert.equal(pre.split('\n').length, 50)
  assert.ok(pre.endsWith('line 49 &lt;x&gt;'))
  assert.match(html, /<div class="more">… 950 more lines not shown\. <a href="\.\.\/api\/share\/abc">Everything is in the JSON\.<\/a><\/div>/)
  // Exactly the limit is shown whole, a trailing newline included.
  const fifty = Array.from({ length: 50 }, (_, i) => `${i}`).join('\n')
  for (const text of [fifty, `${fifty}\n`]) {
    assert.doesNotMatch(renderPart({ id: 't', type: 'tool', output: text } as Part, limits), /class="more"/)
  }
})

test('a long single-line output, a long text and a wide JSON value are clipped by characters', () => {
  const line = renderPart({ id: 't', type: 'tool', output: 'y'.repeat(50_000) } as Part, limits)
  assert.match(line, /<pre>y{10000}<\/pre><div class="more">… 40,000 more characters not shown\./)
  const text = renderPart({ id: 'p', type: 'text', text: 'z'.repeat(150_000) } as Part, limits)
  assert.match(text, /^<p>z{100000}<\/p><div class="more">… 50,000 more characters not shown\./)
  const wide = renderPart({ id: 'o', type: 'x.data', rows: Array.from({ length: 100_000 }, (_, i) => i) } as Part, limits)
  const pre = /<pre>([\s\S]*?)<\/pre>/.exec(wide)?.[1] ?? ''
  assert.equal(pre.split('\n').length, 50)
  assert.match(wide, /<div class="more">… the rest not shown\./)
})

test('prettyJson is JSON.stringify(v, null, 2) until its budget, and stops there', () => {
  const values: unknown[] = [null, 1, 'a"b\n', [], {}, [1, [2, { a: [] }]], { a: { b: null, c: 'x' }, d: [true, false] }, { u: undefined, k: 1 }]
  for (const value of values) assert.deepEqual(prettyJson(value, 10_000), { text: JSON.stringify(value, null, 2), whole: true })
  // Deep and wide at once: pretty-printed in full this is gigabytes of indentation.
  let bomb: unknown = Array.from({ length: 20_000 }, () => 1)
  for (let i = 0; i < 250; i++) bomb = [bomb]
  const { text, whole } = prettyJson(bomb, 10_000)
  assert.equal(whole, false)
  assert.equal(text.length, 10_000)
  assert.equal(text, JSON.stringify(bomb, null, 2).slice(0, 10_000))
})

test('cut never leaves half a surrogate pair', () => {
  assert.equal(cut('ab🚀cd', 3), 'ab')
  assert.equal(cut('ab🚀cd', 4), 'ab🚀')
  assert.equal(cut('abc', 5), 'abc')
})

test('labels (names, statuses, types) are cut short and escaped', () => {
  const html = renderPart({ id: 't', type: 'tool', tool: `<${'n'.repeat(10_000)}` } as Part, limits)
  assert.match(html, /<code>&lt;n{299}…<\/code>/)
})
