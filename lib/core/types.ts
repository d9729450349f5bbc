/**
 * The shapes of the journal: events as they stand on disk, and the folded history.
 * Key order in these interfaces is the key order on disk and in exports.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }
export type JsonObject = { [key: string]: JsonValue }

export type Role = 'user' | 'assistant' | 'system'
export const ROLES: readonly Role[] = ['user', 'assistant', 'system']

/** A part of a message: `id` and `type` are required, every other field is the host's. */
export interface Part {
  id: string
  type: string
  [key: string]: JsonValue
}

/** The host program that wrote the session, when it said. */
export interface HostInfo {
  name: string
  version?: string
}

/** Fields every line carries, in this order. */
export interface EventBase {
  seq: number
  ts: string
  type: string
}

export interface HeaderEvent extends EventBase {
  type: 'session'
  version: number
  id: string
  projectId: string
  projectPath: string
  title: string | null
  parentId: string | null
  host: HostInfo | null
}

export interface MessageEvent extends EventBase {
  type: 'message'
  id: string
  role: Role
  parts: Part[]
  meta?: JsonObject
}

export interface PartEvent extends EventBase {
  type: 'part'
  messageId: string
  part: Part
}

export interface TitleEvent extends EventBase {
  type: 'title'
  title: string
}

export interface RevertEvent extends EventBase {
  type: 'revert'
  messageId: string
}

export interface ShareEvent extends EventBase {
  type: 'share'
  url: string
  shareId: string
}

export interface UnshareEvent extends EventBase {
  type: 'unshare'
}

/** Written by `resume()` after it set a torn tail aside into `file` (a name beside the log). */
export interface RepairEvent extends EventBase {
  type: 'repair'
  offset: number
  length: number
  file: string
}

/** Written by `import()` without raw events: pins `info.updated` of the imported history. */
export interface ImportEvent extends EventBase {
  type: 'import'
  from: string
}

/** Tokens (and maybe cost) one API response used; `key` makes a repeated line count once. */
export interface UsageEvent extends EventBase {
  type: 'usage'
  key: string
  messageId?: string
  model: string
  provider?: string
  input: number
  output: number
  reasoning?: number
  cacheRead?: number
  cacheWrite?: number
  cost?: number
  currency?: string
}

/** Host-defined: `type` starts with `x.` (e.g. `x.myhost.note`), payload under `data`. */
export interface CustomEvent extends EventBase {
  data: JsonValue
}

export type KnownEvent =
  | HeaderEvent | MessageEvent | PartEvent | TitleEvent | RevertEvent
  | ShareEvent | UnshareEvent | RepairEvent | ImportEvent | UsageEvent

/** Any parsed line: a known event, a host-defined one, or a type from a newer version. */
export type JournalEvent = KnownEvent | (EventBase & { [key: string]: unknown })

export interface ShareInfo {
  url: string
  shareId: string
  ts: string
}

/** Events the fold does not turn into messages (host-defined and unknown types), minus `seq`. */
export type KeptEvent = { ts: string, type: string, [key: string]: unknown }

export interface SessionMeta {
  host: HostInfo | null
  events: KeptEvent[]
}

/** Sums of usage events, each key counted once (docs/usage.md). */
export interface UsageTotals {
  /** Usage events counted (distinct keys). */
  events: number
  input: number
  output: number
  reasoning: number
  cacheRead: number
  cacheWrite: number
  /** The hosts' own `cost`, summed per currency (`USD` when an event names none). */
  cost: Record<string, number>
  /** The tokens of events without a `cost`: what a price table prices. */
  unpriced: { events: number, input: number, output: number, cacheRead: number, cacheWrite: number }
}

/** A session's usage: the totals, and the same per model. */
export interface SessionUsage extends UsageTotals {
  models: Record<string, UsageTotals>
}

export interface SessionInfo {
  id: string
  projectId: string
  projectPath: string
  title: string | null
  parentId: string | null
  created: string
  updated: string
  share: ShareInfo | null
  usage: SessionUsage
  meta: SessionMeta
}

export interface Message {
  id: string
  role: Role
  created: string
  parts: Part[]
  meta?: JsonObject
}

export type DamageKind =
  | 'torn-tail'      // bytes after the last newline: a write cut short
  | 'bad-json'       // a line that does not parse
  | 'bad-event'      // JSON, but not an event (no seq/ts/type, wrong types)
  | 'bad-header'     // line 1 is missing or not this session's header
  | 'seq-gap'        // seq jumped forward: lines are missing
  | 'seq-repeat'     // seq did not grow: a duplicated or interleaved line (skipped)
  | 'line-too-long'  // longer than maxLineBytes (skipped without buffering it)
  | 'bom'            // the file starts with a byte-order mark (ignored)
  | 'crlf'           // a line ends in \r\n (the event is kept)
  | 'nul'            // NUL bytes where a line should be

export interface Damage {
  kind: DamageKind
  /** 1-based line number. */
  line: number
  /** Byte offset of the line's first byte from the start of the file. */
  offset: number
  /** Bytes in the damaged line (without its newline). */
  length: number
  message: string
}

export interface History {
  info: SessionInfo
  messages: Message[]
  damage: Damage[]
}
