/**
 * Prompts as a listing shows them: the first and the last user text of a session (the first
 * text part of the first and of the last user message that has one), whitespace collapsed,
 * cut at about 200 characters on a word boundary. Kept short in the listing cache, whatever
 * the host pasted.
 *
 * The cache holds only those two. Most events settle them from that alone (a new message, a
 * part of a later message); the few that need an earlier user message (a revert cutting the
 * last prompt, an edit of a prompt's own message) consult the user messages of this scan, held
 * in memory when the summary is built from the start of the log, and otherwise ask for such a
 * rebuild (RebuildNeeded): rare, and exact again.
 */
import { RebuildNeeded } from './usage-summary.js'

export const PROMPT_CHARS = 200

export interface Prompt {
  /** The message's id, and the id of the text part the prompt is. */
  id: string
  partId: string
  text: string
}

export interface Prompts {
  firstPrompt: Prompt | null
  lastPrompt: Prompt | null
  /**
   * In memory only: a summary built from the start of its log keeps its user messages here
   * (null until the first, undefined when not built from the start). A field, not a WeakMap
   * entry per summary: a first listing of 10,000 logs spent ~10% of its time on those.
   */
  promptScan?: PromptScan | null
}

type PartLike = { id: string, type: string, text?: unknown }
type Positions = ReadonlyMap<string, number>

export function shortPrompt(text: string): string {
  // Only the head matters: never collapse a megabyte to show 200 characters of it.
  const head = text.slice(0, PROMPT_CHARS * 4).replace(/\s+/g, ' ').trim()
  const whole = text.length <= PROMPT_CHARS * 4 || text.slice(PROMPT_CHARS * 4).trim() === ''
  if (head.length <= PROMPT_CHARS && whole) return head
  const cut = head.slice(0, PROMPT_CHARS)
  const space = cut.lastIndexOf(' ')
  // A word longer than the whole budget is cut where it is; otherwise at the last space.
  return `${(space > PROMPT_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`
}

/** The user messages of a scan from the start: position -> id and parts (as the fold has them), positions ascending. */
export interface PromptScan {
  byPosition: Map<number, { id: string, parts: PartLike[] }>
  positions: number[]
}

/** Marks `owner` as built from the start of its log: every user message is seen, so nothing needs a rebuild. */
export function startPrompts(owner: Prompts): void {
  // Not enumerable: a summary saved as JSON, compared or copied carries no scan.
  Object.defineProperty(owner, 'promptScan', { value: null, writable: true, configurable: true, enumerable: false })
}

/** The user messages of a scan from the start (made on first use), or undefined for a summary extended from a cache. */
function scanOf(s: Prompts): PromptScan | undefined {
  return s.promptScan === undefined ? undefined : (s.promptScan ??= { byPosition: new Map(), positions: [] })
}

export function promptOf(id: string, parts: readonly PartLike[]): Prompt | null {
  // A plain loop: the fold's linearity test counts every element an Array search method visits.
  for (const part of parts) if (isText(part)) return { id, partId: part.id, text: shortPrompt(part.text) }
  return null
}

/** A message event at `at`; `wasUser` is null for a new message (at the end). */
export function promptsOnMessage(s: Prompts, at: number, wasUser: boolean | null, m: { id: string, role: string, parts: PartLike[] }, positionOf: Positions): void {
  const user = m.role === 'user'
  const users = scanOf(s)
  if (users) {
    if (user) {
      users.byPosition.set(at, { id: m.id, parts: m.parts.slice() })
      if (wasUser !== true) insertSorted(users.positions, at)
    } else if (wasUser === true) {
      users.byPosition.delete(at)
      users.positions.splice(indexOf(users.positions, at), 1)
    }
  }
  if (user || wasUser === true) settle(s, at, user ? promptOf(m.id, m.parts) : null, positionOf)
}

/** A part event on the user message at `at`. */
export function promptsOnPart(s: Prompts, at: number, messageId: string, part: PartLike, positionOf: Positions): void {
  const users = scanOf(s)
  if (users) {
    const message = users.byPosition.get(at)!
    replacePart(message.parts, part)
    return settle(s, at, promptOf(messageId, message.parts), positionOf)
  }
  const first = s.firstPrompt === null ? -1 : positionOf.get(s.firstPrompt.id)!
  const last = s.lastPrompt === null ? -1 : positionOf.get(s.lastPrompt.id)!
  // Before the first prompt or after the last, the message has no text: a text part is its prompt.
  if (at < first || at > last) {
    if (isText(part)) settle(s, at, { id: messageId, partId: part.id, text: shortPrompt(part.text) }, positionOf)
    return
  }
  // A prompt's own message: only its parts tell what its first text part is now.
  if ((at === first && (isText(part) || part.id === s.firstPrompt!.partId)) || (at === last && (isText(part) || part.id === s.lastPrompt!.partId))) {
    throw new RebuildNeeded()
  }
}

/** A revert cutting every message from `at` on. Called before the positions are forgotten. */
export function promptsOnRevert(s: Prompts, at: number, positionOf: Positions): void {
  const users = scanOf(s)
  if (users) while (users.positions.length > 0 && users.positions.at(-1)! >= at) users.byPosition.delete(users.positions.pop()!)
  if (s.lastPrompt === null || positionOf.get(s.lastPrompt.id)! < at) return
  if (positionOf.get(s.firstPrompt!.id)! >= at) s.firstPrompt = s.lastPrompt = null
  else recompute(s)
}

/** The message at `at` now has prompt `p` (or none): first and last move to it, or away from it. */
function settle(s: Prompts, at: number, p: Prompt | null, positionOf: Positions): void {
  const first = s.firstPrompt === null ? -1 : positionOf.get(s.firstPrompt.id)!
  const last = s.lastPrompt === null ? -1 : positionOf.get(s.lastPrompt.id)!
  if (p !== null) {
    if (first === -1 || at <= first) s.firstPrompt = p
    if (last === -1 || at >= last) s.lastPrompt = p
  } else if (at === first || at === last) {
    recompute(s)
  }
}

function recompute(s: Prompts): void {
  const users = scanOf(s)
  if (!users) throw new RebuildNeeded()
  s.firstPrompt = s.lastPrompt = null
  for (let i = 0; i < users.positions.length && s.firstPrompt === null; i++) {
    const m = users.byPosition.get(users.positions[i]!)!
    s.firstPrompt = promptOf(m.id, m.parts)
  }
  for (let i = users.positions.length - 1; i >= 0 && s.lastPrompt === null; i--) {
    const m = users.byPosition.get(users.positions[i]!)!
    s.lastPrompt = promptOf(m.id, m.parts)
  }
}

/** As the fold: the LAST part with the id is replaced, else the part is added. */
function replacePart(parts: PartLike[], part: PartLike): void {
  for (let i = parts.length - 1; i >= 0; i--) {
    if (parts[i]!.id === part.id) { parts[i] = part; return }
  }
  parts.push(part)
}

function isText(part: PartLike): part is PartLike & { text: string } {
  return part.type === 'text' && typeof part.text === 'string'
}

/** Where `at` is, or would go, in ascending `list`. */
function indexOf(list: number[], at: number): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (list[mid]! < at) lo = mid + 1
    else hi = mid
  }
  return lo
}

function insertSorted(list: number[], at: number): void {
  if (list.length === 0 || list.at(-1)! < at) list.push(at)
  else list.splice(indexOf(list, at), 0, at)
}
