/**
 * A session's counts for the listing: messages by role and tool calls by name, over the
 * messages the fold keeps (after reverts, a repeated message id replacing the message, a part
 * event replacing the last part with its id). Kept in the listing cache with what it takes to
 * undo each message's share (its role letter and its tool calls), so a revert or a replacement
 * subtracts exactly what the message had added: no fold, no double count.
 */
import { toolCallName } from './tool-part.js'
import type { Role } from './types.js'

export interface RoleCounts {
  user: number
  assistant: number
  system: number
}

/**
 * One tool call of a message: the part's id, or null once a later part of the message took
 * that id (a part event replaces the LAST part with an id, so this one can no longer change).
 */
export type ToolEntry = [partId: string | null, name: string]

export interface Tally {
  /** One letter per message, in order (u, a, s): the counts by role, and what a revert or a replacement subtracts. */
  roles: string
  /** Null while no message has a tool call: most of a listing's cache stays small and quick to parse. */
  tools: ToolTally | null
}

export interface ToolTally {
  /** Message position -> its tool calls; only messages that have any. */
  calls: Record<string, ToolEntry[]>
  /** Tool name -> calls (no prototype: a tool may be called `__proto__`). */
  counts: Record<string, number>
}

type PartLike = { id: string, type: string }

const LETTER: Readonly<Record<Role, string>> = { user: 'u', assistant: 'a', system: 's' }
const ROLE_OF: Readonly<Record<string, Role>> = { u: 'user', a: 'assistant', s: 'system' }

export function emptyTally(): Tally {
  return { roles: '', tools: null }
}

/** A copy safe to extend (the cached one stays as it was), with counts keyed safely again after JSON. */
export function copyTally(t: Tally): Tally {
  if (t.tools === null) return { roles: t.roles, tools: null }
  const calls: Record<string, ToolEntry[]> = {}
  for (const [at, entries] of Object.entries(t.tools.calls)) calls[at] = entries.map(([id, name]) => [id, name])
  // Object.assign onto a prototype-less object keeps a `__proto__` key a plain key.
  return { roles: t.roles, tools: { calls, counts: Object.assign(Object.create(null), t.tools.counts) as Record<string, number> } }
}

export function isTally(value: unknown): value is Tally {
  const t = value as Tally
  return typeof t.roles === 'string' && typeof t.tools === 'object'
    && (t.tools === null || (isRecord(t.tools.calls) && isRecord(t.tools.counts)))
}

/** Messages by role. */
export function roleCounts(t: Tally): RoleCounts {
  const counts = { user: 0, assistant: 0, system: 0 }
  for (let i = 0; i < t.roles.length; i++) counts[ROLE_OF[t.roles[i]!]!]++
  return counts
}

export function roleAt(t: Tally, at: number): Role {
  return ROLE_OF[t.roles[at]!]!
}

/** A message at `at` (`at` = the count so far: a new one) with these parts: it replaces what was there. */
export function tallyMessage(t: Tally, at: number, role: Role, parts: readonly PartLike[]): void {
  if (at === t.roles.length) {
    t.roles += LETTER[role]
  } else {
    // Only a changed role rewrites the string: hosts re-send a message often, its role rarely changes.
    if (roleAt(t, at) !== role) t.roles = `${t.roles.slice(0, at)}${LETTER[role]}${t.roles.slice(at + 1)}`
    untool(t, at)
    settle(t)
  }
  const entries: ToolEntry[] = []
  // The live (still replaceable) entry of each part id: a later part with the same id freezes it.
  let live: Map<string, ToolEntry> | undefined
  for (const part of parts) {
    const earlier = live?.get(part.id)
    if (earlier) { earlier[0] = null; live!.delete(part.id) }
    const name = toolCallName(part as unknown as Record<string, unknown>)
    if (name === null) continue
    const entry: ToolEntry = [part.id, name]
    entries.push(entry)
    ;(live ??= new Map()).set(part.id, entry)
    count(t, name, 1)
  }
  if (entries.length > 0) toolsOf(t).calls[at] = entries
}

/** A part event on the message at `at`: it replaces the last part with its id, or is added. */
export function tallyPart(t: Tally, at: number, part: PartLike): void {
  const name = toolCallName(part as unknown as Record<string, unknown>)
  const entries = t.tools?.calls[at]
  let live = -1
  // A plain loop from the end: the part streamed now is most often one of the last.
  if (entries) for (let i = entries.length - 1; i >= 0; i--) if (entries[i]![0] === part.id) { live = i; break }
  if (live !== -1) {
    count(t, entries![live]![1], -1)
    entries!.splice(live, 1)
  }
  if (name !== null) {
    count(t, name, 1)
    ;(toolsOf(t).calls[at] ??= []).push([part.id, name])
  } else if (entries?.length === 0) {
    delete t.tools!.calls[at]
  }
  settle(t)
}

/** A revert: every message from `at` on is gone, with its counts. */
export function tallyRevert(t: Tally, at: number): void {
  if (t.tools !== null) for (let i = at; i < t.roles.length; i++) untool(t, i)
  t.roles = t.roles.slice(0, at)
  settle(t)
}

/** Tool counts most used first (then by name), as a listing row shows them. */
export function toolsByUse(t: Tally): Record<string, number> {
  const out = Object.create(null) as Record<string, number>
  if (t.tools === null) return out
  const counts = t.tools.counts
  const names = Object.keys(counts).sort((a, b) => counts[b]! - counts[a]! || (a < b ? -1 : a > b ? 1 : 0))
  for (const name of names) out[name] = counts[name]!
  return out
}

function toolsOf(t: Tally): ToolTally {
  return t.tools ??= { calls: {}, counts: Object.create(null) as Record<string, number> }
}

function untool(t: Tally, at: number): void {
  const entries = t.tools?.calls[at]
  if (!entries) return
  for (const [, name] of entries) count(t, name, -1)
  delete t.tools!.calls[at]
}

function count(t: Tally, name: string, by: 1 | -1): void {
  const tools = toolsOf(t)
  // Own properties only, written by defineProperty: safe for any name, on a cache read back from JSON too.
  const n = (Object.hasOwn(tools.counts, name) ? tools.counts[name]! : 0) + by
  if (n !== 0) Object.defineProperty(tools.counts, name, { value: n, enumerable: true, writable: true, configurable: true })
  else delete tools.counts[name]
}

/** No tool call left (all reverted or replaced): back to the small form. */
function settle(t: Tally): void {
  if (t.tools === null) return
  for (const _ in t.tools.counts) return
  t.tools = null
}

function isRecord(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
