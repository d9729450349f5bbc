/**
 * Making new logs. Every new log's id is claimed first (claims.ts), so ids stay unique in the
 * whole root; an import's log is written under a staging name and linked into place whole
 * (log-file.ts), so a failure or a crash part-way leaves no session behind.
 */
import path from 'node:path'
import type { Claims } from './claims.js'
import { UsageError } from './errors.js'
import { FORMAT_VERSION } from './event.js'
import { assertSessionId, newId } from './ids.js'
import { createLogFile, createStagedLogFile, type LogFileSettings, type OpenLog } from './log-file.js'
import { projectIdOf, type Layout } from './paths.js'
import type { OpenSession } from './session.js'
import type { HeaderEvent, HostInfo } from './types.js'

export interface CreateOptions {
  /** The project folder the session belongs to (resolved to an absolute path). */
  project: string
  title?: string
  /** The session this one was forked from, or whose child it is. */
  parentId?: string
  host?: HostInfo
}

/** The header create() writes: a fresh id, the project resolved. ERR_USAGE / ERR_INVALID_ID first. */
export function newHeader(options: CreateOptions): Omit<HeaderEvent, 'seq'> {
  if (!options || typeof options.project !== 'string' || options.project === '') throw new UsageError('create() needs { project: <folder> }')
  if (options.parentId !== undefined) assertSessionId(options.parentId)
  const projectPath = path.resolve(options.project)
  return {
    ts: new Date().toISOString(),
    type: 'session',
    version: FORMAT_VERSION,
    id: newId(),
    projectId: projectIdOf(projectPath),
    projectPath,
    title: options.title ?? null,
    parentId: options.parentId ?? null,
    host: options.host ? { name: String(options.host.name), ...(options.host.version === undefined ? {} : { version: String(options.host.version) }) } : null,
  }
}

export interface Making {
  layout: Layout
  claims: Claims
  settings: LogFileSettings
}

/** `fresh`: the id was just made by newId() here, so the claim needs no lock and no walk. */
export async function createClaimed(make: Making, header: Omit<HeaderEvent, 'seq'>, fresh: boolean): Promise<OpenLog> {
  const { id, projectId } = header
  const claim = fresh ? await make.claims.fresh(id, projectId) : await make.claims.take(assertSessionId(id), projectId)
  let log: OpenLog | undefined
  try {
    log = await createLogFile(make.layout, header, make.settings)
    return log
  } finally {
    await claim.done(log !== undefined)
  }
}

/** Claims the id, writes the log through `fill` under its staging name, links it into place. */
export async function importStaged(make: Making, header: Omit<HeaderEvent, 'seq'>, open: (log: OpenLog) => OpenSession,
  fill: (session: OpenSession) => Promise<void>): Promise<void> {
  const claim = await make.claims.take(assertSessionId(header.id), header.projectId)
  let published = false
  try {
    const staged = await createStagedLogFile(make.layout, header, make.settings)
    const session = open(staged.log)
    try {
      await fill(session)
      await session.close() // the last sync: everything is on disk before the log has a name
      await staged.publish()
      published = true
    } finally {
      if (!published) {
        await session.close().catch(() => {})
        await staged.discard()
      }
    }
  } finally {
    await claim.done(published)
  }
}
