/**
 * Pins the architecture on the BUILT import graph of dist/lib (type-only imports are erased by
 * tsc and do not count). Dynamic import() edges count for the layering rules (a dependency is a
 * dependency) but not for cycles or for what loading the package root pulls in.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { repoRoot } from './helpers.js'
import {
  describeEdge, importCycles, libFiles, nonReexportStatements, readGraph, scanImports, staticClosure,
  type Edge, type Graph, type Target,
} from './import-graph.js'

/** dist/lib, found from this file (dist/test/architecture.test.js). */
const distLib = fileURLToPath(new URL('../lib/', import.meta.url))
const srcLib = path.join(repoRoot, 'lib')
const MAX_LINES = 250
// Not `net`: stdio on a pipe loads it, and so does any ESM `import process from 'node:process'`
// (its namespace reads process.stdout); what a listing must not pay for is HTTP.
const HTTP_STACK = ['http', 'https', 'http2', '_http_server', '_http_client', 'tls']

let built: Graph | undefined
function graph(): Graph {
  if (built) return built
  // A self-import of the package ('session-journal') counts as an import of lib/index.js.
  const { name } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string }
  return built = readGraph(distLib, { name, root: 'lib/index.js' })
}

function failIf(problems: string[], headline: string): void {
  if (problems.length > 0) assert.fail(`${headline} (${problems.length}):\n${problems.map(p => `  ${p}`).join('\n')}`)
}

/** Edges leaving modules that match `from` for a target `allowed` rejects (static and dynamic). */
function offending(from: (id: string) => boolean, allowed: (to: Target) => boolean): string[] {
  return graph().edges.filter((e: Edge) => from(e.from) && !allowed(e.to)).map(describeEdge)
}

const external = (to: Target) => to.kind === 'builtin' || to.kind === 'package'

test('the scanner reads every import form, and nothing that merely looks like one', () => {
  const source = [
    "#!/usr/bin/env node",
    "import a, { b as c } from './a.js'; import * as ns from \"./ns.js\"",
    "import './side.js'",
    "export * from './star.js'; export * as all from './all.js'; export { d } from './d.js'",
    "export { a }; export const x = 1",
    "// import './comment.js'",
    "/* import('./block.js') */ const s = \"import './string.js'\" + 'export * from \\'./s.js\\''",
    "const t = `import('./template.js') ${await import(`./in-template.js`)} ${'}'}`",
    "const r = /import '.\\/regex.js'[/]/g, q = 4 / 2 / 1",
    "class K { import(doc) { return doc } export(id) { return this.import(id) } }",
    "obj.import('./method.js'); obj?.import('./optional.js'); console.log(import.meta.url)",
    "const lazy = () => import('./lazy.js'); const dyn = import(name)",
  ].join('\n')
  assert.deepEqual(scanImports(source).map(r => `${r.line}:${r.dynamic ? 'dynamic' : 'static'}:${r.specifier}`), [
    '2:static:./a.js', '2:static:./ns.js', '3:static:./side.js',
    '4:static:./star.js', '4:static:./all.js', '4:static:./d.js',
    '8:dynamic:./in-template.js', '12:dynamic:./lazy.js', '12:dynamic:null',
  ])
  assert.deepEqual(nonReexportStatements("export * from './a.js'\nexport { b as c } from './b.js';\n" +
    "import x from './x.js';\nexport { x }\nfunction f() {\n}\nexport const y = 1;\n//# sourceMappingURL=index.js.map"), [
    "line 3: import x from './x.js';", 'line 4: export { x }', 'line 5: function f() {', 'line 7: export const y = 1;',
  ])
})

test('dist/lib is a complete build of lib/ and every import in it resolves', () => {
  const sources = libFiles(srcLib, n => n.endsWith('.ts') && !n.endsWith('.d.ts')).map(f => f.replace(/\.ts$/, '.js'))
  const emitted = graph().modules
  failIf([
    ...sources.filter(f => !emitted.includes(f)).map(f => `${f}: not built (run npm run build)`),
    ...emitted.filter(f => !sources.includes(f)).map(f => `${f}: no source in lib/ (stale build? run npm run build)`),
    ...graph().edges.filter(e => e.to.kind === 'missing' || e.to.kind === 'unknown').map(describeEdge),
  ], 'the graph of dist/lib cannot be trusted')
})

test('rule 1: there is no import cycle in lib/ (static imports)', () => {
  failIf(importCycles(graph()).map(({ component, cycles }) => [
    `modules in one cycle: ${component.join(', ')}`,
    ...cycles.map(cycle => `    ${cycle.join(' -> ')}`),
  ].join('\n')), 'import cycles (groups of modules that import each other)')
})

