/**
 * Several processes on one root: writers of their own sessions side by side, writers racing
 * for one session, a dead writer's lock taken over, and a reader listing all the while.
 * Children report what they did over stdout (see children/*.ts); the log on disk is the proof.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import test from 'node:test'
import { Journal } from '../../lib/index.js'
import { logLines, tempDir } from '../helpers.js'
import { bigDocument, Child } from './util.js'

/** A fresh session made (and let go) by the parent, for children to contend over. */
async function sessionFor(root: string): Promise<{ id: string, log: string }> {
  const session = await new Journal({ root }).create({ project: path.join(root, 'work') })
  await session.close()
  return { id: session.id, log: session.path }
}

/** Every line parses (no interleaving) and seq runs 0, 1, 2, ... with nothing missing or repeated. */
function assertWholeAndGapFree(log: string): Array<Record<string, unknown>> {
  const lines = logLines(log)
  assert.ok(fs.readFileSync(log).at(-1) === 10, 'the log ends in a newline')
  assert.deepEqual(lines.map(l => l.seq), lines.map((_, i) => i))
  return lines
}

const outcome = (c: Child) => c.waitFor(l => l === 'got' || l.startsWith('refused '))

test('issue 2: several processes each write their own session in one project; all logs complete, list() right', async t => {
  const root = tempDir(t)
  const project = path.join(root, 'work')
  const messages = 15
  const children = ['a', 'b', 'c', 'd'].map(label => ({ label, child: new Child(t, 'writer', { root, project, label, messages, fsync: 'always' }) }))
  await Promise.all(children.map(c => c.child.done()))

  const journal = new Journal({ root })
  const rows = await journal.list({ project })
  assert.equal(rows.length, children.length)
  for (const { label, child } of children) {
    const id = child.words('session')[0]![0]!
    const row = rows.find(r => r.id === id)
    assert.ok(row, `row for ${label}`)
    assert.deepEqual({ title: row.title, messages: row.messages, damaged: row.damaged, shared: row.shared, projectPath: row.projectPath },
      { title: `${label} done`, messages, damaged: false, shared: false, projectPath: project })
    const history = await journal.read(id)
    assert.deepEqual(history.damage, [])
    assert.deepEqual(history.messages.map(m => [m.id, m.parts.map(p => p.id)]),
      Array.from({ length: messages }, (_, i) => [`${label}-m${i}`, [`${label}-m${i}-a`, `${label}-m${i}-b`]]))
    assert.equal(history.info.meta.host?.name, 'writer-child')
    const lines = assertWholeAndGapFree(path.join(root, 'projects', row.projectId, 'sessions', `${id}.ndjson`))
    for (const [seq] of child.words('ack')) assert.equal(lines[Number(seq)]!.id, `${label}-m${(Number(seq) - 1) / 2}`)
  }
})

test('issue 2: two processes contend for one session; the second gets ERR_SESSION_LOCKED until the first lets go', async t => {
  const root = tempDir(t)
  const { id, log } = await sessionFor(root)
  const first = new Child(t, 'contender', { root, id, label: 'first', events: 2, hold: true })
  await first.waitFor(l => l === 'ready')
  first.send('go')
  await first.waitFor(l => l === 'ack 2')

  const second = new Child(t, 'contender', { root, id, label: 'second', events: 2 })
  await second.waitFor(l => l === 'ready')
  second.send('go')
  assert.equal(await outcome(second), 'refused ERR_SESSION_LOCKED')
  await second.done()
  // The parent is a third process: it is refused too, and delete() does not pull the log away.
  const journal = new Journal({ root })
  await assert.rejects(journal.resume(id), { code: 'ERR_SESSION_LOCKED' })
  await assert.rejects(journal.delete(id), { code: 'ERR_SESSION_LOCKED' })

  first.send('close')
  await first.done()
  const third = new Child(t, 'contender', { root, id, label: 'third', events: 2 })
  await third.waitFor(l => l === 'ready')
  third.send('go')
  assert.equal(await outcome(third), 'got')
  await third.done()
  const lines = assertWholeAndGapFree(log)
  assert.deepEqual(lines.slice(1).map(l => (l.data as { label: string }).label), ['first', 'first', 'third', 'third'])
})

