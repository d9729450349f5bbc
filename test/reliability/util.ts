/**
 * Shared by the reliability suites: installing the committed fixture logs into a temp root,
 * splitting logs into lines, and driving child processes that report over stdout lines.
 *
 * node --test runs every .js under dist/test/ as a test file, this one and the children
 * included: so this module has no side effects, and each child exits at once without a config.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { TestContext } from 'node:test'
import { Journal, type ExportDocument } from '../../lib/index.js'
import { fixture } from '../helpers.js'

/** The session the fixtures in fixtures/logs/ belong to (see make-fixtures.mjs). */
export const FIXTURE_ID = '01JABCDEFGHJKMNPQRSTVWXYZ0'
export const FIXTURE_PROJECT_PATH = '/home/dev/demo'
export const FIXTURE_PROJECT_ID = `demo-${createHash('sha256').update(FIXTURE_PROJECT_PATH).digest('hex').slice(0, 12)}`

export function fixtureBytes(name: string): Buffer {
  return fs.readFileSync(fixture('logs', name))
}

/** Where a session's log lives under `root` (the layout, spelled out so tests do not trust lib/paths). */
export function logPath(root: string, projectId: string, id: string): string {
  return path.join(root, 'projects', projectId, 'sessions', `${id}.ndjson`)
}

/** Puts `bytes` where the fixture session's log belongs under `root`; returns the log's path. */
export function installLog(root: string, bytes: Buffer): string {
  const dir = path.join(root, 'projects', FIXTURE_PROJECT_ID, 'sessions')
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  fs.writeFileSync(path.join(root, 'projects', FIXTURE_PROJECT_ID, 'project.json'),
    JSON.stringify({ path: FIXTURE_PROJECT_PATH, created: '2024-05-01T10:00:00.000Z' }), { mode: 0o600 })
  const file = path.join(dir, `${FIXTURE_ID}.ndjson`)
  fs.writeFileSync(file, bytes, { mode: 0o600 })
  return file
}

export function installFixture(root: string, name: string): string {
  return installLog(root, fixtureBytes(name))
}

export interface LineSpan {
  /** Byte offset of the line's first byte. */
  start: number
  /** Bytes without the newline. */
  length: number
}

/** The newline-terminated lines of `bytes` (a trailing piece without newline is not a line). */
export function lineSpans(bytes: Buffer): LineSpan[] {
  const spans: LineSpan[] = []
  let start = 0
  for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, start)) {
    spans.push({ start, length: nl - start })
    start = nl + 1
  }
  return spans
}

const childrenDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'children')

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

/**
 * A child process running `children/<script>.js` with a JSON config as its argument. It
 * talks in stdout lines; `lines` holds every line received so far. Killed when the test ends.
 */
export class Child {
  readonly proc: ChildProcess
  readonly lines: string[] = []
  readonly exited: Promise<Exit>
  stderr = ''
  private exit: Exit | null = null
  private readonly wake = new Set<() => void>()

  constructor(t: TestContext, script: string, config: object) {
    const env = { ...process.env }
    // The test runner marks its own children; ours are plain scripts, not test files.
    delete env.NODE_TEST_CONTEXT
    this.proc = spawn(process.execPath, [path.join(childrenDir, `${script}.js`), JSON.stringify(config)],
      { stdio: ['pipe', 'pipe', 'pipe'], env })
    this.proc.stderr!.setEncoding('utf8').on('data', (s: string) => { this.stderr += s })
    const rl = readline.createInterface({ input: this.proc.stdout! })
    rl.on('line', line => { this.lines.push(line); this.notify() })
    // 'close' comes after all stdio is drained, so every line the child wrote is in `lines`.
    this.exited = new Promise(resolve => this.proc.on('close', (code, signal) => {
      this.exit = { code, signal }
      this.notify()
      resolve(this.exit)
    }))
    t.after(() => { if (this.exit === null) this.proc.kill('SIGKILL') })
  }

  /** The first line (from index `from`) matching `test`; rejects if the child ends without one. */
  async waitFor(test: (line: string) => boolean, from = 0): Promise<string> {
    for (;;) {
      const found = this.lines.slice(from).find(test)
      if (found !== undefined) return found
      if (this.exit !== null) {
        throw new Error(`child ended (${JSON.stringify(this.exit)}) without the awaited line; stdout: ${this.lines.slice(-5).join(' | ')}; stderr: ${this.stderr}`)
      }
      await new Promise<void>(resolve => this.wake.add(resolve))
    }
  }

  /** Lines starting with `prefix `, split into their words after the prefix. */
  words(prefix: string): string[][] {
    return this.lines.filter(l => l.startsWith(`${prefix} `)).map(l => l.slice(prefix.length + 1).split(' '))
  }

  send(line: string): void {
    this.proc.stdin!.write(`${line}\n`)
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<Exit> {
    if (this.exit === null) this.proc.kill(signal)
    return this.exited
  }

  /** Waits for a normal exit and fails with the child's stderr if it was not one. */
  async done(): Promise<void> {
    const exit = await this.exited
    if (exit.code !== 0) throw new Error(`child failed (${JSON.stringify(exit)}): ${this.stderr}`)
  }

  private notify(): void {
    for (const resolve of this.wake) resolve()
    this.wake.clear()
  }
}

/** A dead holder's lock, removed by hand: the process is known to be gone (its exit was seen). */
export function removeDeadLock(log: string): void {
  fs.rmSync(`${log}.lock`, { recursive: true, force: true })
}

/**
 * An export document of `messages` messages (a real session's export, its history grown):
 * large enough that its import takes many writes, so a kill or a fault lands in the middle.
 */
export async function bigDocument(root: string, messages: number): Promise<ExportDocument> {
  const journal = new Journal({ root, fsync: 'never' })
  const s = await journal.create({ project: path.join(root, 'work'), title: 'to import' })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'first' }] })
  await s.close()
  const doc = await journal.export(s.id)
  const start = Date.parse(doc.info.created)
  doc.messages = Array.from({ length: messages }, (_, i) => ({
    id: `m${i}`, role: i % 2 ? 'assistant' : 'user', created: new Date(start + i).toISOString(),
    parts: [{ id: `p${i}`, type: 'text', text: `message ${i} ${'·'.repeat(i % 50)}` }],
  }))
  doc.info.updated = new Date(start + messages).toISOString()
  await journal.delete(s.id)
  return doc
}

/** The files a session id left under `root`: its log, a staging file, its claim, lock folders. */
export function traces(root: string, id: string): string[] {
  const found: string[] = []
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.name.includes(id)) found.push(path.relative(root, full))
      else if (entry.isDirectory()) walk(full)
    }
  }
  if (fs.existsSync(root)) walk(root)
  return found.sort()
}
