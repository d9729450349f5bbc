/**
 * A listing row as list() returns it, made from a cached row (list-cache.ts) and the
 * project it belongs to.
 */
import { idTime } from './ids.js'
import { sameKey, type CachedRow, type CachedState } from './list-cache.js'
import type { RoleCounts } from './tally.js'
import type { SessionInfo, SessionUsage } from './types.js'
import { emptySessionUsage } from './usage.js'
import type { UsageSummary } from './usage-summary.js'

/** A listing row: the info fields a picker shows (same names and types as read()'s), plus counts. */
export interface SessionRow extends Pick<SessionInfo, 'id' | 'projectId' | 'projectPath' | 'title' | 'parentId' | 'created' | 'updated'> {
  /** read()'s title; when the session has none, its first prompt (then `titleFromPrompt` is true). */
  title: string | null
  /** The title is the first prompt standing in for a missing one. */
  titleFromPrompt: boolean
  /** Messages in the folded history (after reverts). */
  messages: number
  /** The same messages by role: the three add up to `messages`. */
  roles: RoleCounts
  /** Tool calls of those messages by tool name, most used first (a prototype-less object). */
  tools: Record<string, number>
  shared: boolean
  /** The log has damage beyond a torn last line, or no header at all (`verify` tells what). */
  damaged: boolean
  /** The first user text (the first text part of the first user message that has one), whitespace collapsed, cut at ~200 characters on a word boundary; null when there is none. */
  firstPrompt: string | null
  /** The last user text, shortened the same way: where the session was left. */
  lastPrompt: string | null
  /** Usage totals, equal to read()'s `info.usage` (from the listing cache, no fold). */
  usage: SessionUsage
}

/** Hears each listed session's row with its cached usage summary (the usage plug-in's buckets). */
export type UsageCollector = (row: SessionRow, usage: UsageSummary | null) => void

export function toRow(id: string, projectId: string, projectPath: string | null, s: CachedRow): SessionRow {
  const created = s.created ?? idTime(id)
  const [user, assistant, system] = s.roles
  const tools = Object.create(null) as Record<string, number>
  if (s.tools !== null) for (const [name, n] of s.tools) tools[name] = n
  return {
    id,
    projectId,
    projectPath: s.projectPath ?? projectPath ?? '',
    title: s.title ?? s.firstPrompt,
    titleFromPrompt: s.title === null && s.firstPrompt !== null,
    parentId: s.parentId,
    created,
    updated: s.updated ?? created,
    messages: user + assistant + system,
    roles: { user, assistant, system },
    tools,
    shared: s.shared,
    damaged: s.damaged,
    firstPrompt: s.firstPrompt,
    lastPrompt: s.lastPrompt,
    usage: s.usage ?? emptySessionUsage(),
  }
}

export function fits(row: CachedRow, state: CachedState | undefined): boolean {
  return state !== undefined && sameKey(row, state)
}

export function usageOf(row: CachedRow, state: CachedState | undefined): UsageSummary | null {
  return row.usage === null ? null : { totals: row.usage, buckets: state?.buckets ?? {}, keys: state?.keys ?? '' }
}
