import { once } from 'node:events'
import path from 'node:path'
import { UsageError } from '../index.js'
import { intOption } from './args.js'
import type { Command, Context } from './command.js'

const POSTGRES_URL = /^postgres(ql)?:\/\//i

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the share server (loopback by default) until interrupted; `serve migrate` copies a disk store into PostgreSQL',
  usage: '[--port N] [--host HOST] [--dir DIR | --store URL] [--pool-size N] [--public-url URL] | migrate --from DIR --to URL',
  description: [
    'Starts the share server: the API that `share` publishes to and the viewer page at /s/<id>.',
    'Listens on 127.0.0.1 (port 4600 by default; 0 picks a free one) and stores shared',
    'documents under --dir (default: share-server/ under the journal root, which is',
    '$SESSION_JOURNAL_HOME or the platform data folder), or in PostgreSQL with',
    '--store postgres://user@host/db (or $SESSION_JOURNAL_SHARE_STORE): every server given the',
    'same database acts as one service. Prints its URL, then serves until Ctrl-C.',
    '',
    '`serve migrate --from DIR --to postgres://...` copies the shares of a disk store into the',
    'database (same links, same secrets), says how many it copied, found there already or could',
    'not read (each by id), and may be run again: it copies only what is missing. Exit 1 when a',
    'share could not be copied. See docs/share.md.',
  ].join('\n'),
  options: {
    port: { type: 'string', value: 'N', description: 'Port, 0 to 65535 (default 4600; 0: any free port)' },
    host: { type: 'string', value: 'HOST', description: 'Address to listen on (default 127.0.0.1)' },
    dir: { type: 'string', value: 'DIR', description: 'Where shared documents are stored (default <root>/share-server)' },
    store: { type: 'string', value: 'URL', description: 'Keep shares in PostgreSQL: postgres://user@host/db (default $SESSION_JOURNAL_SHARE_STORE)' },
    'pool-size': { type: 'string', value: 'N', description: 'Database connections at most, with --store (default 10)' },
    'public-url': { type: 'string', value: 'URL', description: 'Base of the links handed out, behind a proxy' },
    from: { type: 'string', value: 'DIR', description: 'migrate: the disk store to copy from' },
    to: { type: 'string', value: 'URL', description: 'migrate: the postgres:// database to copy into' },
  },
  args: { min: 0, max: 1 },
  async run(ctx) {
    const action = ctx.positionals[0]
    if (action === 'migrate') return migrate(ctx)
    if (action !== undefined) throw new UsageError(`serve: unknown action ${JSON.stringify(action)} (only migrate)`)
    for (const flag of ['from', 'to']) if (ctx.string(flag) !== undefined) throw new UsageError(`serve: --${flag} is for serve migrate`)
    // Checked here so a bad port is a usage error naming the flag, not node's RangeError.
    const port = intOption('serve', 'port', ctx.string('port'), 0, 65535) ?? 4600
    const poolSize = intOption('serve', 'pool-size', ctx.string('pool-size'), 1, 10_000)
    const host = ctx.string('host')
    const store = ctx.string('store') ?? (ctx.string('dir') === undefined ? nonEmpty(ctx.io.env.SESSION_JOURNAL_SHARE_STORE) : undefined)
    if (store !== undefined && ctx.string('dir') !== undefined) throw new UsageError('serve: give --dir or --store, not both')
    if (store !== undefined && !POSTGRES_URL.test(store)) throw new UsageError('serve: --store must be a postgres:// or postgresql:// URL (a folder is --dir)')
    if (poolSize !== undefined && store === undefined) throw new UsageError('serve: --pool-size is for --store')
    // Beside the journal it serves, so SESSION_JOURNAL_HOME moves both (a test, a second user, a container volume).
    const where = store !== undefined ? { store, postgres: poolSize === undefined ? {} : { poolSize } } : { dir: ctx.string('dir') ?? path.join(ctx.journal.root, 'share-server') }
    const publicUrl = ctx.string('public-url')
    // Loaded only here: every other command starts without the HTTP stack.
    const { startShareServer } = await import('../server/index.js')
    const server = await startShareServer({ port, ...where, ...(host ? { host } : {}), ...(publicUrl ? { publicUrl } : {}) })
    await ctx.out(ctx.json ? `${JSON.stringify({ url: server.url, store: server.store.kind })}\n` : `share server listening on ${server.url} (${server.store.kind} store)\n`)
    const signal = ctx.io.signal
    if (signal && !signal.aborted) await once(signal, 'abort')
    await server.close()
    return 0
  },
}

async function migrate(ctx: Context): Promise<number> {
  const from = ctx.string('from')
  const to = ctx.string('to')
  if (from === undefined || to === undefined) throw new UsageError('serve migrate: give --from DIR and --to postgres://...')
  if (!POSTGRES_URL.test(to)) throw new UsageError('serve migrate: --to must be a postgres:// or postgresql:// URL')
  for (const flag of ['port', 'host', 'dir', 'store', 'pool-size', 'public-url']) {
    if (ctx.string(flag) !== undefined) throw new UsageError(`serve migrate: --${flag} is for serve`)
  }
  const { migrateShareStore } = await import('../server/index.js')
  const report = await migrateShareStore({ from: path.resolve(ctx.io.cwd ?? process.cwd(), from), to })
  if (!ctx.json) for (const { id, error } of report.failed) await ctx.err(`serve migrate: ${id} not copied: ${error}\n`)
  const line = `${report.found} shares found: ${report.copied} copied, ${report.existing} already there, ${report.failed.length} could not be read`
  await ctx.out(ctx.json ? `${JSON.stringify(report)}\n` : `${line}\n`)
  return report.failed.length === 0 ? 0 : 1
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}
