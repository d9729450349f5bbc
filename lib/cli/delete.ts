import type { Command } from './command.js'

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'Delete a session and its set-aside torn tails',
  usage: '<id> [--json]',
  description: 'Deletes the log of session <id>. Refused while a writer holds the session.',
  options: {},
  args: { min: 1, max: 1 },
  async run(ctx) {
    const id = ctx.positionals[0]!
    await ctx.journal.delete(id)
    await ctx.out(ctx.json ? `${JSON.stringify({ id, deleted: true })}\n` : `deleted ${id}\n`)
    return 0
  },
}
