import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadShareRecord, removeShareRecord, saveShareRecord } from '../../lib/share/records.js'
import type { ShareRecord } from '../../lib/share/provider.js'
import { tempDir } from '../helpers.js'

const SESSION = '01JD6Y1R9QK3F3W6N2B8C4D5E6'
const record: ShareRecord = {
  shareId: 'q3xG8v0M2kYtLw9ZpR4sAb',
  url: 'https://share.example.test/s/q3xG8v0M2kYtLw9ZpR4sAb',
  secret: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I',
  server: 'https://share.example.test',
}

async function tempRoot(t: TestContext): Promise<string> {
  const root = tempDir(t, 'sj-share-secrets-')
  return root
}

test('a saved record loads back, 0600 in a 0700 folder under <root>/shares', async (t) => {
  const root = await tempRoot(t)
  await saveShareRecord(root, SESSION, record)
  const path = join(root, 'shares', `${SESSION}.json`)
  assert.equal((await stat(path)).mode & 0o777, 0o600)
  assert.equal((await stat(join(root, 'shares'))).mode & 0o777, 0o700)
  assert.deepEqual(await loadShareRecord(root, SESSION), record)
  assert.deepEqual(await readdir(join(root, 'shares')), [`${SESSION}.json`])
})

test('saving again replaces the record', async (t) => {
  const root = await tempRoot(t)
  await saveShareRecord(root, SESSION, record)
  const next = { ...record, shareId: 'other', url: 'https://share.example.test/s/other' }
  await saveShareRecord(root, SESSION, next)
  assert.deepEqual(await loadShareRecord(root, SESSION), next)
})

test('a missing record is undefined, not an error', async (t) => {
  const root = await tempRoot(t)
  assert.equal(await loadShareRecord(root, SESSION), undefined)
  assert.equal(await loadShareRecord(join(root, 'does-not-exist'), SESSION), undefined)
})

test('remove deletes the record and says whether there was one', async (t) => {
  const root = await tempRoot(t)
  await saveShareRecord(root, SESSION, record)
  assert.equal(await removeShareRecord(root, SESSION), true)
  assert.equal(await loadShareRecord(root, SESSION), undefined)
  assert.equal(await removeShareRecord(root, SESSION), false)
  assert.deepEqual(await readdir(join(root, 'shares')), [])
})

test('ids that are not ULIDs are ERR_INVALID_ID before any path is built', async (t) => {
  const root = await tempRoot(t)
  const bad = ['../../etc/passwd', '01jd6y1r9qk3f3w6n2b8c4d5e6', '81JD6Y1R9QK3F3W6N2B8C4D5E6', '01JD6Y1R9QK3F3W6N2B8C4D5E', '01JD6Y1R9QK3F3W6N2B8C4D5EU', '']
  for (const id of bad) {
    await assert.rejects(saveShareRecord(root, id, record), { code: 'ERR_INVALID_ID' })
    await assert.rejects(loadShareRecord(root, id), { code: 'ERR_INVALID_ID' })
    await assert.rejects(removeShareRecord(root, id), { code: 'ERR_INVALID_ID' })
  }
  assert.deepEqual(await readdir(root), [])
})

test('a damaged record is ERR_SHARE_FAILED naming the file', async (t) => {
  const root = await tempRoot(t)
  const path = join(root, 'shares', `${SESSION}.json`)
  await mkdir(join(root, 'shares'), { recursive: true })
  for (const text of ['{"shareId":', '{"shareId":"a","url":"u","server":"s"}', 'null']) {
    await writeFile(path, text)
    await assert.rejects(loadShareRecord(root, SESSION), { code: 'ERR_SHARE_FAILED', path })
  }
})
