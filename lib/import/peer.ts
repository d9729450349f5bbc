/**
 * The contract between the import driver and each other tool's reader (a "peer"): a peer
 * turns the tool's files into sessions already expressed as journal event bodies, with
 * their original timestamps; the driver decides what is new, and writes. Peers never write.
 * docs/import.md has each tool's mapping.
 *
 * Conventions every peer follows (docs/import.md, "Conventions"):
 * - Message and part ids are the tool's own (or derived from them): stable across reads, never
 *   generated. The driver leaves out (as a problem) a message or part without an id.
 * - A message the user did not type (injected context, hook output, environment, AGENTS.md)
 *   carries `meta: { synthetic: true }`; a compaction summary `meta: { synthetic: true,
 *   compaction: true }`. (OpenCode's own part-level `synthetic` stays on its text parts too.)
 * - Other per-message facts go under `meta` in the tool's words (`model`, `agent`, …).
 * - Files and images: `{ id, type: 'file', mime, filename?, url? }` with a `data:` URL only up to
 *   MAX_INLINE_BYTES decoded bytes; larger ones get no url and `size` (bytes) instead.
 * - Helpers for the common work: files.ts (findFiles, fileFingerprint), jsonl.ts (readJsonLines).
 *   The driver expands globs and resolves paths before discover(), which gets files and folders.
 */

export type PeerTool = 'claude-code' | 'codex' | 'opencode' | 'gemini'
export const PEER_TOOLS: readonly PeerTool[] = ['claude-code', 'codex', 'opencode', 'gemini']

/** Where an imported session came from. (tool, id) names it across imports. */
export interface ImportOrigin {
  tool: PeerTool
  /** The session's id in that tool (a UUID, `ses_…`, …). */
  id: string
  /** The file (or database) it was read from. */
  path: string
  /** The tool's version that wrote it, when the files say. */
  version: string | null
}

/** Something wrong in a source, the session imported as far as it could be. */
/** The largest file or image kept inline as a `data:` URL (decoded bytes). */
export const MAX_INLINE_BYTES = 256 * 1024

export interface ImportProblem {
  path: string
  /** 1-based line, when the source has lines. */
  line?: number
  message: string
}

/** One event body (`message`, `part`, `title`, `revert`, `usage`, `x.<tool>.*`) at its original time. */
export interface PeerEvent {
  ts: string
  body: { type: string, [key: string]: unknown }
}

/** One session of another tool, mapped, not yet written. */
export interface PeerSession {
  origin: ImportOrigin
  /** The absolute path of the project it ran in; '' when the source does not say. */
  projectPath: string
  title: string | null
  /** The header's time: the session's first record. */
  created: string
  /** The origin id of the session this one was started from (a subagent's parent, a fork's source). */
  parentOriginId: string | null
  /** In order. Message ids are stable across reads of the same source, so a re-import can tell new from known. */
  events: PeerEvent[]
  problems: ImportProblem[]
}

/** A unit to read: one transcript file, one export document, one session in a database. */
export interface PeerUnit {
  path: string
  /** Changes whenever the source may have changed (size and mtime, or the database's own clock). */
  fingerprint: string
  /** For units inside one file (a database): which session. */
  key?: string
}

export interface Peer {
  tool: PeerTool
  /** Where the tool keeps its sessions by default (existing or not). */
  defaultSources(home: string, env: NodeJS.ProcessEnv): string[]
  /** Files and folders (searched recursively; globs are expanded by the driver) -> the units in them; missing paths are skipped. */
  discover(paths: string[]): Promise<PeerUnit[]>
  /**
   * One unit -> its sessions (parents before children). A unit that is not this tool's format
   * throws InvalidImportError; damage inside a unit is reported in `problems`.
   */
  read(unit: PeerUnit): Promise<PeerSession[]>
}
