import assert from 'node:assert/strict'
import path from 'node:path'
import { test, type TestContext } from 'node:test'
import { ShareDisabledError, ShareFailedError } from '../../lib/core/errors.js'
import type { OpenSession } from '../../lib/core/session.js'
import { Journal } from '../../lib/index.js'
import type { ShareDocument, ShareProvider, ShareRecord } from '../../lib/share/provider.js'
import { ShareSync } from '../../lib/share/sync.js'
import { LogStore } from '../../lib/core/log-store.js'
import { nodeIO } from '../../lib/core/writer-io.js'
import { ManualClock, settle, until } from '../clock.js'
import { tempDir } from '../helpers.js'

const RECORD: ShareRecord = { shareId: 'abc', url: 'https://share.example/s/abc', secret: 's', server: 'https://share.example' }

/** A host's own transport (the ShareProvider seam): keeps what it was sent, fails while told to. */
function provider(): ShareProvider & { sent: ShareDocument[], failing: boolean } {
  const p = {
    sent: [] as ShareDocument[],
    failing: false,
    publish: async () => RECORD,
    sync: async (_record: ShareRecord, doc: ShareDocument) => {
      if (p.failing) throw new ShareFailedError('server down')
      p.sent.push(structuredClone(doc))
    },
    remove: async () => {},
  }
  return p
}

async function open(t: TestContext, options: { debounceMs?: number, maxBackoffMs?: number, allowed?: () => Promise<void> } = {}) {
  const dir = tempDir(t)
  const store = new LogStore({ root: path.join(dir, 'root'), fsync: 'never', batchMs: 5, maxLineBytes: 1 << 20, lockStaleMs: 10_000, lockWaitMs: 0, io: nodeIO })
  const session = await store.create({ project: path.join(dir, 'project') })
  const clock = new ManualClock()
  const transport = provider()
  const sync = new ShareSync(session, store.historyReader(session), transport, RECORD, { ...options, clock })
  t.after(() => session.close().catch(() => {}))
  return { session, clock, transport, sync }
}

const say = (session: OpenSession, text: string) => session.message({ role: 'user', parts: [{ type: 'text', text }] })

test('appends only arm the debounce: a burst becomes one send of the whole history', async t => {
  const { session, clock, transport } = await open(t, { debounceMs: 250 })
  for (let i = 0; i < 10; i++) await say(session, `m${i}`)
  assert.deepEqual(clock.pending(), [250], 'one timer for the whole burst')
  assert.equal(transport.sent.length, 0, 'nothing sent on the append path')
  clock.advance(250)
  await until(() => transport.sent.length === 1)
  await settle()
  assert.equal(transport.sent.length, 1)
  assert.equal(transport.sent[0]!.messages.length, 10)
  assert.deepEqual(clock.pending(), [])
})

test('failures retry with doubling backoff up to the cap; a success resets it', async t => {
  const { session, clock, transport, sync } = await open(t, { debounceMs: 10, maxBackoffMs: 2000 })
  transport.failing = true
  await say(session, 'a')
  const delays: number[] = []
  for (let i = 0; i < 5; i++) {
    clock.advance(clock.pending()[0]!)
    await until(() => clock.pending().length === 1) // the send failed and armed its retry
    delays.push(clock.pending()[0]!)
  }
  assert.deepEqual(delays, [500, 1000, 2000, 2000, 2000])
  assert.equal(sync.status().lastError?.message, 'server down')
  transport.failing = false
  clock.advance(2000)
  await until(() => transport.sent.length === 1)
  await settle()
  assert.deepEqual(sync.status(), { url: RECORD.url, sent: 1, lastError: null, active: true })
  assert.deepEqual(clock.pending(), [], 'no timer once everything is sent')
})

test('close sends what is pending, then no timer is left and nothing is ever sent again', async t => {
  const { session, clock, transport, sync } = await open(t, { debounceMs: 250 })
  await say(session, 'last words')
  await session.close()
  assert.equal(transport.sent.length, 1, 'close() flushed')
  assert.equal(transport.sent[0]!.messages.length, 1)
  assert.deepEqual(clock.pending(), [], 'no retry or debounce left armed')
  assert.equal(sync.status().active, false)
})

test('a failing send at close: no retries once the session is closed', async t => {
  const { session, clock, transport } = await open(t, { debounceMs: 250 })
  transport.failing = true
  await say(session, 'x')
  const closed = session.close()
  await settle()
  clock.advance(5000) // the close timeout, if the flush were still waiting
  await closed
  assert.deepEqual(clock.pending(), [])
  transport.failing = false
  clock.advance(60_000)
  await settle()
  assert.equal(transport.sent.length, 0)
})

test('the shared copy is folded with the journal\'s maxLineBytes, like read()', async t => {
  const dir = tempDir(t)
  const root = path.join(dir, 'root')
  const wide = new Journal({ root })
  const s = await wide.create({ project: path.join(dir, 'project') })
  await say(s as OpenSession, 'short')
  await say(s as OpenSession, 'x'.repeat(4096)) // a line a narrower journal does not accept
  await s.close()
  const narrow = new LogStore({ root, fsync: 'never', batchMs: 5, maxLineBytes: 2048, lockStaleMs: 10_000, lockWaitMs: 0, io: nodeIO })
  const held = await narrow.resume(s.id)
  t.after(() => held.close().catch(() => {}))
  const clock = new ManualClock()
  const transport = provider()
  const sync = new ShareSync(held, narrow.historyReader(held), transport, RECORD, { clock })
  sync.touch()
  await sync.flush()
  const read = await narrow.readHistory(s.id)
  assert.deepEqual(read.damage.map(d => d.kind), ['line-too-long'])
  assert.deepEqual(transport.sent[0]!.messages.map(m => m.parts[0]!.text), ['short'])
  assert.deepEqual(transport.sent[0]!.messages, read.messages)
})

test('allowed() is asked before every send: disabled stops the sync for good, with nothing sent', async t => {
  let policy: Error | null = null
  const { session, clock, transport, sync } = await open(t, { debounceMs: 10, allowed: async () => { if (policy) throw policy } })
  await say(session, 'a')
  clock.advance(10)
  await until(() => transport.sent.length === 1)
  policy = new ShareDisabledError('sharing is disabled')
  await say(session, 'b')
  clock.advance(10)
  await until(() => !sync.status().active)
  await settle()
  assert.equal(transport.sent.length, 1)
  assert.deepEqual(clock.pending(), [], 'no retry of a refused send')
  assert.equal(sync.status().lastError, policy)
  policy = null
  await say(session, 'c') // appends after the stop arm nothing
  assert.deepEqual(clock.pending(), [])
  await session.close()
  assert.equal(transport.sent.length, 1)
})

test('allowed() failing otherwise (a broken config) counts as a failed send: retried, nothing sent meanwhile', async t => {
  let broken = true
  const { session, clock, transport, sync } = await open(t, { debounceMs: 10, allowed: async () => { if (broken) throw new Error('config.jsonc:1:2: CommaExpected') } })
  await say(session, 'a')
  clock.advance(10)
  await until(() => clock.pending().length === 1)
  assert.deepEqual(clock.pending(), [500])
  assert.equal(transport.sent.length, 0)
  assert.match(sync.status().lastError?.message ?? '', /CommaExpected/)
  broken = false
  clock.advance(500)
  await until(() => transport.sent.length === 1)
  assert.equal(sync.status().active, true)
})
