import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { MAX_NESTING, renderMarkdown, renderPlain, safeHref } from '../../lib/server/markdown.js'

const REL = 'rel="nofollow noopener noreferrer"'
const body = (html: string): string => {
  const match = /^<div class="md">([\s\S]*)<\/div>$/.exec(html)
  assert.ok(match !== null, html)
  return match[1]!
}

test('emphasis, lists, quotes, headings and rules become elements; a single newline is a line break', () => {
  assert.equal(body(renderMarkdown('**bold** *it* ~~gone~~ `a<b`')),
    '<p><strong>bold</strong> <em>it</em> <s>gone</s> <code>a&lt;b</code></p>\n')
  assert.equal(body(renderMarkdown('- one\n- two\n  1. inner')),
    '<ul>\n<li>one</li>\n<li>two\n<ol>\n<li>inner</li>\n</ol>\n</li>\n</ul>\n')
  assert.equal(body(renderMarkdown('> quoted\n\n### Title\n\n---')), '<blockquote>\n<p>quoted</p>\n</blockquote>\n<h3>Title</h3>\n<hr>\n')
  assert.equal(body(renderMarkdown('first\nsecond')), '<p>first<br>\nsecond</p>\n')
  assert.equal(renderMarkdown(''), '<div class="md"></div>')
})

test('task list boxes are symbols, not form controls; a box elsewhere stays as typed', () => {
  assert.equal(body(renderMarkdown('- [x] read\n- [ ] write\n- [X] **run**\n- [y] not a box\n\n[x] not in a list')),
    '<ul>\n<li>☑ read</li>\n<li>☐ write</li>\n<li>☑ <strong>run</strong></li>\n<li>[y] not a box</li>\n</ul>\n<p>[x] not in a list</p>\n')
  assert.equal(body(renderMarkdown('1. [ ] loose\n\n2. [x] items')), '<ol>\n<li>\n<p>☐ loose</p>\n</li>\n<li>\n<p>☑ items</p>\n</li>\n</ol>\n')
})

