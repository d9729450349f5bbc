import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { fileFingerprint, findFiles } from '../../lib/import/files.js'
import { tempDir } from '../helpers.js'

test('findFiles: folders searched recursively for accepted names, named files kept, links to folders not followed', async t => {
  const dir = tempDir(t)
  fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true })
  for (const f of ['a/1.jsonl', 'a/b/2.jsonl', 'a/b/skip.txt', 'named.txt']) fs.writeFileSync(path.join(dir, f), '')
  fs.symlinkSync(dir, path.join(dir, 'a', 'loop')) // a cycle: must not be walked
  const found = await findFiles([path.join(dir, 'a'), path.join(dir, 'named.txt'), path.join(dir, 'missing'), path.join(dir, 'a', '1.jsonl')],
    file => file.endsWith('.jsonl'))
  assert.deepEqual(found.map(f => path.relative(dir, f)), ['a/1.jsonl', 'a/b/2.jsonl', 'named.txt'])
})

test('fileFingerprint: changes with size and with mtime', async t => {
  const file = path.join(tempDir(t), 'f')
  fs.writeFileSync(file, 'abc')
  fs.utimesSync(file, 1000, 1000)
  const first = await fileFingerprint(file)
  fs.writeFileSync(file, 'abd')
  fs.utimesSync(file, 1000, 1000)
  assert.equal(await fileFingerprint(file), first, 'same size and mtime: the same (a rewrite in place keeping both is not seen)')
  fs.utimesSync(file, 1000, 2000)
  assert.notEqual(await fileFingerprint(file), first)
  fs.appendFileSync(file, 'x')
  fs.utimesSync(file, 1000, 1000)
  assert.notEqual(await fileFingerprint(file), first)
})
