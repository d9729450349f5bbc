import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  lineColumn, locator, MAX_CONFIG_BYTES, MAX_CONFIG_DEPTH, readConfigText, tooDeepAt,
} from '../../lib/config/text.js'
import { rejectsWith, tempDir } from '../helpers.js'

test('lineColumn counts 1-based lines and UTF-16 columns; CR is part of a line', () => {
  assert.deepEqual(lineColumn('abc', 0), { line: 1, column: 1 })
  assert.deepEqual(lineColumn('a\nbc', 3), { line: 2, column: 2 })
  assert.deepEqual(lineColumn('a\r\nbc', 4), { line: 2, column: 2 })
  assert.deepEqual(lineColumn('😀x', 2), { line: 1, column: 3 })
  // The newline itself ends its line; past the end keeps counting columns on the last line.
  assert.deepEqual(lineColumn('a\nb', 1), { line: 1, column: 2 })
  assert.deepEqual(lineColumn('a\nb', 9), { line: 2, column: 8 })
})

test('locator answers any offset, in any order, as lineColumn does', () => {
  const text = 'x\n\n  y\r\nlong line here\n\nz'
  const at = locator(text)
  const offsets = [...Array(text.length + 2).keys()].reverse()
  for (const offset of offsets) {
    // Reference: count the newlines before the offset.
    const before = text.slice(0, offset)
    const line = before.split('\n').length
    const column = offset - (before.lastIndexOf('\n') + 1) + 1
    assert.deepEqual(at(offset), { line, column }, `offset ${offset}`)
  }
  assert.deepEqual(locator('')(0), { line: 1, column: 1 })
})

test('tooDeepAt: undefined up to MAX_CONFIG_DEPTH, the offset of the first bracket past it', () => {
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)
  assert.equal(tooDeepAt('{ "share": "auto" }'), undefined)
  assert.equal(tooDeepAt(nested(MAX_CONFIG_DEPTH)), undefined)
  assert.equal(tooDeepAt(nested(MAX_CONFIG_DEPTH + 1)), MAX_CONFIG_DEPTH)
  // Brackets in strings and comments are not nesting.
  const quoted = `{ "a": "${'['.repeat(200)}" } // ${'{'.repeat(200)}\n/* ${'['.repeat(200)} */`
  assert.equal(tooDeepAt(quoted), undefined)
  // Siblings do not add up: 1000 objects side by side are 2 levels.
  assert.equal(tooDeepAt(`[${'{},'.repeat(1000)}{}]`), undefined)
  // A closer pops only its own opener: jsonc-parser skips a "}" inside an array and stays as
  // deep, and this pattern repeated overflows its stack, so the count must not drop either.
  const hidden = `{"x":${'['.repeat(60)}${'},'.repeat(60)}${'['.repeat(60)}`
  assert.equal(tooDeepAt(hidden), '{"x":'.length + 60 + 120 + (MAX_CONFIG_DEPTH - 61))
  for (const depth of [1000, 10_000, 100_000]) {
    assert.equal(tooDeepAt(`{ "x": ${nested(depth)} }`), 7 + MAX_CONFIG_DEPTH - 1, `depth ${depth}`)
  }
})

test('readConfigText: a missing file is undefined; up to MAX_CONFIG_BYTES is read, one byte more is ERR_CONFIG_INVALID', async t => {
  const dir = tempDir(t)
  const path = join(dir, 'config.jsonc')
  assert.equal(await readConfigText(path), undefined)
  const full = `{${' '.repeat(MAX_CONFIG_BYTES - 3)}}\n`
  await writeFile(path, full)
  assert.equal(await readConfigText(path), full)
  await writeFile(path, `${full} `)
  const error = await rejectsWith(readConfigText(path), 'ERR_CONFIG_INVALID')
  assert.equal(error.path, path)
  assert.equal(error.message, `${path}: a config file may hold at most 262144 bytes (256 KiB); this one is 262145 bytes`)
  // Multi-byte text counts in bytes, not characters.
  await writeFile(path, `"${'é'.repeat(MAX_CONFIG_BYTES / 2)}"`)
  await rejectsWith(readConfigText(path), 'ERR_CONFIG_INVALID')
})

test('readConfigText: a device whose stat says 0 bytes is cut off at the cap, not read forever', async t => {
  if (!existsSync('/dev/zero')) return t.diagnostic('no /dev/zero here')
  const path = join(tempDir(t), 'config.jsonc')
  await symlink('/dev/zero', path)
  const error = await rejectsWith(readConfigText(path), 'ERR_CONFIG_INVALID')
  assert.match(error.message, /at most 262144 bytes \(256 KiB\); this one is larger$/)
})
