/**
 * The Gemini CLI peer: `~/.gemini/tmp/<projectKey>/chats/session-*.jsonl` (and the older
 * one-JSON-file-per-session form, and subagents' `chats/<parentId>/<id>.jsonl`) -> one
 * session each. The project path comes from `~/.gemini/projects.json` (path -> projectKey),
 * else the `.project_root` file Gemini keeps in the project's folder; an older SHA-256
 * projectKey cannot be decoded and leaves it ''. Mapping: docs/import.md#gemini-cli.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { InvalidImportError, isNotFound } from '../core/errors.js'
import type { ImportProblem, Peer, PeerSession, PeerUnit } from './peer.js'
import { GeminiMapper, isMessageRecord } from './gemini-map.js'
import { fileFingerprint, findFiles } from './files.js'
import type { JsonLine } from './jsonl.js'
import { byLine, isRecord, isoTime, nestsDeeper, MAX_RECORD_DEPTH, readRecords } from './peer-records.js'

async function readOrNull(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    if (isNotFound(error)) return null
    throw error
  }
}

/** `<gemini dir>/tmp/<projectKey>/chats/…/file` -> the gemini dir and the project key. */
function placeOf(file: string): { geminiDir: string, key: string, parentId: string | null } | null {
  const parts = path.resolve(file).split(path.sep)
  const chats = parts.lastIndexOf('chats')
  if (chats < 3 || parts[chats - 2] !== 'tmp') return null
  const inside = parts.slice(chats + 1, -1)
  return { geminiDir: parts.slice(0, chats - 2).join(path.sep) || path.sep, key: parts[chats - 1]!, parentId: inside.length === 1 ? inside[0]! : null }
}

/** The project path for a key: projects.json maps paths to keys; `.project_root` names the owner. */
async function projectPathOf(geminiDir: string, key: string, problems: ImportProblem[]): Promise<string> {
  const registryFile = path.join(geminiDir, 'projects.json')
  const registry = await readOrNull(registryFile)
  if (registry !== null) {
    let parsed: unknown
    try {
      parsed = JSON.parse(registry)
    } catch {
      problems.push({ path: registryFile, message: 'not JSON: project path not recovered from it' })
    }
    const projects = isRecord(parsed) && isRecord(parsed.projects) ? parsed.projects : {}
    for (const [projectPath, projectKey] of Object.entries(projects)) if (projectKey === key) return projectPath
  }
  return (await readOrNull(path.join(geminiDir, 'tmp', key, '.project_root')))?.trim() ?? ''
}

const isMeta = (v: unknown): v is Record<string, unknown> =>
  isRecord(v) && typeof v.sessionId === 'string' && v.sessionId !== '' && typeof v.projectHash === 'string'

/**
 * The records of the unit: JSON lines after a metadata line, or the older single document
 * (metadata and a `messages` array; its records have no line numbers).
 */
async function recordsOf(file: string): Promise<{ meta: Record<string, unknown>, lines: Array<{ line: number | undefined, value: unknown }>, problems: ImportProblem[] }> {
  const problems: ImportProblem[] = []
  const lines: JsonLine[] = await readRecords(file, problems)
  const first = lines[0]
  const clean = !problems.some(p => first === undefined || (p.line ?? 0) < first.line)
  if (clean && isMeta(first?.value) && !Array.isArray(first.value.messages)) return { meta: first.value, lines: lines.slice(1), problems }
  let whole: unknown
  try {
    whole = JSON.parse((await readFile(file, 'utf8')).replace(/^\uFEFF/, ''))
  } catch {
    whole = undefined
  }
  if (isMeta(whole) && Array.isArray(whole.messages)) {
    const { messages, ...meta } = whole
    // The line-by-line attempt's problems were about a document that is not JSON lines.
    const found: ImportProblem[] = []
    const shallow = messages.filter((m: unknown, i) => {
      if (!nestsDeeper(m, MAX_RECORD_DEPTH)) return true
      found.push({ path: file, message: `messages[${i}] nests deeper than ${MAX_RECORD_DEPTH} levels (skipped)` })
      return false
    })
    return { meta, lines: shallow.map(value => ({ line: undefined, value })), problems: found }
  }
  throw new InvalidImportError(`${file} is not a Gemini CLI session: it starts with no { sessionId, projectHash } record`, { path: file, line: 1 })
}

async function read(unit: PeerUnit): Promise<PeerSession[]> {
  const file = unit.path
  const { meta, lines, problems } = await recordsOf(file)
  const created = isoTime(meta.startTime) ?? new Date(0).toISOString()
  const map = new GeminiMapper(file, problems, created)
  map.keep('session', meta)
  if (typeof meta.summary === 'string') map.set({ summary: meta.summary }, 1)
  for (const { line, value } of lines) {
    if (isRecord(value) && typeof value.$rewindTo === 'string') map.rewind(value.$rewindTo)
    else if (isRecord(value) && isRecord(value.$set)) map.set(value.$set, line)
    else if (isMessageRecord(value)) map.message(value, line)
    else {
      map.problem(line, 'unknown record')
      map.keep('unknown', value)
    }
  }
  const place = placeOf(file)
  const kindSubagent = meta.kind === 'subagent'
  return [{
    origin: { tool: 'gemini', id: meta.sessionId as string, path: file, version: null },
    projectPath: place ? await projectPathOf(place.geminiDir, place.key, problems) : '',
    title: map.title,
    created,
    parentOriginId: kindSubagent ? place?.parentId ?? null : null,
    events: map.events,
    problems: byLine(problems),
  }]
}

export const geminiPeer: Peer = {
  tool: 'gemini',
  defaultSources(home, env) {
    // Gemini CLI puts `.gemini` under GEMINI_CLI_HOME when it is set, instead of the home folder.
    const base = env.GEMINI_CLI_HOME ? path.resolve(env.GEMINI_CLI_HOME) : home
    return [path.join(base, '.gemini', 'tmp')]
  },
  async discover(paths) {
    const files = await findFiles(paths, file => /\.jsonl?$/.test(path.basename(file)) && file.split(path.sep).includes('chats'))
    // Resuming an older `.json` session, Gemini CLI copies it into a `.jsonl` beside it and goes on there.
    const found = new Set(files)
    const current = files.filter(file => !(file.endsWith('.json') && found.has(`${file}l`)))
    return Promise.all(current.map(async file => ({ path: file, fingerprint: await fileFingerprint(file) })))
  },
  read,
}
