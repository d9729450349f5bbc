/**
 * Verifying a log: every line read and judged, damage reported with line and byte offset.
 * With `repair`, a torn last line is set aside the way a writer's resume does it (resume +
 * close); damage inside the log is only ever reported, never rewritten.
 */
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
  /** Why a repair was not made (e.g. a writer holds the session). */
  repairError?: string
}

export interface VerifyPorts {
  locate(id: string): Promise<SessionLocation>
  /** Opens and closes the session for writing: what sets a torn tail aside. */
  reopen(id: string): Promise<void>
  maxLineBytes: number
}

export async function verifySession(ports: VerifyPorts, id: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const { path: file } = await ports.locate(id)
  let damage = await damageOf(file, id, ports.maxLineBytes)
  let repaired: Damage | null = null
  let repairError: string | undefined
  const torn = damage.find(d => d.kind === 'torn-tail')
  if (options.repair && torn) {
    try {
      await ports.reopen(id)
      repaired = torn
      damage = await damageOf(file, id, ports.maxLineBytes)
    } catch (error) {
      repairError = (error as Error).message
    }
  }
  return { id, path: file, ok: damage.length === 0, damage, repaired, ...(repairError === undefined ? {} : { repairError }) }
}

/** Every damaged line of the log; a log without one whole line has no header, and says so. */
async function damageOf(file: string, id: string, maxLineBytes: number): Promise<Damage[]> {
  const state: ScanState = { damage: [], position: { offset: 0, lines: 0, lastSeq: -1 } }
  for await (const _ of scanLog(file, state, { expectId: id, maxLineBytes })) { /* damage only */ }
  if (state.position.lines === 0 && !state.damage.some(d => d.kind === 'bad-header')) {
    state.damage.unshift({ kind: 'bad-header', line: 1, offset: 0, length: 0, message: 'the log has no complete line: the header is missing' })
  }
  return state.damage
}
