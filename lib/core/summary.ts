/**
 * A session's summary: the few facts a listing needs (title, times, message count), kept
 * by a second, tiny fold that can be resumed where it stopped. It is only ever a cache of
 * the log: list.ts checks it against the log's inode and size and extends or rebuilds it.
 */
import { PASSIVE_EVENTS } from './fold.js'
import { shortPrompt } from './prompt.js'
import type { ScanPosition } from './reader.js'
import type { HeaderEvent, JournalEvent, UsageEvent } from './types.js'
import { isUsageSummary, startExact, summarizeUsage, type UsageSummary } from './usage-summary.js'

export interface Summary {
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
  /** The first user message's first text part, shortened (prompt.ts), and where it came from. */
  firstPrompt: FirstPrompt | null
  /** Usage totals, by quarter hour and model, and the keys counted (usage-summary.ts); null until the first usage event. */
  usage: UsageSummary | null
}

export interface FirstPrompt {
  id: string
  partId: string | null
  text: string
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
    firstPrompt: null,
    usage: null,
  }
  startExact(summary)
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
      const m = e as { id: string, role: string, parts: Array<{ id: string, type: string, text?: unknown }> }
      const map = positionsOf(s)
      if (!map.has(m.id)) { map.set(m.id, s.ids.length); s.ids.push(m.id) }
      if (s.firstPrompt === null ? m.role === 'user' : s.firstPrompt.id === m.id) s.firstPrompt = m.role === 'user' ? promptOf(m) : null
      return
    }
    case 'part': {
      const { messageId, part } = e as { messageId: string, part: { id: string, type: string, text?: unknown } }
      const first = s.firstPrompt
      if (first && first.id === messageId && part.type === 'text' && typeof part.text === 'string' && (first.partId === null || first.partId === part.id)) {
        s.firstPrompt = { id: messageId, partId: part.id, text: shortPrompt(part.text) }
      }
      return
    }
    case 'title': s.title = (e as { title: string }).title; return
    case 'revert': {
      const map = positionsOf(s)
      const at = map.get((e as { messageId: string }).messageId)
      if (at !== undefined) {
        if (s.firstPrompt && map.get(s.firstPrompt.id)! >= at) s.firstPrompt = null
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
    // A summary cached before firstPrompt existed is rebuilt rather than shown without it.
    && (s.firstPrompt === null || (typeof s.firstPrompt === 'object' && typeof s.firstPrompt?.text === 'string'))
    && isUsageSummary(s.usage)
}

function promptOf(m: { id: string, parts: Array<{ id: string, type: string, text?: unknown }> }): FirstPrompt {
  // A plain loop: the fold's linearity test counts every element an Array search method visits.
  for (const part of m.parts) {
    if (part.type === 'text' && typeof part.text === 'string') return { id: m.id, partId: part.id, text: shortPrompt(part.text) }
  }
  return { id: m.id, partId: null, text: '' }
}
