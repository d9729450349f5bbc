import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as entry from '../../lib/server/index.js'

// The entry point is a public surface: anything added to it is a promise to keep.
test('session-journal/server exports the server, its stores and the migration, nothing else', () => {
  assert.deepEqual(Object.keys(entry).sort(), ['DEFAULT_MAX_BODY_BYTES', 'DiskShareStore', 'PgShareStore', 'StoreUnavailableError', 'defaultShareServerDir', 'isShareId', 'migrateShareStore', 'startShareServer'])
})
