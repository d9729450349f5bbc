import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { readJsonLines } from '../../lib/import/jsonl.js'
import type { ImportProblem } from '../../lib/import/peer.js'
import { rejectsWith, tempDir } from '../helpers.js'

test('readJsonLines: values with their line numbers; damage reported with path and line, the rest read', async t => {
  const file = path.join(tempDir(t), 'a.jsonl')
  fs.writeFileSync(file, '\uFEFF{"a":1}\r\n\n{"b":"\\u001b[2J"}\nnot json\n\0\0\0\n{"__proto__":{"polluted":true}}\n{"c":')
  const problems: ImportProblem[] = []
  const lines = await readJsonLines(file, problems)
  assert.deepEqual(lines.map(l => l.line), [1, 3, 6])
  assert.deepEqual(lines[0]!.value, { a: 1 })
  assert.equal((lines[1]!.value as { b: string }).b, '\u001b[2J')
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
  assert.deepEqual(problems.map(p => [p.path, p.line]), [[file, 4], [file, 5], [file, 7]])
  assert.match(problems[0]!.message, /not JSON/)
  assert.match(problems[1]!.message, /NUL/)
  assert.match(problems[2]!.message, /cut short/)
})

test('readJsonLines: a last line without newline that parses is kept; a line past the limit is skipped unheld', async t => {
  const dir = tempDir(t)
  const file = path.join(dir, 'b.jsonl')
  // Lines across the reader's 1 MiB chunks: one of 3 MiB in the middle.
  fs.writeFileSync(file, `{"n":1}\n"${'x'.repeat(3 * 1024 * 1024)}"\n{"n":3}\n{"n":4}`)
  const problems: ImportProblem[] = []
  const lines = await readJsonLines(file, problems, { maxLineBytes: 1024 * 1024 })
  assert.deepEqual(lines, [{ line: 1, value: { n: 1 } }, { line: 3, value: { n: 3 } }, { line: 4, value: { n: 4 } }])
  assert.deepEqual(problems.map(p => p.line), [2])
  assert.match(problems[0]!.message, /3145730 bytes is longer than 1048576/)
  // Within the limit the same long line is read whole.
  const all = await readJsonLines(file, [], { maxLineBytes: 4 * 1024 * 1024 })
  assert.equal((all[1]!.value as string).length, 3 * 1024 * 1024)
})

test('readJsonLines: a folder is ERR_INVALID_IMPORT, a missing file ENOENT', async t => {
  const dir = tempDir(t)
  await rejectsWith(readJsonLines(dir, []), 'ERR_INVALID_IMPORT')
  await assert.rejects(readJsonLines(path.join(dir, 'missing'), []), { code: 'ENOENT' })
})
