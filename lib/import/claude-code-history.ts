/**
 * Which lines of a Claude Code transcript are the conversation the user saw. The lines form a
 * tree by `parentUuid`; the history is the chain from the newest leaf up to the root (across a
 * compaction, whose boundary line has no parent but a `logicalParentUuid`), widened to every
 * line sharing a `message.id` with a line on it (one API response is written as several
 * sibling lines) and to the `tool_result` lines answering its tool calls (parallel calls fork
 * the tree too). Every other user or assistant line belongs to an abandoned branch: an edited
 * or retried prompt and what followed it. Pure.
 */

export type Rec = Record<string, unknown>

export interface Line {
  /** 1-based line in the file. */
  line: number
  rec: Rec
}

export const isObj = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v)
export const str = (v: unknown): v is string => typeof v === 'string'

/** The conversation lines that carry messages (the rest are kept as they are). */
export const isTurn = (rec: Rec) => (rec.type === 'user' || rec.type === 'assistant') && str(rec.uuid)

export function messageIdOf(rec: Rec): string | undefined {
  const message = rec.message
  return isObj(message) && str(message.id) && message.id !== '' ? message.id : undefined
}

export function blocksOf(rec: Rec): unknown[] {
  const message = rec.message
  if (!isObj(message)) return []
  return Array.isArray(message.content) ? message.content : []
}

export interface Branch {
  /** The line the branch forks from (on the history, or absent). */
  from: string | null
  lines: Line[]
}

export interface Selection {
  /** Uuids of the user/assistant lines on the history. */
  history: Set<string>
  branches: Branch[]
}

/**
 * `sidechain`: the file is a subagent's, whose lines all carry isSidechain; in a main file,
 * sidechain lines are never the history's leaf.
 */
export function selectHistory(lines: readonly Line[], sidechain: boolean): Selection {
  const byUuid = new Map<string, Line>()
  const hasChild = new Set<string>()
  for (const l of lines) {
    if (!str(l.rec.uuid)) continue
    byUuid.set(l.rec.uuid, l)
    // Only a turn makes its parent no leaf: hook progress or a todo attachment hang off the last reply.
    const parent = parentOf(l.rec)
    if (parent !== undefined && isTurn(l.rec)) hasChild.add(parent)
  }
  let leaf: Line | undefined
  for (let i = lines.length - 1; i >= 0 && leaf === undefined; i--) {
    const l = lines[i]!
    if (isTurn(l.rec) && !hasChild.has(l.rec.uuid as string) && (sidechain || l.rec.isSidechain !== true)) leaf = l
  }
  // The chain, root-ward; a uuid seen twice (a damaged file's cycle) ends it.
  const chain = new Set<string>()
  for (let at = leaf; at !== undefined && !chain.has(at.rec.uuid as string);) {
    chain.add(at.rec.uuid as string)
    const parent = parentOf(at.rec)
    at = parent === undefined ? undefined : byUuid.get(parent)
  }
  const messageIds = new Set<string>()
  const toolIds = new Set<string>()
  for (const uuid of chain) {
    const rec = byUuid.get(uuid)!.rec
    const id = messageIdOf(rec)
    if (id !== undefined && rec.type === 'assistant') messageIds.add(id)
  }
  const history = new Set<string>()
  for (const l of lines) {
    if (!isTurn(l.rec)) continue
    const id = messageIdOf(l.rec)
    if (chain.has(l.rec.uuid as string) || (l.rec.type === 'assistant' && id !== undefined && messageIds.has(id))) {
      history.add(l.rec.uuid as string)
      if (l.rec.type === 'assistant') for (const b of blocksOf(l.rec)) if (isObj(b) && b.type === 'tool_use' && str(b.id)) toolIds.add(b.id)
    }
  }
  for (const l of lines) {
    if (l.rec.type !== 'user' || !str(l.rec.uuid) || history.has(l.rec.uuid)) continue
    const blocks = blocksOf(l.rec)
    if (blocks.length > 0 && blocks.every(b => isObj(b) && b.type === 'tool_result' && str(b.tool_use_id) && toolIds.has(b.tool_use_id))) history.add(l.rec.uuid)
  }
  return { history, branches: branchesOf(lines, history) }
}

/** A compaction's boundary has no parent, but remembers the line it continues. */
function parentOf(rec: Rec): string | undefined {
  if (str(rec.parentUuid)) return rec.parentUuid
  return rec.parentUuid === null && str(rec.logicalParentUuid) ? rec.logicalParentUuid : undefined
}

/** Off-history turns, grouped: a line whose parent is in a branch joins it, else starts one. */
function branchesOf(lines: readonly Line[], history: ReadonlySet<string>): Branch[] {
  const branches: Branch[] = []
  const branchOf = new Map<string, Branch>()
  for (const l of lines) {
    if (!isTurn(l.rec) || history.has(l.rec.uuid as string)) continue
    const parent = parentOf(l.rec)
    let branch = parent === undefined ? undefined : branchOf.get(parent)
    if (branch === undefined) {
      branch = { from: parent ?? null, lines: [] }
      branches.push(branch)
    }
    branch.lines.push(l)
    branchOf.set(l.rec.uuid as string, branch)
  }
  return branches
}
