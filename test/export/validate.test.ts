/** The JSON Schema and the hand validator agree: same verdict, same first path. */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { test } from 'node:test'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { deeperThan, exportProblem, MAX_EXPORT_DEPTH } from '../../lib/export/validate.js'
import { rejectsWith, repoRoot, treeOf } from '../helpers.js'
import { journalIn, richSession } from '../sessions.js'

const schema = JSON.parse(fs.readFileSync(`${repoRoot}/docs/export.schema.json`, 'utf8'))
// strictTuples only warns that `events` is an open tuple (a header, then any events): it is meant to be.
const validate = new Ajv2020({ strictTuples: false }).compile(schema)

/** ajv's first error as the validator's path: `/messages/3/parts/0` + missing `type` -> `messages[3].parts[0].type`. */
function ajvPath(): string {
  const error = validate.errors![0]!
  let at = error.instancePath.split('/').slice(1).map(s => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`)).join('')
  const extra = (error.params as { missingProperty?: string, additionalProperty?: string })
  const key = extra.missingProperty ?? extra.additionalProperty
  if (key !== undefined) at += `.${key}`
  return at.replace(/^\./, '')
}

type Doc = Record<string, any>
const clone = (doc: unknown): Doc => JSON.parse(JSON.stringify(doc))

/** One defect each, and the path both must name. */
const DEFECTS: Array<[string, (d: Doc) => void, string]> = [
  ['not an object', d => { for (const k of Object.keys(d)) delete d[k]; d.format = 'session-journal' }, 'version'],
  ['wrong format', d => { d.format = 'other' }, 'format'],
  ['wrong version', d => { d.version = 2 }, 'version'],
  ['extra top-level key', d => { d.extra = 1 }, 'extra'],
  ['missing info', d => { delete d.info }, 'info'],
  ['bad info id', d => { d.info.id = 'not-a-ulid' }, 'info.id'],
  ['bad project id', d => { d.info.projectId = 'UPPER' }, 'info.projectId'],
  ['title a number', d => { d.info.title = 3 }, 'info.title'],
  ['extra info key', d => { d.info.more = true }, 'info.more'],
  ['share without url', d => { delete d.info.share.url }, 'info.share.url'],
  ['host without name', d => { d.info.meta.host = { version: '1' } }, 'info.meta.host.name'],
  ['kept event of a folded type', d => { d.info.meta.events[1].type = 'message' }, 'info.meta.events[1].type'],
  ['kept event with seq', d => { d.info.meta.events[0].seq = 4 }, 'info.meta.events[0].seq'],
  ['kept event without ts', d => { delete d.info.meta.events[0].ts }, 'info.meta.events[0].ts'],
  ['messages not an array', d => { d.messages = {} }, 'messages'],
  ['bad role', d => { d.messages[1].role = 'robot' }, 'messages[1].role'],
  ['part type a number', d => { d.messages[1].parts[1].type = 1 }, 'messages[1].parts[1].type'],
  ['part without type', d => { delete d.messages[1].parts[0].type }, 'messages[1].parts[0].type'],
  ['message meta an array', d => { d.messages[1].meta = [] }, 'messages[1].meta'],
  ['extra message key', d => { d.messages[0].seq = 1 }, 'messages[0].seq'],
  ['empty events', d => { d.events = [] }, 'events'],
  ['first event not a header', d => { d.events[0].type = 'title' }, 'events[0].type'],
  ['first event a message', d => { d.events.shift() }, 'events[0].projectId'],
  ['header id not a ULID', d => { d.events[0].id = 'x' }, 'events[0].id'],
  ['negative seq', d => { d.events[2].seq = -1 }, 'events[2].seq'],
  ['message event without parts', d => { const i = d.events.findIndex((e: Doc) => e.type === 'message'); delete d.events[i].parts }, 'events[1].parts'],
  ['part event part without id', d => { const i = d.events.findIndex((e: Doc) => e.type === 'part'); delete d.events[i].part.id }, 'events[3].part.id'],
  ['title event title null', d => { const i = d.events.findIndex((e: Doc) => e.type === 'title'); d.events[i].title = null }, 'events[6].title'],
  ['share event without shareId', d => { const i = d.events.findIndex((e: Doc) => e.type === 'share'); delete d.events[i].shareId }, 'events[10].shareId'],
  ['revert event messageId a number', d => { const i = d.events.findIndex((e: Doc) => e.type === 'revert'); d.events[i].messageId = 5 }, 'events[9].messageId'],
]

test('real exports are valid for both ajv and the hand validator', async t => {
  const { journal, project } = journalIn(t)
  const id = await richSession(journal, project)
  const empty = await journal.create({ project })
  await empty.close()
  for (const doc of [await journal.export(id), await journal.export(id, { events: true }), await journal.export(id, { redact: true }),
    await journal.export(empty.id, { events: true })]) {
    assert.equal(validate(doc), true, JSON.stringify(validate.errors))
    assert.equal(exportProblem(doc), undefined)
  }
})

test('ajv and the hand validator reject the same defects at the same path', async t => {
  const { journal, project } = journalIn(t)
  const base = await journal.export(await richSession(journal, project), { events: true })
  for (const [name, spoil, expected] of DEFECTS) {
    const doc = clone(base)
    spoil(doc)
    assert.equal(validate(doc), false, `${name}: ajv accepted it`)
    const problem = exportProblem(doc)
    assert.ok(problem, `${name}: the hand validator accepted it`)
    assert.equal(ajvPath(), expected, `${name}: ajv path`)
    assert.equal(problem.path, expected, `${name}: hand validator path`)
  }
  for (const value of [null, [], 'text', 3]) {
    assert.equal(validate(value), false)
    assert.deepEqual(exportProblem(value)?.path, '')
  }
})

/** A value nested `levels` levels (arrays and objects alternating), built in a loop. */
function nested(levels: number): any {
  let value: any = 1
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { a: value }
  return value
}

test('deeperThan counts levels of arrays and objects in a loop: any depth, cycles included', () => {
  assert.equal(deeperThan('text', 0), false)
  assert.equal(deeperThan({}, 0), true)
  assert.equal(deeperThan({}, 1), false)
  assert.equal(deeperThan([1, { a: [] }, 'x'], 3), false)
  assert.equal(deeperThan([1, { a: [] }, 'x'], 2), true)
  assert.equal(deeperThan(nested(1_000_000), 999_999), true)
  assert.equal(deeperThan(nested(1_000_000), 1_000_000), false)
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  assert.equal(deeperThan(cyclic, 10), true)
})

test('a document nested deeper than MAX_EXPORT_DEPTH is refused naming the part; import writes nothing', async t => {
  const { journal, project, root } = journalIn(t)
  const base = await journal.export(await richSession(journal, project), { events: true })
  assert.equal(MAX_EXPORT_DEPTH, 1005)
  // Content of MAX_JSON_DEPTH levels passes in its deepest place (info.meta.events[0].data, 5 levels down).
  const places: Array<[string, (d: Doc, v: unknown) => void]> = [
    ['info', (d, v) => { d.info.meta.events[0].data = v }],
    ['messages[1]', (d, v) => { d.messages[1].parts[0].v = v }],
    ['events[2]', (d, v) => { d.events[2].meta = { v } }],
  ]
  for (const [at, put] of places) {
    // 1001 is one level too many only in the deepest place.
    for (const levels of [10, 1000, ...(at === 'info' ? [1001] : []), 10_000, 100_000]) {
      const doc = clone(base)
      put(doc, nested(levels))
      if (levels <= 1000) {
        assert.equal(exportProblem(doc), undefined, `${at} ${levels}`)
        continue
      }
      assert.deepEqual(exportProblem(doc), { path: at, message: 'nests deeper than an export document may (1005 levels from its top)' })
      const before = treeOf(root)
      const error = await rejectsWith(journal.import(doc, { newId: true }), 'ERR_INVALID_EXPORT')
      assert.equal(error.message, `invalid export document: ${at} nests deeper than an export document may (1005 levels from its top)`)
      assert.deepEqual(treeOf(root), before)
    }
  }
  // The same as text: a document's JSON, and a raw log whose line is too deep.
  const marked = clone(base)
  marked.messages[1].parts[0].v = 'DEEP'
  const text = JSON.stringify(marked).replace('"DEEP"', `${'['.repeat(100_000)}${']'.repeat(100_000)}`)
  assert.ok(text.length > 200_000)
  const before = treeOf(root)
  await rejectsWith(journal.import(text, { newId: true }), 'ERR_INVALID_EXPORT')
  const log = fs.readFileSync((await journal.locate(base.info.id)).path, 'utf8')
  const deepLog = `${log}{"seq":99,"ts":"2030-01-01T00:00:00.000Z","type":"x.deep","data":${'['.repeat(100_000)}${']'.repeat(100_000)}}\n`
  await rejectsWith(journal.import(deepLog, { newId: true }), 'ERR_INVALID_EXPORT')
  assert.deepEqual(treeOf(root), before)
})
