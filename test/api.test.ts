/**
 * Keeps docs/api.md and the package's exports in step. Every name an entry point exports must
 * have a row in the api.md "Index of exports" table of that entry point, and every row must
 * name an export: a doc that promises a function the package never exported (as api.md once
 * did with saveShareRecord) fails here, and so does an export nobody documented.
 *
 * Exported names are read from the TypeScript sources with the compiler's own parser
 * (`typescript`, already the build's compiler: no new dependency), following `export ... from`
 * and `export *` into the modules they name. The built entry points are then imported to check
 * that what exists at run time is exactly what the index calls a class, function or const.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import ts from 'typescript'
import { repoRoot, tempDir } from './helpers.js'

type ExportKind = 'type' | 'value'

interface EntryPoint {
  /** What a host writes after `from`. */
  specifier: string
  /** The TypeScript source, relative to the repository. */
  source: string
  /** The built module, relative to the repository. */
  built: string
}

const ENTRY_POINTS: EntryPoint[] = [
  { specifier: 'session-journal', source: 'lib/index.ts', built: 'dist/lib/index.js' },
  { specifier: 'session-journal/server', source: 'lib/server/index.ts', built: 'dist/lib/server/index.js' },
  { specifier: 'session-journal/testing', source: 'lib/testing.ts', built: 'dist/lib/testing.js' },
]

const DOC = path.join(repoRoot, 'docs', 'api.md')
const INDEX_HEADING = '## Index of exports'
const KINDS = ['class', 'function', 'type', 'const'] as const
type DocKind = typeof KINDS[number]

// ---------------------------------------------------------------------------------------------
// Exports of a TypeScript module, from its source

const hasModifier = (node: ts.Node, kind: ts.SyntaxKind): boolean =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some(m => m.kind === kind) ?? false)

/** `./x.js` from `file` -> the `.ts` source it is compiled from. */
function resolveSource(file: string, specifier: string): string {
  if (!specifier.startsWith('.')) throw new Error(`${file}: re-export from a package (${specifier}) is not followed`)
  const target = path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts')
  if (!fs.existsSync(target)) throw new Error(`${file}: cannot find the source of ${specifier} (looked for ${target})`)
  return target
}

/** Whether a name declared at the top of `source` is a type (interface, type alias) or a value. */
function localKind(source: ts.SourceFile, name: string): ExportKind {
  for (const statement of source.statements) {
    if ((ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) && statement.name.text === name) return 'type'
    if (ts.isImportDeclaration(statement) && statement.importClause) {
      const clause = statement.importClause
      const named = clause.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : []
      const element = named.find(e => e.name.text === name)
      if (element) return clause.isTypeOnly || element.isTypeOnly ? 'type' : 'value'
    }
  }
  return 'value'
}

/**
 * Every name `file` exports, type-only or a value. Handles declarations (`export interface`,
 * `export type X =`, `export class`, `export function`, `export const`, `export enum`),
 * `export { a, b as c }` with or without `from` and with `type` on the statement or on one
 * name, `export * from` and `export type * from` (followed into the target), and
 * `export * as ns from`.
 */
export function exportsOf(file: string, seen: string[] = []): Map<string, ExportKind> {
  if (seen.includes(file)) throw new Error(`export cycle: ${[...seen, file].join(' -> ')}`)
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)
  const names = new Map<string, ExportKind>()
  const add = (name: string, kind: ExportKind) => {
    if (names.has(name) && names.get(name) !== kind) throw new Error(`${file}: ${name} is exported both as a type and as a value`)
    names.set(name, kind)
  }
  // Names from `export *` come last: an explicit export of the same name shadows them.
  const starred = new Map<string, ExportKind>()
  const addStarred = (name: string, kind: ExportKind) => {
    if (starred.has(name) && starred.get(name) !== kind) throw new Error(`${file}: two \`export *\` give ${name} different kinds`)
    starred.set(name, kind)
  }
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      const from = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined
      const clause = statement.exportClause
      if (clause === undefined) {
        // export * from / export type * from: what the target exports, minus its default.
        const target = exportsOf(resolveSource(file, from!), [...seen, file])
        for (const [name, kind] of target) if (name !== 'default') addStarred(name, statement.isTypeOnly ? 'type' : kind)
      } else if (ts.isNamespaceExport(clause)) {
        add(clause.name.text, statement.isTypeOnly ? 'type' : 'value')
      } else {
        for (const element of clause.elements) {
          const typeOnly = statement.isTypeOnly || element.isTypeOnly
          // A value-looking re-export from another module is a value: verbatimModuleSyntax
          // (tsconfig.json) refuses to re-export a type without `type`.
          const kind = typeOnly ? 'type' : from === undefined ? localKind(source, (element.propertyName ?? element.name).text) : 'value'
          add(element.name.text, kind)
        }
      }
      continue
    }
    if (ts.isExportAssignment(statement)) {
      add('default', 'value')
      continue
    }
    if (!hasModifier(statement, ts.SyntaxKind.ExportKeyword)) continue
    const isDefault = hasModifier(statement, ts.SyntaxKind.DefaultKeyword)
    if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) {
      add(isDefault ? 'default' : statement.name.text, 'type')
    } else if (ts.isClassDeclaration(statement) || ts.isFunctionDeclaration(statement)) {
      add(isDefault || !statement.name ? 'default' : statement.name.text, 'value')
    } else if (ts.isEnumDeclaration(statement) || ts.isModuleDeclaration(statement)) {
      add(statement.name.text, 'value')
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name)) throw new Error(`${file}: destructured exports are not supported by this test`)
        add(declaration.name.text, 'value')
      }
    }
  }
  for (const [name, kind] of starred) if (!names.has(name)) names.set(name, kind)
  return names
}

