import { UsageError } from '../index.js'
import type { Command, Context } from './command.js'
import { EXIT } from './exit.js'
import { oneLine } from './text.js'

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Check logs line by line; --repair sets a torn tail aside',
  usage: '[<id>|--all] [--repair] [--json]',
  takesId: true,
  description: [
    'Reads every line of session <id> (or of every session with --all) and reports each',
    'damaged one: session id, file, 1-based line, byte offset, kind and what is wrong',
    '(bad JSON, seq gaps or repeats, a missing or foreign header, a torn last line...).',
    'Exits 5 when any damage remains.',
    '',
    "--repair sets a torn last line aside into <log>.torn-<offset> as a writer's resume does",
    '(and records a repair event). Damage inside the log is reported, never rewritten.',
    'A progress bar is drawn on stderr when it is a terminal and several sessions are checked.',
    'With --json: one object per session (NDJSON): { id, path, ok, damage, repaired, writing? }.',
  ].join('\n'),
  options: {
    all: { type: 'boolean', description: 'Check every session of every project' },
    repair: { type: 'boolean', description: 'Set torn tails aside (resume + close)' },
  },
  args: { min: 0, max: 1 },
  async run(ctx) {
    const id = ctx.positionals[0]
    if ((id === undefined) === !ctx.flag('all')) throw new UsageError('verify: give a session id or --all (not both)')
    const ids = id === undefined ? (await ctx.journal.list()).map(row => row.id) : [id]
    const progress = new Progress(ctx, ids.length)
    const out = ctx.json ? ctx.ndjson() : undefined
    let bad = 0
    for (const target of ids) {
      const report = await ctx.journal.verify(target, { repair: ctx.flag('repair') })
      const { path, damage, repaired, repairError, writing } = report
      if (damage.length > 0 || repairError) bad++
      await progress.clear()
      if (out) {
        await out.write(report)
      } else {
        if (repaired) await ctx.out(`repaired ${target}: torn tail of ${repaired.length} byte(s) at byte ${repaired.offset} set aside\n`)
        if (repairError) await ctx.out(`not repaired ${target}: ${oneLine(repairError)}\n`)
        // A live writer's half-written last line is a write in progress, not damage.
        if (damage.length === 0) await ctx.out(`ok ${target}${writing ? ` (being written: ${writing.length} byte(s) of its last line so far)` : ''}\n`)
        // A damage message may quote the bad line: sanitized like every log text.
        for (const d of damage) await ctx.out(`${target} ${oneLine(path)}:${d.line} (byte ${d.offset}) ${d.kind}: ${oneLine(d.message)}\n`)
      }
      await progress.step()
    }
    await progress.clear()
    if (!ctx.json && ids.length > 1) await ctx.err(`${ids.length} session(s) checked, ${bad} with damage\n`)
    return bad > 0 ? EXIT.damaged : 0
  },
}

/** `[#######.............]  7/20` on stderr, only on a terminal and only for several sessions. */
class Progress {
  private done = 0
  private readonly shown: boolean

  constructor(private readonly ctx: Context, private readonly total: number) {
    this.shown = ctx.io.stderrIsTTY === true && total > 1
  }

  async step(): Promise<void> {
    this.done++
    if (!this.shown) return
    const width = 30
    const filled = Math.round((this.done / this.total) * width)
    await this.ctx.err(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} verifying`)
  }

  /** Wipes the bar so report lines on the same terminal start clean. */
  async clear(): Promise<void> {
    if (this.shown && this.done > 0) await this.ctx.err('\r\x1b[K')
  }
}
