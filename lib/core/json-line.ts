/**
 * A value as one line of JSON, cut: what a one-line summary shows of a value that has no
 * better words (a tool's input with no string to quote, an error object without a message).
 * The walk stops once past `max` characters, so a huge value costs about `max` characters of
 * work, and a value nested deeper than the stack allows is cut where the stack ran out
 * instead of throwing (JSON.parse reads any depth; JSON.stringify recurses).
 */

/** Compact JSON of `value`, cut at `max` characters with "…" when anything was left out. */
export function jsonLine(value: unknown, max: number): string {
  let out = ''
  const full = Symbol('full')
  const emit = (piece: string): void => {
    out += piece
    if (out.length > max) throw full
  }
  const walk = (v: unknown): void => {
    // A long string is cut before it is escaped, so it never costs more than the budget.
    if (typeof v === 'string') return emit(JSON.stringify(v.length > max ? v.slice(0, max) : v))
    if (v === null || typeof v !== 'object') return emit(JSON.stringify(v) ?? 'null')
    if (Array.isArray(v)) {
      emit('[')
      v.forEach((item: unknown, i) => {
        if (i > 0) emit(',')
        walk(item === undefined || typeof item === 'function' ? null : item)
      })
      return emit(']')
    }
    emit('{')
    let first = true
    for (const [key, item] of Object.entries(v)) {
      if (item === undefined || typeof item === 'function') continue
      emit(`${first ? '' : ','}${JSON.stringify(key)}:`)
      first = false
      walk(item)
    }
    emit('}')
  }
  try {
    walk(value)
    return out
  } catch (error) {
    if (error !== full && !(error instanceof RangeError)) throw error
    return `${cutChars(out, max)}…`
  }
}

/** The first `chars` characters, never ending in half a surrogate pair. */
export function cutChars(text: string, chars: number): string {
  if (text.length <= chars) return text
  const code = text.charCodeAt(chars - 1)
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? chars - 1 : chars)
}

/**
 * JSON.stringify(value, null, 2), but it stops once past `max` characters: a
 * large or wide value costs at most `max` characters of work and memory, not
 * its whole pretty-printed size (deep indentation can make that far larger than the document).
 */
export function jsonPretty(value: unknown, max: number): { text: string, whole: boolean } {
  let out = ''
  const full = Symbol('full')
  const emit = (piece: string): void => {
    out += piece
    if (out.length > max) throw full
  }
  const walk = (v: unknown, indent: string): void => {
    if (typeof v === 'string') {
      // A long string is cut before it is escaped, so it never costs more than the budget.
      return emit(JSON.stringify(v.length > max ? cutChars(v, max) : v))
    }
    if (v === null || typeof v !== 'object') return emit(JSON.stringify(v) ?? 'null')
    const inner = `${indent}  `
    if (Array.isArray(v)) {
      if (v.length === 0) return emit('[]')
      emit('[')
      v.forEach((item: unknown, i) => {
        emit(`${i === 0 ? '' : ','}\n${inner}`)
        walk(item === undefined || typeof item === 'function' ? null : item, inner)
      })
      return emit(`\n${indent}]`)
    }
    const entries = Object.entries(v).filter(([, item]) => item !== undefined && typeof item !== 'function')
    if (entries.length === 0) return emit('{}')
    emit('{')
    entries.forEach(([key, item], i) => {
      emit(`${i === 0 ? '' : ','}\n${inner}${JSON.stringify(key)}: `)
      walk(item, inner)
    })
    emit(`\n${indent}}`)
  }
  try {
    walk(value, '')
    return { text: out, whole: true }
  } catch (error) {
    if (error === full) return { text: cutChars(out, max), whole: false }
    // Deeper than the stack allows (the server refuses such documents; a host calling the viewer may not).
    if (error instanceof RangeError) return { text: '[value too deeply nested to show]', whole: false }
    throw error
  }
}
