import type { Command } from './command.js'

export const shareCommand: Command = {
  name: 'share',
  summary: 'Publish a session to the share server and print its public link',
  usage: '<id> [--json]',
  description: [
    'Publishes session <id> to the share server ($SESSION_JOURNAL_SHARE_SERVER, else the',
    'shareServer config key) and prints the link anyone can open to read the conversation.',
    'Refused (ERR_SHARE_DISABLED) when the project config disables sharing. See docs/share.md.',
  ].join('\n'),
  options: {},
  args: { min: 1, max: 1 },
  async run(ctx) {
    const id = ctx.positionals[0]!
    const { url } = await ctx.journal.share(id)
    await ctx.out(ctx.json ? `${JSON.stringify({ id, url })}\n` : `${url}\n`)
    return 0
  },
}

export const unshareCommand: Command = {
  name: 'unshare',
  summary: 'Remove a shared session from the share server',
  usage: '<id> [--json]',
  description: [
    'Deletes the published copy of session <id> on the share server, then records the',
    'unshare in the log. Works for a deleted session too. Exits 1 if it was not shared from here.',
  ].join('\n'),
  options: {},
  args: { min: 1, max: 1 },
  async run(ctx) {
    const id = ctx.positionals[0]!
    const unshared = await ctx.journal.unshare(id)
    if (ctx.json) await ctx.out(`${JSON.stringify({ id, unshared })}\n`)
    else if (unshared) await ctx.out(`unshared ${id}\n`)
    else await ctx.err(`session ${id} is not shared from here\n`)
    return unshared ? 0 : 1
  },
}
