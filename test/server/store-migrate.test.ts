/**
 * Migrating a disk store into PostgreSQL: every share keeps its link and its secret, a second
 * run copies nothing, a share that cannot be read is reported by id and the others still go.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile, rm, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { migrateShareStore } from '../../lib/server/store-migrate.js'
import { startShareServer } from '../../lib/server/server.js'
import { StoreUnavailableError, hashSecret, newShareId, newShareSecret, type StoredShare } from '../../lib/server/share-store.js'
import { DiskShareStore } from '../../lib/server/store.js'
import type { ShareDocument } from '../../lib/share/document.js'
import { tempDir } from '../helpers.js'
import { startPgCluster, type PgCluster } from './pg-cluster.js'
import { loadDoc, withTitle } from './docs.js'

let cluster: PgCluster
before(async () => { cluster = await startPgCluster() })
after(() => cluster?.destroy())

test('migrate copies ids, secret hashes and documents; a second run copies nothing; unreadable shares are reported', async (t) => {
  const dir = join(tempDir(t, 'sj-migrate-'), 'store')
  const disk = new DiskShareStore(dir)
  await disk.init()
  const doc = await loadDoc()
  const shares = await Promise.all([0, 1, 2].map(i => disk.create(withTitle(doc, `share ${i}`))))
  // One in the store's first format (everything in <id>.json), one whose record is damaged, one whose document is gone.
  const legacy = { id: newShareId(), secret: newShareSecret() }
  const old: StoredShare = { secretHash: hashSecret(legacy.secret), created: '2024-01-01T00:00:00.000Z', updated: '2024-01-02T00:00:00.000Z', document: withTitle(doc, 'legacy') }
  await writeFile(join(dir, `${legacy.id}.json`), JSON.stringify(old), { mode: 0o600 })
  const damaged = newShareId()
  await writeFile(join(dir, `${damaged}.json`), '{"store":2,"secretHash":', { mode: 0o600 })
  const orphan = await disk.create(withTitle(doc, 'orphan'))
  for (const name of await readdir(dir)) if (name.startsWith(`${orphan.id}.`) && name.endsWith('.document')) await rm(join(dir, name))

  const to = await cluster.createDatabase()
  const seen: string[] = []
  const first = await migrateShareStore({ from: dir, to, onShare: (id, outcome) => seen.push(`${id}:${outcome}`) })
  assert.equal(first.found, 6)
  assert.equal(first.copied, 4, JSON.stringify(first))
  assert.equal(first.existing, 0)
  assert.deepEqual(first.failed.map(f => f.id).sort(), [damaged, orphan.id].sort())
  const why = Object.fromEntries(first.failed.map(f => [f.id, f.error]))
  assert.match(why[damaged]!, new RegExp(`^${damaged}\\.json is not a readable record`))
  assert.match(why[orphan.id]!, /the document its record names is missing/)
  assert.equal(seen.length, 6)

  const second = await migrateShareStore({ from: dir, to })
  assert.deepEqual({ ...second, failed: second.failed.length }, { found: 6, copied: 0, existing: 4, failed: 2 })

  // Served from PostgreSQL under the same links, changed with the same secrets.
  const server = await startShareServer({ store: to })
  t.after(() => server.close())
  for (const [i, share] of shares.entries()) {
    const answer = await fetch(`${server.url}/api/share/${share.id}`)
    assert.equal(answer.status, 200)
    assert.equal(((await answer.json()) as ShareDocument).info.title, `share ${i}`)
  }
  assert.match(await (await fetch(`${server.url}/s/${legacy.id}`)).text(), /<h1>legacy<\/h1>/)
  const wrong = await fetch(`${server.url}/api/share/${shares[0]!.id}`, { method: 'DELETE', headers: { authorization: 'Bearer wrong' } })
  assert.equal(wrong.status, 403)
  const removed = await fetch(`${server.url}/api/share/${legacy.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${legacy.secret}` } })
  assert.equal(removed.status, 204)
  assert.equal((await fetch(`${server.url}/api/share/${damaged}`)).status, 404)
  // The disk store still serves what it had: migrating reads it.
  assert.equal((await disk.get(shares[1]!.id))?.document.info.title, 'share 1')
})

test('migrate from an empty folder copies nothing; a database that cannot be reached rejects with StoreUnavailableError', async (t) => {
  const dir = join(tempDir(t, 'sj-migrate-'), 'store')
  const disk = new DiskShareStore(dir)
  await disk.init()
  assert.deepEqual(await migrateShareStore({ from: dir, to: await cluster.createDatabase() }), { found: 0, copied: 0, existing: 0, failed: [] })
  await assert.rejects(migrateShareStore({ from: dir, to: `postgres://postgres@/x?host=${cluster.dir}/missing`, postgres: { connectTimeoutMs: 1_000 } }),
    (error: Error) => error instanceof StoreUnavailableError)
})
