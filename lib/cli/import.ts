/**
 * `import <file|glob|link|->...`: export documents, or raw NDJSON event streams (a log, e.g.
 * `cat log.ndjson | session-journal import -`), or share links; the text goes to
 * `journal.import()`, which tells them apart. Globs are expanded with fast-glob, so
 * `'exports/*.json'` works the same in every shell, Windows' included.
 */
import fs from 'node:fs'
import path from 'node:path'
import fg from 'fast-glob'
import { UsageError } from '../index.js'
import type { Command } from './command.js'
import { importFromTool } from './import-from.js'
import { fetchShare, isUrl, MAX_SHARE_BYTES, shareApiUrl, SHARE_TIMEOUT_MS } from './share-link.js'

export const importCommand: Command = {
  name: 'import',
  summary: 'Write an exported session (or a raw log) as a new session, or import another agent\'s sessions (--from)',
  usage: '<file|glob|link|->... [--project DIR] [--new-id] | --from TOOL [path|glob...]',
  description: [
    'Reads an export document (or an NDJSON event log) from each <file> (globs like',
    '\'exports/*.json\' are expanded), from a share link (http(s)://host/s/<id>, fetched from',
    'the server\'s /api/share/<id>), or from stdin with "-", writes each as a new session',
    'and prints its id, one per line, in file-name order. The id of the document is kept',
    'unless --new-id is given; a taken id is an error (ERR_SESSION_EXISTS). A shared copy',
    'names only its project folder, not where it is: --project DIR says where it goes.',
    '',
    'With --from TOOL (claude-code, codex, opencode, gemini) it imports that agent\'s sessions',
    'from its default location, or from the given files, folders and globs; again, it writes',
    'only what changed. Prints a summary (imported, updated, unchanged, failed with why).',
  ].join('\n'),
  options: {
    project: { type: 'string', value: 'DIR', description: 'Put the session in project folder DIR' },
    'new-id': { type: 'boolean', description: 'Give the session a fresh id' },
    from: { type: 'string', value: 'TOOL', description: 'Import another agent\'s sessions: claude-code, codex, opencode, gemini' },
  },
  args: { min: 0, max: Number.POSITIVE_INFINITY },
  async run(ctx) {
    const tool = ctx.string('from')
    if (tool !== undefined) {
      if (ctx.string('project') !== undefined || ctx.flag('new-id')) throw new UsageError('import --from takes no --project or --new-id')
      return importFromTool(ctx, tool, ctx.positionals)
    }
    if (ctx.positionals.length === 0) throw new UsageError('import: missing argument <file|glob|link|-> (or --from TOOL)')
    const cwd = ctx.io.cwd ?? process.cwd()
    const sources = await expand(ctx.positionals, cwd)
    const project = ctx.string('project')
    for (const source of sources) {
      const text = source === '-' ? await readAll(ctx.io.stdin)
        : isUrl(source) ? await fetchShare(shareApiUrl(source), { timeoutMs: SHARE_TIMEOUT_MS, maxBytes: MAX_SHARE_BYTES, ...(ctx.io.signal ? { signal: ctx.io.signal } : {}) })
        : await fs.promises.readFile(path.resolve(cwd, source), 'utf8')
      const id = await ctx.journal.import(text, {
        source: source === '-' ? 'stdin' : source,
        ...(project === undefined ? {} : { project: path.resolve(cwd, project) }),
        ...(ctx.flag('new-id') ? { newId: true } : {}),
      })
      await (ctx.json ? ctx.outJson({ id, source }) : ctx.out(`${id}\n`))
    }
    return 0
  },
}

/** Plain names stay as they are (a missing file is reported by its name); globs expand, sorted. */
async function expand(args: string[], cwd: string): Promise<string[]> {
  if (args.includes('-') && args.length > 1) throw new UsageError('import: "-" (stdin) cannot be combined with files')
  const out: string[] = []
  for (const arg of args) {
    if (arg === '-' || isUrl(arg) || !fg.isDynamicPattern(arg)) {
      if (isUrl(arg)) shareApiUrl(arg) // a bad link is refused before anything is imported
      out.push(arg)
      continue
    }
    const matches = (await fg(arg, { cwd, onlyFiles: true, dot: false })).sort()
    if (matches.length === 0) throw new UsageError(`import: no file matches ${JSON.stringify(arg)}`)
    out.push(...matches)
  }
  return out
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks).toString('utf8')
}
