/**
 * The query language a person types, turned into an FTS5 expression. Words are AND-ed,
 * "a phrase" is a phrase, a trailing * makes a prefix, a leading - excludes. Every word and
 * phrase reaches FTS5 as a string literal (its double quotes doubled), so nothing a user
 * types is ever FTS5 syntax: AND, NEAR(, parentheses and colons are plain words or
 * separators. Inside a literal FTS5 splits the text with the index's own tokenizer and
 * makes a phrase of the pieces, so `ERR_SESSION_LOCKED` or `src/lib/paths.ts` match those
 * tokens in that order, exactly as the text was indexed. Anything else is ERR_INVALID_QUERY
 * with the offset (0-based) in the query string.
 */
import { InvalidQueryError } from '../core/errors.js'
import { clean } from './text.js'

export const MAX_QUERY_CHARS = 1000
export const MAX_TERMS = 64

export interface Term {
  /** The word or the phrase's inside, as typed (without quotes, - and the trailing *). */
  text: string
  phrase: boolean
  prefix: boolean
  exclude: boolean
  /** Where the term starts in the query string. */
  offset: number
}

/**
 * Letters, digits, marks and private-use characters make tokens; the rest separates them
 * (the unicode61 tokenizer's rule, on this runtime's Unicode tables: SQLite's are 6.1, so a
 * few newer characters may differ; that only decides whether a word has anything to find).
 */
const TOKEN_CHAR = /[\p{L}\p{N}\p{M}\p{Co}]/u
const SPACE = /\s/

export function parseQuery(query: unknown): Term[] {
  if (typeof query !== 'string') throw invalid(`the query must be a string, got ${query === null ? 'null' : typeof query}`, 0)
  if (query.length > MAX_QUERY_CHARS) throw invalid(`the query is longer than ${MAX_QUERY_CHARS} characters`, MAX_QUERY_CHARS)
  const terms: Term[] = []
  let at = 0
  while (at < query.length) {
    if (SPACE.test(query[at]!)) { at++; continue }
    const offset = at
    const exclude = query[at] === '-'
    if (exclude) {
      at++
      if (at === query.length || SPACE.test(query[at]!)) throw invalid("a lone '-': put the word to leave out right after it (-word)", offset)
    }
    let text: string
    let phrase = false
    if (query[at] === '"') {
      const close = query.indexOf('"', at + 1)
      if (close === -1) throw invalid('a quote is never closed', at)
      text = query.slice(at + 1, close)
      phrase = true
      if (!hasToken(text)) throw invalid('nothing to search for between these quotes', at)
      at = close + 1
    } else {
      let end = at
      while (end < query.length && query[end] !== '"' && !SPACE.test(query[end]!)) end++
      text = query.slice(at, end)
      at = end
    }
    let prefix = false
    if (phrase && query[at] === '*') { prefix = true; at++ }
    if (!phrase && text.endsWith('*')) {
      prefix = true
      text = text.replace(/\*+$/, '')
      if (text === '') throw invalid("a lone '*': it ends a word to find words starting with it (test*)", exclude ? offset + 1 : offset)
    }
    // A word of punctuation only (`()`, `--`, `...`) has nothing to find: it is left out.
    if (!hasToken(text)) continue
    if (terms.length === MAX_TERMS) throw invalid(`more than ${MAX_TERMS} words`, offset)
    terms.push({ text, phrase, prefix, exclude, offset })
  }
  if (terms.length === 0) throw invalid('nothing to search for: type a word', 0)
  if (terms.every(t => t.exclude)) throw invalid('only words to leave out: add a word to look for', terms[0]!.offset)
  return terms
}

/** The FTS5 MATCH expression of a parsed query: the words AND-ed, then each exclusion NOT-ed. */
export function toMatch(terms: readonly Term[]): string {
  const literal = (t: Term) => `"${clean(t.text).replace(/"/g, '""')}"${t.prefix ? ' *' : ''}`
  const wanted = terms.filter(t => !t.exclude).map(literal).join(' AND ')
  return [`(${wanted})`, ...terms.filter(t => t.exclude).map(t => `NOT ${literal(t)}`)].join(' ')
}

function hasToken(text: string): boolean {
  return TOKEN_CHAR.test(text)
}

function invalid(message: string, offset: number): InvalidQueryError {
  return new InvalidQueryError(`invalid query at ${offset}: ${message}`, { offset })
}
