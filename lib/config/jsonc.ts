/**
 * jsonc-parser, loaded on first use rather than with the config modules: the library's entry
 * re-exports config functions, and a listing (`session-journal list`) that never reads a config
 * file would otherwise pay ~9 ms to load the parser. It is CommonJS, so `require` loads it
 * synchronously and the config functions keep their synchronous signatures.
 */
import { createRequire } from 'node:module'

type Jsonc = typeof import('jsonc-parser')

let loaded: Jsonc | undefined

export function jsonc(): Jsonc {
  return loaded ??= createRequire(import.meta.url)('jsonc-parser') as Jsonc
}