test('rule 2: only lib/index.js imports lib/journal.js (the Journal is the composition root)', () => {
  failIf(offending(id => id !== 'lib/index.js', to => !(to.kind === 'module' && to.id === 'lib/journal.js')),
    'modules that import the composition root lib/journal.js')
})

test('rule 3: lib/core/** imports only lib/core/**, node: builtins and npm packages', () => {
  failIf(offending(id => id.startsWith('lib/core/'), to => external(to) || (to.kind === 'module' && to.id.startsWith('lib/core/'))),
    'lib/core imports outside the core')
})

test('rule 4: lib/cli/** imports only lib/index.js, lib/server/index.js, lib/mcp/server.js and lib/cli/**', () => {
  const publicApi = ['lib/index.js', 'lib/server/index.js', 'lib/mcp/server.js']
  failIf(offending(id => id.startsWith('lib/cli/'),
    to => external(to) || (to.kind === 'module' && (publicApi.includes(to.id) || to.id.startsWith('lib/cli/')))),
  'the CLI imports internals instead of the public API')
})

test('rule 4b: lib/mcp/** imports only lib/index.js, lib/mcp/**, node: builtins and npm packages', () => {
  failIf(offending(id => id.startsWith('lib/mcp/'),
    to => external(to) || (to.kind === 'module' && (to.id === 'lib/index.js' || to.id.startsWith('lib/mcp/')))),
  'the MCP server imports internals instead of the public API')
})

test('rule 5: lib/index.js contains only re-exports', () => {
  failIf(nonReexportStatements(fs.readFileSync(path.join(distLib, 'index.js'), 'utf8')).map(s => `lib/index.js ${s}`),
    'statements in lib/index.js that are not `export ... from`')
})

/** The HTTP-stack builtins a fresh `node` has loaded after running `script` (an ES module). */
async function httpStackLoadedBy(script: string): Promise<string[]> {
  const env = { ...process.env }
  delete env.NODE_OPTIONS // no preloads of the caller's: measure the script alone
  delete env.NODE_TEST_CONTEXT
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e',
    // Snapshot the list before touching process.stdout: creating a pipe stdout loads node:net.
    `${script}\nconst loaded = JSON.stringify(process.moduleLoadList)\nprocess.stdout.write('\\n' + loaded)`], { env })
  const loaded = JSON.parse(stdout.trim().split('\n').at(-1)!) as string[]
  // Entries read 'NativeModule http', 'NativeModule internal/net', 'Internal Binding tcp_wrap'...
  return loaded.flatMap(entry => {
    const name = /^NativeModule (.+)$/.exec(entry)?.[1]
    return name !== undefined && HTTP_STACK.includes(name) ? [name] : []
  })
}

test('rule 6: loading the package root loads no HTTP stack', async () => {
  const index = pathToFileURL(path.join(distLib, 'index.js')).href
  const [baseline, withHttp, root] = await Promise.all([
    httpStackLoadedBy(''),
    httpStackLoadedBy("await import('node:http')"),
    httpStackLoadedBy(`await import(${JSON.stringify(index)})`),
  ])
  // The probe must be able to tell: nothing in a bare process, http when http is imported.
  assert.deepEqual(baseline, [], 'probe: a bare node process already has the HTTP stack loaded')
  assert.ok(withHttp.includes('http') && withHttp.includes('_http_server'),
    `probe: process.moduleLoadList does not show node:http after importing it (saw ${JSON.stringify(withHttp)})`)
  const closure = staticClosure(graph(), 'lib/index.js')
  const httpImporters = graph().edges.filter(e => !e.dynamic && closure.has(e.from) &&
    e.to.kind === 'builtin' && HTTP_STACK.includes(e.to.name)).map(describeEdge)
  failIf([
    ...(root.length > 0 ? [[`importing dist/lib/index.js loads node builtins: ${root.join(', ')}`,
      ...httpImporters.map(e => `    imported statically in the root's closure: ${e}`)].join('\n')] : []),
    ...[...closure].filter(([id]) => id.startsWith('lib/server/')).map(([id, via]) =>
      `static closure of lib/index.js includes ${id}: ${via.join(' -> ')}`),
  ], 'the package root pulls in the HTTP stack / the share server')
})

test(`rule 7: every module under lib/ is at most ${MAX_LINES} lines`, () => {
  const sizes = libFiles(srcLib, n => n.endsWith('.ts')).map(id => {
    const text = fs.readFileSync(path.join(srcLib, id.slice('lib/'.length)), 'utf8')
    return { id, lines: text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0) }
  })
  failIf(sizes.filter(s => s.lines > MAX_LINES).sort((a, b) => b.lines - a.lines).map(s => `${s.id}: ${s.lines} lines`),
    `modules over ${MAX_LINES} lines`)
})
