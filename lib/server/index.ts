/** Entry point of `session-journal/server`: the share server and its store, nothing else. */

export { startShareServer, defaultShareServerDir, DEFAULT_MAX_BODY_BYTES } from './server.js'
export type { ShareServer, ShareServerOptions } from './server.js'
export { ShareStore, isShareId } from './store.js'
export type { StoredShare } from './store.js'
