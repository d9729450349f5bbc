/**
 * Crash loop: a child appends to one session with several appends in flight and is
 * SIGKILLed at a random moment, round after round, in each durability mode. After every
 * kill, everything the child reported acknowledged is in read(), seq has no gap, resume()
 * continues with the next seq and sets a torn tail (if the kill left one) aside byte for
 * byte, and no byte before the torn tail changed.
 *
 * A process kill (not a power loss) is what this proves: the writer hands each line to the
 * OS before it resolves, so 'batch' and 'never' keep every acknowledged event here too.
 * Rounds: 50 in all by default; SJ_CRASH_ROUNDS=<n> for a soak.
 */
import assert from 'node:assert/strict'
import { randomInt } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import test from 'node:test'
import { Journal, type Durability, type JournalEvent } from '../../lib/index.js'
import { projectIdOf } from '../../lib/core/paths.js'
import { rejectsWith, tempDir } from '../helpers.js'
import { bigDocument, Child, removeDeadLock, traces } from './util.js'

const total = Math.max(3, Number(process.env.SJ_CRASH_ROUNDS ?? 50) || 50)
const modes: Durability[] = ['always', 'batch', 'never']

async function eventsOf(journal: Journal, id: string): Promise<JournalEvent[]> {
  const events: JournalEvent[] = []
  for await (const e of journal.events(id)) events.push(e)
  return events
}

for (const [m, fsync] of modes.entries()) {
  const rounds = Math.floor(total / modes.length) + (m < total % modes.length ? 1 : 0)

  test(`crash loop, fsync '${fsync}': ${rounds} SIGKILLs at random moments lose nothing acknowledged`, async t => {
    const root = tempDir(t)
    const project = path.join(root, 'work')
    const journal = new Journal({ root, fsync })
    /** Every event ever acknowledged (by a child or the parent): seq -> what it was. */
    const acknowledged = new Map<number, string>()
    let id: string | undefined
    let log = ''
    let kept = Buffer.alloc(0)
    let torn = 0
    let early = 0

    for (let round = 0; round < rounds; round++) {
      const aimAtBigWrite = Math.random() < 0.4
      const child = new Child(t, 'appender', {
        root, project, fsync, inflight: 1 + (round % 6), ...(id ? { id } : {}),
        ...(aimAtBigWrite ? { bigAt: randomInt(1, 30), bigBytes: 16 * 1024 * 1024 } : {}),
      })
      if (aimAtBigWrite) {
        // Kill as soon as the write(2) of a 16 MiB event starts: a real torn tail, when the
        // kill lands before the kernel has copied every byte.
        id ??= (await child.waitFor(l => l.startsWith('ready '))).split(' ')[1]!
        await child.waitFor(l => l.startsWith('writing '))
      } else if (id !== undefined && Math.random() < 0.15) {
        // Now and then the kill lands before the child is ready: inside resume() itself.
        early++
        await new Promise(resolve => setTimeout(resolve, randomInt(0, 150)))
      } else {
        const ready = (await child.waitFor(l => l.startsWith('ready '))).split(' ')
        id ??= ready[1]!
        const target = randomInt(0, 40)
        await child.waitFor(() => child.words('ack').length >= target)
        await new Promise(resolve => setTimeout(resolve, randomInt(0, 10)))
      }
      const exit = await child.kill('SIGKILL')
      assert.equal(exit.signal, 'SIGKILL', `round ${round}: the child died of the kill, not of an error: ${child.stderr}`)
      for (const [seq, kind] of child.words('ack')) acknowledged.set(Number(seq), kind!)
      assert.ok(id, 'the first round got as far as ready')
      log ||= (await journal.locate(id)).path

      const before = fs.readFileSync(log)
      assert.deepEqual(before.subarray(0, kept.length), kept, `round ${round}: bytes written before this round are unchanged`)
      const history = await journal.read(id)
      const tornTail = history.damage.find(d => d.kind === 'torn-tail')
      assert.deepEqual(history.damage.filter(d => d.kind !== 'torn-tail'), [], `round ${round}: no damage but a torn tail`)
      if (tornTail) assert.equal(tornTail.offset + tornTail.length, before.length)
      const events = await eventsOf(journal, id)
      assert.deepEqual(events.map(e => e.seq), events.map((_, i) => i), `round ${round}: seq has no gap`)
      for (const [seq, kind] of acknowledged) {
        const e = events[seq]
        assert.ok(e, `round ${round}: acknowledged seq ${seq} is in the log`)
        assert.equal(e.type, kind === 'message' ? 'message' : kind)
        if (kind === 'message') assert.equal((e as { id: string }).id, `m${seq}`)
      }

      // The holder is known dead (its exit was seen): its lock is cleared by hand instead of
      // waiting lockStaleMs each round; stale takeover has its own test (multiprocess.test).
      removeDeadLock(log)
      const session = await journal.resume(id)
      const lastSeq = events.at(-1)!.seq
      assert.equal(session.nextSeq, lastSeq + 1 + (tornTail ? 1 : 0), `round ${round}: resume continues at the next seq`)
      const seq = session.nextSeq
      await session.message({ id: `m${seq}`, role: 'user', parts: [{ type: 'text', text: `parent after round ${round}` }] })
      acknowledged.set(seq, 'message')
      await session.close()

      const after = fs.readFileSync(log)
      if (tornTail) {
        torn++
        assert.deepEqual(after.subarray(0, tornTail.offset), before.subarray(0, tornTail.offset), `round ${round}: nothing before the torn tail changed`)
        const repair = JSON.parse(after.subarray(tornTail.offset, after.indexOf(10, tornTail.offset)).toString()) as Record<string, unknown>
        assert.deepEqual([repair.seq, repair.type, repair.offset, repair.length], [lastSeq + 1, 'repair', tornTail.offset, tornTail.length])
        assert.deepEqual(fs.readFileSync(path.join(path.dirname(log), repair.file as string)), before.subarray(tornTail.offset),
          `round ${round}: the side file holds exactly the torn bytes`)
      } else {
        assert.deepEqual(after.subarray(0, before.length), before, `round ${round}: nothing changed before the new lines`)
      }
      const reread = await journal.read(id)
      assert.deepEqual(reread.damage, [], `round ${round}: clean after resume`)
      kept = after
    }
    t.diagnostic(`${rounds} rounds, ${acknowledged.size} acknowledged events, ${torn} torn tails set aside, ${early} kills during resume`)
  })
}

