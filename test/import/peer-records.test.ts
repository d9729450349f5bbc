import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { MAX_INLINE_BYTES, type ImportProblem } from '../../lib/import/peer.js'
import {
  MAX_RECORD_DEPTH, byLine, fingerprintOrNone, inlineFilePart, isoTime, nestsDeeper, parseArguments, readRecords, safeId, urlFilePart,
} from '../../lib/import/peer-records.js'
import { tempDir } from '../helpers.js'

test('readRecords: JSON lines less the records nested too deep, each reported with its line', async t => {
  const file = path.join(tempDir(t), 'r.jsonl')
  const deep = '['.repeat(MAX_RECORD_DEPTH + 1) + ']'.repeat(MAX_RECORD_DEPTH + 1)
  const atLimit = '['.repeat(MAX_RECORD_DEPTH) + ']'.repeat(MAX_RECORD_DEPTH)
  fs.writeFileSync(file, `{"a":1}\n${deep}\n${atLimit}\n{oops\n`)
  const problems: ImportProblem[] = []
  const lines = await readRecords(file, problems)
  assert.deepEqual(lines.map(l => l.line), [1, 3])
  assert.deepEqual(byLine(problems).map(p => [p.path, p.line, p.message.replace(/:.*\(/, ': … (')]), [
    [file, 2, `record nests deeper than ${MAX_RECORD_DEPTH} levels (skipped)`], [file, 4, 'not JSON: … (skipped)'],
  ])
})

test('nestsDeeper walks without recursion: 100,000 levels do not overflow the stack', () => {
  const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)) as unknown
  assert.equal(nestsDeeper(deep, 10), true)
  assert.equal(nestsDeeper({ a: [{ b: 1 }] }, 3), false)
  assert.equal(nestsDeeper({ a: [{ b: {} }] }, 3), true)
})

test('safeId keeps short ids, hashes long ones stably, falls back for non-strings', () => {
  assert.equal(safeId('msg_1', 'f'), 'msg_1')
  assert.equal(safeId('', 'f'), 'f')
  assert.equal(safeId(42, 'f'), 'f')
  const long = 'x'.repeat(1000)
  assert.match(safeId(long, 'f'), /^h-[0-9a-f]{32}$/)
  assert.equal(safeId(long, 'f'), safeId(long, 'g'))
  assert.notEqual(safeId(long, 'f'), safeId(`${long}y`, 'f'))
})

test('isoTime and parseArguments', () => {
  assert.equal(isoTime('2026-03-14T09:12:03.5Z'), '2026-03-14T09:12:03.500Z')
  assert.equal(isoTime('soon'), undefined)
  assert.equal(isoTime(5), undefined)
  assert.deepEqual(parseArguments('{"a":[1]}'), { a: [1] })
  assert.equal(parseArguments('ls -la'), 'ls -la')
  assert.deepEqual(parseArguments(undefined), {})
  assert.equal(parseArguments(7), 7)
  const deep = '['.repeat(MAX_RECORD_DEPTH + 5) + ']'.repeat(MAX_RECORD_DEPTH + 5)
  assert.equal(parseArguments(deep), deep, 'arguments nested too deep stay the string they were')
})

test('file parts: a data URL up to MAX_INLINE_BYTES decoded, else the size and no url', () => {
  // 349,524 base64 characters are 262,143 bytes: the largest whole group of 4 at or under the limit.
  const fits = 'A'.repeat(Math.floor(MAX_INLINE_BYTES / 3) * 4)
  assert.deepEqual(inlineFilePart('p', 'image/png', fits), { id: 'p', type: 'file', mime: 'image/png', url: `data:image/png;base64,${fits}` })
  assert.deepEqual(inlineFilePart('p', 'image/png', `${fits}AAAA`), { id: 'p', type: 'file', mime: 'image/png', size: (fits.length + 4) * 3 / 4 })
  assert.deepEqual(urlFilePart('p', `data:image/jpeg;base64,${fits}`, 'image/*'), { id: 'p', type: 'file', mime: 'image/jpeg', url: `data:image/jpeg;base64,${fits}` })
  assert.deepEqual(urlFilePart('p', `data:image/jpeg;base64,${fits}AAAA`, 'image/*'), { id: 'p', type: 'file', mime: 'image/jpeg', size: (fits.length + 4) * 3 / 4 })
  assert.deepEqual(urlFilePart('p', 'https://example.test/a.png', 'image/*'), { id: 'p', type: 'file', mime: 'image/*', url: 'https://example.test/a.png' })
})

test('fingerprintOrNone: a missing side file is "-", an existing one moves when it changes', async t => {
  const dir = tempDir(t)
  const file = path.join(dir, 'index.jsonl')
  assert.equal(await fingerprintOrNone(file), '-')
  fs.writeFileSync(file, '{}\n')
  const before = await fingerprintOrNone(file)
  fs.appendFileSync(file, '{}\n')
  assert.notEqual(await fingerprintOrNone(file), before)
})
