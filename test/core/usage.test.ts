import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { logLines, tempDir, rejectsWith } from '../helpers.js'
import { Journal } from '../../lib/journal.js'
import { fold } from '../../lib/core/fold.js'
import type { JournalEvent, UsageEvent } from '../../lib/core/types.js'

function journal(t: TestContext): { j: Journal, project: string } {
  const dir = tempDir(t)
  return { j: new Journal({ root: path.join(dir, 'root'), fsync: 'never' }), project: path.join(dir, 'app') }
}

test('usage: the line on disk has the fixed key order, whatever order the host used', async t => {
  const { j, project } = journal(t)
  const s = await j.create({ project })
  await s.usage({ currency: 'EUR', cost: 0.5, output: 20, input: 100, model: 'm', key: 'req-1', messageId: 'a', cacheRead: 7 })
  await s.close()
  const line = fs.readFileSync(s.path, 'utf8').split('\n')[1]!
  assert.match(line, /^\{"seq":1,"ts":"[^"]+","type":"usage","key":"req-1","messageId":"a","model":"m","input":100,"output":20,"cacheRead":7,"cost":0.5,"currency":"EUR"\}$/)
})

test('usage: invalid numbers and fields are ERR_INVALID_EVENT naming the field, with nothing written', async t => {
  const { j, project } = journal(t)
  const s = await j.create({ project })
  const before = fs.readFileSync(s.path)
  const base = { key: 'k', model: 'm', input: 1, output: 1 }
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ ...base, input: -1 }, /usage\.input/],
    [{ ...base, output: 1.5 }, /usage\.output/],
    [{ ...base, input: Number.NaN }, /usage\.input/],
    [{ ...base, reasoning: '3' }, /usage\.reasoning/],
    [{ ...base, cacheWrite: 2 ** 60 }, /usage\.cacheWrite/],
    [{ ...base, cost: Infinity }, /usage\.cost/],
    [{ ...base, cost: -0.1 }, /usage\.cost/],
    [{ ...base, currency: 'USD' }, /usage\.currency/],
    [{ ...base, cost: 1, currency: 'usd' }, /usage\.currency/],
    [{ ...base, key: '' }, /usage\.key/],
    [{ key: 'k', input: 1, output: 1 }, /usage\.model/],
    [{ key: 'k', model: 'm', output: 1 }, /usage\.input/],
    [{ ...base, inputTokens: 5 }, /usage\.inputTokens/],
  ]
  for (const [input, message] of bad) {
    const error = await rejectsWith(s.usage(input as never), 'ERR_INVALID_EVENT')
    assert.match(error.message, message, JSON.stringify(input))
  }
  await s.close()
  assert.deepEqual(fs.readFileSync(s.path), before)
})

test('usage: a repeated key counts once, also when a resume after a crash sends it again', async t => {
  const { j, project } = journal(t)
  const s = await j.create({ project })
  await s.usage({ key: 'r1', model: 'a', input: 10, output: 5, cost: 0.25 })
  await s.usage({ key: 'r1', model: 'a', input: 10, output: 5, cost: 0.25 }) // a retried append
  await s.usage({ key: 'r2', model: 'b', input: 3, output: 2, reasoning: 1 })
  await s.close()
  // The process died mid-write of a third response: a torn tail, then a resume that re-sends r2.
  fs.appendFileSync(s.path, '{"seq":4,"ts":"2026-01-01T00:00:00.000Z","type":"usage","key":"r3"')
  const again = await j.resume(s.id)
  await again.usage({ key: 'r2', model: 'b', input: 3, output: 2, reasoning: 1 })
  await again.usage({ key: 'r3', model: 'b', input: 1, output: 1 })
  await again.close()
  assert.equal(logLines(s.path).filter(e => e.type === 'usage').length, 5)
  const { info, damage } = await j.read(s.id)
  assert.deepEqual(damage, [])
  assert.equal(info.usage.events, 3)
  assert.deepEqual([info.usage.input, info.usage.output, info.usage.reasoning], [14, 8, 1])
  assert.deepEqual(info.usage.cost, { USD: 0.25 })
  assert.deepEqual(info.usage.unpriced, { events: 2, input: 4, output: 3, cacheRead: 0, cacheWrite: 0 })
  assert.deepEqual(Object.keys(info.usage.models).sort(), ['a', 'b'])
  assert.equal(info.usage.models.b!.events, 2)
  // Kept whole in meta.events, as older readers keep it (repeats included: the record of the log).
  assert.equal(info.meta.events.filter(e => e.type === 'usage').length, 5)
})

