import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { tempDir } from '../helpers.js'
import { INDEX_VERSION, joinSummary, readBoth, readRows, readStates, splitSummary, writeCache, type CachedRow, type CachedState } from '../../lib/core/list-cache.js'
import { emptySummary, summarize, type Summary } from '../../lib/core/summary.js'
import type { JournalEvent } from '../../lib/core/types.js'

/** Session ids: a cache keeps only keys that are (list-cache.ts drops any other). */
const S1 = '01JC0000000000000000000001'
const S2 = '01JC0000000000000000000002'
const S3 = '01JC0000000000000000000003'
const ids = { short: '01JC0000000000000000000011', badTools: '01JC0000000000000000000012', badFlag: '01JC0000000000000000000013', badUsage: '01JC0000000000000000000014', deepUsage: '01JC0000000000000000000019', object: '01JC0000000000000000000015', ok: '01JC0000000000000000000016', bad: '01JC0000000000000000000017', worse: '01JC0000000000000000000018' }

const ts = (n: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString()

/** A summary with a bit of everything: prompts, a revert, tool calls (one named `__proto__`), usage. */
function sample(projectPath = '/p'): Summary {
  const s = emptySummary(7, 1700000000000.5)
  const bodies: Array<Record<string, unknown>> = [
    { type: 'session', version: 1, id: 'S', projectId: 'p-000000000000', projectPath, title: null, parentId: null, host: null },
    { type: 'message', id: 'u1', role: 'user', parts: [{ id: 'a', type: 'text', text: 'first question' }] },
    { type: 'message', id: 'm1', role: 'assistant', parts: [{ id: 't', type: 'tool', tool: '__proto__', state: {} }, { id: 'b', type: 'tool', tool: 'bash', state: {} }] },
    { type: 'message', id: 'u2', role: 'user', parts: [{ id: 'c', type: 'text', text: 'second' }] },
    { type: 'message', id: 'u3', role: 'user', parts: [{ id: 'd', type: 'text', text: 'reverted' }] },
    { type: 'revert', messageId: 'u3' },
    { type: 'usage', key: 'k1', model: 'm', input: 3, output: 4 },
  ]
  bodies.forEach((b, i) => summarize(s, { seq: i, ts: ts(i), ...b } as JournalEvent))
  s.position = { offset: 900, lines: bodies.length, lastSeq: bodies.length - 1 }
  return s
}

function cacheFile(t: TestContext): string {
  return path.join(tempDir(t), 'index.json')
}

test('splitSummary + joinSummary: the two halves give the summary back, through the file', t => {
  const file = cacheFile(t)
  const s = sample()
  const [row, state] = splitSummary(s)
  writeCache(file, '/p', null, { [S1]: row }, { [S1]: state })
  const rows = readRows(file)
  assert.equal(rows.projectPath, '/p')
  const joined = joinSummary(rows.sessions[S1]!, readStates(file)[S1])
  assert.deepEqual(JSON.parse(JSON.stringify(joined)), JSON.parse(JSON.stringify(s)))
  assert.deepEqual(rows.sessions[S1]!.tools, [['__proto__', 1], ['bash', 1]])
  assert.deepEqual(rows.sessions[S1]!.roles, [2, 1, 0])
  assert.equal(Object.getPrototypeOf(joined!.tools!.counts), null, 'a tool named __proto__ stays a plain key')
  assert.equal(joined!.tools!.counts.__proto__, 1)
  // In one read (a usage listing needs every state): the same two halves.
  assert.deepEqual(readBoth(file), [rows, readStates(file)])
})

test('writeCache: rows on the first line (without message ids), state on the second; the project path and a repeated prompt are not repeated', t => {
  const file = cacheFile(t)
  const [row, state] = splitSummary(sample())
  writeCache(file, '/p', null, { [S1]: row, [S2]: { ...row, lastPrompt: row.firstPrompt } }, { [S1]: state })
  const [rows, states, end] = fs.readFileSync(file, 'utf8').split('\n')
  assert.equal(end, '')
  assert.ok(!rows!.includes('"u1"') && states!.includes('"u1"'), 'message ids are on the state line only')
  assert.equal(rows!.split('"/p"').length - 1, 1, 'the project path once')
  const parsed = JSON.parse(rows!) as { version: number, sessions: Record<string, unknown[]> }
  assert.equal(parsed.version, INDEX_VERSION)
  assert.deepEqual([parsed.sessions[S1]![3], parsed.sessions[S2]![3], parsed.sessions[S2]![15]], [0, 0, 0])
  assert.deepEqual(readRows(file).sessions[S2]!.lastPrompt, 'first question')
  // Another project path than the file's is written out.
  const [other] = splitSummary(sample('/elsewhere'))
  writeCache(file, '/p', null, { [S3]: other }, {})
  assert.equal(readRows(file).sessions[S3]!.projectPath, '/elsewhere')
})

test('joinSummary: a state made from other bytes (inode, birth time or offset differ), or none, is not used', t => {
  const [row, state] = splitSummary(sample())
  assert.ok(joinSummary(row, state))
  assert.equal(joinSummary(row, undefined), null)
  for (const change of [{ ino: 8 }, { born: 1 }, { offset: 901 }] as Array<Partial<CachedState>>) assert.equal(joinSummary(row, { ...state, ...change }), null, JSON.stringify(change))
  // Same key but not a whole summary (roles and ids disagree): not used either.
  assert.equal(joinSummary(row, { ...state, roles: 'uuuuu' }), null)
  t.diagnostic('keys compared: ino, born, offset')
})

test('readRows / readStates: garbled, foreign, older, hostile or missing files give an empty cache, bad entries are dropped', t => {
  const file = cacheFile(t)
  assert.deepEqual(readRows(file).sessions, {})
  assert.deepEqual(readStates(file), {})
  const [row, state] = splitSummary(sample())
  writeCache(file, '/p', null, { [S1]: row }, { [S1]: state })
  const good = fs.readFileSync(file, 'utf8').split('\n')
  for (const garbage of ['', '\0\0\0', '[]', 'null', `{"version":${INDEX_VERSION},"sessions":null}`, `{"version":${INDEX_VERSION - 1},"projectPath":"/p","sessions":{}}`, `{"version":${INDEX_VERSION},"sessions":{`, '"x"\n"y"']) {
    fs.writeFileSync(file, garbage)
    assert.deepEqual(readRows(file).sessions, {}, garbage)
    assert.deepEqual(readStates(file), {}, garbage)
    const [rows, states] = readBoth(file)
    assert.deepEqual([rows.sessions, states], [{}, {}], garbage)
  }
  fs.rmSync(file)
  assert.deepEqual(readBoth(file)[1], {})
  const rows = JSON.parse(good[0]!) as { sessions: Record<string, unknown> }
  const entry = rows.sessions[S1] as unknown[]
  const hostile = {
    version: INDEX_VERSION, projectPath: '/p', sessions: {
      [ids.short]: entry.slice(0, 16),
      [ids.badTools]: entry.map((v, i) => (i === 13 ? [['x', 'many']] : v)),
      [ids.badFlag]: entry.map((v, i) => (i === 8 ? true : v)),
      [ids.badUsage]: entry.map((v, i) => (i === 16 ? { models: null } : v)),
      [ids.deepUsage]: entry.map((v, i) => (i === 16 ? 'DEEP' : v)),
      [ids.object]: { ino: 1 },
      PROTO: entry,
      '../../x': entry,
      [ids.ok]: entry,
    },
  }
  // Usage nested past any stack JSON.stringify has (spliced in as text): not a usage, dropped before anyone writes it back.
  const deep = `{"models":{"m":${'['.repeat(200_000)}${']'.repeat(200_000)}}}`
  fs.writeFileSync(file, `${JSON.stringify(hostile).replace('"PROTO"', '"__proto__"').replace('"DEEP"', deep)}\n${good[1]}\n`)
  const read = readRows(file)
  assert.deepEqual(Object.keys(read.sessions), [ids.ok], 'keys that are no session id (__proto__, a traversal) are dropped too')
  assert.equal(Object.getPrototypeOf(read.sessions), Object.prototype, 'a __proto__ key never set the prototype')
  assert.equal(read.sessions[ids.ok]!.title, row.title)
  assert.equal(read.mark, null, 'rows dropped: a mark is not trusted')
  // "The project's path" (0) in a file that names none: dropped, not taken as a missing header.
  fs.writeFileSync(file, `${JSON.stringify({ ...hostile, projectPath: null, sessions: { [ids.ok]: entry } })}\n`)
  assert.deepEqual(readRows(file).sessions, {})
  const states = JSON.parse(good[1]!) as { sessions: Record<string, unknown> }
  fs.writeFileSync(file, `${good[0]}\n${JSON.stringify({ ...states, sessions: { [S1]: state, [ids.bad]: { ...state, ids: 'x' }, [ids.worse]: 7 } })}\n`)
  assert.deepEqual(Object.keys(readStates(file)), [S1])
})

test('readRows: a first line longer than any read is read whole; a file with no newline is all rows', t => {
  const file = cacheFile(t)
  const [row, state] = splitSummary(sample())
  const rows: Record<string, CachedRow> = {}
  // ~1.3 MB of rows: many reads, each asking for as much as was read so far (past 1 MiB the buffer is let go after).
  for (let i = 0; i < 4000; i++) rows[`01JC${String(i).padStart(22, '0')}`] = { ...row, title: `title ${i} ${'é'.repeat(100)}` }
  writeCache(file, '/p', null, rows, { [S1]: state })
  const read = readRows(file)
  assert.equal(Object.keys(read.sessions).length, 4000)
  assert.equal(read.sessions[`01JC${String(3999).padStart(22, '0')}`]!.title, `title 3999 ${'é'.repeat(100)}`)
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').split('\n')[0]!)
  assert.equal(Object.keys(readRows(file).sessions).length, 4000)
  assert.deepEqual(readStates(file), {})
})

test('writeCache: an unwritable folder is not an error (the cache is best effort)', t => {
  const [row, state] = splitSummary(sample())
  const file = path.join(tempDir(t), 'missing', 'index.json')
  writeCache(file, '/p', null, { [S1]: row }, { [S1]: state })
  assert.equal(fs.existsSync(file), false)
})
