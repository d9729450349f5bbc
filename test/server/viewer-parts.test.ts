import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Part } from '../../lib/core/types.js'
import { DEFAULT_PART_LIMITS } from '../../lib/server/viewer-html.js'
import { renderPart } from '../../lib/server/viewer-parts.js'

const limits = { ...DEFAULT_PART_LIMITS, jsonHref: '../api/share/abc' }
const part = (fields: Record<string, unknown>): Part => ({ id: 'p', ...fields }) as Part

test('text parts of every role are Markdown', () => {
  assert.equal(renderPart(part({ type: 'text', text: 'Use **`npm ci`**:\n\n- fast\n- exact' }), limits),
    '<div class="md"><p>Use <strong><code>npm ci</code></strong>:</p>\n<ul>\n<li>fast</li>\n<li>exact</li>\n</ul>\n</div>')
  assert.equal(renderPart(part({ type: 'text' }), limits), '<div class="md"></div>')
  assert.equal(renderPart(part({ type: 'text', text: 42 }), limits), '<div class="md"></div>')
})

test('reasoning is Markdown too, collapsed under "Reasoning"', () => {
  assert.equal(renderPart(part({ type: 'reasoning', text: 'Check *the* lock' }), limits),
    '<details class="reasoning"><summary>Reasoning</summary><div class="md"><p>Check <em>the</em> lock</p>\n</div></details>')
})

test('a long text is cut at textChars before it is parsed, and says how much is left', () => {
  const html = renderPart(part({ type: 'text', text: 'z'.repeat(150_000) }), limits)
  assert.match(html, /^<div class="md"><p>z{100000}<\/p>\n<\/div><div class="more">… 50,000 more characters not shown\. <a href="\.\.\/api\/share\/abc">/)
  // The cut falls inside a fence: what is shown is still a closed code block.
  const fence = renderPart(part({ type: 'text', text: `\`\`\`sh\n${'echo <x>\n'.repeat(20)}\`\`\`` }), { ...limits, textChars: 30 })
  assert.match(fence, /^<div class="md"><div class="code"><div class="lang">sh<\/div><pre><code class="language-sh">echo &lt;x&gt;\necho &lt;x&gt;\necho &lt;<\/code><\/pre><\/div>\n<\/div><div class="more">/)
})

test('terminal escapes in text are dropped, other control characters shown', () => {
  assert.equal(renderPart(part({ type: 'text', text: '\u001b[1mbuild\u001b[0m ok\u0007' }), limits), '<div class="md"><p>build ok␇</p>\n</div>')
})

test('a page spends its Markdown budget in order; text past it is shown as typed', () => {
  const budget = { markdownChars: 12 }
  const shown = ['**one**', '**two**', '*3*', 'x'].map(text => renderPart(part({ type: 'text', text }), limits, budget))
  assert.deepEqual(shown, [
    '<div class="md"><p><strong>one</strong></p>\n</div>',
    '<div class="md plain">**two**</div>',
    '<div class="md"><p><em>3</em></p>\n</div>',
    '<div class="md"><p>x</p>\n</div>',
  ])
  assert.equal(budget.markdownChars, 1)
  // Tool calls do not spend it.
  renderPart(part({ type: 'tool', tool: 'bash', state: { input: { command: 'x'.repeat(100) } } }), limits, budget)
  assert.equal(budget.markdownChars, 1)
})

test('every spelling of a tool part is a tool call', () => {
  for (const type of ['tool', 'tool-call', 'tool_call', 'tool-use', 'tool_use', 'tool-result', 'tool_result']) assert.match(renderPart(part({ type, name: 'grep', input: { pattern: 'a' } }), limits), /^<div class="tool"><details><summary><span class="tool-name">grep<\/span> <code class="tool-what">a<\/code>/)
})

test('files by name and type; other parts as clipped JSON under their escaped type, __proto__ included', () => {
  assert.equal(renderPart(part({ type: 'file', filename: 'a<b>.png', mime: 'image/png' }), limits),
    '<div class="file"><span class="label">file</span>a&lt;b&gt;.png <span class="muted">(image/png)</span></div>')
  assert.equal(renderPart(part({ type: 'file' }), limits), '<div class="file"><span class="label">file</span>unnamed file</div>')
  const other = renderPart(JSON.parse('{"id":"o","type":"__proto__","__proto__":{"x":"<y>"}}') as Part, limits)
  assert.equal(other, '<details class="other"><summary>__proto__ part</summary><pre>{\n  &quot;id&quot;: &quot;o&quot;,\n  &quot;type&quot;: &quot;__proto__&quot;,\n' +
    '  &quot;__proto__&quot;: {\n    &quot;x&quot;: &quot;&lt;y&gt;&quot;\n  }\n}</pre></details>')
  assert.match(renderPart(part({ type: 'constructor' }), limits), /^<details class="other"><summary>constructor part<\/summary>/)
})
