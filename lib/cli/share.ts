import { JournalError } from '../index.js'
import { oneLine, safeJson } from './text.js'
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
    // The link comes from the server: printed like any other outside text.
    await ctx.out(ctx.json ? `${safeJson({ id, url })}\n` : `${oneLine(url)}\n`)
    return 0
  },
}

export const unshareCommand: Command = {
  name: 'unshare',
  summary: 'Remove a shared session from the share server',
  usage: '<id> [--local] [--json]',
  description: [
    'Deletes the published copy of session <id> on the share server, then records the',
    'unshare in the log. Works for a deleted session too, and for a project whose config',
    'now disables sharing (taking a copy down is always allowed). Exits 1 if it was not',
    'shared from here.',
    '',
    '--local forgets the share on this machine without contacting the server (for a server',
    'that is gone): the copy may stay online at the link it prints.',
  ].join('\n'),
  options: {
    local: { type: 'boolean', description: 'Forget the share here without contacting its server' },
  },
  args: { min: 1, max: 1 },
  async run(ctx) {
    const id = ctx.positionals[0]!
    const local = ctx.flag('local')
    const result = await ctx.journal.unshare(id, { local }).catch(error => {
      throw hint(error, local ? undefined : `'session-journal unshare --local ${id}' forgets it here without contacting the server`)
    })
    if (ctx.json) {
      await ctx.out(`${JSON.stringify(result ? { id, unshared: true, url: result.url, removed: result.removed } : { id, unshared: false })}\n`)
    } else if (!result) {
      await ctx.err(`session ${id} is not shared from here\n`)
    } else if (result.removed) {
      await ctx.out(`unshared ${id}\n`)
    } else {
      await ctx.out(`unshared ${id} here only: the server was not contacted, so the copy ${where(result.url)} may still be online\n`)
    }
    return result ? 0 : 1
  },
}

/** Where a copy that may remain is, in words. */
export function where(url: string | null): string {
  return url === null ? '(its link is unknown: the share record was damaged)' : `at ${oneLine(url)}`
}

/** The flag that gets a user past a share server that is gone, added to the library's message. */
export function hint(error: unknown, text: string | undefined): unknown {
  if (text !== undefined && error instanceof JournalError && error.code === 'ERR_SHARE_FAILED') error.message += `; ${text}`
  return error
}
