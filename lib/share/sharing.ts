/**
 * share() and unshare(): the policy (config modes), the order of effects, and the records.
 * The Journal delegates here; transport is the ShareProvider's, storage the server's.
 *
 * Order matters: share publishes, then saves the secret locally, then records the `share`
 * event; unshare removes the data on the server first, then the local record, then records
 * `unshare`. A failure part-way leaves nothing public that the local side forgot about.
 */
import { loadConfig, type Config } from '../config/load.js'
import { ShareDisabledError, ShareFailedError } from '../core/errors.js'
import type { Journal } from '../journal.js'
import { readProjectPath } from '../core/list.js'
import { toRedactor, type Redactor } from '../export/redact.js'
import type { Session } from '../core/session.js'
import { shareDocument } from './document.js'
import { httpShareProvider, type ShareProvider, type ShareRecord } from './provider.js'
import { loadShareRecord, removeShareRecord, saveShareRecord } from './records.js'
import { ShareSync } from './sync.js'

export interface ShareSettings {
  /** A host's own transport; default: HTTP to the share server. */
  shareProvider?: ShareProvider
  /** Default: `$SESSION_JOURNAL_SHARE_SERVER`, else the `shareServer` config key. */
  shareServer?: string
  /** Where the global config lives (default `$SESSION_JOURNAL_CONFIG_DIR` or the platform's). */
  configDir?: string
  env?: NodeJS.ProcessEnv
  /** Debounce of the sync of appended events (ms). */
  shareDebounceMs?: number
  /** Redact what is published: `true` for the built-in secret redactor, or a function (redact.ts). */
  shareRedact?: boolean | Redactor
}

export function projectConfig(settings: ShareSettings, project: string): Promise<Config> {
  return loadConfig({ project, ...(settings.configDir ? { configDir: settings.configDir } : {}), ...(settings.env ? { env: settings.env } : {}) })
}

function providerFor(settings: ShareSettings, config: Config | undefined, record?: ShareRecord): ShareProvider {
  if (settings.shareProvider) return settings.shareProvider
  // An existing share lives where it was published, whatever the config says today.
  const server = record?.server ?? settings.shareServer ?? (settings.env ?? process.env).SESSION_JOURNAL_SHARE_SERVER ?? config?.shareServer
  if (!server) {
    throw new ShareFailedError('no share server configured: pass shareServer, set $SESSION_JOURNAL_SHARE_SERVER, or `session-journal config set shareServer <url>`')
  }
  return httpShareProvider(server)
}

/**
 * Publishes the session and records the share. Refused before any network traffic when
 * disabled. A session with a share record is never published again: the record holds the
 * only secret that can take the first copy down, so a retry after a half-finished share
 * (record saved, `share` event not written) reuses it and completes the log instead.
 */
export async function shareSession(journal: Journal, settings: ShareSettings, id: string): Promise<{ url: string }> {
  const { projectId } = await journal.locate(id)
  const config = await projectConfig(settings, readProjectPath(journal.layout, projectId) ?? '')
  if (config.share === 'disabled') {
    throw new ShareDisabledError(`sharing is disabled for this project (by ${config.sources.share} config)`, { id })
  }
  const existing = await loadShareRecord(journal.root, id)
  const provider = providerFor(settings, config, existing)
  return journal.withWriter(id, async session => {
    if (existing) {
      const { info } = await journal.read(id)
      if (info.share?.shareId !== existing.shareId) await session.appendInternal({ type: 'share', url: existing.url, shareId: existing.shareId })
      attachSync(session, provider, existing, settings).touch()
      return { url: existing.url }
    }
    const { info, messages } = await journal.read(id)
    const record = await provider.publish(shareDocument(info, messages, toRedactor(settings.shareRedact)))
    try {
      await saveShareRecord(journal.root, id, record)
    } catch (error) {
      await provider.remove(record).catch(() => {}) // never leave a share we cannot manage
      throw error
    }
    await session.appendInternal({ type: 'share', url: record.url, shareId: record.shareId })
    attachSync(session, provider, record, settings)
    return { url: record.url }
  })
}

/** Removes the published data, then the local record, then records `unshare`. */
export async function unshareSession(journal: Journal, settings: ShareSettings, id: string): Promise<boolean> {
  const record = await loadShareRecord(journal.root, id)
  if (!record) return false
  const provider = providerFor(settings, undefined, record)
  const exists = await journal.locate(id).then(() => true, () => false)
  if (!exists) {
    // The session was deleted; its share can still be taken down.
    await provider.remove(record)
    await removeShareRecord(journal.root, id)
    return true
  }
  await journal.withWriter(id, async session => {
    syncs.get(session)?.stop()
    await provider.remove(record)
    await removeShareRecord(journal.root, id)
    await session.appendInternal({ type: 'unshare' })
  })
  return true
}

const syncs = new WeakMap<Session, ShareSync>()

/** One sync per open session: a second share() or a resume in the same process reuses it. */
function attachSync(session: Session, provider: ShareProvider, record: ShareRecord, settings: ShareSettings): ShareSync {
  const current = syncs.get(session)
  if (current) return current
  const sync = new ShareSync(session, provider, record, {
    ...(settings.shareDebounceMs === undefined ? {} : { debounceMs: settings.shareDebounceMs }),
    redact: toRedactor(settings.shareRedact),
  })
  syncs.set(session, sync)
  return sync
}

/**
 * On create/resume: a shared session keeps its copy in step; `auto` shares new root sessions.
 * Never throws: a share server that is down or a broken config file must not stop the host
 * from starting or continuing a conversation. Problems become process warnings.
 */
export async function startSharing(journal: Journal, settings: ShareSettings, session: Session, created: { parentId: string | null } | null): Promise<void> {
  try {
    const record = await loadShareRecord(journal.root, session.id)
    if (record) {
      attachSync(session, providerFor(settings, undefined, record), record, settings)
      return
    }
    if (!created || created.parentId !== null) return
    const config = await projectConfig(settings, session.projectPath)
    if (config.share === 'auto') await shareSession(journal, settings, session.id)
  } catch (error) {
    process.emitWarning(`sharing session ${session.id}: ${(error as Error).message}`, { code: 'SESSION_JOURNAL_SHARE_FAILED' })
  }
}

/** The sync attached to an open session, if it is shared (hosts can show `lastError`). */
export function shareSyncOf(session: Session): ShareSync | undefined {
  return syncs.get(session)
}
