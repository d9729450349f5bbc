/**
 * Who hears a session's appends: each acknowledged batch, once, in seq order, to every
 * listener. A listener may append or close the session while it hears: what that writes waits
 * until every listener heard the batch before it, so no listener hears a reply before its cause.
 */
import type { JournalEvent } from './types.js'

export type AppendListener = (events: JournalEvent[]) => void

export class AppendListeners {
  private readonly listeners = new Set<AppendListener>()
  private readonly deliveries: JournalEvent[][] = []

  /** `session` names the session in the warning a throwing listener causes. */
  constructor(private readonly session: string) {}

  get size(): number { return this.listeners.size }

  add(listener: AppendListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  deliver(events: JournalEvent[]): void {
    this.deliveries.push(events)
    if (this.deliveries.length > 1) return // a delivery is running: it takes this one after
    for (let i = 0; i < this.deliveries.length; i++) {
      for (const listener of this.listeners) {
        // The events are written and acknowledged: a listener's bug must not undo that or crash the host.
        try {
          listener(this.deliveries[i]!)
        } catch (error) {
          process.emitWarning(`onAppend listener of session ${this.session} threw: ${(error as Error)?.message ?? String(error)}`, { code: 'SESSION_JOURNAL_LISTENER_FAILED' })
        }
      }
    }
    this.deliveries.length = 0
  }
}
