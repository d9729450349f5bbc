/**
 * The share document: the folded history as it travels to a share server and
 * is stored there. The server checks the shape before storing, because the
 * viewer renders whatever was stored and must be able to trust the types.
 */

import path from 'node:path'
import { redactValue, type Redactor } from '../export/redact.js'
import { ROLES, type Message, type SessionInfo } from '../core/types.js'

export const SHARE_FORMAT = 'session-journal'
export const SHARE_VERSION = 1

export interface ShareDocument {
  format: 'session-journal'
  version: 1
  info: SessionInfo
  messages: Message[]
}

type Obj = Record<string, unknown>

const isObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const isStringOrNull = (value: unknown): boolean => value === null || typeof value === 'string'

/** What is wrong with `value` as a share document, or undefined when it is one. */
export function shareDocumentProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'the document must be a JSON object'
  if (value.format !== SHARE_FORMAT) return `format must be "${SHARE_FORMAT}"`
  if (value.version !== SHARE_VERSION) return `version must be ${SHARE_VERSION}`
  const problem = infoProblem(value.info)
  if (problem !== undefined) return problem
  if (!Array.isArray(value.messages)) return 'messages must be an array'
  for (const [index, message] of value.messages.entries()) {
    const found = messageProblem(message)
    if (found !== undefined) return `messages[${index}]: ${found}`
  }
  return undefined
}

function infoProblem(info: unknown): string | undefined {
  if (!isObject(info)) return 'info must be an object'
  for (const key of ['id', 'projectId', 'projectPath', 'created', 'updated'] as const) {
    if (typeof info[key] !== 'string') return `info.${key} must be a string`
  }
  for (const key of ['title', 'parentId'] as const) {
    if (!isStringOrNull(info[key])) return `info.${key} must be a string or null`
  }
  if (info.share !== null && !isObject(info.share)) return 'info.share must be an object or null'
  if (!isObject(info.meta)) return 'info.meta must be an object'
  return undefined
}

function messageProblem(message: unknown): string | undefined {
  if (!isObject(message)) return 'must be an object'
  if (typeof message.id !== 'string') return 'id must be a string'
  if (!(ROLES as readonly unknown[]).includes(message.role)) return `role must be one of ${ROLES.join(', ')}`
  if (typeof message.created !== 'string') return 'created must be a string'
  if (message.meta !== undefined && !isObject(message.meta)) return 'meta must be an object'
  if (!Array.isArray(message.parts)) return 'parts must be an array'
  for (const [index, part] of message.parts.entries()) {
    if (!isObject(part)) return `parts[${index}] must be an object`
    if (typeof part.id !== 'string') return `parts[${index}].id must be a string`
    if (typeof part.type !== 'string') return `parts[${index}].type must be a string`
  }
  return undefined
}

/** What is published: the conversation, not the host's private context (see docs/share.md). */
export function shareDocument(info: SessionInfo, messages: Message[], redact?: Redactor): ShareDocument {
  const doc: ShareDocument = {
    format: SHARE_FORMAT,
    version: SHARE_VERSION,
    // The folder's name, not its absolute path (which names the user); host events stay local.
    info: { ...info, projectPath: path.basename(info.projectPath), meta: { host: info.meta.host, events: [] } },
    messages,
  }
  return redact ? redactValue(doc, redact) : doc
}