test('SIGKILL in the middle of an import leaves no session; list() or the next import removes the half log; the retry succeeds', async t => {
  const dir = tempDir(t)
  const doc = await bigDocument(path.join(dir, 'source'), 20_000)
  const docFile = path.join(dir, 'doc.json')
  fs.writeFileSync(docFile, JSON.stringify(doc))
  const root = path.join(dir, 'root')
  const project = path.join(dir, 'work')
  const id = doc.info.id
  const sessions = path.join(root, 'projects', projectIdOf(project), 'sessions')
  const staging = path.join(sessions, `.${id}.ndjson.importing`)
  const journal = new Journal({ root })

  for (const cleaner of ['list', 'import'] as const) {
    const child = new Child(t, 'importer', { root, doc: docFile, projects: [project], freezeAfterWrites: 10 })
    await child.waitFor(l => l === 'ready')
    child.send('go')
    await child.waitFor(l => l === 'frozen')
    await child.kill()
    // Thousands of messages were written, but under a name nothing reads: there is no session.
    assert.ok(fs.statSync(staging).size > 100_000, 'the kill landed in the middle of the import')
    await rejectsWith(journal.locate(id), 'ERR_SESSION_NOT_FOUND')
    await rejectsWith(journal.verify(id), 'ERR_SESSION_NOT_FOUND')
    await rejectsWith(journal.read(id), 'ERR_SESSION_NOT_FOUND')
    // The dead importer's locks are respected until stale: a retry now is refused, not half-done again.
    await rejectsWith(journal.import(doc, { project }), 'ERR_SESSION_EXISTS')
    assert.deepEqual(await journal.list(), [])
    assert.ok(fs.existsSync(staging), 'a live-looking importer keeps its staging file')
    // The child is known dead (its exit was seen): its locks go by hand rather than by waiting.
    removeDeadLock(path.join(sessions, `${id}.ndjson`))
    removeDeadLock(path.join(root, 'ids', id))
    if (cleaner === 'list') {
      assert.deepEqual(await journal.list(), [])
      assert.equal(fs.existsSync(staging), false, 'list() removed the dead import\'s half log')
    }
    assert.equal(await journal.import(doc, { project }), id)
    assert.equal(fs.existsSync(staging), false)
    const history = await journal.read(id)
    assert.deepEqual([history.messages.length, history.damage], [20_000, []])
    assert.deepEqual(history.messages.at(-1), doc.messages.at(-1))
    assert.deepEqual(traces(root, id), [`ids/${id}`, `projects/${projectIdOf(project)}/sessions/${id}.ndjson`])
    await journal.delete(id)
    assert.deepEqual(traces(root, id), [], 'delete took the claim too')
  }
})