test('8 processes race to resume one session: exactly one gets it, the other 7 get ERR_SESSION_LOCKED', async t => {
  const root = tempDir(t)
  const { id, log } = await sessionFor(root)
  const children = Array.from({ length: 8 }, (_, i) => new Child(t, 'contender', { root, id, label: `c${i}`, events: 3, hold: true }))
  await Promise.all(children.map(c => c.waitFor(l => l === 'ready')))
  for (const c of children) c.send('go')
  const outcomes = await Promise.all(children.map(outcome))
  assert.equal(outcomes.filter(o => o === 'got').length, 1, outcomes.join(', '))
  assert.equal(outcomes.filter(o => o === 'refused ERR_SESSION_LOCKED').length, 7, outcomes.join(', '))
  const winner = children[outcomes.indexOf('got')]!
  await winner.waitFor(l => l === 'ack 3')
  winner.send('close')
  await Promise.all(children.map(c => c.done()))
  const lines = assertWholeAndGapFree(log)
  assert.deepEqual(lines.slice(1).map(l => (l.data as { label: string }).label), Array(3).fill(`c${children.indexOf(winner)}`))
})

test('8 processes wait with lockWaitMs and take the session one after another: no gap, no interleaved line', async t => {
  const root = tempDir(t)
  const { id, log } = await sessionFor(root)
  const events = 20
  // lockWaitMs is a bound on waiting for the lock, far above what 8 short holders need.
  const children = Array.from({ length: 8 }, (_, i) => new Child(t, 'contender', { root, id, label: `c${i}`, events, lockWaitMs: 300_000 }))
  await Promise.all(children.map(c => c.waitFor(l => l === 'ready')))
  for (const c of children) c.send('go')
  await Promise.all(children.map(c => c.done()))
  assert.deepEqual(children.map(c => c.lines.includes('got')), Array(8).fill(true))

  const lines = assertWholeAndGapFree(log)
  assert.equal(lines.length, 1 + 8 * events)
  // One holder at a time: each child's events form one unbroken run, in its own order.
  const labels = lines.slice(1).map(l => (l.data as { label: string, i: number }))
  for (let run = 0; run < 8; run++) {
    const block = labels.slice(run * events, (run + 1) * events)
    assert.deepEqual(block.map(b => b.label), Array(events).fill(block[0]!.label))
    assert.deepEqual(block.map(b => b.i), Array.from({ length: events }, (_, i) => i))
  }
  for (const [i, c] of children.entries()) {
    for (const [seq] of c.words('ack')) assert.equal((lines[Number(seq)]!.data as { label: string }).label, `c${i}`)
  }
  assert.deepEqual((await new Journal({ root }).read(id)).damage, [])
})

test('a SIGKILLed holder\'s lock goes stale and exactly one of several waiters takes it over', async t => {
  const root = tempDir(t)
  const { id, log } = await sessionFor(root)
  const lockStaleMs = 4000
  const holder = new Child(t, 'contender', { root, id, label: 'dead', events: 4, hold: true, lockStaleMs })
  await holder.waitFor(l => l === 'ready')
  holder.send('go')
  await holder.waitFor(l => l === 'ack 4')
  await holder.kill('SIGKILL')
  assert.ok(fs.existsSync(`${log}.lock`), 'the dead holder left its lock behind')
  // Before it is stale the lock is respected: asked at once, before five processes start on a
  // loaded machine (which can take longer than lockStaleMs).
  const journal = new Journal({ root, lockStaleMs })
  await assert.rejects(journal.resume(id), { code: 'ERR_SESSION_LOCKED' })

  const waiters = Array.from({ length: 5 }, (_, i) => new Child(t, 'contender', { root, id, label: `w${i}`, events: 3, hold: true, lockStaleMs }))
  await Promise.all(waiters.map(c => c.waitFor(l => l === 'ready')))
  // Wait (by watching the lock, not the clock) until nobody refreshes it any more, then race.
  while (fs.statSync(`${log}.lock`).mtimeMs > Date.now() - lockStaleMs - 250) await new Promise(resolve => setTimeout(resolve, 100))
  for (const c of waiters) c.send('go')
  const outcomes = await Promise.all(waiters.map(outcome))
  assert.equal(outcomes.filter(o => o === 'got').length, 1, outcomes.join(', '))
  assert.equal(outcomes.filter(o => o === 'refused ERR_SESSION_LOCKED').length, waiters.length - 1, outcomes.join(', '))
  const winner = waiters[outcomes.indexOf('got')]!
  await winner.waitFor(l => l === 'ack 7')
  winner.send('close')
  await Promise.all(waiters.map(c => c.done()))

  const lines = assertWholeAndGapFree(log)
  const winnerLabel = `w${waiters.indexOf(winner)}`
  assert.deepEqual(lines.slice(1).map(l => (l.data as { label: string }).label), [...Array(4).fill('dead'), ...Array(3).fill(winnerLabel)])
  assert.deepEqual(holder.words('ack').map(([seq]) => Number(seq)), [1, 2, 3, 4])
})

