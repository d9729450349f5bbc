/** The JSON Schema and the hand validator agree: same verdict, same first path. */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { test } from 'node:test'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { exportProblem } from '../../lib/export/validate.js'
import { repoRoot } from '../helpers.js'
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
