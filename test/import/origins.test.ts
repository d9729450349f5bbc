import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { LogStore } from '../../lib/core/log-store.js'
import { nodeIO } from '../../lib/core/writer-io.js'
import { OriginIndex } from '../../lib/import/origins.js'
import { tempDir } from '../helpers.js'

test('OriginIndex: a cached origin costs no log read; a miss scans each log\'s head once per run', async t => {
  const root = path.join(tempDir(t), 'root')
  const store = new LogStore({ root, fsync: 'never', batchMs: 5, maxLineBytes: 1 << 20, lockStaleMs: 10_000, lockWaitMs: 0, io: nodeIO })
  const ids: string[] = []
  for (let i = 0; i < 5; i++) {
    const s = await store.create({ project: path.join(root, '..', 'p') })
    if (i < 3) await s.append('x.import.origin', { tool: 'gemini', id: `origin-${i}`, path: '/src', version: null, fingerprint: 'f' })
    else await s.append('x.other', { tool: 'gemini', id: `origin-${i}` })
    await s.close()
    ids.push(s.id)
  }
  const index = await OriginIndex.open(store, 'gemini')
  assert.equal(await index.find('origin-1'), ids[1])
  assert.equal(index.headsRead, 5, 'the miss scanned every log\'s head')
  assert.equal(await index.find('origin-3'), undefined, 'an origin event must be the first after the header')
  assert.equal(await index.find('nowhere'), undefined)
  assert.equal(index.headsRead, 5, 'once per run')
  await index.close()
  const cache = JSON.parse(fs.readFileSync(path.join(root, 'imports', 'gemini.json'), 'utf8')) as { origins: Array<{ id: string, session: string }> }
  assert.deepEqual(cache.origins.map(o => o.id).sort(), ['origin-0', 'origin-1', 'origin-2'])
  const again = await OriginIndex.open(store, 'gemini')
  assert.equal(await again.find('origin-2'), ids[2])
  assert.equal(again.headsRead, 0, 'a cached origin whose log exists: no scan')
  // Its log deleted: not trusted, looked for again.
  await store.delete(ids[2]!)
  assert.equal(await again.find('origin-2'), undefined)
  assert.equal(again.headsRead, 4)
  await again.close()
})
