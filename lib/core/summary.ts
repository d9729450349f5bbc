/**
 * A session's summary: the few facts a listing needs (title, times, counts, prompts, tools),
 * kept by a second, tiny fold that can be resumed where it stopped. It is only ever a cache of
 * the log: list.ts checks it against the log's inode and size and extends or rebuilds it.
 */
import { PASSIVE_EVENTS } from './fold.js'
import { promptsOnMessage, promptsOnPart, promptsOnRevert, startPrompts, type Prompt, type PromptScan } from './prompt.js'
import type { ScanPosition } from './reader.js'
import { copyTally, emptyTally, isTally, roleAt, tallyMessage, tallyPart, tallyRevert, type Tally } from './tally.js'
import type { HeaderEvent, JournalEvent, Role, UsageEvent } from './types.js'
import { copyUsage, isUsageSummary, startExact, summarizeUsage, type UsageSummary } from './usage-summary.js'

export interface Summary extends Tally {
  /** Which file the summary is of: inode and birth time (a re-created log may reuse the inode). */
  ino: number
  born: number
  /** Where the scan stopped: after the last complete line. */
  position: ScanPosition
  projectPath: string | null
  title: string | null
  parentId: string | null
  created: string | null
  updated: string | null
  shared: boolean
  damaged: boolean
  /** Visible message ids in order: needed to count through reverts and repeated ids. */
  ids: string[]
  /** The first and the last user text, shortened, and where they came from (prompt.ts). */
  firstPrompt: Prompt | null
  lastPrompt: Prompt | null
  /** Usage totals, by quarter hour and model, and the keys counted (usage-summary.ts); null until the first usage event. */
  usage: UsageSummary | null
  /** In memory only (not enumerable: never in JSON, never copied), for a summary built from the start of its log (usage-summary.ts, prompt.ts). */
  exactKeys?: Set<string> | null
  promptScan?: PromptScan | null
}

export function emptySummary(ino: number, born = 0): Summary {
  const summary: Summary = {
    ino,
    born,
    position: { offset: 0, lines: 0, lastSeq: -1 },
    projectPath: null,
    title: null,
    parentId: null,
    created: null,
    updated: null,
    shared: false,
    damaged: false,
    ids: [],
    ...emptyTally(),
    firstPrompt: null,
    lastPrompt: null,
    usage: null,
  }
  startExact(summary)
  startPrompts(summary)
  return summary
}

/** A copy of a cached summary to extend (the cache's own stays as it was); from the start of the log, an exact one. */
export function resumeSummary(base: Summary): Summary {
  // The base's in-memory scan is not copied (not enumerable): a copy from the start makes its own.
  const summary: Summary = { ...base, ids: base.ids.slice(), ...copyTally(base), usage: copyUsage(base.usage) }
  if (summary.position.offset === 0) {
    startExact(summary)
    startPrompts(summary)
  }
  return summary
}

// Where each id stands in `ids`, kept beside it (never persisted), so repeated ids and reverts
// cost O(1): `ids` only grows at the end or is cut at a revert, so positions never move.
const positions = new WeakMap<Summary, Map<string, number>>()
function positionsOf(s: Summary): Map<string, number> {
  let map = positions.get(s)
  if (!map) positions.set(s, map = new Map(s.ids.map((id, i) => [id, i])))
  return map
}

/** Same rules as fold.ts for the fields a summary keeps; fold.test checks they agree. */
export function summarize(s: Summary, e: JournalEvent): void {
  s.created ??= e.ts
  if (!PASSIVE_EVENTS.has(e.type) || s.updated === null) s.updated = e.ts
  switch (e.type) {
    case 'session': {
      // Only the first header counts, as in fold.ts (projectPath is set by a header only).
      if (s.projectPath !== null) return
      const h = e as HeaderEvent
      s.projectPath = h.projectPath
      s.parentId = h.parentId
      s.created = h.ts
      if (h.title !== null) s.title = h.title
      return
    }
    case 'message': {
      const m = e as { id: string, role: Role, parts: Array<{ id: string, type: string, text?: unknown }> }
      const map = positionsOf(s)
      const known = map.get(m.id)
      const at = known ?? s.ids.length
      const wasUser = known === undefined ? null : roleAt(s, at) === 'user'
      if (known === undefined) { map.set(m.id, at); s.ids.push(m.id) }
      promptsOnMessage(s, at, wasUser, m, map)
      tallyMessage(s, at, m.role, m.parts)
      return
    }
    case 'part': {
      const { messageId, part } = e as { messageId: string, part: { id: string, type: string, text?: unknown } }
      const map = positionsOf(s)
      // A part of a reverted or unknown message is not folded: nothing to count.
      const at = map.get(messageId)
      if (at === undefined) return
      if (roleAt(s, at) === 'user') promptsOnPart(s, at, messageId, part, map)
      tallyPart(s, at, part)
      return
    }
    case 'title': s.title = (e as { title: string }).title; return
    case 'revert': {
      const map = positionsOf(s)
      const at = map.get((e as { messageId: string }).messageId)
      if (at !== undefined) {
        promptsOnRevert(s, at, map)
        tallyRevert(s, at)
        for (let i = at; i < s.ids.length; i++) map.delete(s.ids[i]!)
        s.ids.length = at
      }
      return
    }
    case 'share': s.shared = true; return
    case 'unshare': s.shared = false; return
    case 'import': s.shared = false; return
    case 'usage': summarizeUsage(s, e as UsageEvent); return
  }
}

export function isSummary(value: unknown): value is Summary {
  const s = value as Summary
  return typeof s === 'object' && s !== null && typeof s.ino === 'number' && typeof s.born === 'number' && Array.isArray(s.ids)
    && typeof s.position === 'object' && s.position !== null && typeof s.position.offset === 'number'
    && isPrompt(s.firstPrompt) && isPrompt(s.lastPrompt) && isTally(s) && s.roles.length === s.ids.length
    && isUsageSummary(s.usage)
}

function isPrompt(p: unknown): boolean {
  return p === null || (typeof p === 'object' && typeof (p as Prompt).id === 'string' && typeof (p as Prompt).text === 'string')
}
