/**
 * Scan + fold: the one place a log becomes a history. read(), export and the share sync all
 * fold through here, so every reader option (strict, maxLineBytes, the expected id) holds
 * for all of them alike. A HistoryReader folds incrementally: each read() scans only the
 * bytes appended since the last one and keeps folding where it stopped.
 */
import { FoldState, type FoldDefaults } from './fold.js'
import { scanLog, scanLogInto, type ScanPosition, type ScanState } from './reader.js'
import type { Damage, History, JournalEvent } from './types.js'

export interface HistoryOptions {
  /** Throw ERR_CORRUPT_LOG at the first damaged line instead of reporting it in `damage`. */
  strict?: boolean
  maxLineBytes: number
}

/** Called with each batch of events as they are folded (export keeps or counts them). */
export type BatchListener = (events: JournalEvent[]) => void

export class HistoryReader {
  private readonly fold: FoldState
  private position: ScanPosition = { offset: 0, lines: 0, lastSeq: -1 }
  private damage: Damage[] = []

  constructor(readonly file: string, private readonly defaults: FoldDefaults & { id: string }, private readonly options: HistoryOptions) {
    this.fold = new FoldState(defaults)
  }

  /**
   * The history up to the log's current end. The result shares the fold's own objects and is
   * valid until the next read(): a caller that keeps it across reads must copy it.
   */
  async read(onBatch?: BatchListener): Promise<History> {
    const state: ScanState = { damage: [], position: this.position }
    const scan = {
      expectId: this.defaults.id,
      maxLineBytes: this.options.maxLineBytes,
      from: this.position,
      ...(this.options.strict ? { strict: true } : {}),
    }
    if (onBatch) {
      // Batches straight from the reader: an async step per event would cost more than the fold.
      for await (const batch of scanLog(this.file, state, scan)) {
        for (const event of batch) this.fold.push(event)
        onBatch(batch)
      }
    } else {
      // No one wants the events: each goes into the fold as its line is parsed, no batch held.
      await scanLogInto(this.file, state, scan, this.fold)
    }
    this.position = state.position
    // A torn tail is re-read by every scan until its newline comes: report only the latest.
    this.damage = this.damage.length === 0 ? state.damage : [...this.damage.filter(d => d.kind !== 'torn-tail'), ...state.damage]
    return { ...this.fold.result(), damage: this.damage }
  }
}
