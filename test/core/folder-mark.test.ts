import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { tempDir } from '../helpers.js'
import { liveSince, lockedId, markOf, stampFolder } from '../../lib/core/folder-mark.js'
import { newId } from '../../lib/core/ids.js'

test('stampFolder: inode and ctime of a folder; null for a missing path or a file; racy while the change is recent', t => {
  const dir = tempDir(t)
  assert.equal(stampFolder(path.join(dir, 'missing')), null)
  fs.writeFileSync(path.join(dir, 'file'), '')
  assert.equal(stampFolder(path.join(dir, 'file')), null)
  const folder = stampFolder(dir)!
  assert.match(folder.stamp, new RegExp(`^${fs.statSync(dir).ino}:\\d+$`))
  assert.equal(folder.racy, true, 'changed just now (the file above)')
  assert.equal(stampFolder(dir, 0)!.racy, false)
})

test('markOf and liveSince: a mark holds while the folder is unchanged, and names the writers it saw; any entry made or removed ends it', async t => {
  const dir = tempDir(t)
  const id = newId()
  const mark = markOf(stampFolder(dir, 0)!, [id])!
  assert.deepEqual(liveSince(mark, stampFolder(dir, 0)!), [id])
  assert.equal(markOf(stampFolder(dir)!, []), null, 'a racy folder is not marked')
  assert.equal(liveSince(null, stampFolder(dir, 0)!), null)
  await new Promise(resolve => setTimeout(resolve, 20)) // ctime moves in ticks
  fs.mkdirSync(path.join(dir, `${id}.ndjson.lock`))
  assert.equal(liveSince(mark, stampFolder(dir, 0)!), null)
  // A mark of another folder (another inode) never holds, whatever its ctime.
  const [, ctime] = stampFolder(dir, 0)!.stamp.split(':')
  assert.equal(liveSince(`1:${ctime}`, stampFolder(dir, 0)!), null)
})

test('lockedId: the session id of a writer\'s lock folder; anything else (a log, a traversal, a bad id) is none', () => {
  const id = newId()
  assert.equal(lockedId(`${id}.ndjson.lock`), id)
  for (const name of [`${id}.ndjson`, `../${id}.ndjson.lock`, 'x.ndjson.lock', '.ndjson.lock', `${id}.lock`, '__proto__.ndjson.lock']) assert.equal(lockedId(name), undefined, name)
})
