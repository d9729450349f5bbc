/**
 * The Journal: the composition root and the one class a host learns. It builds the core (a
 * LogStore over one root) and plugs the features into it through narrow ports (export,
 * import, sharing); every method is a line or two of wiring. docs/architecture.md has the
 * picture, docs/api.md the contract.
 */
import type { Writable } from 'node:stream'
import { loadConfig } from './config/load.js'
import type { Durability } from './core/appender.js'
import { nodeIO, WRITER_IO, type WriterIO } from './core/writer-io.js'
import { UsageError } from './core/errors.js'
import type { Follower } from './core/follow.js'
import type { SessionRow } from './core/list.js'
import type { SessionLocation } from './core/locate.js'
import { DEFAULT_STALE_MS } from './core/lock.js'
import { LogStore, type CreateOptions, type ListOptions } from './core/log-store.js'
import { resolveRoot } from './core/paths.js'
import type { PermissionWarning } from './core/permissions.js'
import { DEFAULT_MAX_LINE_BYTES, type ReadOptions } from './core/reader.js'
import type { Session } from './core/session.js'
import type { History, JournalEvent } from './core/types.js'
import type { VerifyOptions, VerifyReport } from './core/verify.js'
import { exportSession, exportTo, type ExportDocument, type ExportOptions, type StreamedExport } from './export/export.js'
import { importSession, type ImportOptions } from './export/import.js'
import type { MarkdownOptions } from './export/markdown.js'
import type { OpenCodeDocument, OpenCodeExportOptions } from './export/opencode.js'
import { parseImportText } from './export/parse.js'
import type { ImportFromOptions, ImportFromResult } from './import/import-from.js'
import { amend, deleteOutcome, type UnshareOptions, type UnshareResult } from './share/outcome.js'
import type { Search, SearchHit, SearchOptions } from './search/search.js'
import { Sharing, type ShareOptions } from './share/sharing.js'
import type { ShareStatus } from './share/sync.js'
import type { UsageOptions, UsageReport } from './usage/report.js'

export interface JournalOptions {
  /** Where sessions live; default `$SESSION_JOURNAL_HOME` (of `env`), else the platform's data folder. */
  root?: string
  /** When an append is acknowledged: after the OS has it ('never', 'batch') or after fdatasync ('always'). */
  fsync?: Durability
  /** 'batch': the longest an acknowledged event waits for its fdatasync (ms). */
  batchMs?: number
  /** Largest event line accepted by writers and readers (bytes). */
  maxLineBytes?: number
  /** A writer's lock not refreshed for this long is a dead writer's and may be taken over (ms). */
  lockStaleMs?: number
  /** create/resume wait this long for another writer to let go before ERR_SESSION_LOCKED (ms). */
  lockWaitMs?: number
  /** Where the global config lives (default `$SESSION_JOURNAL_CONFIG_DIR`, else the platform's). */
  configDir?: string
  /** Environment read for `SESSION_JOURNAL_*` settings; default `process.env`. */
  env?: NodeJS.ProcessEnv
  /** Sharing: transport, server, debounce, redaction. */
  share?: ShareOptions
  /** The fault seam for tests: set only through `session-journal/testing`. */
  [WRITER_IO]?: WriterIO
}

export interface DeleteOptions {
  /**
   * Delete even when the session's share cannot be taken down (its server is gone): the copy
   * may stay online at its link, and its record stays so that unshare can still take it down.
   */
  force?: boolean
}

export interface DeleteResult {
  /** The session's share from here, if it had one: taken down (`removed`), or left as it was (`force`). */
  share: UnshareResult | null
}

export class Journal {
  /** The folder everything of this journal lives under. */
  readonly root: string
  private readonly logs: LogStore
  private readonly sharing: Sharing
  private readonly config: (project: string) => ReturnType<typeof loadConfig>
  // Loaded by the first search: a listing or an append never loads the search modules.
  private searcher: Promise<Search> | undefined

  constructor(options: JournalOptions = {}) {
    const env = options.env ?? process.env
    this.root = resolveRoot(options.root, env)
    const fsync = options.fsync ?? 'batch'
    if (!['always', 'batch', 'never'].includes(fsync)) throw new UsageError(`fsync must be 'always', 'batch' or 'never', got ${JSON.stringify(fsync)}`)
    this.logs = new LogStore({
      root: this.root,
      fsync,
      batchMs: options.batchMs ?? 50,
      maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
      lockStaleMs: options.lockStaleMs ?? DEFAULT_STALE_MS,
      lockWaitMs: options.lockWaitMs ?? 0,
      io: options[WRITER_IO] ?? nodeIO,
    })
    const configDir = options.configDir
    this.config = project => loadConfig({ project, env, ...(configDir === undefined ? {} : { configDir }) })
    this.sharing = new Sharing(this.logs, options.share ?? {}, { config: this.config, env })
  }

  /** Starts a new session in `project` and holds it for writing until `close()`. */
  create(options: CreateOptions): Promise<Session> {
    return this.logs.create(options)
  }

  /** Opens an existing session for appending; seq goes on where it stopped. Reads only head and tail. */
  resume(id: string): Promise<Session> {
    return this.logs.resume(id)
  }

  /** The folded history. Damage is reported in `damage` (thrown with `strict`). */
  read(id: string, options: ReadOptions = {}): Promise<History> {
    return this.logs.readHistory(id, options.strict ? { strict: true } : {})
  }

