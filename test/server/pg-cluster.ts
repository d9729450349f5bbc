/**
 * A throwaway PostgreSQL cluster for the tests and the bench: initdb into a temp
 * folder, listening only on a unix socket in that folder (no TCP port to collide
 * on), fsync off. PostgreSQL refuses to run as root, so as root the cluster runs
 * as the `postgres` user (Debian's package makes it), else as `nobody`, in a
 * folder that user owns. Missing binaries fail loudly with the install step:
 * no test is skipped for want of PostgreSQL.
 */
import { execFile, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'

const run = promisify(execFile)

export interface PgCluster {
  /** The folder holding the data and the socket. */
  dir: string
  /** A connection string for `database` on this cluster. */
  url(database?: string): string
  /** A new, empty database; its connection string. */
  createDatabase(): Promise<string>
  /** Runs `sql` on `database` (default `postgres`), for a test that looks behind the store. */
  query<R extends object = Record<string, unknown>>(sql: string, values?: unknown[], database?: string): Promise<R[]>
  /** pg_ctl stop (fast: open connections are cut), as a database restart does. */
  stop(): Promise<void>
  start(): Promise<void>
  /** Stops it and removes the folder. */
  destroy(): Promise<void>
}

/** Where initdb and pg_ctl are: `pg_config --bindir`, else the newest /usr/lib/postgresql/<n>/bin. */
export function postgresBinDir(): string {
  const candidates: string[] = []
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim())
  } catch { /* no pg_config: look in Debian's folders */ }
  const debian = '/usr/lib/postgresql'
  if (fs.existsSync(debian)) {
    const versions = fs.readdirSync(debian).filter(v => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))
    candidates.push(...versions.map(v => path.join(debian, v, 'bin')))
  }
  const found = candidates.find(dir => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl')))
  if (found === undefined) {
    throw new Error('PostgreSQL (initdb, pg_ctl) is not installed: run `bash scripts/install-test-deps.sh` '
      + '(it runs `apt-get install -y postgresql`), or install PostgreSQL 13 or later, then run the tests again')
  }
  return found
}

export async function startPgCluster(): Promise<PgCluster> {
  const bin = postgresBinDir()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sj-pg-'))
  const asRoot = process.getuid?.() === 0
  const user = asRoot ? (hasUser('postgres') ? 'postgres' : 'nobody') : undefined
  if (user !== undefined) {
    const id = (flag: string): number => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim())
    fs.chownSync(dir, id('-u'), id('-g'))
  }
  const as = (command: string, args: string[]): Promise<unknown> => user === undefined
    ? run(path.join(bin, command), args)
    : run('runuser', ['-u', user, '--', path.join(bin, command), ...args])
  const data = path.join(dir, 'data')
  const settings = `-c listen_addresses='' -k ${dir} -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200`
  const start = async (): Promise<void> => {
    await as('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '60', '-o', settings, 'start'])
  }
  const stop = async (mode: string): Promise<void> => {
    await as('pg_ctl', ['-D', data, '-w', '-m', mode, 'stop'])
  }
  try {
    await as('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'])
    await start()
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true })
    throw error
  }
  const url = (database = 'postgres'): string => `postgres://postgres@/${database}?host=${dir}`
  let databases = 0
  const query = async <R extends object>(sql: string, values: unknown[] = [], database?: string): Promise<R[]> => {
    const client = new pg.Client({ connectionString: url(database) })
    await client.connect()
    try {
      return (await client.query<R>(sql, values)).rows
    } finally {
      await client.end()
    }
  }
  return {
    dir,
    url,
    query,
    async createDatabase() {
      const name = `t${process.pid}_${++databases}`
      await query(`CREATE DATABASE ${name}`)
      return url(name)
    },
    stop: () => stop('fast'),
    start,
    async destroy() {
      await stop('immediate').catch(() => undefined)
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

function hasUser(name: string): boolean {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
