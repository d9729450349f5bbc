import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as entry from '../../lib/server/index.js'

// The entry point is a public surface: anything added to it is a promise to keep.
test('session-journal/server exports the server and its store, nothing else', () => {
  assert.deepEqual(Object.keys(entry).sort(), ['DEFAULT_MAX_BODY_BYTES', 'ShareStore', 'defaultShareServerDir', 'isShareId', 'startShareServer'])
})
