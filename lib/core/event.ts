/**
 * Typed events: validating what a host hands in, shaping it in the fixed key order,
 * and checking what a reader parsed. Bytes and lines are below (lines.ts); the fold is above.
 */
import { InvalidEventError } from './errors.js'
import { newId } from './ids.js'
import { ROLES, type JsonObject, type Part, type Role } from './types.js'
import { usageProblem } from './usage.js'

export const FORMAT_VERSION = 1
export const CUSTOM_TYPE = /^x\.[A-Za-z0-9][A-Za-z0-9._-]{0,126}$/
const MAX_REF = 256

export interface MessageInput {
  id?: string
  role: Role
  parts?: PartInput[]
  meta?: JsonObject
}
export type PartInput = { id?: string, type: string, [key: string]: unknown }

/**
 * How many levels of arrays and objects a value handed in (a part, a message's meta, custom
 * data) may nest: `{}` is 1 level. Far beyond any real transcript, and far below what
 * JSON.stringify and the checks here survive on the stack (about 4000 levels).
 */
export const MAX_JSON_DEPTH = 1000

/**
 * Plain JSON only: what JSON.stringify would silently drop or mangle (functions, NaN,
 * Dates, Maps, class instances) or choke on (cycles, BigInt, nesting past MAX_JSON_DEPTH)
 * is refused up front, so the line on disk always reads back as the value the host passed.
 */
export function assertPlainJson(value: unknown, where: string): void {
  const problem = jsonProblem(value, 0)
  if (problem) throw new InvalidEventError(`${where}${problem.path} ${problem.message}`)
}

/** Past this depth a value is checked again with cycle tracking (rare, so the common case stays cheap). */
const CHEAP_DEPTH = 256

/** `deep`: the path would be a thousand steps long, so it stays '' and the message says why. */
interface JsonProblem { path: string, message: string, deep?: boolean }

/** Returns the first problem; its path is built only on the way out, so valid values cost no strings. */
function jsonProblem(value: unknown, depth: number, seen?: Set<object>): JsonProblem | undefined {
  switch (typeof value) {
    case 'string': case 'boolean': return undefined
    case 'number': return Number.isFinite(value) ? undefined : { path: '', message: `is ${value}: not a JSON number` }
    case 'object': break
    default: return { path: '', message: `is a ${typeof value}: not JSON` }
  }
  if (value === null) return undefined
  // The recursion stops here, so its depth is bounded whatever the host hands in.
  if (depth >= MAX_JSON_DEPTH) return { path: '', message: `nests deeper than ${MAX_JSON_DEPTH} levels of arrays and objects`, deep: true }
  if (seen) {
    if (seen.has(value)) return { path: '', message: 'is cyclic' }
    seen.add(value)
  } else if (depth > CHEAP_DEPTH) {
    return jsonProblem(value, depth, new Set())
  }
  let problem: JsonProblem | undefined
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && !problem; i++) {
      problem = jsonProblem(value[i], depth + 1, seen)
      if (problem && !problem.deep) problem.path = `[${i}]${problem.path}`
    }
  } else {
    const proto = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) {
      return { path: '', message: `is a ${proto?.constructor?.name ?? 'non-plain object'}: not a plain JSON object` }
    }
    for (const key in value) {
      const v = (value as Record<string, unknown>)[key]
      // JSON has no undefined: an undefined property is simply absent, as JSON.stringify writes it.
      if (v === undefined) continue
      problem = jsonProblem(v, depth + 1, seen)
      if (problem) {
        if (!problem.deep) problem.path = `.${key}${problem.path}`
        break
      }
    }
  }
  seen?.delete(value)
  return problem
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

export function assertRef(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_REF) {
    throw new InvalidEventError(`${where} must be a non-empty string of at most ${MAX_REF} characters`)
  }
  return value
}

/** `{ id, type, ...rest }`: id and type first so lines read the same whatever order the host used. */
export function toPart(input: unknown, where: string): Part {
  if (!isPlainObject(input)) throw new InvalidEventError(`${where} must be a plain object`)
  const { id, type } = input
  if (typeof type !== 'string' || type.length === 0) throw new InvalidEventError(`${where}.type must be a non-empty string`)
  const checked = id === undefined ? newId() : assertRef(id, `${where}.id`)
  // A spread into the first two keys is cheaper than rest-destructuring (a runtime call per part); they are set again after it.
  const part = { id: checked, type, ...input }
  part.id = checked
  part.type = type
  assertPlainJson(part, where)
  return part as Part
}

