/**
 * The import graph of the BUILT library (dist/lib/**.js), for test/architecture.test.ts.
 *
 * It reads emitted JavaScript, so type-only imports (which tsc erases) do not count. A small
 * tokenizer skips comments, strings, template literals and regex literals, so `import` inside
 * them is not mistaken for an import; `x.import(...)`, methods named `import`/`export` and
 * `import.meta` are not imports either. Dynamic `import('...')` edges are kept apart from static
 * ones: they do not load at start-up.
 */
import fs from 'node:fs'
import path from 'node:path'
import { isBuiltin } from 'node:module'
import { fileURLToPath } from 'node:url'

interface Token {
  type: 'name' | 'number' | 'string' | 'template' | 'punct' | 'regex'
  value: string
  line: number
  /** template pieces: whole literal with no `${` (usable as a specifier) / ends by opening `${`. */
  complete?: boolean
  opens?: boolean
}

const WORD = /#?[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*|\d[\w.]*/y

/** Names after which `/` starts a regex rather than a division. */
const BEFORE_EXPRESSION = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void',
  'throw', 'case', 'do', 'else', 'yield', 'await', 'extends'])

function unescape(raw: string): string {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', 0: '\0' }
  return raw.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])/g, (_, e: string) => {
    if (e[0] === 'u' || e[0] === 'x') return e.length > 1 ? String.fromCodePoint(parseInt(e.replace(/[ux{}]/g, ''), 16)) : e
    if (e === '\n' || e === '\r\n' || e === '\r' || e === '\u2028' || e === '\u2029') return ''
    return simple[e] ?? e
  })
}

/** Tokens of a module's source; throws on anything unterminated (better loud than a wrong graph). */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  const braces: Array<'code' | 'template'> = []
  const n = source.length
  let i = source.startsWith('#!') ? source.indexOf('\n') : 0
  if (i < 0) i = n
  let line = 1
  const fail = (what: string): never => { throw new Error(`unterminated ${what} at line ${line}`) }
  // Reads a template piece starting just after ` or }; pushes it; returns the index after it.
  const template = (j: number, head: boolean): number => {
    const startLine = line
    for (let k = j; k < n; k++) {
      const ch = source[k]
      if (ch === '\\') { if (source[k + 1] === '\n') line++; k++; continue }
      if (ch === '\n') line++
      if (ch === '`') {
        tokens.push({ type: 'template', value: unescape(source.slice(j, k)), line: startLine, complete: head, opens: false })
        return k + 1
      }
      if (ch === '$' && source[k + 1] === '{') {
        tokens.push({ type: 'template', value: source.slice(j, k), line: startLine, complete: false, opens: true })
        braces.push('template')
        return k + 2
      }
    }
    return fail('template literal')
  }
  while (i < n) {
    const c = source[i]!
    const next = source[i + 1]
    if (c === '\n') { line++; i++; continue }
    if (/\s/.test(c)) { i++; continue }
    if (c === '/' && next === '/') { i = source.indexOf('\n', i); if (i < 0) i = n; continue }
    if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2)
      if (end < 0) fail('comment')
      line += source.slice(i, end).split('\n').length - 1
      i = end + 2
      continue
    }
    if (c === '"' || c === "'") {
      let j = i + 1
      while (j < n && source[j] !== c) {
        if (source[j] === '\n') fail('string')
        j += source[j] === '\\' ? 2 : 1
      }
      if (j >= n) fail('string')
      tokens.push({ type: 'string', value: unescape(source.slice(i + 1, j)), line })
      line += source.slice(i, j).split('\n').length - 1 // line continuations
      i = j + 1
      continue
    }
    if (c === '`') { i = template(i + 1, true); continue }
    if (c === '}' && braces.at(-1) === 'template') { braces.pop(); i = template(i + 1, false); continue }
    if (c === '/' && regexAllowed(tokens.at(-1))) {
      let j = i + 1
      let inClass = false
      for (; j < n && (source[j] !== '/' || inClass); j++) {
        if (source[j] === '\n') fail('regex')
        if (source[j] === '\\') j++
        else if (source[j] === '[') inClass = true
        else if (source[j] === ']') inClass = false
      }
      if (j >= n) fail('regex')
      j++
      while (j < n && /[a-z]/.test(source[j]!)) j++
      tokens.push({ type: 'regex', value: source.slice(i, j), line })
      i = j
      continue
    }
    WORD.lastIndex = i
    const word = WORD.exec(source)
    if (word) {
      tokens.push({ type: /\d/.test(c) ? 'number' : 'name', value: word[0], line })
      i += word[0].length
      continue
    }
    const punct = source.startsWith('...', i) ? '...' : c === '?' && next === '.' && !/\d/.test(source[i + 2] ?? '') ? '?.' : c
    if (punct === '{') braces.push('code')
    if (punct === '}') braces.pop()
    tokens.push({ type: 'punct', value: punct, line })
    i += punct.length
  }
  if (braces.length > 0) fail('block or template substitution')
  return tokens
}

