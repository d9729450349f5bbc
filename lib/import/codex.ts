/**
 * The Codex CLI peer: rollout files (`~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`, and
 * `archived_sessions/`) -> one session each; thread names from `session_index.jsonl`.
 * Both layouts: `{ timestamp, type, payload }` lines, and the older bare objects.
 * Mapping and what is lossy: docs/import.md#codex-cli.
 */
import path from 'node:path'
import { InvalidImportError, isNotFound } from '../core/errors.js'
import type { ImportProblem, Peer, PeerSession, PeerUnit } from './peer.js'
import { CodexMapper } from './codex-map.js'
import { fileFingerprint, findFiles } from './files.js'
import { readJsonLines, type JsonLine } from './jsonl.js'
import { byLine, fingerprintOrNone, isRecord, isoTime, readRecords, str } from './peer-records.js'

const INDEX = 'session_index.jsonl'

/** The Codex home a rollout lives in: the folder above `sessions/` or `archived_sessions/`. */
function codexHomeOf(file: string): string | null {
  const parts = path.resolve(file).split(path.sep)
  const at = parts.findLastIndex(p => p === 'sessions' || p === 'archived_sessions')
  return at > 0 ? parts.slice(0, at).join(path.sep) || path.sep : null
}

/** The last thread name the index gives `id` (the last entry for an id wins); damage is skipped. */
async function indexedName(home: string | null, id: string): Promise<{ name: string, ts: string | undefined } | null> {
  if (home === null) return null
  let entries: JsonLine[]
  try {
    // Damage in the index costs a name, not the session: its problems are not the rollout's.
    entries = await readJsonLines(path.join(home, INDEX), [])
  } catch (error) {
    if (isNotFound(error)) return null
    throw error
  }
  let found: { name: string, ts: string | undefined } | null = null
  for (const { value } of entries) {
    if (isRecord(value) && value.id === id && typeof value.thread_name === 'string') {
      found = { name: value.thread_name, ts: isoTime(value.updated_at) }
    }
  }
  return found
}

/** The session's own header: the new layout's `session_meta`, or the legacy bare first object. */
function header(first: JsonLine | undefined, file: string, problems: ImportProblem[]): { meta: Record<string, unknown>, legacy: boolean } {
  const damagedFirst = problems.find(p => first === undefined || (p.line ?? 0) < first.line)
  if (damagedFirst !== undefined) {
    throw new InvalidImportError(`${file} is not a Codex rollout: its first line is not a record`, { path: file, line: damagedFirst.line ?? 1 })
  }
  const value = first?.value
  if (isRecord(value) && value.type === 'session_meta' && isRecord(value.payload) && typeof value.payload.id === 'string' && value.payload.id !== '') {
    return { meta: { timestamp: value.timestamp, ...value.payload }, legacy: false }
  }
  if (isRecord(value) && value.type === undefined && typeof value.id === 'string' && value.id !== '' && isoTime(value.timestamp) !== undefined) {
    return { meta: value, legacy: true }
  }
  throw new InvalidImportError(`${file} is not a Codex rollout: its first record is not session_meta`, { path: file, line: first?.line ?? 1 })
}

function parentOf(meta: Record<string, unknown>): string | null {
  if (typeof meta.forked_from_id === 'string') return meta.forked_from_id
  // A subagent's thread names the thread that spawned it.
  const source = meta.source
  const spawn = isRecord(source) && isRecord(source.subagent) ? source.subagent.thread_spawn : undefined
  return isRecord(spawn) && typeof spawn.parent_thread_id === 'string' ? spawn.parent_thread_id : null
}

async function read(unit: PeerUnit): Promise<PeerSession[]> {
  const file = unit.path
  const problems: ImportProblem[] = []
  const records = await readRecords(file, problems)
  const { meta, legacy } = header(records[0], file, problems)
  const id = meta.id as string
  const created = isoTime(meta.timestamp) ?? new Date(0).toISOString()
  const map = new CodexMapper(id, file, problems, str(meta.model_provider))
  let ts = created
  map.keep(created, legacy ? 'legacy_header' : 'session_meta', meta)
  for (const { line, value } of records.slice(1)) {
    if (!isRecord(value)) {
      map.problem(line, 'record is not an object')
      map.keep(ts, 'unknown', value)
      continue
    }
    if (legacy) {
      if (value.record_type === 'state') map.keep(ts, 'state', value)
      else if (typeof value.type === 'string') map.responseItem(ts, line, value)
      else {
        map.problem(line, 'unknown record')
        map.keep(ts, 'unknown', value)
      }
      continue
    }
    ts = isoTime(value.timestamp) ?? ts
    const payload = isRecord(value.payload) ? value.payload : undefined
    if (!payload) {
      map.problem(line, 'record without payload')
      map.keep(ts, 'unknown', value)
      continue
    }
    switch (value.type) {
      case 'response_item': map.responseItem(ts, line, payload); break
      case 'event_msg': map.eventMsg(ts, line, payload); break
      case 'turn_context': map.turnContext(ts, payload); break
      case 'compacted': map.compacted(ts, line, payload); break
      case 'session_meta': map.keep(ts, 'session_meta', payload); break
      default:
        map.problem(line, `unknown record type ${JSON.stringify(String(value.type)).slice(0, 80)}`)
        map.keep(ts, str(value.type), payload)
    }
  }
  let title = map.title
  const named = await indexedName(codexHomeOf(file), id)
  if (named && named.name !== title) {
    title = named.name
    map.events.push({ ts: named.ts ?? ts, body: { type: 'title', title } })
  }
  return [{
    origin: { tool: 'codex', id, path: file, version: str(meta.cli_version) ?? null },
    projectPath: str(meta.cwd) ?? '',
    title,
    created,
    parentOriginId: parentOf(meta),
    events: map.events,
    problems: byLine(problems),
  }]
}

export const codexPeer: Peer = {
  tool: 'codex',
  defaultSources(home, env) {
    const homes = [path.join(home, '.codex')]
    if (env.CODEX_HOME) homes.unshift(path.resolve(env.CODEX_HOME))
    return [...new Set(homes)].flatMap(h => [path.join(h, 'sessions'), path.join(h, 'archived_sessions')])
  },
  async discover(paths) {
    const units: PeerUnit[] = []
    for (const file of await findFiles(paths, f => /^rollout-.*\.jsonl$/.test(path.basename(f)))) {
      // A rename in the index changes the title: the fingerprint says so.
      const home = codexHomeOf(file)
      const index = home === null ? '' : `+${await fingerprintOrNone(path.join(home, INDEX))}`
      units.push({ path: file, fingerprint: `${await fileFingerprint(file)}${index}` })
    }
    return units
  },
  read,
}
