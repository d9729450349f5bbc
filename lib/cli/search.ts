import path from 'node:path'
import type { Role, SearchHit, SearchOptions } from '../index.js'
import { intOption } from './args.js'
import { projectSessions } from './list.js'
import type { Command } from './command.js'
import { oneLine, safeJson, truncate } from './text.js'

const BOLD = '\u001b[1m'
const INVERSE = '\u001b[7m'
const RESET = '\u001b[0m'

export const searchCommand: Command = {
  name: 'search',
  summary: 'Search every session for words, best match first',
  usage: '<words…> [--project [DIR]] [--since T] [--until T] [--role ROLE] [-n N] [--sessions] [--json]',
  description: [
    'Finds messages (and session titles) containing all the words, across every project,',
    'best match first. "a phrase" matches those words in that order, word* matches words',
    'starting with it, -word leaves out what contains it. Case and accents do not matter;',
    'code is found as written (ERR_SESSION_LOCKED, src/lib/paths.ts, snake_case_name).',
    'Words to leave out go after --, or the shell options parser takes them: search flaky -- -monday.',
    'T is a date or time (2024-05-01, 2024-05-01T12:00Z) or a span back from now: 30m, 12h, 7d, 2w.',
    '',
    'On a terminal: the title, project and local date of each hit, then its snippet with the',
    'words found highlighted. Otherwise one tab-separated line per hit: session id, message',
    'id (- for a title), role, time, title, snippet. --sessions: one entry per session, its hits',
    'under it. --json: a JSON array of the hits (of sessions with their hits, with --sessions).',
  ].join('\n'),
  options: {
    project: { type: 'string', value: 'DIR', optional: '.', description: "Only DIR's project (default: the current folder's), walking up to the git root as list does" },
    since: { type: 'string', value: 'T', description: 'Only what was written at or after T' },
    until: { type: 'string', value: 'T', description: 'Only what was written at or before T' },
    role: { type: 'string', value: 'ROLE', description: 'Only messages of ROLE: user, assistant or system' },
    limit: { type: 'string', short: 'n', value: 'N', description: 'At most N hits (default 20)' },
    sessions: { type: 'boolean', description: 'Group the hits by session' },
    'include-reverted': { type: 'boolean', description: 'Also messages a revert hid' },
  },
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  async run(ctx) {
    const limit = intOption('search', 'limit', ctx.string('limit'), 1)
    const project = ctx.string('project')
    const options: SearchOptions = {
      ...(project === undefined ? {} : { project: (await projectSessions(ctx.journal, path.resolve(ctx.io.cwd ?? process.cwd(), project))).folder }),
      ...(ctx.string('since') === undefined ? {} : { since: ctx.string('since')! }),
      ...(ctx.string('until') === undefined ? {} : { until: ctx.string('until')! }),
      ...(ctx.string('role') === undefined ? {} : { role: ctx.string('role') as Role }),
      ...(limit === undefined ? {} : { limit }),
      ...(ctx.flag('include-reverted') ? { includeReverted: true } : {}),
    }
    const hits = await ctx.journal.search(ctx.positionals.join(' '), options)
    const groups = ctx.flag('sessions') ? bySession(hits) : undefined
    if (ctx.json) {
      await ctx.out(`${safeJson(groups ?? hits, 2)}\n`)
    } else if (ctx.io.isTTY) {
      if (hits.length === 0) await ctx.err('no matches\n')
      for (const group of groups ?? hits.map(hit => ({ ...hit, hits: [hit] }))) await ctx.out(card(group, group.hits, ts => ctx.time(ts)))
    } else if (groups) {
      for (const g of groups) await ctx.out(`${[g.sessionId, String(g.hits.length), oneLine(g.title ?? ''), oneLine(g.projectPath)].join('\t')}\n`)
    } else {
      for (const h of hits) {
        await ctx.out(`${[h.sessionId, h.messageId ?? '-', h.role ?? '-', ctx.time(h.created), oneLine(h.title ?? ''), oneLine(h.snippet)].join('\t')}\n`)
      }
    }
    return 0
  },
}

interface Group {
  sessionId: string
  projectId: string
  projectPath: string
  title: string | null
  hits: SearchHit[]
}

/** Sessions in the order of their best hit, each with its hits best first. */
function bySession(hits: SearchHit[]): Group[] {
  const groups = new Map<string, Group>()
  for (const hit of hits) {
    let group = groups.get(hit.sessionId)
    if (!group) groups.set(hit.sessionId, group = { sessionId: hit.sessionId, projectId: hit.projectId, projectPath: hit.projectPath, title: hit.title, hits: [] })
    group.hits.push(hit)
  }
  return [...groups.values()]
}

/** A session's heading (title, project, local date of its best hit) and the snippets, matches highlighted. */
function card(group: Group, hits: SearchHit[], time: (ts: string) => string): string {
  const first = hits[0]!
  const lines = [`${BOLD}${truncate(oneLine(group.title ?? '(untitled)'), 60)}${RESET}  ${oneLine(group.projectPath)}  ${time(first.created)}  ${group.sessionId}`]
  for (const hit of hits) lines.push(`  ${hit.role ?? 'title'}: ${highlight(hit)}`)
  return `${lines.join('\n')}\n\n`
}

/**
 * The snippet, made safe first (controls as spaces: unlike text.ts's sanitizer this keeps every
 * offset where it was, so the highlights still hold), then our own escapes around the matches.
 */
export function highlight(hit: Pick<SearchHit, 'snippet' | 'highlights'>): string {
  const text = safe(hit.snippet)
  let out = ''
  let at = 0
  for (const [from, to] of hit.highlights) {
    if (from < at || to > text.length || from >= to) continue
    out += `${text.slice(at, from)}${INVERSE}${text.slice(from, to)}${RESET}`
    at = to
  }
  return out + text.slice(at)
}

/** Control characters (escape sequences in a session could drive the terminal) as spaces, one for one. */
export function safe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
}