function regexAllowed(prev: Token | undefined): boolean {
  if (!prev) return true
  switch (prev.type) {
    case 'name': return BEFORE_EXPRESSION.has(prev.value)
    case 'template': return prev.opens === true
    case 'punct': return prev.value !== ')' && prev.value !== ']'
    default: return false
  }
}

const isPunct = (t: Token | undefined, value: string) => t?.type === 'punct' && t.value === value
const isName = (t: Token | undefined, value: string) => t?.type === 'name' && t.value === value
const isSpecifier = (t: Token | undefined) => t?.type === 'string' || (t?.type === 'template' && t.complete === true)

/** Index of the bracket closing the one at `open`. */
function matching(tokens: Token[], open: number): number {
  let depth = 0
  for (let j = open; j < tokens.length; j++) {
    const t = tokens[j]!
    if (t.type !== 'punct') continue
    if ('([{'.includes(t.value)) depth++
    else if (')]}'.includes(t.value) && --depth === 0) return j
  }
  throw new Error(`unbalanced ${tokens[open]!.value} at line ${tokens[open]!.line}`)
}

export interface ImportRef {
  /** null for a dynamic import whose argument is not a literal. */
  specifier: string | null
  dynamic: boolean
  line: number
}

/** Every import in a module: static `import`/`export ... from`, bare `import '...'`, `import(...)`. */
export function scanImports(source: string): ImportRef[] {
  const tokens = tokenize(source)
  const refs: ImportRef[] = []
  tokens.forEach((t, i) => {
    if (t.type !== 'name' || (t.value !== 'import' && t.value !== 'export')) return
    const prev = tokens[i - 1]
    if (isPunct(prev, '.') || isPunct(prev, '?.')) return // obj.import(...)
    const next = tokens[i + 1]
    if (t.value === 'import') {
      if (isPunct(next, '(')) {
        const close = matching(tokens, i + 1)
        if (isPunct(tokens[close + 1], '{')) return // a method named import
        const arg = tokens[i + 2]
        const literal = isSpecifier(arg) && (isPunct(tokens[i + 3], ')') || isPunct(tokens[i + 3], ','))
        refs.push({ specifier: literal ? arg!.value : null, dynamic: true, line: t.line })
      } else if (isSpecifier(next)) {
        refs.push({ specifier: next!.value, dynamic: false, line: t.line })
      } else if (next?.type === 'name' || isPunct(next, '{') || isPunct(next, '*')) {
        for (let j = i + 1; ; j++) {
          if (j >= tokens.length || isPunct(tokens[j], ';') || j - i > 1000) throw new Error(`cannot read the import at line ${t.line}`)
          if (isName(tokens[j], 'from') && isSpecifier(tokens[j + 1])) {
            refs.push({ specifier: tokens[j + 1]!.value, dynamic: false, line: t.line })
            break
          }
        }
      } // else import.meta, or a property/field named import
      return
    }
    let j = -1 // the `from` of `export * [as x] from` / `export {...} from`
    if (isPunct(next, '*')) j = isName(tokens[i + 2], 'as') ? i + 4 : i + 2
    else if (isPunct(next, '{')) j = matching(tokens, i + 1) + 1
    if (j > 0 && isName(tokens[j], 'from') && isSpecifier(tokens[j + 1])) {
      refs.push({ specifier: tokens[j + 1]!.value, dynamic: false, line: t.line })
    } else if (isPunct(next, '*')) {
      throw new Error(`cannot read the export * at line ${t.line}`)
    }
  })
  return refs
}

/**
 * The top-level statements of a module that are not re-exports (`export * [as x] from '...'`,
 * `export {...} from '...'`), each as `line N: <its first line>`.
 */
