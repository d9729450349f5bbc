/**
 * search() as a host sees it, on a real SQLite FTS5 index in a temp root: ranking, the query
 * language, code tokens, accents, filters, reverts, what is indexed and the hit's fields.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import fc from 'fast-check'
import path from 'node:path'
import { rejectsWith } from '../helpers.js'
import { Journal } from '../../lib/index.js'
import type { OpenSession } from '../../lib/core/session.js'
import { at, marked, messageAt, order, setup } from './helpers.js'

test('ranking: a title match first, then more matches in fewer words; equal scores newest first', async t => {
  const { j, dir } = setup(t)
  const a = await j.create({ project: path.join(dir, 'p'), title: 'Fix the date parser' }) as OpenSession
  await messageAt(a, at(1), 'a1', 'user', [{ type: 'text', text: 'nothing relevant here' }])
  await a.close()
  const b = await j.create({ project: path.join(dir, 'p'), title: 'other' }) as OpenSession
  await messageAt(b, at(2), 'b1', 'user', [{ type: 'text', text: 'the parser parser parser fails' }])
  await messageAt(b, at(3), 'b2', 'assistant', [{ type: 'text', text: 'one parser here and many other words around it' }])
  await b.close()
  const hits = await j.search('parser')
  assert.deepEqual(order(hits), ['Fix the date parser/title', 'other/b1', 'other/b2'])
  assert.ok(hits[0]!.score > hits[1]!.score && hits[1]!.score > hits[2]!.score)

  // Same text in two sessions: the same score, so the newer message comes first.
  const old = await j.create({ project: path.join(dir, 'q'), title: 'old' }) as OpenSession
  await messageAt(old, at(10), 'o1', 'user', [{ type: 'text', text: 'identical words zebra' }])
  await old.close()
  const recent = await j.create({ project: path.join(dir, 'q'), title: 'recent' }) as OpenSession
  await messageAt(recent, at(20), 'r1', 'user', [{ type: 'text', text: 'identical words zebra' }])
  await recent.close()
  const ties = await j.search('zebra')
  assert.deepEqual(order(ties), ['recent/r1', 'old/o1'])
  assert.equal(ties[0]!.score, ties[1]!.score)
})

test('ranking without filters is the exact ranking: ties past the first candidates, reverted candidates, any limit', async t => {
  const { j, dir } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p'), title: 'ties' }) as OpenSession
  for (let i = 1; i <= 30; i++) await messageAt(s, at(i), `same${i}`, 'user', [{ type: 'text', text: 'same words here' }])
  for (let i = 1; i <= 25; i++) await messageAt(s, at(100 + i), `r${i}`, 'assistant', [{ type: 'text', text: `alpha ${'omega '.repeat(i % 4)}` }])
  await s.revert('r3')
  await messageAt(s, at(200), 'late', 'user', [{ type: 'text', text: 'alpha omega same' }])
  await s.close()
  // The newest five of thirty equal scores.
  assert.deepEqual((await j.search('same', { limit: 5 })).filter(h => h.messageId?.startsWith('same')).map(h => h.messageId).slice(0, 4),
    ['same30', 'same29', 'same28', 'same27'])
  for (const q of ['same', 'alpha', 'omega', 'alpha omega', 'words']) {
    for (const limit of [1, 2, 3, 5, 8, 13, 40]) {
      for (const includeReverted of [false, true]) {
        // A since long ago filters nothing, and takes the joined ranking.
        const exact = await j.search(q, { limit, includeReverted, since: '1970-01-01' })
        assert.deepEqual(await j.search(q, { limit, includeReverted }), exact, `${q} limit ${limit}${includeReverted ? ' with reverted' : ''}`)
      }
    }
  }
})

test('property: the ranking without filters equals the joined ranking, whatever ties and reverts', async t => {
  const { dir } = setup(t)
  let run = 0
  const word = fc.constantFrom('ant', 'bee', 'cat')
  const message = fc.record({ text: fc.array(word, { minLength: 1, maxLength: 3 }).map(w => w.join(' ')), revert: fc.boolean() })
  await fc.assert(fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 12 }), word, async (messages, limit, q) => {
    const j = new Journal({ root: path.join(dir, String(run++)), fsync: 'never' })
    const s = await j.create({ project: path.join(dir, 'p'), title: q }) as OpenSession
    for (const [i, m] of messages.entries()) {
      await messageAt(s, at(i % 7), `m${i}`, 'user', [{ type: 'text', text: m.text }])
      if (m.revert && i % 5 === 4) await s.revert(`m${i - 2}`)
    }
    await s.close()
    for (const includeReverted of [false, true]) {
      assert.deepEqual(await j.search(q, { limit, includeReverted }), await j.search(q, { limit, includeReverted, since: '1970-01-01' }))
    }
  }), { numRuns: 40 })
})

test('case and accents do not matter: resume finds Résumé, in composed or decomposed form', async t => {
  const { j, dir } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p'), title: 't' })
  const composed = await s.message({ role: 'user', parts: [{ type: 'text', text: 'Résumé of the CAFÉ visit' }] })
  const decomposed = await s.message({ role: 'user', parts: [{ type: 'text', text: 'Re\u0301sume\u0301 again' }] })
  await s.close()
  for (const q of ['resume', 'RESUME', 'résumé', 'RÉSUMÉ']) {
    assert.deepEqual((await j.search(q)).map(h => h.messageId).sort(), [composed, decomposed].sort(), q)
  }
  for (const q of ['cafe', 'café', 'Café']) assert.deepEqual((await j.search(q)).map(h => h.messageId), [composed], q)
})

test('code is findable as written: error codes, snake_case, camelCase, paths, commands (in that order only)', async t => {
  const { j, dir } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p'), title: 't' })
  const ids = {
    code: await s.message({ role: 'user', parts: [{ type: 'text', text: 'resume throws ERR_SESSION_LOCKED when busy' }] }),
    snake: await s.message({ role: 'user', parts: [{ type: 'text', text: 'def snake_case_name(): pass' }] }),
    camel: await s.message({ role: 'user', parts: [{ type: 'text', text: 'const camelCaseName = 1' }] }),
    path: await s.message({ role: 'user', parts: [{ type: 'text', text: 'edit src/lib/paths.ts now' }] }),
    npm: await s.message({ role: 'user', parts: [{ type: 'text', text: 'please run npm run build first' }] }),
    decoy: await s.message({ role: 'user', parts: [{ type: 'text', text: 'locked session err; ts paths lib src; build run npm' }] }),
  }
  await s.close()
  const found = async (q: string) => (await j.search(q)).map(h => h.messageId).sort()
  assert.deepEqual(await found('ERR_SESSION_LOCKED'), [ids.code])
  assert.deepEqual(await found('err_session_locked'), [ids.code])
  assert.deepEqual(await found('snake_case_name'), [ids.snake])
  assert.deepEqual(await found('camelCaseName'), [ids.camel])
  assert.deepEqual(await found('src/lib/paths.ts'), [ids.path])
  assert.deepEqual(await found('paths.ts'), [ids.path])
  assert.deepEqual(await found('"npm run build"'), [ids.npm])
  assert.deepEqual(await found('npm run build'), [ids.npm, ids.decoy].sort()) // words AND-ed, in any order
})

test('query language: words AND-ed, "phrases", prefix*, -exclusions', async t => {
  const { j, dir } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p'), title: 't' })
  const m1 = await s.message({ role: 'user', parts: [{ type: 'text', text: 'the flaky test fails on mondays' }] })
  const m2 = await s.message({ role: 'user', parts: [{ type: 'text', text: 'a test that is flaky' }] })
  const m3 = await s.message({ role: 'user', parts: [{ type: 'text', text: 'testing the date code' }] })
  await s.close()
  const found = async (q: string) => (await j.search(q)).map(h => h.messageId).sort()
  assert.deepEqual(await found('"flaky test"'), [m1])
  assert.deepEqual(await found('flaky test'), [m1, m2].sort())
  assert.deepEqual(await found('test -mondays'), [m2])
  assert.deepEqual(await found('test*'), [m1, m2, m3].sort())
  assert.deepEqual(await found('test* -flaky'), [m3])
  assert.deepEqual(await found('"flaky te"*'), [m1])
  assert.deepEqual(await found('test -"is flaky"'), [m1])
  assert.deepEqual(await found('monday'), []) // words, not stems: monday* finds mondays
  assert.deepEqual(await found('monday*'), [m1])
  // Prefix hits get their snippets too, the words found marked.
  const prefixed = await j.search('test* fla*')
  assert.deepEqual(prefixed.map(h => [h.messageId, marked(h)]).sort(), [[m1, ['flaky', 'test']], [m2, ['test', 'flaky']]].sort())
})

test('filters: project, since/until (Date, ISO, span back from now), role, limit', async t => {
  const { j, dir } = setup(t)
  const p1 = path.join(dir, 'one')
  const a = await j.create({ project: p1, title: 'a' }) as OpenSession
  await messageAt(a, at(10), 'a10', 'user', [{ type: 'text', text: 'shared word' }])
  await messageAt(a, at(20), 'a20', 'assistant', [{ type: 'text', text: 'shared word' }])
  await messageAt(a, at(30), 'a30', 'user', [{ type: 'text', text: 'shared word' }])
  await a.close()
  const b = await j.create({ project: path.join(dir, 'two'), title: 'shared title' }) as OpenSession
  await messageAt(b, at(40), 'b40', 'user', [{ type: 'text', text: 'shared word' }])
  await b.close()
  const found = async (options: Parameters<typeof j.search>[1]) => (await j.search('shared', options)).map(h => h.messageId ?? 'title').sort()

  assert.deepEqual(await found({ project: p1 }), ['a10', 'a20', 'a30'])
  assert.deepEqual(await found({ project: `${p1}/../one/` }), ['a10', 'a20', 'a30']) // resolved like create()'s
  assert.deepEqual(await found({ project: path.join(dir, 'none') }), [])
  assert.deepEqual(await found({ since: at(15), project: p1 }), ['a20', 'a30'])
  assert.deepEqual(await found({ until: new Date(at(20)), project: p1 }), ['a10', 'a20']) // inclusive
  assert.deepEqual(await found({ since: '2024-01-01T00:00:15Z', until: '2024-01-01T00:00:35Z' }), ['a20', 'a30'])
  assert.deepEqual(await found({ since: '7d' }), ['title']) // the messages are from 2024; the title was set now
  assert.deepEqual(await found({ until: '12h' }), ['a10', 'a20', 'a30', 'b40'])
  // A day means what it means to list() and usage() (core/when.ts): local, and `until` includes it whole.
  assert.deepEqual(await found({ until: '2024-01-01' }), ['a10', 'a20', 'a30', 'b40'])
  assert.deepEqual(await found({ until: '2023-12-30' }), [])
  assert.deepEqual(await found({ since: '2024-01-03' }), ['title'])
  assert.deepEqual(await found({ role: 'assistant' }), ['a20'])
  assert.deepEqual(await found({ role: 'user' }), ['a10', 'a30', 'b40']) // a title has no role
  assert.equal((await j.search('shared', { limit: 2 })).length, 2)

  for (const options of [{ since: 'yesterday' }, { since: '7x' }, { until: '' }, { until: 'May' }, { since: '2024-05' }, { since: '2024-02-30' }, { since: new Date(Number.NaN) },
    { role: 'robot' }, { limit: 0 }, { limit: 1001 }, { limit: 1.5 }, { project: '' }, { includeReverted: 'yes' }]) {
    await rejectsWith(j.search('shared', options as never), 'ERR_USAGE')
  }
})

test('reverted messages are left out unless includeReverted; a message sent again after its revert is found', async t => {
  const { j, dir } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p'), title: 't' })
  await s.message({ id: 'm1', role: 'user', parts: [{ type: 'text', text: 'alpha' }] })
  await s.message({ id: 'm2', role: 'assistant', parts: [{ type: 'text', text: 'alpha beta' }] })
  await s.message({ id: 'm3', role: 'user', parts: [{ type: 'text', text: 'alpha gamma' }] })
  assert.equal((await j.search('alpha')).length, 3) // indexed before the revert: the catch-up must mark rows already there
  await s.revert('m2')
  assert.deepEqual((await j.search('alpha')).map(h => h.messageId), ['m1'])
  const all = await j.search('alpha', { includeReverted: true })
  assert.deepEqual(all.map(h => [h.messageId, h.reverted]).sort(), [['m1', false], ['m2', true], ['m3', true]])
  await s.part('m3', { id: 'late', type: 'text', text: 'omega' }) // a part for a reverted message is ignored
  await s.message({ id: 'm2', role: 'assistant', parts: [{ type: 'text', text: 'alpha delta' }] })
  await s.close()
  assert.deepEqual((await j.search('delta')).map(h => [h.messageId, h.reverted]), [['m2', false]])
  assert.deepEqual(await j.search('beta'), [])
  assert.deepEqual((await j.search('beta', { includeReverted: true })).map(h => [h.messageId, h.reverted]), [['m2', true]])
  assert.deepEqual(await j.search('omega', { includeReverted: true }), [])
  assert.deepEqual((await j.read(s.id)).messages.map(m => m.id), ['m1', 'm2'])
})

test('indexed: text, reasoning, tool names, inputs and outputs, file names and paths, titles; not host events, meta or data: URLs', async t => {
  const { j, dir } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p'), title: 'Quarterly figures' })
  const id = await s.message({
    role: 'assistant',
    meta: { model: 'metamodel' },
    parts: [
      { type: 'reasoning', text: 'thinking about reasonword' },
      { type: 'tool', tool: 'ripgrep', state: { status: 'completed', input: { pattern: 'needleInput', glob: ['*.md'] }, output: 'needleOutput\nsecond line' } },
      { type: 'file', filename: 'report.pdf', url: 'data:application/pdf;base64,QUJDREVG' },
      { type: 'file', path: '/home/ana/notes.md', url: 'https://example.com/shared/doc' },
    ],
  })
  await s.append('x.host.note', { text: 'hostonly' })
  await s.close()
  for (const q of ['reasonword', 'ripgrep', 'needleInput', 'pattern', 'needleOutput', '"needleOutput second"', 'report.pdf', 'notes.md', 'example.com']) {
    assert.deepEqual((await j.search(q)).map(h => h.messageId), [id], q)
  }
  assert.deepEqual((await j.search('quarterly')).map(h => h.messageId), [null])
  for (const q of ['hostonly', 'metamodel', 'QUJDREVG', 'completed']) assert.deepEqual(await j.search(q), [], q)
})

test('a hit: session, project, title, message, role, time, a one-line snippet with the matches marked by offsets', async t => {
  const { j, dir } = setup(t)
  const project = path.join(dir, 'p')
  const s = await j.create({ project, title: 'Flaky \u001b[31mtitle' }) as OpenSession
  await messageAt(s, at(5), 'm1', 'user', [{ type: 'text', text: 'line one\nthe \u001b[2J flaky test\tfails; it is Flaky' }])
  await s.close()
  const hits = await j.search('flaky')
  const message = hits.find(h => h.messageId !== null)
  const title = hits.find(h => h.messageId === null)
  assert.deepEqual({ ...message!, score: 0 }, {
    sessionId: s.id, projectId: s.projectId, projectPath: project, title: 'Flaky  [31mtitle', messageId: 'm1', role: 'user',
    created: at(5), snippet: 'line one the  [2J flaky test fails; it is Flaky', highlights: [[18, 23], [42, 47]], score: 0, reverted: false,
  })
  assert.deepEqual(marked(message!), ['flaky', 'Flaky'])
  assert.equal(title!.messageId, null)
  assert.equal(title!.role, null)
  assert.equal(title!.snippet, 'Flaky  [31mtitle')
  assert.deepEqual(marked(title!), ['Flaky'])
})

test('hostile queries: every one is searched as words or is ERR_INVALID_QUERY with its offset, before the index is opened', async t => {
  const { j, dir, root } = setup(t)
  for (const [q, offset] of [['', 0], ['   ', 0], ['"unbalanced', 0], ['ok "unbalanced', 3], ['*', 0], ['ok *', 3], ['-*', 1], ['-', 0],
    ['ok - no', 3], ['-foo -bar', 0], ['x'.repeat(10_000), 1000], ['""', 0], ['" ( ) "', 0], ['()', 0], ['-- ...', 0]] as const) {
    const error = await rejectsWith(j.search(q), 'ERR_INVALID_QUERY')
    assert.equal(error.offset, offset, q.slice(0, 20))
    assert.equal(error.kind, 'usage')
  }
  const words = Array.from({ length: 65 }, (_, i) => `w${i}`).join(' ')
  assert.equal((await rejectsWith(j.search(words), 'ERR_INVALID_QUERY')).offset, words.indexOf('w64'))
  await rejectsWith(j.search(null as never), 'ERR_INVALID_QUERY')
  assert.equal(fs.existsSync(path.join(root, 'search')), false, 'a query refused never opens the index')

  const s = await j.create({ project: path.join(dir, 'p'), title: 't' })
  const id = await s.message({ role: 'user', parts: [{ type: 'text', text: 'call foo( NEAR( x ) AND y OR z NOT w col:v ^start {a b}' }] })
  await s.close()
  for (const q of ['foo(', 'NEAR(', 'AND', 'OR', 'NOT', 'col:v', '^start', '{a', 'b}', 'NEAR(x', '(foo', 'x"y"', '"and"']) {
    assert.deepEqual((await j.search(q)).map(h => h.messageId), [id], q)
  }
  assert.deepEqual(await j.search('x'.repeat(1000)), [])
})
