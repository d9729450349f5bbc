/**
 * A config file's text before it is parsed: read with a size cap, checked for nesting that
 * jsonc-parser (which recurses once per level) could not survive, and located (offset -> line
 * and column) for messages. What the text means is files.ts's.
 */
import { open } from 'node:fs/promises'
import { jsonc } from './jsonc.js'
import { ConfigInvalidError, isNotFound } from '../core/errors.js'

/**
 * Largest config file read, in bytes. Settings take a few hundred; the cap keeps a huge
 * committed file from stalling every `create()` that loads the config.
 */
export const MAX_CONFIG_BYTES = 256 * 1024

/** Deepest nesting of `{` and `[` accepted. Settings need 1; jsonc-parser overflows the stack near 7000. */
export const MAX_CONFIG_DEPTH = 64

/** The file's text; undefined when it does not exist; ERR_CONFIG_INVALID over MAX_CONFIG_BYTES, before anything is parsed. */
export async function readConfigText(path: string): Promise<string | undefined> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
  try {
    const { size } = await handle.stat()
    // Reads at most one byte past the cap whatever stat says (0 for a pipe or a device).
    const buffer = Buffer.allocUnsafe(MAX_CONFIG_BYTES + 1)
    let length = 0
    while (size <= MAX_CONFIG_BYTES && length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null)
      if (bytesRead === 0) break
      length += bytesRead
    }
    if (size > MAX_CONFIG_BYTES || length > MAX_CONFIG_BYTES) {
      throw new ConfigInvalidError(`${path}: a config file may hold at most ${MAX_CONFIG_BYTES} bytes (256 KiB); this one is ${size > MAX_CONFIG_BYTES ? `${size} bytes` : 'larger'}`, { path })
    }
    return buffer.toString('utf8', 0, length)
  } finally {
    await handle.close()
  }
}

export type Locate = (offset: number) => { line: number, column: number }

/**
 * Locates offsets in `text`: the line starts are indexed once (on first use) and each offset is
 * a binary search, so reporting k places in a file costs O(n + k log n), not O(n * k).
 * Lines are 1-based, columns 1-based in UTF-16 code units (as editors count); CR is part of a line.
 */
export function locator(text: string): Locate {
  let starts: number[] | undefined
  return offset => {
    if (starts === undefined) {
      starts = [0]
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
    }
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) { // the last line start <= offset
      const mid = (lo + hi + 1) >> 1
      if (starts[mid]! <= offset) lo = mid
      else hi = mid - 1
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 }
  }
}

/** One offset's line and column (see locator for many). */
export function lineColumn(text: string, offset: number): { line: number, column: number } {
  return locator(text)(offset)
}

// jsonc-parser's SyntaxKind is an ambient const enum, which isolatedModules cannot read.
const OPEN_BRACE = 1
const CLOSE_BRACE = 2
const OPEN_BRACKET = 3
const CLOSE_BRACKET = 4
const EOF = 17

/**
 * The offset of the first `{` or `[` nested deeper than MAX_CONFIG_DEPTH, or undefined. The
 * scanner is a loop, so any depth is safe here. A closer pops only its own opener: malformed
 * text (`[}`) may count deeper than the parser nests, never shallower.
 */
export function tooDeepAt(text: string): number | undefined {
  const scanner = jsonc().createScanner(text, true)
  const open: number[] = []
  for (let token = scanner.scan(); token !== EOF; token = scanner.scan()) {
    if (token === OPEN_BRACE || token === OPEN_BRACKET) {
      if (open.push(token) > MAX_CONFIG_DEPTH) return scanner.getTokenOffset()
    } else if ((token === CLOSE_BRACE || token === CLOSE_BRACKET) && open[open.length - 1] === token - 1) {
      open.pop()
    }
  }
  return undefined
}
