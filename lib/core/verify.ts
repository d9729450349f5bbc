/**
 * Verifying a log: every line read and judged, damage reported with line and byte offset.
 * With `repair`, a torn last line is set aside the way a writer's resume does it (resume +
 * close); damage inside the log is only ever reported, never rewritten. While a writer holds
 * the session, its unfinished last line is a write in progress, not damage.
 */
import { SessionLockedError } from './errors.js'
import type { SessionLocation } from './locate.js'
import { scanLog, type ScanState } from './reader.js'
import type { Damage } from './types.js'

export interface VerifyOptions {
  /** Set a torn tail aside (as resume() does) before reporting. */
  repair?: boolean
}

export interface VerifyReport {
  id: string
  path: string
  /** No damage remains. */
  ok: boolean
  damage: Damage[]
  /** The torn tail that was set aside, when `repair` did. */
  repaired: Damage | null
  /** Why a repair was not made (e.g. the session could not be opened for writing). */
  repairError?: string
  /** A live writer's unfinished last line: a write in progress, not damage (never repaired). */
  writing?: Damage
}

export interface VerifyPorts {
  locate(id: string): Promise<SessionLocation>
  /** Opens and closes the session for writing: what sets a torn tail aside. */
  reopen(id: string): Promise<void>
  /** Whether a live writer holds the log now (its lock is fresh). */
  isHeld(file: string): Promise<boolean>
  maxLineBytes: number
}

export async function verifySession(ports: VerifyPorts, id: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const { path: file } = await ports.locate(id)
  // Held before or after the scan: a writer was live while the last line was read.
  const heldBefore = await ports.isHeld(file)
  let found = split(await damageOf(file, id, ports.maxLineBytes), false)
  let repaired: Damage | null = null
  let repairError: string | undefined
  if (found.unfinished && (heldBefore || await ports.isHeld(file))) {
    found = split(found.all, true)
  } else if (options.repair && found.torn) {
    try {
      await ports.reopen(id)
      repaired = found.torn
      found = split(await damageOf(file, id, ports.maxLineBytes), false)
    } catch (error) {
      // A writer took the session between the scan and the repair: what is torn now is its write.
      if (error instanceof SessionLockedError) found = split(await damageOf(file, id, ports.maxLineBytes), true)
      else repairError = (error as Error).message
    }
  }
  const { damage, writing } = found
  return {
    id, path: file, ok: damage.length === 0, damage, repaired,
    ...(repairError === undefined ? {} : { repairError }),
    ...(writing === undefined ? {} : { writing }),
  }
}

interface Found {
  all: Damage[]
  /** What is reported as damage. */
  damage: Damage[]
  torn: Damage | undefined
  /** A torn tail, or no whole line at all: what a live writer leaves while it writes. */
  unfinished: boolean
  writing?: Damage
}

/** With `held`, the torn tail is the writer's line in progress, and a log it is creating has no header yet. */
function split(all: Damage[], held: boolean): Found {
  const torn = all.find(d => d.kind === 'torn-tail')
  const unfinished = torn !== undefined || all.some(isNoLine)
  if (!held) return { all, damage: all, torn, unfinished }
  const damage = all.filter(d => d.kind !== 'torn-tail' && !isNoLine(d))
  return { all, damage, torn: undefined, unfinished, ...(torn === undefined ? {} : { writing: torn }) }
}

const NO_LINE = 'the log has no complete line: the header is missing'
const isNoLine = (d: Damage) => d.kind === 'bad-header' && d.message === NO_LINE

/** Every damaged line of the log; a log without one whole line has no header, and says so. */
async function damageOf(file: string, id: string, maxLineBytes: number): Promise<Damage[]> {
  const state: ScanState = { damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } }
  for await (const _ of scanLog(file, state, { expectId: id, maxLineBytes })) { /* damage only */ }
  if (state.position.lines === 0 && !state.damage.some(d => d.kind === 'bad-header')) {
    state.damage.unshift({ kind: 'bad-header', line: 1, offset: 0, length: 0, message: NO_LINE })
  }
  return state.damage
}