  /** The raw events, streaming, header first. Damaged lines are skipped (thrown with `strict`). */
  events(id: string, options: ReadOptions = {}): AsyncGenerator<JournalEvent> {
    return this.logs.events(id, options)
  }

  /** Every session (of one project folder when `project` is given), newest `updated` first. */
  list(options?: ListOptions): Promise<SessionRow[]> {
    return this.logs.list(options)
  }

  /**
   * Deletes a session's log and its set-aside torn tails, unsharing it first. Refused while a
   * writer holds it, and while a share cannot be taken down (nothing is deleted then) unless `force`.
   */
  async delete(id: string, options: DeleteOptions = {}): Promise<DeleteResult> {
    await this.logs.assertNotHeld(id) // a held session is refused before any side effect
    const share = await this.sharing.takeDown(id, options.force === true)
    await this.logs.delete(id).catch(error => { throw share ? amend(error, deleteOutcome(share)) : error })
    return { share }
  }

  /** The session as one JSON document: `{ format, version, info, messages[, events] }`. */
  export(id: string, options?: ExportOptions): Promise<ExportDocument> {
    return exportSession(this.logs, id, options)
  }

  /** Writes the export document to `out`, streaming (never the whole JSON text in memory). Does not end `out`. */
  exportTo(id: string, out: Writable, options?: ExportOptions): Promise<StreamedExport> {
    return exportTo(this.logs, id, out, options)
  }

  /** The session as a readable Markdown transcript (docs/export.md), tool outputs cut. */
  async exportMarkdown(id: string, options?: MarkdownOptions): Promise<string> {
    return (await import('./export/markdown.js')).exportMarkdown(this.logs, id, options)
  }

  /** The session as OpenCode's export document, for `opencode import` (docs/import.md#opencode-export). */
  async exportOpenCode(id: string, options?: OpenCodeExportOptions): Promise<OpenCodeDocument> {
    return (await import('./export/opencode.js')).exportOpenCode(this.logs, id, options)
  }

  /**
   * Writes a session from an export document, or from text: a document's JSON or a raw NDJSON
   * log. Resolves to the new session's id.
   */
  async import(source: unknown, options?: ImportOptions): Promise<string> {
    const doc = typeof source === 'string' ? await parseImportText(source, options?.source) : source
    return importSession(this.logs, doc, options)
  }

  /**
   * Imports another tool's sessions (`claude-code`, `codex`, `opencode`, `gemini`) from its default
   * location or from `sources` (files, folders, globs); again, only what changed (docs/import.md).
   */
  async importFrom(tool: string, sources?: readonly string[], options?: ImportFromOptions): Promise<ImportFromResult> {
    // Loaded on first use, as search and usage are: a host that never imports never loads the peers.
    const [{ importFrom }, { peerFor }] = await Promise.all([import('./import/import-from.js'), import('./import/peers.js')])
    return importFrom(this.logs, peerFor(tool), sources, options)
  }

  /** Publishes the session to the share server; resolves to its public link. */
  share(id: string): Promise<{ url: string }> {
    return this.sharing.share(id)
  }

  /**
   * Removes the published copy (not with `local`: then the server is not contacted), then
   * records `unshare`. Resolves to false when it was not shared from here.
   */
  unshare(id: string, options?: UnshareOptions): Promise<UnshareResult | false> {
    return this.sharing.unshare(id, options)
  }

  /** How the sync of a session shared and opened here is doing; undefined when there is none. */
  shareStatus(id: string): ShareStatus | undefined {
    return this.sharing.status(id)
  }

  /**
   * Usage totals grouped by day, week, month, project, model or session, from the listing cache.
   * Prices: the global config's, and the project's files when `project` is given.
   */
  async usage(options: UsageOptions = {}): Promise<UsageReport> {
    const { prices } = await this.config(options.project ?? this.root)
    return (await import('./usage/report.js')).usageReport(this.logs, prices ?? {}, options)
  }

  /**
   * Ranked full-text search over every session (words AND-ed, "phrases", prefix*, -exclusions),
   * best first. The index is a cache under the root, caught up from the logs at each search.
   */
  search(query: string, options?: SearchOptions): Promise<SearchHit[]> {
    return (this.searcher ??= import('./search/search.js').then(m => new m.Search(this.logs))).then(s => s.search(query, options))
  }

  /** Reads every line of the log and reports damage; `repair` sets a torn tail aside. */
  verify(id: string, options?: VerifyOptions): Promise<VerifyReport> {
    return this.logs.verify(id, options)
  }

  /** A follower of the log: read() what was appended since, follow() as it grows. */
  follow(id: string, options?: { pollMs?: number }): Promise<Follower> {
    return this.logs.follow(id, options)
  }

  /** Which project a session belongs to, and its log file. ERR_INVALID_ID before any path is built. */
  locate(id: string): Promise<SessionLocation> {
    return this.logs.locate(id)
  }

  /**
   * Lets go of everything this Journal holds: closes the sessions it opened that are still open
   * (each flushes; appends to them then fail with ERR_SESSION_CLOSED) and the search index's
   * connection. The Journal stays usable: a later call opens what it needs again.
   */
  async close(): Promise<void> {
    try {
      await this.logs.closeAll()
    } finally {
      // Search loads on first use: a Journal that never searched has no index to let go of.
      if (this.searcher) await (await this.searcher).release()
    }
  }

  /** Folders and files under the root that group or others can reach. Changes nothing. */
  permissions(): Promise<PermissionWarning[]> {
    return this.logs.permissions()
  }
}
