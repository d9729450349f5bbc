/**
 * Copying a disk store's shares into PostgreSQL (`session-journal serve migrate`):
 * the same ids and secret hashes, so every link and every journal's secret keep
 * working against the new store; the prepared bytes are made again from each
 * document. Idempotent: a share already in the database is left as it is and
 * counted, so a second run copies nothing. A share that cannot be read is
 * reported and skipped; a database that cannot be reached stops the run.
 */

import { DiskShareStore } from './store.js'
import { StoreUnavailableError } from './share-store.js'
import { PgShareStore, type PgStoreOptions } from './store-pg.js'

export interface MigrateOptions {
  /** The disk store's folder (`serve --dir`). It is read, not changed, except that a share of the store's first format is converted in place, as a server would. */
  from: string
  /** A postgres:// connection string; the schema is created or brought up to date first. */
  to: string
  postgres?: Omit<PgStoreOptions, 'heavy'>
  /** Told of each share as it is done with. */
  onShare?: (id: string, outcome: 'copied' | 'exists' | 'failed', error?: string) => void
}

export interface MigrateReport {
  /** Shares found in the folder. */
  found: number
  copied: number
  /** Already in the database (an earlier run): left as they are. */
  existing: number
  /** Shares that could not be read, with why; nothing of them was copied. */
  failed: Array<{ id: string, error: string }>
}

export async function migrateShareStore(options: MigrateOptions): Promise<MigrateReport> {
  const source = new DiskShareStore(options.from)
  const ids = await source.ids()
  const target = await PgShareStore.connect(options.to, options.postgres ?? {})
  const report: MigrateReport = { found: ids.length, copied: 0, existing: 0, failed: [] }
  try {
    for (const id of ids) {
      let outcome: 'copied' | 'exists'
      try {
        if (await target.has(id)) {
          outcome = 'exists'
        } else {
          const share = await source.get(id)
          if (share === undefined) throw new Error('its record is gone')
          outcome = await target.put({ id, ...share })
        }
      } catch (error) {
        if (error instanceof StoreUnavailableError) throw error
        // A record that does not parse says so by its file, not by JSON.parse's bare words.
        const message = error instanceof SyntaxError ? `${id}.json is not a readable record: ${error.message}` : (error as Error).message
        report.failed.push({ id, error: message })
        options.onShare?.(id, 'failed', message)
        continue
      }
      if (outcome === 'copied') report.copied++
      else report.existing++
      options.onShare?.(id, outcome)
    }
    return report
  } finally {
    await target.close()
  }
}
