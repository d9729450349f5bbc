/**
 * The core as plug-ins see it. A plug-in (export, import, sharing, and later search, usage,
 * importers) is handed a Pick of CorePorts naming only what it uses, never the Journal: so
 * no plug-in can reach into another, and none imports the composition root.
 */
import type { BatchListener, HistoryReader } from './history.js'
import type { UsageCollector } from './list.js'
import type { SessionLocation } from './locate.js'
import type { ProjectLogs, LogFile } from './log-files.js'
import type { ReadOptions, ScanPosition, ScanState } from './reader.js'
import type { OpenSession } from './session.js'
import type { HeaderEvent, History, JournalEvent } from './types.js'

/** How a session came to be open: made by create() (with its parent), or resumed. */
export interface SessionOrigin {
  created: boolean
  parentId: string | null
}

/** Told of every session create()/resume() opens, before the host gets it. Must not throw. */
export type OpenedListener = (session: OpenSession, origin: SessionOrigin) => Promise<void>

export interface CorePorts {
  readonly root: string
  readonly maxLineBytes: number
  /** Which project a session belongs to, and its log. ERR_INVALID_ID / ERR_SESSION_NOT_FOUND. */
  locate(id: string): Promise<SessionLocation>
  /** The folder a project stands for (from its record), or null. */
  projectPathOf(projectId: string): string | null
  /** The folded history, as read() returns it; `onBatch` sees the raw events as they are folded. */
  readHistory(id: string, options?: ReadOptions & { onBatch?: BatchListener }): Promise<History>
  /** An incremental fold of an open session's log (each read() scans only what was appended). */
  historyReader(session: Pick<OpenSession, 'id' | 'projectId' | 'projectPath' | 'path'>): HistoryReader
  /** The raw events, header first. */
  events(id: string, options?: ReadOptions): AsyncGenerator<JournalEvent>
  /** Starts a log whose header is given whole. ERR_SESSION_EXISTS when the id is taken anywhere in the root. */
  createLog(header: Omit<HeaderEvent, 'seq'>): Promise<OpenSession>
  /**
   * Writes a whole log: `fill` appends to a session no one else can see, which appears under its
   * id only once `fill` resolved and everything is synced; if anything fails, or the process
   * dies, there is no session (import). ERR_SESSION_EXISTS as createLog.
   */
  importLog(header: Omit<HeaderEvent, 'seq'>, fill: (session: OpenSession) => Promise<void>): Promise<void>
  /** Runs `fn` with a writer: the one this journal holds open, or a resume closed afterwards. */
  withWriter<T>(id: string, fn: (session: OpenSession) => Promise<T>): Promise<T>
  /** Removes the log and its torn side files (refused while a writer holds it). */
  delete(id: string): Promise<void>
  onSessionOpened(listener: OpenedListener): void
  /** Lists as list() does (of one project folder when `project` is given), telling `collect` each row's cached usage summary. */
  listUsage(options: { project?: string }, collect: UsageCollector): Promise<void>
  /**
   * Every project's logs with inode, birth time and size, reading none. Given the marks an
   * earlier walk returned, a project unchanged since lists only the logs a writer holds.
   */
  logFiles(marks?: ReadonlyMap<string, string>): Promise<ProjectLogs[]>
  /** The events of a log after `from` (where an earlier scan stopped), batch by batch, as read() scans them. */
  scanFrom(log: Pick<LogFile, 'id' | 'path'>, from: ScanPosition, onBatch: BatchListener): Promise<ScanState>
}
