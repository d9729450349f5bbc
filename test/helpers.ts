/** Shared by the suites: a temp dir each test owns and removes, and the fixtures folder. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { JournalError } from '../lib/core/errors.js'

/** The repository's top folder (tests run compiled from dist/test/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

export function fixture(...parts: string[]): string {
  return path.join(repoRoot, 'fixtures', ...parts)
}

/** A fresh temp dir, removed when the test ends (whatever its outcome). */
export function tempDir(t: TestContext, prefix = 'sj-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/**
 * Counts the bytes read through FileHandle (how scanLog and resume read a log), until the test
 * ends: a regression test pins what a call reads with it, never how long it takes.
 */
export async function countFileHandleReads(t: TestContext, anyFile: string): Promise<() => number> {
  const probe = await fs.promises.open(anyFile, 'r')
  const proto = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<{ bytesRead: number }> }
  await probe.close()
  const original = proto.read
  let bytes = 0
  proto.read = async function (this: unknown, ...args: unknown[]) {
    const result = await original.apply(this, args)
    bytes += result.bytesRead
    return result
  }
  t.after(() => { proto.read = original })
  return () => bytes
}

/** The lines of a log as parsed objects (the bytes on disk, not the fold). */
export function logLines(file: string): Array<Record<string, unknown>> {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map(line => JSON.parse(line) as Record<string, unknown>)
}

/** Awaits `promise`, asserts it rejects with a JournalError of `code`, and returns the error. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<JournalError> {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof JournalError, String(error))
    assert.equal(error.code, code)
    return error
  }
  assert.fail(`expected ${code}`)
}

/** The `code` a synchronous call throws, or undefined when it does not throw. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return error instanceof JournalError ? error.code : `not a JournalError: ${String(error)}`
  }
  return undefined
}

/**
 * Everything under `dir`, recursively, as `relative path -> what it is` (folders and links by
 * kind and mode, files by mode and bytes): compare two to prove a call changed nothing.
 */
export function treeOf(dir: string): Record<string, string> {
  const tree: Record<string, string> = {}
  const visit = (rel: string) => {
    const full = path.join(dir, rel)
    const stat = fs.lstatSync(full)
    const mode = (stat.mode & 0o777).toString(8)
    if (stat.isSymbolicLink()) tree[rel] = `link -> ${fs.readlinkSync(full)}`
    else if (stat.isDirectory()) {
      if (rel !== '') tree[rel] = `dir ${mode}`
      for (const name of fs.readdirSync(full).sort()) visit(path.join(rel, name))
    } else tree[rel] = `file ${mode} ${fs.readFileSync(full).toString('base64')}`
  }
  visit('')
  return tree
}

/**
 * Synchronous reads of session logs (a listing reads small logs with readSync): the bytes, and
 * the id of the log each read was of, through spies on the real fs (restored after the test).
 */
export function countLogReadSyncs(t: TestContext): { bytes: number, reads: string[] } {
  const count = { bytes: 0, reads: [] as string[] }
  const logFds = new Map<number, string>()
  const open = fs.openSync
  const readSync = fs.readSync
  t.mock.method(fs, 'openSync', (...args: Parameters<typeof fs.openSync>) => {
    const fd = open(...args)
    if (String(args[0]).endsWith('.ndjson')) logFds.set(fd, path.basename(String(args[0]), '.ndjson'))
    else logFds.delete(fd)
    return fd
  })
  t.mock.method(fs, 'readSync', (...args: Parameters<typeof fs.readSync>) => {
    const n = readSync(...args)
    const id = logFds.get(args[0])
    if (id !== undefined) {
      count.bytes += n
      count.reads.push(id)
    }
    return n
  })
  return count
}
