/**
 * The sharing plug-in: share() and unshare(), the policy (config modes), the order of effects,
 * the local records, and a sync for every shared session that is open here. It sees the core
 * only through SharePorts and hears of opened sessions through onSessionOpened.
 *
 * Order matters: share publishes, then saves the secret locally, then records the `share`
 * event; unshare removes the data on the server first, then the local record, then records
 * `unshare`. A failure part-way leaves nothing public that the local side forgot about, and
 * its message says how far it got (outcome.ts). The one exception is asked for by name:
 * `local` forgets a share whose server is gone, and says the copy may remain.
 *
 * `disabled` stops every request but the one that takes a copy down: the config is read when
 * a session is opened (a shared one gets no sync) and again before each send (a few small
 * files, at most once per debounce, next to an HTTP request), so a policy committed while a
 * host holds the session open stops the very next send.
 */
import type { Config } from '../config/load.js'
import { ShareDisabledError, ShareFailedError } from '../core/errors.js'
import type { CorePorts, SessionOrigin } from '../core/ports.js'
import type { OpenSession } from '../core/session.js'
import { toRedactor, type Redactor } from '../export/redact.js'
import { shareDocument } from './document.js'
import { httpShareProvider, type ShareProvider, type ShareRecord } from './provider.js'
import { amend, forgetOutcome, sharingDisabled, unshareOutcome, type UnshareOptions, type UnshareProgress, type UnshareResult } from './outcome.js'
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
    const project = this.ports.projectPathOf(projectId) ?? ''
    let outcome = 'nothing was published'
    try {
      const existing = await loadShareRecord(this.ports.root, id)
      const config = await this.context.config(project)
      if (config.share === 'disabled') throw sharingDisabled(id, config.sources.share, existing)
      const provider = this.providerFor(config, existing)
      return await this.ports.withWriter(id, async session => {
        if (existing) {
          outcome = `the session stays shared at ${existing.url}, but its log does not say so yet: share it again to complete`
          const { info } = await this.ports.readHistory(id)
          if (info.share?.shareId !== existing.shareId) await session.record({ type: 'share', url: existing.url, shareId: existing.shareId })
          this.attach(session, provider, existing).touch()
          return { url: existing.url }
        }
        const { info, messages } = await this.ports.readHistory(id)
        const record = await provider.publish(shareDocument(info, messages, toRedactor(this.options.redact)))
        outcome = `the copy just published at ${record.url} was taken down again: nothing was shared`
        try {
          await saveShareRecord(this.ports.root, id, record)
        } catch (error) {
          // Never leave a share we cannot manage; say so when even that fails.
          await provider.remove(record).catch(() => { outcome = `the copy just published at ${record.url} could not be taken down again and may stay online; it is not recorded here` })
          throw error
        }
        outcome = `the session is published at ${record.url} and recorded here, but its log does not say so yet: share it again to complete`
        await session.record({ type: 'share', url: record.url, shareId: record.shareId })
        outcome = `the session is shared at ${record.url}`
        this.attach(session, provider, record)
        return { url: record.url }
      })
    } catch (error) {
      throw error instanceof ShareDisabledError ? error : amend(error, outcome)
    }
  }

  /**
   * Removes the published data, then the local record, then records `unshare`; with `local`,
   * only the last two. False when not shared from here. Allowed whatever the config says:
   * taking a copy down is how a `disabled` project gets rid of one.
   */
  async unshare(id: string, options: UnshareOptions = {}): Promise<UnshareResult | false> {
    if (options.local) return this.forget(id)
    const record = await loadShareRecord(this.ports.root, id)
    if (!record) return false
    const progress = { removed: false, forgotten: false }
    try {
      return await this.remove(id, record, progress)
    } catch (error) {
      throw amend(error, unshareOutcome(record.url, progress, false))
    }
  }

  /**
   * Before a session is deleted: its share comes down first, or the delete stops here. With
   * `force` a share that cannot be taken down does not stop it: the result says where the
   * copy may remain, and the record stays so that unshare can take it down later.
   */
  async takeDown(id: string, force: boolean): Promise<UnshareResult | null> {
    const progress = { removed: false, forgotten: false }
    let url: string | null = null
    try {
      const record = await loadShareRecord(this.ports.root, id)
      if (!record) return null
      url = record.url
      return await this.remove(id, record, progress)
    } catch (error) {
      if (!force) throw amend(error, url === null ? 'nothing was deleted' : unshareOutcome(url, progress, true))
      return { url: url ?? await this.loggedUrl(id), removed: progress.removed, error: error as Error }
    }
  }

  /** The sync of a session shared and opened here (it stays readable after close). */
  status(id: string): ShareStatus | undefined {
    return this.syncs.get(id)?.status()
  }

  private async remove(id: string, record: ShareRecord, progress: UnshareProgress): Promise<UnshareResult> {
    const provider = this.providerFor(undefined, record)
    await this.withLog(id, async session => {
      this.syncs.get(id)?.stop()
      await provider.remove(record)
      progress.removed = true
      await removeShareRecord(this.ports.root, id)
      progress.forgotten = true
      await session?.record({ type: 'unshare' })
    })
    return { url: record.url, removed: true }
  }

  /** unshare with `local`: the record goes without a word to the server (a damaged one too). */
  private async forget(id: string): Promise<UnshareResult | false> {
    const record = await loadShareRecord(this.ports.root, id).catch(error => {
      if (error instanceof ShareFailedError) return null // damaged: forgetting it is all one can do
      throw error
    })
    if (record === undefined) return false
    const url = record?.url ?? await this.loggedUrl(id)
    let forgotten = false
    try {
      await this.withLog(id, async session => {
        this.syncs.get(id)?.stop()
        await removeShareRecord(this.ports.root, id)
        forgotten = true
        await session?.record({ type: 'unshare' })
      })
    } catch (error) {
      throw amend(error, forgetOutcome(url, forgotten))
    }
    return { url, removed: false }
  }

  /** Runs `fn` with a writer of the log, or without one when the session was deleted (its share outlives it). */
  private async withLog(id: string, fn: (session?: OpenSession) => Promise<void>): Promise<void> {
    const exists = await this.ports.locate(id).then(() => true, () => false)
    await (exists ? this.ports.withWriter(id, fn) : fn())
  }

  /** The link the log records, for a share whose record is damaged. */
  private async loggedUrl(id: string): Promise<string | null> {
    const history = await this.ports.readHistory(id).catch(() => null)
    return history?.info.share?.url ?? null
  }

  /**
   * A shared session keeps its copy in step unless sharing is disabled now; `auto` shares new
   * root sessions. Never throws: a share server that is down or a broken config file must not
   * stop the host from starting or continuing a conversation. Problems become process warnings.
   */
  private async opened(session: OpenSession, origin: SessionOrigin): Promise<void> {
    try {
      const record = await loadShareRecord(this.ports.root, session.id)
      if (record) {
        // Attached even when the config cannot be read: every send asks it again first.
        const sync = this.attach(session, this.providerFor(undefined, record), record)
        const config = await this.context.config(session.projectPath)
        if (config.share === 'disabled') sync.stop(sharingDisabled(session.id, config.sources.share, record))
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

  /** One sync per open session: a second share() or a resume in the same process reuses it while it runs. */
  private attach(session: OpenSession, provider: ShareProvider, record: ShareRecord): ShareSync {
    const current = this.syncs.get(session.id)
    // A stopped one (unshared, or disabled back then) is replaced: share() may restart it.
    if (current?.session === session && current.status().active) return current
    const { debounceMs, clock } = this.options
    const sync = new ShareSync(session, this.ports.historyReader(session), provider, record, {
      ...(debounceMs === undefined ? {} : { debounceMs }),
      ...(clock === undefined ? {} : { clock }),
      redact: toRedactor(this.options.redact),
      allowed: async () => {
        const config = await this.context.config(session.projectPath)
        if (config.share === 'disabled') throw sharingDisabled(session.id, config.sources.share, record)
      },
    })
    this.syncs.set(session.id, sync)
    return sync
  }
}