test('16 processes write their own sessions while the parent lists and reads: no corrupt line, no missed row, list never throws', async t => {
  const root = tempDir(t)
  const project = path.join(root, 'work')
  const messages = 25
  const journal = new Journal({ root })
  const children = Array.from({ length: 16 }, (_, i) => new Child(t, 'writer', { root, project, label: `w${i}`, messages, fsync: 'batch' }))
  let running = true
  const finished = Promise.all(children.map(c => c.done())).finally(() => { running = false })

  let rounds = 0
  let reads = 0
  do {
    const rows = await journal.list({ project })
    for (const row of rows) {
      // While a child writes, the only damage a reader may see is a line not yet whole.
      assert.equal(row.damaged, false, `row ${row.id}`)
      const history = await journal.read(row.id)
      assert.deepEqual(history.damage.filter(d => d.kind !== 'torn-tail'), [], `read ${row.id}`)
      reads++
    }
    rounds++
  } while (running)
  await finished
  t.diagnostic(`${rounds} list rounds, ${reads} reads while writing`)

  const rows = await journal.list({ project })
  assert.equal(rows.length, 16)
  for (const [i, child] of children.entries()) {
    const id = child.words('session')[0]![0]!
    const row = rows.find(r => r.id === id)
    assert.ok(row, `row of w${i}`)
    assert.deepEqual([row.title, row.messages, row.damaged], [`w${i} done`, messages, false])
    const history = await journal.read(id)
    assert.deepEqual(history.damage, [])
    assert.deepEqual(history.messages.map(m => m.id), Array.from({ length: messages }, (_, k) => `w${i}-m${k}`))
    assertWholeAndGapFree(path.join(root, 'projects', row.projectId, 'sessions', `${id}.ndjson`))
  }
})

test('two processes import one document into 12 projects at once: exactly one import succeeds, 11 get ERR_SESSION_EXISTS', async t => {
  const dir = tempDir(t)
  const doc = await bigDocument(path.join(dir, 'source'), 300)
  const docFile = path.join(dir, 'doc.json')
  fs.writeFileSync(docFile, JSON.stringify(doc))
  const root = path.join(dir, 'root')
  const journal = new Journal({ root })
  for (let round = 0; round < 4; round++) {
    const children = [0, 1].map(c => new Child(t, 'importer', {
      root, doc: docFile, projects: Array.from({ length: 6 }, (_, i) => path.join(dir, `p${c}-${i}`)),
    }))
    await Promise.all(children.map(c => c.waitFor(l => l === 'ready')))
    for (const c of children) c.send('go')
    await Promise.all(children.map(c => c.done()))
    const outcomes = children.flatMap(c => c.lines.filter(l => l !== 'ready'))
    assert.deepEqual(outcomes.filter(o => o.startsWith('imported ')), [`imported ${doc.info.id}`], `round ${round}: ${outcomes.join(', ')}`)
    assert.equal(outcomes.filter(o => o === 'refused ERR_SESSION_EXISTS').length, 11, outcomes.join(', '))
    const rows = await journal.list()
    assert.deepEqual(rows.map(r => [r.id, r.messages, r.damaged]), [[doc.info.id, 300, false]])
    assert.equal(fs.readFileSync(path.join(root, 'ids', doc.info.id), 'utf8'), `${rows[0]!.projectId}\n`, 'the claim names the winner\'s project')
    await journal.delete(doc.info.id) // and the claim with it: the next round races again
    assert.equal(fs.existsSync(path.join(root, 'ids', doc.info.id)), false)
  }
})
