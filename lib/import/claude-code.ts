/**
 * The Claude Code peer: `~/.claude/projects/<slug>/<sessionId>.jsonl`, one file per session,
 * and its subagents' transcripts (`<sessionId>/subagents/agent-<id>.jsonl` with a sibling
 * `.meta.json`; older versions: sibling `agent-<id>.jsonl` files whose lines carry
 * isSidechain), each its own unit and a child session. Which lines are the history is
 * claude-code-history.ts's; how they become messages claude-code-messages.ts's; here: files,
 * the session's facts (title, project, version), usage, and every other line kept as an
 * `x.claude-code.<type>` event. docs/import.md has the mapping.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { InvalidImportError } from '../core/errors.js'
import { readTextIfExists } from '../core/files.js'
import { fileFingerprint, findFiles } from './files.js'
import { readJsonLines } from './jsonl.js'
import type { ImportProblem, Peer, PeerEvent, PeerSession, PeerUnit } from './peer.js'
import { isObj, isTurn, selectHistory, str, type Line, type Rec } from './claude-code-history.js'
import { buildMessages } from './claude-code-messages.js'
import { usageEvents } from './claude-code-usage.js'

const KNOWN = new Set(['user', 'assistant', 'system', 'attachment', 'progress', 'summary', 'custom-title', 'ai-title', 'tag',
  'last-prompt', 'permission-mode', 'queue-operation', 'file-history-snapshot', 'agent-name'])
const TYPE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/
const isAgentFile = (file: string) => path.basename(file).startsWith('agent-')

export const claudeCode: Peer = {
  tool: 'claude-code',

  defaultSources(home, env) {
    const configured = env.CLAUDE_CONFIG_DIR?.split(',').map(d => d.trim()).filter(Boolean) ?? []
    if (configured.length > 0) return configured.map(d => path.join(d, 'projects'))
    return [path.join(home, '.claude', 'projects'), path.join(home, '.config', 'claude', 'projects')]
  },

  /** Sessions before subagents, so a parent is in before its children. */
  async discover(paths) {
    const files = await findFiles(paths, file => file.endsWith('.jsonl'))
    const ordered = [...files.filter(f => !isAgentFile(f)), ...files.filter(isAgentFile)]
    return Promise.all(ordered.map(async file => ({ path: file, fingerprint: await fingerprint(file) })))
  },

  async read(unit) {
    return [await readSession(unit)]
  },
}

/** A subagent's `.meta.json` is part of it: its change changes the unit. */
async function fingerprint(file: string): Promise<string> {
  const own = await fileFingerprint(file)
  if (!isAgentFile(file)) return own
  try {
    return `${own}+${await fileFingerprint(metaPath(file))}`
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return own
    throw error
  }
}

const metaPath = (file: string) => file.replace(/\.jsonl$/, '.meta.json')

async function readSession(unit: PeerUnit): Promise<PeerSession> {
  const file = unit.path
  const problems: ImportProblem[] = []
  const parsed = await readJsonLines(file, problems)
  const lines: Line[] = []
  const events: Array<{ order: number, event: PeerEvent }> = []
  for (const { line, value } of parsed) {
    if (isObj(value)) lines.push({ line, rec: value })
    else problems.push({ path: file, line, message: 'not a JSON object (kept as x.claude-code.unknown)' })
  }
  // A conversation line must have its uuid: Gemini CLI's records are `user` too, but keyed by `id`.
  const first = lines.find(l => str(l.rec.type) && KNOWN.has(l.rec.type) && (str(l.rec.uuid) || !['user', 'assistant', 'system', 'progress', 'attachment'].includes(l.rec.type)))
  if (first === undefined) {
    throw new InvalidImportError(`${file} is not a Claude Code transcript (no line of a Claude Code record type)`, { path: file, line: parsed[0]?.line ?? 1 })
  }
  const times = timesOf(lines)
  const created = times.created
  const ts = (l: Line) => times.at.get(l.line) ?? created
  for (const { line, value } of parsed) if (!isObj(value)) events.push({ order: line, event: { ts: created, body: { type: 'x.claude-code.unknown', data: value as never } } })

  const agent = isAgentFile(file)
  const selection = selectHistory(lines, agent)
  const { messages, orphans } = buildMessages(lines, selection.history, ts)
  for (const m of messages) events.push({ order: m.line, event: m.event })
  for (const b of selection.branches) {
    const at = b.lines[0]!
    events.push({ order: at.line, event: { ts: ts(at), body: { type: 'x.claude-code.branch', data: { from: b.from, lines: b.lines.map(l => l.rec) } as never } } })
  }
  for (const l of orphans) events.push({ order: l.line, event: { ts: ts(l), body: { type: 'x.claude-code.orphan-result', data: l.rec as never } } })
  for (const l of lines) {
    if (isTurn(l.rec)) continue
    const type = str(l.rec.type) && TYPE_NAME.test(l.rec.type) ? l.rec.type : 'unknown'
    if (!str(l.rec.type) || !KNOWN.has(l.rec.type)) {
      problems.push({ path: file, line: l.line, message: `unknown record type ${JSON.stringify(l.rec.type) ?? 'none'} (kept as x.claude-code.${type})` })
    }
    events.push({ order: l.line, event: { ts: ts(l), body: { type: `x.claude-code.${type}`, data: l.rec as never } } })
  }
  for (const u of usageEvents(lines, ts)) events.push(u)

  const ownId = path.basename(file, '.jsonl')
  const parent = agent ? parentOf(file, lines) : null
  const meta = agent ? await agentMeta(file, problems) : undefined
  if (meta !== undefined) events.push({ order: 0, event: { ts: created, body: { type: 'x.claude-code.agent-meta', data: meta as never } } })
  events.sort((a, b) => a.order - b.order)
  return {
    origin: { tool: 'claude-code', id: parent === null ? ownId : `${parent}/${ownId}`, path: file, version: lastString(lines, 'version') },
    projectPath: projectOf(lines),
    title: agent ? agentTitle(meta) : titleOf(lines, selection.history),
    created,
    parentOriginId: parent,
    events: events.map(e => e.event),
    problems,
  }
}

