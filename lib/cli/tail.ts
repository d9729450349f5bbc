import type { Damage, Follower, JournalEvent } from '../index.js'
import { intOption } from './args.js'
import type { Command, Context } from './command.js'
import { brief } from './format.js'
import { partSummary } from './parts.js'
import { Ring } from './ring.js'
import { displayWidth, oneLine, padEnd, truncate } from './text.js'

type FollowReset = NonNullable<Awaited<ReturnType<Follower['read']>>['reset']>

export const tailCommand: Command = {
  name: 'tail',
  summary: 'Print the last events of a session; --follow prints new ones as they come',
  usage: '<id> [-n N] [--follow] [--json]',
  description: [
    'Prints the last N events (default 10) of session <id>, one per line in columns: seq,',
    'local time, type and a summary (tool calls with tool name and status). With --follow,',
    'keeps printing events as the writer appends them, whole events only (a half-written line',
    'waits for its newline), until interrupted (Ctrl-C). Like tail -F, a log truncated or',
    'replaced (renamed over) is said so on stderr and followed again from its start.',
    'With --json: the raw events, one per line (NDJSON).',
  ].join('\n'),
  options: {
    lines: { type: 'string', short: 'n', value: 'N', description: 'How many events (default 10)' },
    follow: { type: 'boolean', short: 'f', description: 'Keep printing new events' },
  },
  args: { min: 1, max: 1 },
  takesId: true,
  async run(ctx) {
    const id = ctx.positionals[0]!
    const n = intOption('tail', 'lines', ctx.string('lines'), 0) ?? 10
    const follower = await ctx.journal.follow(id)
    // Streaming into a ring: memory is N events and the work one step per event, whatever the log's size.
    const last = new Ring<JournalEvent>(n)
    const { damage } = await follower.read(batch => { for (const event of batch) last.push(event) })
    const print = printer(ctx)
    await print(last.toArray())
    await warn(ctx, id, damage)
    if (ctx.flag('follow')) {
      for await (const { events, damage, reset } of follower.follow(ctx.io.signal)) {
        if (reset) await ctx.err(`${resetNotice(id, reset)}\n`)
        await print(events)
        await warn(ctx, id, damage)
      }
    }
    return 0
  },
}

export function resetNotice(id: string, reset: FollowReset): string {
  return reset.reason === 'replaced'
    ? `tail: the log of session ${id} was replaced by a new file; following the new file from its start`
    : `tail: the log of session ${id} was truncated to ${reset.size} byte(s) (${reset.offset} had been read); following it from its start`
}

/** Prints events in columns; widths only grow, so lines printed while following stay aligned. */
function printer(ctx: Context): (events: JournalEvent[]) => Promise<void> {
  const out = ctx.json ? ctx.ndjson() : undefined
  const widths = { seq: 1, type: 7 }
  return async events => {
    if (out) {
      for (const event of events) await out.write(event)
      return
    }
    const rows = events.map(event => describe(event, ts => ctx.time(ts)))
    for (const [seq, , type] of rows) {
      widths.seq = Math.max(widths.seq, seq.length)
      widths.type = Math.max(widths.type, displayWidth(type))
    }
    for (const [seq, time, type, summary] of rows) {
      await ctx.out(`${seq.padStart(widths.seq)}  ${time}  ${padEnd(type, widths.type)}  ${summary}`.trimEnd() + '\n')
    }
  }
}

async function warn(ctx: Context, id: string, damage: Damage[]): Promise<void> {
  for (const d of damage) await ctx.err(`warning: session ${id} line ${d.line} (byte ${d.offset}): ${d.kind}: ${oneLine(d.message)}\n`)
}

/** `[seq, time, type, summary]` of one event, each sanitized: `12  2024-05-01 14:00:00 +02:00  message  user: hello`. */
export function describe(event: JournalEvent, time: (ts: string) => string): [string, string, string, string] {
  const e = event as Record<string, unknown>
  let summary: string
  switch (event.type) {
    case 'session': summary = `${brief(e.title ?? '(untitled)', 60)} in ${oneLine(String(e.projectPath))}`; break
    case 'message': {
      const parts = Array.isArray(e.parts) ? e.parts as Array<Record<string, unknown>> : []
      const text = parts.find(p => typeof p.text === 'string')?.text
      const shown = text !== undefined ? brief(text, 70) : parts[0] === undefined ? '(empty)' : partSummary(parts[0], 60)
      summary = `${oneLine(String(e.role))}: ${shown}${parts.length > 1 ? ` (+${parts.length - 1} part(s))` : ''}`
      break
    }
    case 'part': summary = `${oneLine(String(e.messageId))} ${partSummary(e.part as Record<string, unknown>, 60)}`; break
    case 'title': summary = brief(e.title, 70); break
    default: {
      const { seq: _s, ts: _t, type: _y, ...rest } = e
      summary = brief(rest, 80)
    }
  }
  return [String(event.seq), time(String(event.ts)), truncate(oneLine(String(event.type)), 24), summary]
}