export function toMessageBody(input: MessageInput): { type: 'message', id: string, role: Role, parts: Part[], meta?: JsonObject } {
  if (!isPlainObject(input)) throw new InvalidEventError('message must be a plain object')
  if (!ROLES.includes(input.role)) {
    throw new InvalidEventError(`message.role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(input.role)}`)
  }
  const parts = input.parts ?? []
  if (!Array.isArray(parts)) throw new InvalidEventError('message.parts must be an array')
  const body: { type: 'message', id: string, role: Role, parts: Part[], meta?: JsonObject } = {
    type: 'message',
    id: input.id === undefined ? newId() : assertRef(input.id, 'message.id'),
    role: input.role,
    parts: parts.map((p, i) => toPart(p, `message.parts[${i}]`)),
  }
  if (input.meta !== undefined) {
    if (!isPlainObject(input.meta)) throw new InvalidEventError('message.meta must be a plain object')
    assertPlainJson(input.meta, 'message.meta')
    body.meta = input.meta
  }
  return body
}

export function toCustomBody(type: unknown, data: unknown): { type: string, data: unknown } {
  if (typeof type !== 'string' || !CUSTOM_TYPE.test(type)) {
    throw new InvalidEventError(`custom event type ${JSON.stringify(type)} must match ${CUSTOM_TYPE} (host events live under "x.")`)
  }
  if (data === undefined) data = null
  assertPlainJson(data, 'data')
  return { type, data }
}

const SEPARATORS_ALL = /[\u2028\u2029]/g

/**
 * One event, one line: JSON.stringify escapes \n and control characters; U+2028/U+2029
 * are legal raw in JSON but break line-oriented tools, so they are escaped too.
 */
export function toLine(event: object): string {
  const json = JSON.stringify(event)
  // Two indexOf scans of a line cost less than one regular-expression test.
  const raw = json.indexOf('\u2028') !== -1 || json.indexOf('\u2029') !== -1
  return (raw ? json.replace(SEPARATORS_ALL, c => (c === '\u2028' ? '\\u2028' : '\\u2029')) : json) + '\n'
}

const str = (v: unknown) => typeof v === 'string'
const strOrNull = (v: unknown) => v === null || typeof v === 'string'

/**
 * What is wrong with a parsed line as an event, or undefined. Known types must carry their
 * fields; unknown types (host-defined, or from a newer version) only the common ones.
 */
export function eventProblem(e: unknown): string | undefined {
  if (!isPlainObject(e)) return 'not a JSON object'
  if (!Number.isSafeInteger(e.seq) || (e.seq as number) < 0) return 'seq is not a non-negative integer'
  if (!str(e.ts)) return 'ts is not a string'
  if (!str(e.type)) return 'type is not a string'
  switch (e.type) {
    case 'session':
      return str(e.id) && str(e.projectId) && str(e.projectPath) && strOrNull(e.title) && strOrNull(e.parentId)
        ? undefined : 'header lacks id, projectId, projectPath, title or parentId'
    case 'message':
      if (!str(e.id) || !ROLES.includes(e.role as Role) || !Array.isArray(e.parts)) return 'message lacks id, role or parts'
      return (e.parts as unknown[]).every(isPart) ? undefined : 'message has a part without id or type'
    case 'part': return str(e.messageId) && isPart(e.part) ? undefined : 'part lacks messageId or a part with id and type'
    case 'title': return str(e.title) ? undefined : 'title is not a string'
    case 'revert': return str(e.messageId) ? undefined : 'revert lacks messageId'
    case 'share': return str(e.url) && str(e.shareId) ? undefined : 'share lacks url or shareId'
    // Fields a newer version adds are tolerated, as for every type; malformed counts are not.
    case 'usage': return usageProblem(e, false)
    default: return undefined
  }
}

function isPart(p: unknown): boolean {
  return isPlainObject(p) && str(p.id) && str(p.type)
}
