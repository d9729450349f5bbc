/**
 * Times for human formats: local wall-clock time with its offset, `2024-10-01 11:40:11 +02:00`,
 * so a reader never has to guess whether a time is UTC. `--json` keeps the stored ISO UTC.
 */
import { oneLine } from './text.js'

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/
const formats = new Map<string, Intl.DateTimeFormat>()

/** The process's time zone (it follows $TZ). */
export function defaultTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone
}

function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    })
    formats.set(timeZone, f)
  }
  return f
}

/**
 * `ts` (an ISO timestamp from a log) in `timeZone`: `YYYY-MM-DD HH:MM:SS +HH:MM`. Anything that
 * is not an ISO time (an imported document may hold any string) is shown as sanitized text.
 */
export function localTime(ts: string, timeZone: string): string {
  const ms = ISO.test(ts) ? Date.parse(ts) : Number.NaN
  if (Number.isNaN(ms)) return oneLine(ts)
  const seconds = Math.floor(ms / 1000) * 1000
  // Events come in bursts within one second (tail of a busy log): format each second once.
  if (last.seconds === seconds && last.timeZone === timeZone) return last.text
  last.text = wallClock(seconds, timeZone)
  last.seconds = seconds
  last.timeZone = timeZone
  return last.text
}

const last = { seconds: Number.NaN, timeZone: '', text: '' }

function wallClock(seconds: number, timeZone: string): string {
  const p: Record<string, string> = {}
  for (const { type, value } of format(timeZone).formatToParts(seconds)) p[type] = value
  const wallDate = new Date(0) // setUTCFullYear, not Date.UTC: years below 100 are not 19xx
  wallDate.setUTCFullYear(Number(p.year), Number(p.month) - 1, Number(p.day))
  wallDate.setUTCHours(Number(p.hour), Number(p.minute), Number(p.second))
  const wall = wallDate.getTime()
  const offset = Math.round((wall - seconds) / 60_000)
  const abs = Math.abs(offset)
  const zone = `${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
  return `${p.year!.padStart(4, '0')}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${zone}`
}
