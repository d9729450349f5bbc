import { once } from 'node:events'
import path from 'node:path'
import { intOption } from './args.js'
import type { Command } from './command.js'

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the share server (loopback by default) until interrupted',
  usage: '[--port N] [--host HOST] [--dir DIR] [--public-url URL]',
  description: [
    'Starts the share server: the API that `share` publishes to and the viewer page at /s/<id>.',
    'Listens on 127.0.0.1 (port 4600 by default; 0 picks a free one) and stores shared',
    'documents under --dir (default: share-server/ under the journal root, which is',
    '$SESSION_JOURNAL_HOME or the platform data folder). Prints its URL, then serves until',
    'Ctrl-C. See docs/share.md.',
  ].join('\n'),
  options: {
    port: { type: 'string', value: 'N', description: 'Port, 0 to 65535 (default 4600; 0: any free port)' },
    host: { type: 'string', value: 'HOST', description: 'Address to listen on (default 127.0.0.1)' },
    dir: { type: 'string', value: 'DIR', description: 'Where shared documents are stored (default <root>/share-server)' },
    'public-url': { type: 'string', value: 'URL', description: 'Base of the links handed out, behind a proxy' },
  },
  args: { min: 0, max: 0 },
  async run(ctx) {
    // Checked here so a bad port is a usage error naming the flag, not node's RangeError.
    const port = intOption('serve', 'port', ctx.string('port'), 0, 65535) ?? 4600
    const host = ctx.string('host')
    // Beside the journal it serves, so SESSION_JOURNAL_HOME moves both (a test, a second user, a container volume).
    const dir = ctx.string('dir') ?? path.join(ctx.journal.root, 'share-server')
    const publicUrl = ctx.string('public-url')
    // Loaded only here: every other command starts without the HTTP stack.
    const { startShareServer } = await import('../server/index.js')
    const server = await startShareServer({ port, dir, ...(host ? { host } : {}), ...(publicUrl ? { publicUrl } : {}) })
    await ctx.out(ctx.json ? `${JSON.stringify({ url: server.url })}\n` : `share server listening on ${server.url}\n`)
    const signal = ctx.io.signal
    if (signal && !signal.aborted) await once(signal, 'abort')
    await server.close()
    return 0
  },
}