test('tables scroll in their own box and align by class, never by a style attribute (the CSP refuses those)', () => {
  assert.equal(body(renderMarkdown('| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |')), [
    '<div class="table"><table>', '<thead>', '<tr>',
    '<th class="align-left">a</th>', '<th class="align-center">b</th>', '<th class="align-right">c</th>',
    '</tr>', '</thead>', '<tbody>', '<tr>',
    '<td class="align-left">1</td>', '<td class="align-center">2</td>', '<td class="align-right">3</td>',
    '</tr>', '</tbody>', '</table></div>', '',
  ].join('\n'))
  assert.doesNotMatch(renderMarkdown('| a |\n|---|\n| 1 |'), /style=|class="align/)
})

test('a code block keeps its language as a label, and in a class only when the name is plain', () => {
  assert.equal(body(renderMarkdown('```ts\nconst a = 1 < 2\n```')),
    '<div class="code"><div class="lang">ts</div><pre><code class="language-ts">const a = 1 &lt; 2</code></pre></div>\n')
  assert.equal(body(renderMarkdown('```c++ {linenos}\nint x;\n```')),
    '<div class="code"><div class="lang">c++</div><pre><code class="language-c++">int x;</code></pre></div>\n')
  assert.equal(body(renderMarkdown('~~~\nplain <b>\n~~~')), '<div class="code"><pre><code>plain &lt;b&gt;</code></pre></div>\n')
  // A hostile language is shown escaped and kept out of the class attribute.
  assert.equal(body(renderMarkdown('```"><img/src=x/onerror=alert(1)>\nx\n```')),
    '<div class="code"><div class="lang">&quot;&gt;&lt;img/src=x/onerror=alert(1)&gt;</div><pre><code>x</code></pre></div>\n')
  assert.match(renderMarkdown(`\`\`\`${'a'.repeat(500)}\nx\n\`\`\``), /<div class="lang">a{40}…<\/div><pre><code>x/)
  // Indented code and an unclosed fence are code too.
  assert.equal(body(renderMarkdown('    indented <x>')), '<pre><code>indented &lt;x&gt;\n</code></pre>\n')
  assert.equal(body(renderMarkdown('```js\nunclosed <b>')), '<div class="code"><div class="lang">js</div><pre><code class="language-js">unclosed &lt;b&gt;</code></pre></div>\n')
})

test('http(s) and mailto links survive with rel; bare URLs and <autolinks> are linked; nothing is linked without a scheme', () => {
  assert.equal(body(renderMarkdown('[docs](https://example.com/a?b=1&c=2 "T") [mail](mailto:a@example.com)')),
    `<p><a href="https://example.com/a?b=1&amp;c=2" title="T" ${REL}>docs</a> <a href="mailto:a@example.com" ${REL}>mail</a></p>\n`)
  assert.equal(body(renderMarkdown('see https://example.com/x, <http://example.org/y>')),
    `<p>see <a href="https://example.com/x" ${REL}>https://example.com/x</a>, <a href="http://example.org/y" ${REL}>http://example.org/y</a></p>\n`)
  // No fuzzy linking: file names with country domains and addresses in code talk stay text.
  assert.equal(body(renderMarkdown('README.md main.rs example.com www.example.com git@github.com')),
    '<p>README.md main.rs example.com www.example.com git@github.com</p>\n')
})

test('every other link target stays text: javascript in any spelling, data, vbscript, file, relative', () => {
  const denied = [
    '[x](javascript:alert(1))', '[x](JAVASCRIPT:alert(1))', '[x](JaVaScRiPt:alert(1))', '[x](javascript&#58;alert(1))',
    '[x](&#106;avascript:alert(1))', '[x](&#x6A;avascript:alert(1))', '[x](javascript%3Aalert(1))', '[x]( javascript:alert(1))',
    '[x](<javascript:alert(1)>)', '[x](java\tscript:alert(1))', '[x](java\u0000script:alert(1))', '[x](\u0001javascript:alert(1))',
    '[x](data:text/html;base64,PHNjcmlwdD4=)', '[x](DATA:text/html,x)', '[x](vbscript:msgbox(1))', '[x](file:///etc/passwd)',
    '[x](../api/share/abc)', '[x](/s/abc)', '[x](#top)', '[x](//evil.example/x)', '[x](ftp://example.com/f)',
    '<javascript:alert(1)>', '<data:text/html,x>', 'javascript:alert(1)', '[x][r]\n\n[r]: javascript:alert(1)',
    '[x](http:evil)', '[x](https:/evil)', '[x](http://)',
  ]
  for (const text of denied) assert.doesNotMatch(renderMarkdown(text), /<a |href=/i, text)
  assert.equal(body(renderMarkdown('[x](javascript:alert(1))')), '<p>[x](javascript:alert(1))</p>\n')
})

test('safeHref accepts absolute http(s) and mailto only', () => {
  for (const href of ['http://a.example', 'https://a.example/p?q#f', 'HTTPS://A.EXAMPLE', 'mailto:a@b.example']) assert.equal(safeHref(href), true, href)
  for (const href of ['javascript:alert(1)', 'data:image/png;base64,AA', 'vbscript:x', 'file:///x', '/relative', 'relative', '#f',
    '//host', 'ftp://host', 'http://', ' https://a.example', 'https://a.example/\u0000', 'https://a b.example', '']) {
    assert.equal(safeHref(href), false, JSON.stringify(href))
  }
})

test('raw HTML is shown as text, in blocks and inline', () => {
  assert.equal(body(renderMarkdown('<img src=x onerror="alert(1)"> and <script>alert(1)</script>')),
    '<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; and &lt;script&gt;alert(1)&lt;/script&gt;</p>\n')
  assert.equal(body(renderMarkdown('<div onmouseover="x">\nblock\n</div>')), '<p>&lt;div onmouseover=&quot;x&quot;&gt;<br>\nblock<br>\n&lt;/div&gt;</p>\n')
  // Entities stay entities: &lt;script&gt; is the text "<script>", never a tag.
  assert.equal(body(renderMarkdown('&lt;script&gt; &#60;b&#62;')), '<p>&lt;script&gt; &lt;b&gt;</p>\n')
  assert.doesNotMatch(renderMarkdown('[<img src=x onerror=alert(1)>](https://example.com)'), /<img/)
})

test('images are never loaded: an http(s) image is a link to it, any other is text', () => {
  assert.equal(body(renderMarkdown('![a *diagram*](https://example.com/d.png "t")')),
    `<p><a class="image" href="https://example.com/d.png" ${REL}>image: a diagram</a></p>\n`)
  assert.equal(body(renderMarkdown('![](https://example.com/d.png)')), `<p><a class="image" href="https://example.com/d.png" ${REL}>image</a></p>\n`)
  assert.equal(body(renderMarkdown('![<b>x</b>](https://example.com/")')),
    `<p><a class="image" href="https://example.com/%22" ${REL}>image: &lt;b&gt;x&lt;/b&gt;</a></p>\n`)
  for (const text of ['![x](data:image/png;base64,iVBORw0KGgo=)', '![x](javascript:alert(1))', '![x](x.png)']) {
    assert.equal(body(renderMarkdown(text)), `<p>${text.replace('<', '&lt;')}</p>\n`)
  }
})

test('text nested past the limit is shown whole, as plain text, not cut where markdown-it stops', () => {
  const atLimit = `${'> '.repeat(MAX_NESTING - 1)}deep`
  const html = renderMarkdown(atLimit)
  assert.equal(html.match(/<blockquote>/g)?.length, MAX_NESTING - 1)
  assert.match(html, /<p>deep<\/p>/)
  for (const deep of [`${'> '.repeat(MAX_NESTING)}deep\n\nafter`, `${'>'.repeat(100_000)} deep`,
    Array.from({ length: 2000 }, (_, i) => `${'  '.repeat(i)}- level ${i}`).join('\n')]) {
    const plain = renderMarkdown(deep)
    assert.ok(plain.startsWith('<div class="md plain">'))
    assert.equal(plain, renderPlain(deep))
    assert.ok(plain.includes(deep.includes('deep') ? 'deep' : 'level 1999'))
  }
  assert.equal(renderPlain('a <b>\n"c"'), '<div class="md plain">a &lt;b&gt;\n&quot;c&quot;</div>')
})

/** The text a reader sees: tags dropped, the five escapes decoded. */
const textOf = (html: string): string => html.replace(/<[^>]+>/g, '')
  .replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e] ?? e)

