import { createHash } from 'node:crypto'
import path from 'node:path'
import envPaths from 'env-paths'
import { InvalidIdError } from './errors.js'
import { assertSessionId, isSessionId } from './ids.js'

/** Sessions hold private conversations: owner-only from the first byte. */
export const DIR_MODE = 0o700
export const FILE_MODE = 0o600

export const LOG_SUFFIX = '.ndjson'
const TORN_INFIX = '.torn-'
/** An import's log while it is written: a dot name, so listing and locate never see it. */
const STAGING = /^\.(.{26})\.ndjson\.importing$/

/** `root` option, else `$SESSION_JOURNAL_HOME`, else the platform's data folder. */
export function resolveRoot(root?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (root) return path.resolve(root)
  const fromEnv = env.SESSION_JOURNAL_HOME
  if (fromEnv) return path.resolve(fromEnv)
  return envPaths('session-journal', { suffix: '' }).data
}

const PROJECT_ID = /^[a-z0-9][a-z0-9._-]{0,47}-[0-9a-f]{12}$/

/**
 * A readable, collision-free folder name for a project: slug of the folder's name plus
 * 48 bits of sha256 of the resolved absolute path, so `/a/spec-rl` and `/a/spec/rl`
 * get different ids although both slugs are `rl`-ish.
 */
export function projectIdOf(projectPath: string): string {
  const resolved = path.resolve(projectPath)
  const hash = createHash('sha256').update(resolved).digest('hex').slice(0, 12)
  const slug = path.basename(resolved)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents off: `Été` reads `ete`, not `e-te`
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 40) || 'root'
  return `${slug}-${hash}`
}

export function isProjectId(id: unknown): id is string {
  return typeof id === 'string' && PROJECT_ID.test(id)
}

export function assertProjectId(id: unknown): string {
  if (!isProjectId(id)) throw new InvalidIdError(`invalid project id ${JSON.stringify(String(id).slice(0, 80))}`)
  return id
}

/** Where everything of one root lives. Every id is validated before it is joined. */
export class Layout {
  constructor(readonly root: string) {}

  get projectsDir(): string { return path.join(this.root, 'projects') }

  /** Where session ids are claimed, one file per id (see claims.ts). */
  get idsDir(): string { return path.join(this.root, 'ids') }

  claimFile(sessionId: string): string {
    return path.join(this.idsDir, assertSessionId(sessionId))
  }

  projectDir(projectId: string): string {
    return path.join(this.projectsDir, assertProjectId(projectId))
  }

  projectFile(projectId: string): string {
    return path.join(this.projectDir(projectId), 'project.json')
  }

  /** The listing cache of one project (see list.ts): never the source of truth. */
  indexFile(projectId: string): string {
    return path.join(this.projectDir(projectId), 'index.json')
  }

  /** The listing cache of many projects at once (see list-pack.ts): never the source of truth. */
  get packedIndexFile(): string { return path.join(this.root, 'packed-index.json') }

  sessionsDir(projectId: string): string {
    return path.join(this.projectDir(projectId), 'sessions')
  }

  sessionFile(projectId: string, sessionId: string): string {
    return path.join(this.sessionsDir(projectId), `${assertSessionId(sessionId)}${LOG_SUFFIX}`)
  }

  /** Where resume() sets a torn tail aside: beside the log, named after it and the offset. */
  tornFile(projectId: string, sessionId: string, offset: number, attempt = 0): string {
    return `${this.sessionFile(projectId, sessionId)}${TORN_INFIX}${offset}${attempt === 0 ? '' : `.${attempt}`}`
  }

  /** Where import() writes a log before it links it into place whole. */
  stagingFile(projectId: string, sessionId: string): string {
    return path.join(this.sessionsDir(projectId), `.${assertSessionId(sessionId)}${LOG_SUFFIX}.importing`)
  }

  /** The session id of a staging file's name, or undefined for any other name. */
  stagingIdOf(name: string): string | undefined {
    const id = STAGING.exec(name)?.[1]
    return isSessionId(id) ? id : undefined
  }

  /** Whether a file name in a sessions folder is one of this session's set-aside torn tails. */
  isTornFileOf(name: string, sessionId: string): boolean {
    return name.startsWith(`${assertSessionId(sessionId)}${LOG_SUFFIX}${TORN_INFIX}`)
  }
}

