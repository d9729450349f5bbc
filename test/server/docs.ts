/** The share document the server tests publish (fixtures/share/conversation.json), and variants of it. */
import { readFile } from 'node:fs/promises'
import type { ShareDocument } from '../../lib/share/document.js'

export const loadDoc = async (): Promise<ShareDocument> =>
  JSON.parse(await readFile(new URL('../../../fixtures/share/conversation.json', import.meta.url), 'utf8')) as ShareDocument

export const withTitle = (doc: ShareDocument, title: string): ShareDocument => ({ ...doc, info: { ...doc.info, title } })
