import type { Command } from './command.js'
import { hint, where } from './share.js'

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete a session and its set-aside torn tails',
  usage: '<id> [--force] [--json]',
  description: [
    'Deletes the log of session <id>. Refused while a writer holds the session.',
    'A shared session is unshared first; if its share cannot be taken down (the server is',
    'gone), nothing is deleted.',
    '',
    '--force deletes it all the same: the copy may stay online (its link is printed) and its',
    "share record is kept, so 'session-journal unshare <id>' can still take it down later.",
  ].join('\n'),
  options: {
    force: { type: 'boolean', description: 'Delete even if the share cannot be taken down' },
  },
  args: { min: 1, max: 1 },
  async run(ctx) {
    const id = ctx.positionals[0]!
    const force = ctx.flag('force')
    const { share } = await ctx.journal.delete(id, { force }).catch(error => {
      throw hint(error, force ? undefined : `'session-journal delete --force ${id}' deletes it anyway`)
    })
    if (ctx.json) {
      const shareJson = share && { url: share.url, removed: share.removed, ...(share.error ? { error: share.error.message } : {}) }
      await ctx.out(`${JSON.stringify({ id, deleted: true, ...(shareJson ? { share: shareJson } : {}) })}\n`)
      return 0
    }
    await ctx.out(share?.removed ? `deleted ${id}; its share at ${share.url} was taken down\n` : `deleted ${id}\n`)
    if (share && !share.removed) {
      await ctx.err([
        `session-journal: warning: the share of ${id} could not be taken down (${share.error?.message ?? 'unknown reason'});`,
        ` the copy ${where(share.url)} may still be online. Its share record is kept:`,
        ` 'session-journal unshare ${id}' takes it down once its server can be reached,`,
        ` 'session-journal unshare --local ${id}' forgets it.\n`,
      ].join(''))
    }
    return 0
  },
}
