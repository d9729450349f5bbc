import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DEFAULT_PART_LIMITS, clipped, cut, escapeHtml, label, printable } from '../../lib/server/viewer-html.js'

const limits = { ...DEFAULT_PART_LIMITS, jsonHref: '../api/share/abc' }

test('escapeHtml escapes the five HTML-significant characters', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&amp;</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;')
})

test('a long value shows its first lines, then how many more and the link to the JSON', () => {
  const output = Array.from({ length: 1000 }, (_, i) => `line ${i} <x>`).join('\n')
  const html = clipped(output, limits)
  const pre = /^<pre>([\s\S]*?)<\/pre>/.exec(html)?.[1]
  assert.ok(pre !== undefined)
  assert.equal(pre.split('\n').length, 50)
  assert.ok(pre.endsWith('line 49 &lt;x&gt;'))
  assert.match(html, /<div class="more">… 950 more lines not shown\. <a href="\.\.\/api\/share\/abc">Everything is in the JSON\.<\/a><\/div>$/)
  // Exactly the limit is shown whole, a trailing newline included.
  const fifty = Array.from({ length: 50 }, (_, i) => `${i}`).join('\n')
  for (const text of [fifty, `${fifty}\n`]) assert.equal(clipped(text, limits), `<pre>${text}</pre>`)
  assert.doesNotMatch(clipped(output, { ...DEFAULT_PART_LIMITS }), /<a /)
})

test('a long single-line value and a wide JSON value are clipped by characters', () => {
  assert.match(clipped('y'.repeat(50_000), limits), /^<pre>y{10000}<\/pre><div class="more">… 40,000 more characters not shown\./)
  const wide = clipped({ rows: Array.from({ length: 100_000 }, (_, i) => i) }, limits)
  const pre = /<pre>([\s\S]*?)<\/pre>/.exec(wide)?.[1] ?? ''
  assert.equal(pre.split('\n').length, 50)
  assert.match(wide, /<div class="more">… the rest not shown\./)
})

test('terminal escape sequences go; other control characters show as their symbols; tabs and line ends stay', () => {
  assert.equal(printable('\u001b[1;31mred\u001b[0m \u001b[?25l\u001b]0;window title\u0007done \u001b]8;;https://x\u001b\\link'), 'red done link')
  assert.equal(printable('a\u0000b\u0007c\u001bd\u007fe\tf\ng\r\n'), 'a␀b␇c␛d␡e\tf\ng\r\n')
  assert.equal(clipped('\u001b[32mok\u001b[0m <b>\u0000', limits), '<pre>ok &lt;b&gt;␀</pre>')
  assert.equal(label('\u001b[31m<x>'), '&lt;x&gt;')
  // A sequence cut in half by a limit leaves no escape character behind.
  assert.doesNotMatch(printable('\u001b[3'), /\u001b/)
  // An unterminated title sequence takes nothing with it.
  assert.equal(printable('\u001b]0;no end, and the text after it'), '␛]0;no end, and the text after it')
  const many = '\u001b['.repeat(100_000)
  assert.equal(printable(many), '␛['.repeat(100_000))
})

test('cut never leaves half a surrogate pair', () => {
  assert.equal(cut('ab🚀cd', 3), 'ab')
  assert.equal(cut('ab🚀cd', 4), 'ab🚀')
  assert.equal(cut('abc', 5), 'abc')
})

test('labels (names, statuses, types) are cut short and escaped', () => {
  assert.equal(label(`<${'n'.repeat(10_000)}`), `&lt;${'n'.repeat(299)}…`)
  assert.equal(label('🚀'.repeat(200)), `${'🚀'.repeat(150)}…`)
})