// ---------------------------------------------------------------------------------------------
// docs/api.md: headings, sections, and the Index of exports

interface Heading { level: number, text: string, slug: string, line: number }

/** Lines outside fenced code blocks, with their line numbers. */
function proseLines(markdown: string): Array<{ text: string, line: number }> {
  const out: Array<{ text: string, line: number }> = []
  let fence: string | null = null
  markdown.split('\n').forEach((text, i) => {
    const marker = /^\s*(```|~~~)/.exec(text)?.[1]
    if (marker) {
      fence = fence === null ? marker : fence === marker ? null : fence
      return
    }
    if (fence === null) out.push({ text, line: i })
  })
  return out
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen. */
export function slugOf(text: string): string {
  return text.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')
}

function headingsOf(markdown: string): Heading[] {
  const counts = new Map<string, number>()
  const headings: Heading[] = []
  for (const { text, line } of proseLines(markdown)) {
    const m = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(text)
    if (!m) continue
    const base = slugOf(m[2]!)
    const n = counts.get(base) ?? 0
    counts.set(base, n + 1)
    headings.push({ level: m[1]!.length, text: m[2]!, slug: n === 0 ? base : `${base}-${n}`, line })
  }
  return headings
}

/** The lines from a heading to the next heading of the same or a higher level. */
function sectionOf(lines: string[], headings: Heading[], heading: Heading): string {
  const next = headings.find(h => h.line > heading.line && h.level <= heading.level)
  return lines.slice(heading.line, next?.line ?? lines.length).join('\n')
}

interface IndexRow { name: string, kind: string, where: string, line: number }

/**
 * The tables of the Index of exports, keyed by the entry point in backticks in each
 * `###` heading. Rows that are not `| \`name\` | kind | where |` are reported as problems.
 */
function readIndex(markdown: string): { tables: Map<string, IndexRow[]>, problems: string[] } {
  const lines = markdown.split('\n')
  const headings = headingsOf(markdown)
  const index = headings.find(h => h.level === 2 && `## ${h.text}` === INDEX_HEADING)
  assert.ok(index, `docs/api.md has no "${INDEX_HEADING}" section`)
  const end = headings.find(h => h.line > index.line && h.level <= 2)?.line ?? lines.length
  const tables = new Map<string, IndexRow[]>()
  const problems: string[] = []
  let current: IndexRow[] | undefined
  for (let i = index.line + 1; i < end; i++) {
    const text = lines[i]!
    const heading = /^###\s+(.*)$/.exec(text)
    if (heading) {
      const specifier = /`([^`]+)`/.exec(heading[1]!)?.[1]
      if (specifier === undefined) {
        problems.push(`docs/api.md:${i + 1}: index heading names no entry point in backticks: ${text}`)
        current = undefined
        continue
      }
      if (tables.has(specifier)) problems.push(`docs/api.md:${i + 1}: a second table for ${specifier}`)
      current = []
      tables.set(specifier, current)
      continue
    }
    if (!text.startsWith('|')) continue
    const cells = text.replace(/^\|/, '').replace(/\|\s*$/, '').split('|').map(c => c.trim())
    if (cells[0] === 'name' || /^:?-+:?$/.test(cells[0] ?? '')) continue // header and separator
    if (!current) {
      problems.push(`docs/api.md:${i + 1}: a table row outside an entry point's table: ${text}`)
      continue
    }
    const name = /^`([A-Za-z_$][\w$]*)`$/.exec(cells[0] ?? '')?.[1]
    if (name === undefined || cells.length !== 3) {
      problems.push(`docs/api.md:${i + 1}: not a "| \`name\` | kind | where documented |" row: ${text}`)
      continue
    }
    current.push({ name, kind: cells[1]!, where: cells[2]!, line: i + 1 })
  }
  return { tables, problems }
}

function failIf(problems: string[], headline: string): void {
  if (problems.length > 0) assert.fail(`${headline} (${problems.length}):\n${problems.map(p => `  ${p}`).join('\n')}`)
}

const markdown = fs.readFileSync(DOC, 'utf8')

function indexed(): Map<string, IndexRow[]> {
  const { tables, problems } = readIndex(markdown)
  failIf(problems, 'malformed Index of exports in docs/api.md')
  return tables
}

function rowsOf(entry: EntryPoint): IndexRow[] {
  const rows = indexed().get(entry.specifier)
  assert.ok(rows, `docs/api.md: the Index of exports has no table for \`${entry.specifier}\``)
  return rows
}

function sourceExports(entry: EntryPoint): Map<string, ExportKind> {
  return exportsOf(path.join(repoRoot, entry.source))
}

// ---------------------------------------------------------------------------------------------

test('the export collector reads every export form, and nothing that merely looks like one', t => {
  const dir = tempDir(t, 'sj-api-test-')
  fs.mkdirSync(path.join(dir, 'sub'))
  fs.writeFileSync(path.join(dir, 'sub', 'decls.ts'), [
    'export interface I { a: number }',
    'export type T = string',
    'export class C {}',
    'export function f(): void {}',
    'export function f2(a: string): void',
    'export function f2(a: unknown): void {}',
    'export const k = 1, k2 = 2',
    'export enum E { A }',
    'export default function () {}',
    'const hidden = 1',
    "interface Hidden {}",
  ].join('\n'))
  fs.writeFileSync(path.join(dir, 'sub', 'more.ts'), 'export const m = 1\nexport type M = number\n')
  fs.writeFileSync(path.join(dir, 'entry.ts'), [
    '// export const commentLine = 1',
    '/* export { commentBlock } from "./sub/decls.js" */',
    "const text = 'export const inString = 1'",
    "import type { I as LocalI } from './sub/decls.js'",
    "import { C as LocalC } from './sub/decls.js'",
    'interface Own { x: number }',
    "export { f, k as renamed } from './sub/decls.js'",
    "export type { I, T as Renamed } from './sub/decls.js'",
    "export { type C as TypeOnlyC, k2 } from './sub/decls.js'",
    "export type * from './sub/decls.js'",
    "export * from './sub/more.js'",
    "export * as ns from './sub/more.js'",
    'export { LocalI, LocalC, Own, text }',
  ].join('\n'))
  const found = Object.fromEntries([...exportsOf(path.join(dir, 'entry.ts'))].sort(([a], [b]) => a.localeCompare(b)))
  assert.deepEqual(found, {
    C: 'type', E: 'type', I: 'type', LocalC: 'value', LocalI: 'type', M: 'type', Own: 'type', Renamed: 'type', T: 'type',
    TypeOnlyC: 'type', f: 'value', f2: 'type', k: 'type', k2: 'value', m: 'value', ns: 'value', renamed: 'value', text: 'value',
  })
})

test('the Index of exports reader takes rows per entry point and reports malformed ones', () => {
  const { tables, problems } = readIndex([
    '# API', '', '## Index of exports', '', '### Exports of `pkg`', '',
    '| name | kind | documented in |', '| --- | --- | --- |',
    '| `a` | function | [A](#a) |', '| b | const | [B](#b) |', '',
    '### Exports of `pkg/sub`', '', '| name | kind | documented in |', '| --- | --- | --- |', '| `c` | type | [C](#c) |',
    '', '## After', '', '| `d` | class | not in the index |',
  ].join('\n'))
  assert.deepEqual([...tables.keys()], ['pkg', 'pkg/sub'])
  assert.deepEqual(tables.get('pkg')!.map(r => r.name), ['a'])
  assert.deepEqual(tables.get('pkg/sub')!.map(r => [r.name, r.kind]), [['c', 'type']])
  assert.equal(problems.length, 1)
  assert.match(problems[0]!, /\| b \| const/)
  assert.equal(slugOf('`journal.exportTo(id, out, options?)`'), 'journalexporttoid-out-options')
  assert.equal(slugOf('`MessageInput` and `PartInput`'), 'messageinput-and-partinput')
})

test('the index has one table for each entry point of package.json, and no other', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string, exports: Record<string, unknown> }
  // Code entry points are the conditional ones ({ types, default }); the schema and package.json are files.
  const fromPackage = Object.entries(pkg.exports)
    .filter(([, target]) => typeof target === 'object' && target !== null)
    .map(([key, target]) => {
      const { types, default: js } = target as { types: string, default: string }
      return { specifier: key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`, built: path.normalize(js), types }
    })
  assert.deepEqual(fromPackage.map(e => e.specifier).sort(), ENTRY_POINTS.map(e => e.specifier).sort(),
    'package.json exports and this test name different entry points')
  for (const entry of ENTRY_POINTS) {
    const declared = fromPackage.find(e => e.specifier === entry.specifier)!
    assert.equal(declared.built, path.normalize(entry.built), `${entry.specifier}: package.json points elsewhere`)
    assert.equal(path.normalize(declared.types), path.normalize(entry.built.replace(/\.js$/, '.d.ts')))
    assert.ok(fs.existsSync(path.join(repoRoot, entry.source)), `${entry.source} is missing`)
  }
  assert.deepEqual([...indexed().keys()].sort(), ENTRY_POINTS.map(e => e.specifier).sort(),
    'the Index of exports of docs/api.md has tables for other entry points than package.json')
})

for (const entry of ENTRY_POINTS) {
  test(`${entry.specifier}: every export is in the Index of exports, and every indexed name is exported`, () => {
    const exported = sourceExports(entry)
    const rows = rowsOf(entry)
    const names = rows.map(r => r.name)
    const problems = [
      ...[...exported.keys()].filter(name => !names.includes(name))
        .map(name => `${name}: exported by ${entry.source} but not in the index table of \`${entry.specifier}\``),
      ...rows.filter(r => !exported.has(r.name))
        .map(r => `${r.name} (docs/api.md:${r.line}): in the index table of \`${entry.specifier}\` but ${entry.source} does not export it`),
      ...names.filter((name, i) => names.indexOf(name) !== i).map(name => `${name}: indexed twice`),
    ]
    failIf(problems, `docs/api.md and ${entry.source} disagree`)
  })

  test(`${entry.specifier}: the index calls exactly the type-only exports "type"`, () => {
    const exported = sourceExports(entry)
    const problems: string[] = []
    for (const row of rowsOf(entry)) {
      if (!(KINDS as readonly string[]).includes(row.kind)) {
        problems.push(`${row.name} (docs/api.md:${row.line}): kind "${row.kind}" is not one of ${KINDS.join(', ')}`)
        continue
      }
      const kind = exported.get(row.name)
      if (kind === undefined) continue // reported by the test above
      if ((row.kind === 'type') !== (kind === 'type')) {
        problems.push(`${row.name} (docs/api.md:${row.line}): indexed as ${row.kind}, but ${entry.source} exports it as ${kind === 'type' ? 'a type only' : 'a value'}`)
      }
    }
    failIf(problems, `kinds in the index table of \`${entry.specifier}\``)
  })

  test(`${entry.specifier}: the built module exports exactly the indexed classes, functions and consts`, async () => {
    const built = path.join(repoRoot, entry.built)
    const mod = await import(pathToFileURL(built).href) as Record<string, unknown>
    const rows = rowsOf(entry)
    const values = rows.filter(r => r.kind !== 'type').map(r => r.name).sort()
    assert.deepEqual(Object.keys(mod).sort(), values, `the run-time exports of ${entry.built} are not the index's non-type names`)
    const problems: string[] = []
    for (const row of rows) {
      if (row.kind === 'type') continue
      const value = mod[row.name]
      const actual: DocKind = typeof value !== 'function' ? 'const'
        : /^class[\s{]/.test(Function.prototype.toString.call(value)) ? 'class' : 'function'
      if (actual !== row.kind) problems.push(`${row.name} (docs/api.md:${row.line}): indexed as ${row.kind}, but at run time it is a ${actual}`)
    }
    failIf(problems, `kinds at run time of ${entry.built}`)
  })
}

test('each index row links to a section of docs/api.md that mentions the name', () => {
  const lines = markdown.split('\n')
  const headings = headingsOf(markdown)
  const index = headings.find(h => `## ${h.text}` === INDEX_HEADING)!
  const problems: string[] = []
  for (const [specifier, rows] of indexed()) {
    for (const row of rows) {
      const anchors = [...row.where.matchAll(/\]\(#([^)]+)\)/g)].map(m => m[1]!)
      if (anchors.length === 0) {
        problems.push(`${row.name} (docs/api.md:${row.line}, ${specifier}): "documented in" has no link to a section`)
        continue
      }
      for (const anchor of anchors) {
        const heading = headings.find(h => h.slug === anchor)
        if (!heading) {
          problems.push(`${row.name} (docs/api.md:${row.line}): no heading has the anchor #${anchor}`)
        } else if (heading.line >= index.line) {
          problems.push(`${row.name} (docs/api.md:${row.line}): #${anchor} is in the index itself, not where the name is documented`)
        } else if (!new RegExp(`(?<![\\w$])${row.name.replace(/\$/g, '\\$')}(?![\\w$])`).test(sectionOf(lines, headings, heading))) {
          problems.push(`${row.name} (docs/api.md:${row.line}): the section #${anchor} does not mention ${row.name}`)
        }
      }
    }
  }
  failIf(problems, 'index rows that point nowhere useful')
})
