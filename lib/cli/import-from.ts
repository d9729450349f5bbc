/**
 * `import --from <tool> [paths…]`: other agents' sessions through `journal.importFrom()`. A
 * status line on stderr while it runs (a terminal only), then a summary: how many sessions were
 * imported, updated and skipped as unchanged, each failure with its file, line and why, each
 * problem. `--json` prints the result instead. The exit code is the failures' kind.
 */
import path from 'node:path'
import { errorKind, PEER_TOOLS, UsageError, type ImportFromResult, type ImportProgress } from '../index.js'
import type { Context } from './command.js'
import { EXIT } from './exit.js'
import { oneLine } from './text.js'

export async function importFromTool(ctx: Context, tool: string, paths: string[]): Promise<number> {
  if (!(PEER_TOOLS as readonly string[]).includes(tool)) throw new UsageError(`import --from: unknown tool ${JSON.stringify(tool)}; one of ${PEER_TOOLS.join(', ')}`)
  const cwd = ctx.io.cwd ?? process.cwd()
  const status = ctx.io.stderrIsTTY === true ? statusLine(ctx) : undefined
  let result: ImportFromResult
  try {
    result = await ctx.journal.importFrom(tool, paths.length === 0 ? undefined : paths, {
      cwd,
      env: ctx.io.env,
      ...(ctx.io.env.HOME === undefined ? {} : { home: ctx.io.env.HOME }),
      ...(status === undefined ? {} : { onProgress: status }),
    })
  } finally {
    status?.({ done: 0, total: 0, path: '' })
  }
  if (ctx.json) await ctx.outJson(result)
  else await ctx.out(summary(result, cwd))
  return exitCode(result)
}

/** Redrawn in place within 79 columns, the file name kept (the path is cut from the left); a total of 0 wipes it. */
function statusLine(ctx: Context): (p: ImportProgress) => void {
  return p => {
    if (p.total === 0 || p.path === '') return void ctx.io.stderr.write('\r\x1b[K')
    const head = `importing ${p.done + 1}/${p.total} `
    const file = oneLine(p.path)
    const room = 79 - head.length
    ctx.io.stderr.write(`\r\x1b[K${head}${file.length <= room ? file : `…${file.slice(file.length - room + 1)}`}`)
  }
}

function summary(r: ImportFromResult, cwd: string): string {
  const shown = (file: string) => oneLine(path.relative(cwd, file).startsWith('..') ? file : path.relative(cwd, file) || file)
  const lines = [`${r.tool}: ${r.imported.length} imported, ${r.updated.length} updated, ${r.skipped.length} unchanged, ${r.failed.length} failed`]
  for (const f of r.failed) {
    const where = `${shown(f.path)}${f.line === undefined ? '' : `:${f.line}`}`
    lines.push(`failed ${where}${f.originId === undefined ? '' : ` (session ${oneLine(f.originId)})`}: ${f.code}: ${oneLine(f.message)}`)
  }
  for (const p of r.problems) lines.push(`problem ${shown(p.path)}${p.line === undefined ? '' : `:${p.line}`}: ${oneLine(p.message)}`)
  return `${lines.join('\n')}\n`
}

/** 0 when nothing failed; the failures' kind when they share one (all locked: 4), else 1. */
function exitCode(r: ImportFromResult): number {
  const kinds = new Set(r.failed.map(f => errorKind(f.code)))
  if (kinds.size === 0) return 0
  return kinds.size === 1 ? EXIT[[...kinds][0]!] : EXIT.failed
}
