/**
 * The OpenCode peer: reads export documents (`opencode export <id>`), the 1.1.x `storage/`
 * tree and the 1.18 `opencode.db`, each session into one PeerSession (opencode-map.ts).
 * A folder is searched for all three; OpenCode's data folder (the one holding `opencode.db`
 * or `storage/`) only for its sessions, never its other JSON files (auth.json, …).
 */
import fs from 'node:fs'
import path from 'node:path'
import { InvalidImportError, isNotFound } from '../core/errors.js'
import { fileFingerprint } from './files.js'
import type { Peer, PeerSession, PeerUnit } from './peer.js'
import { asSession, mapSession } from './opencode-map.js'
import { dbUnits, readDbSession } from './opencode-db.js'
import { readStorageSession, storageOf, storageUnits } from './opencode-storage.js'

const SQLITE_MAGIC = 'SQLite format 3\0'
/** How much of a JSON file found in a folder is looked at to tell an export document. */
const HEAD_BYTES = 4096

function head(file: string, bytes: number): string {
  const fd = fs.openSync(file, 'r')
  try {
    const buffer = Buffer.alloc(bytes)
    return buffer.toString('utf8', 0, fs.readSync(fd, buffer, 0, bytes, 0))
  } finally {
    fs.closeSync(fd)
  }
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file)
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

const fileUnit = async (file: string): Promise<PeerUnit> => ({ path: file, fingerprint: await fileFingerprint(file) })

/** A database's sessions, or one unit for the file when it is not OpenCode's (read() says why). */
async function dbFileUnits(file: string): Promise<{ units: PeerUnit[], ids: Set<string> }> {
  try {
    return await dbUnits(file)
  } catch (error) {
    if (error instanceof InvalidImportError) return { units: [await fileUnit(file)], ids: new Set() }
    throw error
  }
}

async function fileUnits(file: string): Promise<PeerUnit[]> {
  if (head(file, SQLITE_MAGIC.length) === SQLITE_MAGIC) return (await dbFileUnits(file)).units
  const storage = storageOf(file)
  if (storage !== undefined && fs.existsSync(path.join(storage, 'message'))) {
    return storageUnits(storage).filter(u => u.path === file)
  }
  return [await fileUnit(file)]
}

/** OpenCode's data folder: its database, then the storage tree's sessions the database does not hold. */
async function dataFolderUnits(dir: string): Promise<PeerUnit[] | undefined> {
  const db = path.join(dir, 'opencode.db')
  const hasDb = statOrUndefined(db)?.isFile() === true
  const storage = path.basename(dir) === 'storage' && fs.existsSync(path.join(dir, 'session')) ? dir : path.join(dir, 'storage')
  const hasStorage = fs.existsSync(path.join(storage, 'session'))
  if (!hasDb && !hasStorage) return undefined
  const fromDb = hasDb ? await dbFileUnits(db) : { units: [], ids: new Set<string>() }
  // 1.18 migrated the storage tree into the database: a session in both is read from the database.
  return [...fromDb.units, ...(hasStorage ? storageUnits(storage, fromDb.ids) : [])]
}

async function folderUnits(dir: string, out: PeerUnit[]): Promise<void> {
  const data = await dataFolderUnits(dir)
  if (data) {
    out.push(...data)
    return
  }
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name)
    // Symbolic links are not followed inside a folder: a link back up would never end.
    if (entry.isDirectory()) await folderUnits(full, out)
    else if (entry.isFile() && entry.name.endsWith('.json')) {
      const text = head(full, HEAD_BYTES)
      if (/^\s*\{/.test(text) && text.includes('"info"')) out.push(await fileUnit(full))
    }
  }
}

/** The 1-based line where JSON.parse stopped: `at position N`, or the end for a cut-off document. */
function lineOf(error: Error, text: string): number | undefined {
  const at = /position (\d+)/.exec(error.message)
  const position = at ? Math.min(Number(at[1]), text.length) : /end of JSON input/.test(error.message) ? text.length : undefined
  if (position === undefined) return undefined
  let line = 1
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) line++
  return line
}

async function readFile(unit: PeerUnit): Promise<PeerSession[]> {
  const file = unit.path
  if (head(file, SQLITE_MAGIC.length) === SQLITE_MAGIC) {
    const sessions: PeerSession[] = []
    for (const u of (await dbUnits(file)).units) sessions.push(...await opencodePeer.read(u))
    return sessions
  }
  const text = fs.readFileSync(file, 'utf8')
  let doc: unknown
  try {
    doc = JSON.parse(text) as unknown
  } catch (error) {
    const line = lineOf(error as Error, text)
    throw new InvalidImportError(`${file} is not an OpenCode export: not JSON (${(error as Error).message})`, { path: file, ...(line === undefined ? {} : { line }), cause: error })
  }
  if (storageOf(file) !== undefined && typeof doc === 'object' && doc !== null && !('info' in doc)) {
    const { session, problems } = readStorageSession(file)
    return [mapSession(session, file, problems)]
  }
  const session = asSession(doc)
  if (typeof session === 'string') throw new InvalidImportError(`${file} is not an OpenCode export: ${session}`, { path: file })
  return [mapSession(session, file)]
}

export const opencodePeer: Peer = {
  tool: 'opencode',

  defaultSources(home, env) {
    const data = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(home, '.local', 'share')
    return [path.join(data, 'opencode')]
  },

  async discover(paths) {
    const units: PeerUnit[] = []
    for (const p of paths) {
      const stat = statOrUndefined(p)
      if (!stat) continue
      if (stat.isDirectory()) await folderUnits(p, units)
      else units.push(...await fileUnits(p))
    }
    const seen = new Set<string>()
    return units.filter(u => {
      const id = `${u.path}\0${u.key ?? ''}`
      if (seen.has(id)) return false
      seen.add(id)
      return true
    })
  },

  async read(unit) {
    if (unit.key === undefined) return readFile(unit)
    const found = await readDbSession(unit.path, unit.key)
    if (!found) return [] // deleted since it was discovered
    return [mapSession(found.session, unit.path, found.problems)]
  },
}