export function nonReexportStatements(source: string): string[] {
  const tokens = tokenize(source)
  const lines = source.split('\n')
  const bad: string[] = []
  let i = 0
  while (i < tokens.length) {
    if (isPunct(tokens[i], ';')) { i++; continue }
    const end = reexportEnd(tokens, i)
    if (end > i) { i = end; continue }
    bad.push(`line ${tokens[i]!.line}: ${lines[tokens[i]!.line - 1]!.trim().slice(0, 120)}`)
    i = statementEnd(tokens, i)
  }
  return bad
}

function reexportEnd(tokens: Token[], i: number): number {
  if (!isName(tokens[i], 'export')) return -1
  let j = i + 1
  if (isPunct(tokens[j], '*')) j = isName(tokens[j + 1], 'as') ? j + 3 : j + 1
  else if (isPunct(tokens[j], '{')) j = matching(tokens, j) + 1
  else return -1
  if (!isName(tokens[j], 'from') || tokens[j + 1]?.type !== 'string') return -1
  j += 2
  if (isName(tokens[j], 'with') && isPunct(tokens[j + 1], '{')) j = matching(tokens, j + 1) + 1
  return isPunct(tokens[j], ';') ? j + 1 : j
}

/** After the statement starting at i: its `;`, or a block closing at the end of a line. */
function statementEnd(tokens: Token[], i: number): number {
  let depth = 0
  for (let j = i; j < tokens.length; j++) {
    const t = tokens[j]!
    if (t.type !== 'punct') continue
    if ('([{'.includes(t.value)) depth++
    else if (')]}'.includes(t.value)) {
      depth--
      if (depth === 0 && t.value === '}' && (tokens[j + 1]?.line ?? Infinity) > t.line && !isPunct(tokens[j + 1], ';')) return j + 1
    } else if (t.value === ';' && depth === 0) return j + 1
  }
  return tokens.length
}

export type Target =
  | { kind: 'module', id: string } // a file under the lib folder, as lib/<path>.js
  | { kind: 'builtin', name: string }
  | { kind: 'package', name: string }
  | { kind: 'outside', path: string } // a relative file outside the lib folder
  | { kind: 'missing', path: string } // a relative file under the lib folder that does not exist
  | { kind: 'unknown' } // import(expression)

export interface Edge {
  from: string
  to: Target
  specifier: string | null
  dynamic: boolean
  line: number
}

export interface Graph {
  modules: string[]
  edges: Edge[]
}

function walk(dir: string, keep: (name: string) => boolean, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return walk(full, keep, base)
    return entry.isFile() && keep(entry.name) ? [path.relative(base, full).split(path.sep).join('/')] : []
  }).sort()
}

/** Files under `dir` whose name passes `keep`, as `lib/<relative path>`. */
export function libFiles(dir: string, keep: (name: string) => boolean): string[] {
  return walk(dir, keep).map(rel => `lib/${rel}`)
}

/**
 * The import graph of the .js files under `libDir`; module ids are `lib/<relative path>`.
 * `self` names the package, so a self-import of it counts as an edge to `self.root`.
 */
export function readGraph(libDir: string, self?: { name: string, root: string }): Graph {
  const modules = libFiles(libDir, name => name.endsWith('.js'))
  const edges: Edge[] = []
  for (const id of modules) {
    const file = path.join(libDir, id.slice('lib/'.length))
    let refs: ImportRef[]
    try {
      refs = scanImports(fs.readFileSync(file, 'utf8'))
    } catch (error) {
      throw new Error(`cannot scan ${id}: ${(error as Error).message}`)
    }
    for (const ref of refs) edges.push({ from: id, to: resolveTarget(libDir, file, ref.specifier, self), ...ref })
  }
  return { modules, edges }
}

