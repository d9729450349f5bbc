/**
 * The sharing plug-in: share() and unshare(), the policy (config modes), the order of effects,
 * the local records, and a sync for every shared session that is open here. It sees the core
 * only through SharePorts and hears of opened sessions through onSessionOpened.
 *
 * Order matters: share publishes, then saves the secret locally, then records the `share`
 * event; unshare removes the data on the server first, then the local record, then records
 * `unshare`. A failure part-way leaves nothing public that the local side forgot about.
 */
import type { Config } from '../config/load.js'
import { ShareDisabledError, ShareFailedError } from '../core/errors.js'
import type { CorePorts, SessionOrigin } from '../core/ports.js'
import type { OpenSession } from '../core/session.js'
import { toRedactor, type Redactor } from '../export/redact.js'
import { shareDocument } from './document.js'
import { httpShareProvider, type ShareProvider, type ShareRecord } from './provider.js'
import { loadShareRecord, removeShareRecord, saveShareRecord } from './records.js'
import { ShareSync, type Clock, type ShareStatus } from './sync.js'

export interface ShareOptions {
  /** A host's own transport; default: HTTP to the share server. */
  provider?: ShareProvider
  /** Default: `$SESSION_JOURNAL_SHARE_SERVER`, else the `shareServer` config key. */
  server?: string
  /** Debounce of the sync of appended events (ms). */
  debounceMs?: number
  /** Redact what is published: `true` for the built-in secret redactor, or a function. */
  redact?: boolean | Redactor
  /** Timers of the sync (tests pass a manual clock). */
  clock?: Clock
}

/** What sharing needs of the core. */
export type SharePorts = Pick<CorePorts, 'root' | 'locate' | 'projectPathOf' | 'readHistory' | 'historyReader' | 'withWriter' | 'onSessionOpened'>

/** What sharing needs of its surroundings: the config of a project folder, and the environment. */
export interface ShareContext {
  config(project: string): Promise<Config>
  env: NodeJS.ProcessEnv
}

export class Sharing {
  /** Keyed by session id: the status of a session's sync stays readable after it closed. */
  private readonly syncs = new Map<string, ShareSync>()

  constructor(private readonly ports: SharePorts, private readonly options: ShareOptions, private readonly context: ShareContext) {
    ports.onSessionOpened((session, origin) => this.opened(session, origin))
  }

  /**
   * Publishes the session and records the share. Refused before any network traffic when
   * disabled. A session with a share record is never published again: the record holds the
   * only secret that can take the first copy down, so a retry after a half-finished share
   * (record saved, `share` event not written) reuses it and completes the log instead.
   */
  async share(id: string): Promise<{ url: string }> {
    const { projectId } = await this.ports.locate(id)
    const config = await this.context.config(this.ports.projectPathOf(projectId) ?? '')
    if (config.share === 'disabled') {
      throw new ShareDisabledError(`sharing is disabled for this project (by ${config.sources.share} config)`, { id })
    }
    const existing = await loadShareRecord(this.ports.root, id)
    const provider = this.providerFor(config, existing)
    return this.ports.withWriter(id, async session => {
      if (existing) {
        const { info } = await this.ports.readHistory(id)
        if (info.share?.shareId !== existing.shareId) await session.record({ type: 'share', url: existing.url, shareId: existing.shareId })
        this.attach(session, provider, existing).touch()
        return { url: existing.url }
      }
      const { info, messages } = await this.ports.readHistory(id)
      const record = await provider.publish(shareDocument(info, messages, toRedactor(this.options.redact)))
      try {
        await saveShareRecord(this.ports.root, id, record)
      } catch (error) {
        await provider.remove(record).catch(() => {}) // never leave a share we cannot manage
        throw error
      }
      await session.record({ type: 'share', url: record.url, shareId: record.shareId })
      this.attach(session, provider, record)
      return { url: record.url }
    })
  }

  /** Removes the published data, then the local record, then records `unshare`. False when not shared from here. */
  async unshare(id: string): Promise<boolean> {
    const record = await loadShareRecord(this.ports.root, id)
    if (!record) return false
    const provider = this.providerFor(undefined, record)
    const exists = await this.ports.locate(id).then(() => true, () => false)
    if (!exists) {
      // The session was deleted; its share can still be taken down.
      await provider.remove(record)
      await removeShareRecord(this.ports.root, id)
      return true
    }
    await this.ports.withWriter(id, async session => {
      this.syncs.get(id)?.stop()
      await provider.remove(record)
      await removeShareRecord(this.ports.root, id)
      await session.record({ type: 'unshare' })
    })
    return true
  }

  /** Before a session is deleted: its share comes down first, or the delete stops here. */
  async takeDown(id: string): Promise<void> {
    if (await loadShareRecord(this.ports.root, id)) await this.unshare(id)
  }

  /** The sync of a session shared and opened here (it stays readable after close). */
  status(id: string): ShareStatus | undefined {
    return this.syncs.get(id)?.status()
  }

  /**
   * A shared session keeps its copy in step; `auto` shares new root sessions. Never throws: a
   * share server that is down or a broken config file must not stop the host from starting or
   * continuing a conversation. Problems become process warnings.
   */
  private async opened(session: OpenSession, origin: SessionOrigin): Promise<void> {
    try {
      const record = await loadShareRecord(this.ports.root, session.id)
      if (record) {
        this.attach(session, this.providerFor(undefined, record), record)
        return
      }
      // Only a conversation started here is shared by `auto`: not a resume, not a child.
      if (!origin.created || origin.parentId !== null) return
      const config = await this.context.config(session.projectPath)
      if (config.share === 'auto') await this.share(session.id)
    } catch (error) {
      process.emitWarning(`sharing session ${session.id}: ${(error as Error).message}`, { code: 'SESSION_JOURNAL_SHARE_FAILED' })
    }
  }

  private providerFor(config: Config | undefined, record?: ShareRecord): ShareProvider {
    if (this.options.provider) return this.options.provider
    // An existing share lives where it was published, whatever the config says today.
    const server = record?.server ?? this.options.server ?? this.context.env.SESSION_JOURNAL_SHARE_SERVER ?? config?.shareServer
    if (!server) {
      throw new ShareFailedError('no share server configured: pass share.server, set $SESSION_JOURNAL_SHARE_SERVER, or `session-journal config set shareServer <url>`')
    }
    return httpShareProvider(server)
  }

  /** One sync per open session: a second share() or a resume in the same process reuses it. */
  private attach(session: OpenSession, provider: ShareProvider, record: ShareRecord): ShareSync {
    const current = this.syncs.get(session.id)
    if (current?.session === session) return current
    const { debounceMs, clock } = this.options
    const sync = new ShareSync(session, this.ports.historyReader(session), provider, record, {
      ...(debounceMs === undefined ? {} : { debounceMs }),
      ...(clock === undefined ? {} : { clock }),
      redact: toRedactor(this.options.redact),
    })
    this.syncs.set(session.id, sync)
    return sync
  }
}
