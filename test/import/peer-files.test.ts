import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import {
  MAX_INLINE_DATA, MAX_RECORD_DEPTH, MAX_SOURCE_LINE, discoverFiles, fingerprintOf, fingerprintOrNone, inlineFilePart,
  isoTime, nestsDeeper, parseArguments, parseLines, safeId,
} from '../../lib/import/peer-files.js'
import { tempDir } from '../helpers.js'

test('parseLines: BOM, CRLF and blank lines; each bad line located, its text kept; a torn last line only reported', () => {
  const text = '\uFEFF{"a":1}\r\n\n{oops\n[1,2]\n{"b":'
  const out = parseLines('/f.jsonl', Buffer.from(text))
  assert.deepEqual(out.lines, [{ line: 1, value: { a: 1 } }, { line: 3, text: '{oops' }, { line: 4, value: [1, 2] }])
  assert.deepEqual(out.problems, [
    { path: '/f.jsonl', line: 3, message: 'not JSON: kept as text' },
    { path: '/f.jsonl', line: 5, message: 'truncated last line: not imported' },
  ])
  // A last line without its newline that parses is whole.
  assert.deepEqual(parseLines('/f', Buffer.from('{"a":1}')).lines, [{ line: 1, value: { a: 1 } }])
  assert.deepEqual(parseLines('/f', Buffer.alloc(0)), { lines: [], problems: [] })
})

test('parseLines: a line past the size limit and a record nested too deep are skipped, reported, and not kept', () => {
  const long = Buffer.alloc(MAX_SOURCE_LINE + 1, 0x20)
  const deep = '['.repeat(MAX_RECORD_DEPTH + 1) + ']'.repeat(MAX_RECORD_DEPTH + 1)
  const out = parseLines('/f', Buffer.concat([Buffer.from('1\n'), long, Buffer.from(`\n${deep}\n2\n`)]))
  assert.deepEqual(out.lines, [{ line: 1, value: 1 }, { line: 2, text: null }, { line: 3, text: null }, { line: 4, value: 2 }])
  assert.deepEqual(out.problems.map(p => [p.line, p.message]), [
    [2, `line of ${MAX_SOURCE_LINE + 1} bytes is longer than ${MAX_SOURCE_LINE}: skipped`],
    [3, `record nests deeper than ${MAX_RECORD_DEPTH} levels: skipped`],
  ])
  // Exactly at the limit is still read.
  const atLimit = '['.repeat(MAX_RECORD_DEPTH) + ']'.repeat(MAX_RECORD_DEPTH)
  assert.equal(parseLines('/f', Buffer.from(atLimit)).problems.length, 0)
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

test('isoTime, parseArguments, inlineFilePart', () => {
  assert.equal(isoTime('2026-03-14T09:12:03.5Z'), '2026-03-14T09:12:03.500Z')
  assert.equal(isoTime('soon'), undefined)
  assert.equal(isoTime(5), undefined)
  assert.deepEqual(parseArguments('{"a":[1]}'), { a: [1] })
  assert.equal(parseArguments('ls -la'), 'ls -la')
  assert.deepEqual(parseArguments(undefined), {})
  const deep = '['.repeat(MAX_RECORD_DEPTH + 5) + ']'.repeat(MAX_RECORD_DEPTH + 5)
  assert.equal(parseArguments(deep), deep, 'arguments nested too deep stay the string they were')
  assert.deepEqual(inlineFilePart('p', 'image/png', 'AAAA'), { id: 'p', type: 'file', mime: 'image/png', url: 'data:image/png;base64,AAAA' })
  assert.deepEqual(inlineFilePart('p', 'image/png', 'A'.repeat(MAX_INLINE_DATA + 4)),
    { id: 'p', type: 'file', mime: 'image/png', filename: `(image/png, ${(MAX_INLINE_DATA + 4) * 3 / 4} bytes, not imported)` })
})

test('discoverFiles: named files whatever their name, folders filtered, globs, missing paths skipped, each file once', async t => {
  const dir = tempDir(t)
  for (const f of ['a/x.jsonl', 'a/b/y.jsonl', 'a/b/z.txt', 'c/w.jsonl']) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true })
    fs.writeFileSync(path.join(dir, f), '{}\n')
  }
  const rel = async (paths: string[]) => (await discoverFiles(paths, f => f.endsWith('.jsonl'))).map(u => path.relative(dir, u.path))
  assert.deepEqual(await rel([path.join(dir, 'a')]), ['a/b/y.jsonl', 'a/x.jsonl'])
  assert.deepEqual(await rel([path.join(dir, 'a', 'b', 'z.txt'), path.join(dir, 'nope'), path.join(dir, 'nope', '*.jsonl')]), ['a/b/z.txt'])
  assert.deepEqual(await rel([path.join(dir, '*', '*.jsonl')]), ['a/x.jsonl', 'c/w.jsonl'])
  assert.deepEqual(await rel([path.join(dir, '**', '?.txt')]), ['a/b/z.txt'])
  assert.deepEqual(await rel([path.join(dir, 'a'), path.join(dir, 'a', 'x.jsonl')]), ['a/b/y.jsonl', 'a/x.jsonl'])
  const [unit] = await discoverFiles([path.join(dir, 'c', 'w.jsonl')], () => true)
  assert.equal(unit!.fingerprint, await fingerprintOf(path.join(dir, 'c', 'w.jsonl')))
  fs.appendFileSync(path.join(dir, 'c', 'w.jsonl'), '{}\n')
  assert.notEqual(await fingerprintOf(path.join(dir, 'c', 'w.jsonl')), unit!.fingerprint)
  assert.equal(await fingerprintOrNone(path.join(dir, 'none')), '-')
})
