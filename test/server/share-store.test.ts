import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  StoreUnavailableError, hashSecret, isShareId, newShareId, newShareSecret, prepareDocument, secretMatches, versionOf,
} from '../../lib/server/share-store.js'
import { DEFAULT_PAGE_OPTIONS } from '../../lib/server/viewer.js'
import type { ShareDocument } from '../../lib/share/document.js'
import { emptySessionUsage } from '../../lib/core/usage.js'

test('secretMatches compares against the stored sha256 and refuses empty secrets', () => {
  assert.equal(secretMatches(hashSecret('right'), 'right'), true)
  assert.equal(secretMatches(hashSecret('right'), 'wrong'), false)
  assert.equal(secretMatches(hashSecret(''), ''), false)
  assert.equal(secretMatches(hashSecret('x'), undefined), false)
  assert.equal(secretMatches('abcd', 'x'), false, 'a tampered hash of another length')
})

test('ids are 22 base64url characters and secrets 43; nothing else passes isShareId', () => {
  const id = newShareId()
  assert.ok(isShareId(id))
  assert.match(newShareSecret(), /^[A-Za-z0-9_-]{43}$/)
  for (const bad of ['', '../../etc/passwd', `${id}x`, id.slice(1), "x' OR '1'='1 --------", '__proto__', `${id.slice(0, 21)}\n`]) {
    assert.equal(isShareId(bad), false, JSON.stringify(bad))
  }
})

test('prepareDocument serializes once: the version is the sha256 of the JSON bytes, the page is rendered escaped', () => {
  const created = '2024-05-01T12:00:00.000Z'
  const doc: ShareDocument = {
    format: 'session-journal', version: 1, messages: [],
    info: { id: '01J0000000000000000000000', projectId: 'p-000000000000', projectPath: 'p', created, updated: created, title: '<b>t</b>', parentId: null, share: null, usage: emptySessionUsage(), meta: { host: null, events: [] } },
  }
  const id = newShareId()
  const prepared = prepareDocument(id, doc, DEFAULT_PAGE_OPTIONS)
  assert.equal(prepared.json.toString(), JSON.stringify(doc))
  assert.equal(prepared.version, versionOf(prepared.json))
  assert.match(prepared.version, /^[0-9a-f]{32}$/)
  const html = prepared.html.toString()
  assert.ok(html.includes('&lt;b&gt;t&lt;/b&gt;'))
  assert.ok(!html.includes('<b>t</b>'))
})

test('StoreUnavailableError carries the stable code the server answers 503 with', () => {
  const error = new StoreUnavailableError('away', { cause: new Error('ECONNREFUSED') })
  assert.equal(error.code, 'ERR_STORE_UNAVAILABLE')
  assert.equal(error.name, 'StoreUnavailableError')
  assert.ok(error.cause instanceof Error)
})
