import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cutOutput, LINE_CHARS, moreLinesNote } from '../../lib/export/cut.js'

test('cutOutput: the first lines, the count of the rest; a final newline is no extra line', () => {
  assert.deepEqual(cutOutput('a\nb\nc\n', 2), { text: 'a\nb', lines: 2, moreLines: 1, cutLines: 0 })
  assert.deepEqual(cutOutput('a\nb\nc\n', 3), { text: 'a\nb\nc', lines: 3, moreLines: 0, cutLines: 0 })
  assert.deepEqual(cutOutput('a\n\n', 5), { text: 'a\n', lines: 2, moreLines: 0, cutLines: 0 })
  assert.deepEqual(cutOutput('', 5), { text: '', lines: 1, moreLines: 0, cutLines: 0 })
  assert.deepEqual(cutOutput('a\nb', 0), { text: '', lines: 0, moreLines: 2, cutLines: 0 })
  assert.deepEqual(cutOutput('a\nb', Infinity), { text: 'a\nb', lines: 2, moreLines: 0, cutLines: 0 })
  assert.equal(moreLinesNote(cutOutput('a\nb\nc', 1)), '… 2 more lines')
  assert.equal(moreLinesNote(cutOutput('a\nb', 1)), '… 1 more line')
  assert.equal(moreLinesNote(cutOutput('a', 1)), '')
})

test('cutOutput: a huge line is cut at LINE_CHARS, a huge output costs only what is kept', () => {
  const cut = cutOutput(`${'x'.repeat(10_000_000)}\nshort\n${'y\n'.repeat(1_000_000)}`, 2)
  assert.deepEqual({ ...cut, text: cut.text.length }, { text: LINE_CHARS + '… [9998000 more characters]\nshort'.length, lines: 2, moreLines: 1_000_000, cutLines: 1 })
  assert.ok(cut.text.startsWith('x'.repeat(LINE_CHARS) + '… [9998000 more characters]\nshort'))
  // CRLF and escape sequences are left to the printer: cutting never changes what it keeps.
  assert.equal(cutOutput('a\r\n\u001b[2Jb', 5).text, 'a\r\n\u001b[2Jb')
})
