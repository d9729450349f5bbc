/**
 * The index file, `<root>/search/index.sqlite`: a cache of the logs that may be deleted at
 * any time. better-sqlite3 is an optional dependency loaded on the first search only, so a
 * host that never searches never loads it. A file that is not ours (not a database, another
 * application's, another schema version) or that SQLite finds damaged is deleted and made
 * again, never trusted: the logs are the truth and the index is rebuilt from them.
 */
import fs from 'node:fs'
import path from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'
import { isNotFound, SearchUnavailableError } from '../core/errors.js'

export type Db = BetterSqlite3.Database
type DbConstructor = typeof BetterSqlite3

/** 'SJSX' in the database header: this file is a session-journal search index. */
const APPLICATION_ID = 0x534a5358
export const SCHEMA_VERSION = 1
/** Another process's catch-up holds the write lock for one batch of logs at most (see catch-up.ts). */
export const BUSY_TIMEOUT_MS = 30_000

const SCHEMA = `
CREATE TABLE logs (
  id INTEGER PRIMARY KEY,
  project TEXT NOT NULL,
  session TEXT NOT NULL,
  project_path TEXT NOT NULL,
  ino INTEGER NOT NULL,
  born REAL NOT NULL,
  size INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  lines INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  header INTEGER NOT NULL,
  title TEXT,
  title_doc INTEGER,
  next_pos INTEGER NOT NULL,
  UNIQUE (project, session)
);
CREATE TABLE projects (id TEXT PRIMARY KEY, mark TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE docs (
  id INTEGER PRIMARY KEY,
  log INTEGER NOT NULL,
  msg TEXT,
  position INTEGER NOT NULL,
  role TEXT,
  created TEXT NOT NULL,
  reverted INTEGER NOT NULL,
  spans TEXT NOT NULL
);
CREATE INDEX docs_msg ON docs (log, msg);
CREATE VIRTUAL TABLE fts USING fts5 (title, text, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO fts (fts, rank) VALUES ('hashsize', 16777216);
`

let loading: Promise<DbConstructor> | undefined

/** better-sqlite3, loaded once; ERR_SEARCH_UNAVAILABLE when it is missing or its native part does not load. */
export function loadSqlite(): Promise<DbConstructor> {
  loading ??= import('better-sqlite3').then(module => {
    const Database = module.default
    new Database(':memory:').close() // the native addon loads on first use: fail here, not mid-search
    return Database
  }).catch((error: unknown) => {
    loading = undefined
    throw new SearchUnavailableError('search needs the optional package better-sqlite3 (v12), which is not installed or does not load here: '
      + `run \`npm install better-sqlite3\` where session-journal is installed (${(error as Error)?.message?.split('\n')[0] ?? String(error)})`, { cause: error })
  })
  return loading
}

/** An open index: the connection and which file it is (to notice the file deleted or replaced). */
export interface IndexFile {
  db: Db
  file: string
  ino: number
}

export async function openIndex(root: string): Promise<IndexFile> {
  const Database = await loadSqlite()
  const dir = path.join(root, 'search')
  const file = path.join(dir, 'index.sqlite')
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  let last: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    const ino = ensureFile(file)
    let db: Db | undefined
    try {
      db = new Database(file, { timeout: BUSY_TIMEOUT_MS })
      if (adopt(db)) return { db, file, ino }
      last = new Error(`${file} is not a search index of this version`)
    } catch (error) {
      if (!isDamage(error)) { db?.close(); throw error }
      last = error
    }
    db?.close()
    removeIndex(file, ino)
  }
  throw last
}

/** The file at the path is no longer the one open (deleted or replaced by another process). */
export function isStale(index: IndexFile): boolean {
  try {
    return fs.statSync(index.file).ino !== index.ino
  } catch (error) {
    if (isNotFound(error)) return true
    throw error
  }
}

/** Errors that mean the file is not a sound database of ours. */
export function isDamage(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
}

/** Errors of a file deleted or replaced under an open connection (another process deleted the index). */
export function isMoved(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_READONLY_DBMOVED' || code === 'SQLITE_CANTOPEN')
}

/** Deletes the index (and its WAL) if the file is still the one judged; another process may have made a new one. */
export function removeIndex(file: string, ino: number): void {
  try {
    if (fs.lstatSync(file).ino !== ino) return
  } catch (error) {
    if (isNotFound(error)) return
    throw error
  }
  for (const name of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(name, { force: true })
}

/** Made 0600 before SQLite opens it (SQLite gives its -wal and -shm the same mode). Returns its inode. */
function ensureFile(file: string): number {
  try {
    const stat = fs.lstatSync(file)
    if (stat.isFile()) {
      if ((stat.mode & 0o077) !== 0) fs.chmodSync(file, 0o600)
      return stat.ino
    }
    fs.rmSync(file, { recursive: true, force: true }) // a folder or link where the index goes is not ours
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
  try {
    fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW, 0o600))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error // another process made it first
  }
  return fs.lstatSync(file).ino
}

/** Sets the connection up; false when the file is a database that is not ours (or not this version). */
function adopt(db: Db): boolean {
  const ours = () => db.pragma('application_id', { simple: true }) === APPLICATION_ID
    && db.pragma('user_version', { simple: true }) === SCHEMA_VERSION
  if (!ours()) {
    if (db.pragma('application_id', { simple: true }) !== 0) return false
    toWal(db)
    db.exec('BEGIN IMMEDIATE')
    try {
      // Inside the write lock: another process may have made the schema since we looked.
      if (!ours()) {
        if (db.prepare('SELECT count(*) FROM sqlite_master').pluck().get() !== 0) {
          db.exec('ROLLBACK')
          return false
        }
        db.exec(SCHEMA)
        db.pragma(`application_id = ${APPLICATION_ID}`)
        db.pragma(`user_version = ${SCHEMA_VERSION}`)
      }
      db.exec('COMMIT')
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK')
      throw error
    }
  }
  toWal(db)
  tune(db)
  return true
}

/**
 * WAL mode, waiting for the lock it needs: switching a new file to WAL takes an exclusive lock,
 * and SQLite answers SQLITE_BUSY at once, without the busy timeout, while another process is
 * making the schema (two first searches at once). A file already in WAL needs no switch.
 */
function toWal(db: Db): void {
  const until = Date.now() + BUSY_TIMEOUT_MS
  for (;;) {
    try {
      if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL')
      return
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() > until) throw error
      Atomics.wait(PAUSE, 0, 0, 5) // a synchronous 5 ms pause: the open path is synchronous
    }
  }
}
const PAUSE = new Int32Array(new SharedArrayBuffer(4))

/** Per connection (the main one and a write worker's). */
export function tune(db: Db): void {
  // A cache: a crash may lose the last catch-up (it is done again), never the logs; WAL keeps it sound.
  db.pragma('synchronous = NORMAL')
  db.pragma('cache_size = -32768')
  // Searchers reading all the time can keep a checkpoint from resetting the WAL; once one does, it shrinks back.
  db.pragma('journal_size_limit = 67108864')
}
