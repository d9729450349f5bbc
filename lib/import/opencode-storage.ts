/**
 * OpenCode 1.1.x and earlier: one JSON file per record under `storage/`:
 * `session/<projectID>/<sessionID>.json`, `message/<sessionID>/<messageID>.json`,
 * `part/<messageID>/<partID>.json`, `project/<projectID>.json`, `session_share/<sessionID>.json`,
 * `todo/<sessionID>.json`. A unit is one session file; its fingerprint covers every file of
 * the session, since parts are rewritten in place as they stream.
 */
import fs from 'node:fs'
import path from 'node:path'
import { InvalidImportError, isNotFound } from '../core/errors.js'
import type { ImportProblem, PeerUnit } from './peer.js'
import { isObject, type OpenCodeSession } from './opencode-map.js'

/** What may stand in a path: OpenCode's ids are `ses_…`, `msg_…`, `prt_…` and hashes. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/

/** `<storage>/session/<projectID>/<sessionID>.json` -> `<storage>`, or undefined when the path is not one. */
export function storageOf(file: string): string | undefined {
  const projectDir = path.dirname(file)
  const sessionDir = path.dirname(projectDir)
  if (path.basename(sessionDir) !== 'session' || !file.endsWith('.json')) return undefined
  return path.dirname(sessionDir)
}

function jsonFiles(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter(name => name.endsWith('.json')).sort()
  } catch (error) {
    // Missing, or a stray file where a folder belongs (a .DS_Store in storage/session/): nothing to read.
    if (isNotFound(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return []
    throw error
  }
}

/** Sizes and mtimes of the session's files: changes when any message or part does. */
function fingerprintOf(storage: string, file: string, sessionID: string): string {
  let newest = 0
  let bytes = 0
  let files = 0
  const add = (f: string) => {
    const stat = fs.statSync(f, { throwIfNoEntry: false })
    if (stat === undefined) return // deleted since it was listed
    newest = Math.max(newest, stat.mtimeMs)
    bytes += stat.size
    files++
  }
  add(file)
  const messages = path.join(storage, 'message', sessionID)
  for (const name of jsonFiles(messages)) {
    add(path.join(messages, name))
    const parts = path.join(storage, 'part', name.slice(0, -5))
    for (const part of jsonFiles(parts)) add(path.join(parts, part))
  }
  return `storage:${files}:${bytes}:${newest}`
}

/** Every session file of a storage folder, parents before children. */
export function storageUnits(storage: string, skip: ReadonlySet<string> = new Set()): PeerUnit[] {
  const found: Array<{ unit: PeerUnit, root: boolean }> = []
  const sessions = path.join(storage, 'session')
  for (const project of fs.existsSync(sessions) ? fs.readdirSync(sessions).sort() : []) {
    for (const name of jsonFiles(path.join(sessions, project))) {
      const id = name.slice(0, -5)
      if (!SAFE_ID.test(id) || skip.has(id)) continue
      const file = path.join(sessions, project, name)
      let root = true
      try {
        const info = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown
        root = !(isObject(info) && typeof info.parentID === 'string')
      } catch { /* read() reports it */ }
      found.push({ unit: { path: file, fingerprint: fingerprintOf(storage, file, id) }, root })
    }
  }
  return [...found.filter(f => f.root), ...found.filter(f => !f.root)].map(f => f.unit)
}

/** A JSON file; a damaged one is a problem, not a failure of the whole session. */
function readJson(file: string, problems: ImportProblem[]): unknown {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    problems.push({ path: file, message: `not JSON (${(error as Error).message}): skipped` })
    return undefined
  }
}

/** One session of the storage tree, as an export document would hold it. */
export function readStorageSession(file: string): { session: OpenCodeSession, problems: ImportProblem[] } {
  const storage = storageOf(file)
  const problems: ImportProblem[] = []
  let info: unknown
  try {
    info = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown
  } catch (error) {
    if (isNotFound(error) || !(error instanceof SyntaxError)) throw error
    throw new InvalidImportError(`${file} is not an OpenCode session file: ${error.message}`, { path: file, cause: error })
  }
  const id = path.basename(file, '.json')
  if (storage === undefined || !isObject(info) || info.id !== id || !SAFE_ID.test(id)) {
    throw new InvalidImportError(`${file} is not an OpenCode session file (storage/session/<project>/<id>.json holding that session's info)`, { path: file })
  }
  if (typeof info.directory !== 'string') {
    const project = readJson(path.join(storage, 'project', `${path.basename(path.dirname(file))}.json`), problems)
    if (isObject(project) && typeof project.worktree === 'string') info = { ...info, directory: project.worktree }
  }
  const share = readJson(path.join(storage, 'session_share', `${id}.json`), problems)
  if (isObject(share) && typeof share.url === 'string' && !isObject((info as { share?: unknown }).share)) {
    info = { ...(info as object), share: { url: share.url } }
  }
  const messages: OpenCodeSession['messages'] = []
  const messageDir = path.join(storage, 'message', id)
  for (const name of jsonFiles(messageDir)) {
    const messageFile = path.join(messageDir, name)
    const message = readJson(messageFile, problems)
    if (message === undefined) continue
    const messageId = name.slice(0, -5)
    const parts: unknown[] = []
    if (SAFE_ID.test(messageId)) {
      const partDir = path.join(storage, 'part', messageId)
      for (const part of jsonFiles(partDir)) {
        const value = readJson(path.join(partDir, part), problems)
        if (value !== undefined) parts.push(value)
      }
    } else {
      problems.push({ path: messageFile, message: 'a message id that cannot name a folder: its parts were not looked for' })
    }
    messages.push({ info: message, parts })
  }
  const todos = readJson(path.join(storage, 'todo', `${id}.json`), problems)
  return { session: { info: info as OpenCodeSession['info'], messages, ...(todos === undefined ? {} : { todos }) }, problems }
}