test('usage: a malformed usage line is bad-event damage and counts nothing', async t => {
  const { j, project } = journal(t)
  const s = await j.create({ project })
  await s.usage({ key: 'ok', model: 'm', input: 1, output: 1 })
  await s.close()
  fs.appendFileSync(s.path, '{"seq":2,"ts":"2026-01-01T00:00:00.000Z","type":"usage","key":"x","model":"m","input":-5,"output":1}\n')
  const { info, damage } = await j.read(s.id)
  assert.deepEqual(damage.map(d => [d.kind, d.line]), [['bad-event', 3]])
  assert.equal(info.usage.input, 1)
})

test('usage: model names such as constructor and __proto__ are plain keys', () => {
  const events = ['constructor', '__proto__', 'toString'].map((model, i) => ({ seq: i, ts: 't', type: 'usage', key: model, model, input: 1, output: 2 }))
  const { info } = fold(events as JournalEvent[])
  assert.deepEqual(Object.keys(info.usage.models).sort(), ['__proto__', 'constructor', 'toString'])
  assert.equal(info.usage.models['constructor']!.input, 1)
  assert.equal(JSON.parse(JSON.stringify(info.usage)).models.__proto__.output, 2)
})

const usageEvent = fc.record({
  key: fc.constantFrom('k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8'),
  model: fc.constantFrom('opus', 'sonnet', 'gpt'),
  input: fc.nat(1_000_000), output: fc.nat(100_000),
  reasoning: fc.option(fc.nat(10_000), { nil: undefined }),
  cacheRead: fc.option(fc.nat(10_000), { nil: undefined }),
  cost: fc.option(fc.integer({ min: 0, max: 1000 }).map(c => c / 8), { nil: undefined }),
  currency: fc.constantFrom(undefined, 'USD', 'EUR'),
}).map(e => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(e)) if (v !== undefined && !(k === 'currency' && e.cost === undefined)) out[k] = v
  return out
})

test('usage: fold totals equal an independent model over random streams (first of each key wins)', () => {
  fc.assert(fc.property(fc.array(usageEvent, { maxLength: 40 }), stream => {
    const events = stream.map((e, i) => ({ seq: i, ts: `t${i}`, type: 'usage', ...e })) as unknown as UsageEvent[]
    const { info } = fold(events as JournalEvent[])
    // The model: distinct by key in order, then plain sums.
    const firsts = events.filter((e, i) => events.findIndex(f => f.key === e.key) === i)
    const sum = (list: UsageEvent[], f: (e: UsageEvent) => number) => list.reduce((a, e) => a + f(e), 0)
    assert.equal(info.usage.events, firsts.length)
    assert.equal(info.usage.input, sum(firsts, e => e.input))
    assert.equal(info.usage.output, sum(firsts, e => e.output))
    assert.equal(info.usage.reasoning, sum(firsts, e => e.reasoning ?? 0))
    assert.equal(info.usage.cacheRead, sum(firsts, e => e.cacheRead ?? 0))
    for (const currency of ['USD', 'EUR']) {
      const priced = firsts.filter(e => e.cost !== undefined && (e.currency ?? 'USD') === currency)
      assert.equal(info.usage.cost[currency], priced.length ? sum(priced, e => e.cost!) : undefined)
    }
    assert.equal(info.usage.unpriced.input, sum(firsts.filter(e => e.cost === undefined), e => e.input))
    for (const model of ['opus', 'sonnet', 'gpt']) {
      const mine = firsts.filter(e => e.model === model)
      assert.equal(info.usage.models[model]?.output ?? 0, sum(mine, e => e.output))
      assert.equal(info.usage.models[model]?.events ?? 0, mine.length)
    }
  }))
})

test('emptySessionUsage: the empty totals plus no models, a new object each call', async () => {
  const { emptySessionUsage, emptyTotals } = await import('../../lib/core/usage.js')
  const a = emptySessionUsage()
  assert.deepEqual(a, { ...emptyTotals(), models: {} })
  a.input = 5
  a.cost.USD = 1
  a.unpriced.events = 2
  assert.deepEqual(emptySessionUsage(), { ...emptyTotals(), models: {} })
})
