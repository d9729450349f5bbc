/** Entry point of `session-journal/server`: the share server, its stores and the migration between them, nothing else. */

export { startShareServer, defaultShareServerDir, DEFAULT_MAX_BODY_BYTES } from './server.js'
export type { ShareServer, ShareServerOptions } from './server.js'
export { isShareId, StoreUnavailableError } from './share-store.js'
export type { ShareHead, ShareStore, ShareStoreOptions, ShareStoreStats, StoredShare } from './share-store.js'
export { DiskShareStore } from './store.js'
export { PgShareStore } from './store-pg.js'
export type { PgStoreOptions } from './store-pg.js'
export { migrateShareStore } from './store-migrate.js'
export type { MigrateOptions, MigrateReport } from './store-migrate.js'