/** Each line's time: its own, else the one before it; lines before the first time take the first. */
function timesOf(lines: readonly Line[]): { created: string, at: Map<number, string> } {
  const valid = (v: unknown): v is string => str(v) && v.length <= 64 && !Number.isNaN(Date.parse(v))
  const created = lines.map(l => l.rec.timestamp).find(valid) ?? ''
  const at = new Map<number, string>()
  let last = created
  for (const l of lines) {
    if (valid(l.rec.timestamp)) last = l.rec.timestamp
    at.set(l.line, last)
  }
  return { created, at }
}

/**
 * Which title wins, as Claude Code's own session picker shows it: the last `custom-title`
 * (a /rename), else the last `ai-title`, else the last `summary` of a leaf on the history,
 * else the last `summary` at all.
 */
function titleOf(lines: readonly Line[], history: ReadonlySet<string>): string | null {
  let custom: string | null = null
  let ai: string | null = null
  let onHistory: string | null = null
  let any: string | null = null
  for (const { rec } of lines) {
    if (rec.type === 'custom-title' && str(rec.customTitle)) custom = rec.customTitle
    else if (rec.type === 'ai-title' && str(rec.aiTitle)) ai = rec.aiTitle
    else if (rec.type === 'summary' && str(rec.summary)) {
      any = rec.summary
      if (str(rec.leafUuid) && history.has(rec.leafUuid)) onHistory = rec.summary
    }
  }
  return custom ?? ai ?? onHistory ?? any
}

function lastString(lines: readonly Line[], field: string): string | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const v = lines[i]!.rec[field]
    if (isTurn(lines[i]!.rec) && str(v) && v !== '') return v
  }
  return null
}

/** The working folder the first conversation line names; '' when none is an absolute path. */
function projectOf(lines: readonly Line[]): string {
  for (const { rec } of lines) if (str(rec.cwd) && path.isAbsolute(rec.cwd) && !rec.cwd.includes('\0')) return rec.cwd
  return ''
}

/** New layout: `<sessionId>/subagents/agent-*.jsonl`; older sibling files say it in `sessionId`. */
function parentOf(file: string, lines: readonly Line[]): string | null {
  const dir = path.dirname(file)
  if (path.basename(dir) === 'subagents') return path.basename(path.dirname(dir))
  const named = lines.find(l => str(l.rec.sessionId) && l.rec.sessionId !== '')
  return named === undefined ? null : named.rec.sessionId as string
}

async function agentMeta(file: string, problems: ImportProblem[]): Promise<Rec | undefined> {
  const where = metaPath(file)
  let text: string | undefined
  try {
    text = (await fs.stat(where)).isFile() ? await readTextIfExists(where) : undefined
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  if (text === undefined) return undefined
  try {
    const meta = JSON.parse(text) as unknown
    if (isObj(meta)) return meta
  } catch {
    // reported below
  }
  problems.push({ path: where, message: 'not a JSON object (subagent metadata left out)' })
  return undefined
}

function agentTitle(meta: Rec | undefined): string | null {
  if (meta === undefined) return null
  if (str(meta.description) && meta.description !== '') return meta.description
  return str(meta.agentType) && meta.agentType !== '' ? meta.agentType : null
}