test('a megabyte of hostile text renders whole, as text', () => {
  const mega = 1024 * 1024
  for (const text of ['['.repeat(mega), '[a]('.repeat(mega / 4), '*a _b '.repeat(mega / 6), '<'.repeat(mega), '&#'.repeat(mega / 2),
    '![x]('.repeat(mega / 5), '<a href='.repeat(mega / 8)]) {
    const html = renderMarkdown(text)
    assert.equal(textOf(html).trim(), text.trim(), text.slice(0, 8))
  }
  const words = renderMarkdown('word https://example.com/x '.repeat(mega / 27))
  assert.equal(words.match(/<a href="https:\/\/example\.com\/x"/g)?.length, Math.floor(mega / 27))
  // A table that auto-completes cells is bounded by markdown-it (65 536 cells), not by rows x columns.
  const table = renderMarkdown(`${'|a'.repeat(1000)}|\n${'|-'.repeat(1000)}|\n${'x\n'.repeat(mega / 2 - 2000)}`)
  assert.ok((table.match(/<td>/g)?.length ?? 0) <= 65_536 + 1000)
})

test('reference labels named after Object.prototype members resolve as labels, and pollute nothing', () => {
  assert.equal(body(renderMarkdown('[a][__proto__] [b][constructor]\n\n[__proto__]: https://example.com/p\n[constructor]: https://example.com/c')),
    `<p><a href="https://example.com/p" ${REL}>a</a> <a href="https://example.com/c" ${REL}>b</a></p>\n`)
  assert.equal(body(renderMarkdown('[a][toString] [b][hasOwnProperty]')), '<p>[a][toString] [b][hasOwnProperty]</p>\n')
  assert.equal(({} as Record<string, unknown>).PROTO, undefined)
})

test('a plain line renders as markdown-it renders it (the shortcut for plain lines changes no byte)', () => {
  // `line + '\n'` always goes through the parser, and markdown-it ignores a last newline.
  const chars = [...'aZéЖ字 \t0123456789.,;?()-+=#|/%$@^{}\'"\u00a0\u2028🚀*_~`[]!<>&\\:']
  const line = fc.tuple(fc.constantFrom('a', 'Ж', '1', '#', ' ', '-', '*'), fc.array(fc.constantFrom(...chars), { maxLength: 40 }))
    .map(([first, rest]) => first + rest.join(''))
  fc.assert(fc.property(line, text => renderMarkdown(text) === renderMarkdown(`${text}\n`)), { numRuns: 3000 })
  assert.equal(renderMarkdown('Plain "quoted" it\'s 100% fine'), '<div class="md"><p>Plain &quot;quoted&quot; it\'s 100% fine</p>\n</div>')
})