function resolveTarget(libDir: string, file: string, spec: string | null, self?: { name: string, root: string }): Target {
  if (spec === null) return { kind: 'unknown' }
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('file:')) {
    const abs = spec.startsWith('file:') ? fileURLToPath(spec) : path.resolve(path.dirname(file), spec.replace(/[?#].*$/, ''))
    const rel = path.relative(libDir, abs)
    if (rel.startsWith('..') || path.isAbsolute(rel)) return { kind: 'outside', path: path.relative(path.dirname(libDir), abs) }
    const id = `lib/${rel.split(path.sep).join('/')}`
    return fs.statSync(abs, { throwIfNoEntry: false })?.isFile() ? { kind: 'module', id } : { kind: 'missing', path: id }
  }
  if (isBuiltin(spec)) return { kind: 'builtin', name: spec.replace(/^node:/, '') }
  const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!
  if (self && spec === self.name) return { kind: 'module', id: self.root }
  if (self && name === self.name) return { kind: 'outside', path: spec }
  return { kind: 'package', name }
}

/** Static edges between modules, as adjacency lists (sorted, for stable messages). */
function staticAdjacency(graph: Graph): Map<string, string[]> {
  const adj = new Map(graph.modules.map(id => [id, new Set<string>()]))
  for (const e of graph.edges) if (!e.dynamic && e.to.kind === 'module') adj.get(e.from)?.add(e.to.id)
  return new Map([...adj].map(([id, set]) => [id, [...set].sort()]))
}

/** Strongly connected components (Tarjan) that contain a cycle. */
function cyclicComponents(adj: Map<string, string[]>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const out: string[][] = []
  const visit = (v: string) => {
    index.set(v, index.size)
    low.set(v, index.get(v)!)
    stack.push(v)
    onStack.add(v)
    for (const w of adj.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)) }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    let w: string
    do { w = stack.pop()!; onStack.delete(w); component.push(w) } while (w !== v)
    if (component.length > 1 || adj.get(v)?.includes(v)) out.push(component.sort())
  }
  for (const v of adj.keys()) if (!index.has(v)) visit(v)
  return out.sort((a, b) => a[0]!.localeCompare(b[0]!))
}

/** Shortest path from `from` to `to` along `adj` restricted to `within` (BFS), or undefined. */
function shortestPath(adj: Map<string, string[]>, from: string, to: string, within?: Set<string>): string[] | undefined {
  const parent = new Map<string, string>()
  const queue = [from]
  for (let k = 0; k < queue.length; k++) {
    const v = queue[k]!
    for (const w of adj.get(v) ?? []) {
      if (within && !within.has(w)) continue
      if (w === to) {
        const pathBack = [to, v]
        for (let p = v; p !== from; p = parent.get(p)!) pathBack.push(parent.get(p)!)
        return pathBack.reverse()
      }
      if (w !== from && !parent.has(w)) { parent.set(w, v); queue.push(w) }
    }
  }
  return undefined
}

/**
 * The static import cycles: for each cyclic component, the shortest cycle through each of its
 * modules (deduplicated), as paths `a -> b -> a`.
 */
export function importCycles(graph: Graph): Array<{ component: string[], cycles: string[][] }> {
  const adj = staticAdjacency(graph)
  return cyclicComponents(adj).map(component => {
    const within = new Set(component)
    const seen = new Set<string>()
    const cycles: string[][] = []
    for (const v of component) {
      const cycle = shortestPath(adj, v, v, within)!
      const ring = cycle.slice(1)
      const start = ring.indexOf([...ring].sort()[0]!)
      const canonical = [...ring.slice(start), ...ring.slice(0, start)]
      const key = canonical.join(' ')
      if (seen.has(key)) continue
      seen.add(key)
      cycles.push([...canonical, canonical[0]!])
    }
    return { component, cycles }
  })
}

/** Every module `start` loads statically (itself included), each with the import path to it. */
export function staticClosure(graph: Graph, start: string): Map<string, string[]> {
  const adj = staticAdjacency(graph)
  const reached = new Map([[start, [start]]])
  const queue = [start]
  for (let k = 0; k < queue.length; k++) {
    const v = queue[k]!
    for (const w of adj.get(v) ?? []) {
      if (!reached.has(w)) { reached.set(w, [...reached.get(v)!, w]); queue.push(w) }
    }
  }
  return reached
}

export function targetName(to: Target): string {
  switch (to.kind) {
    case 'module': return to.id
    case 'builtin': return `node:${to.name}`
    case 'package': return `${to.name} (package)`
    case 'outside': return `${to.path} (outside lib/)`
    case 'missing': return `${to.path} (MISSING)`
    case 'unknown': return 'import(<expression>)'
  }
}

export function describeEdge(e: Edge): string {
  return `${e.from}:${e.line} -> ${targetName(e.to)}${e.dynamic ? ' [dynamic import()]' : ''}`
}
