/**
 * The progress line of a long `sync` on a terminal: one line on stderr,
 * rewritten in place, throttled, cleared at the end. The formatting is pure
 * (tested on its own); `ProgressLine` owns the terminal line.
 */

/** Where the progress line goes: a terminal stream (process.stderr). */
export interface ProgressStream {
  write(text: string): unknown
  /** Terminal width; the line is cut to fit, since a wrapped line cannot be rewritten in place. */
  readonly columns?: number
}

/** One reading of the sync's progress. */
export interface ProgressReading {
  /** Files finished (applied, unchanged, removed or failed). */
  done: number
  /** Files the reconcile has queued so far. */
  total: number
  /** Bytes of the finished files. */
  bytes: number
  /** Time since the sync started, ms. */
  elapsedMs: number
}

/**
 * Whether `sync` shows a progress line: only for a person watching a terminal,
 * never with `--json` (a machine reads the output) nor when stderr is a pipe
 * or a file (a log would fill with rewritten lines).
 */
export function showProgress(options: { json: boolean; stderrIsTTY: boolean }): boolean {
  return !options.json && options.stderrIsTTY
}

/** `1,234/3,000 files (41%), 21.4 MB, 412 files/s, 7.1 MB/s, ETA 4s`; rates and ETA once a second has passed. */
export function formatProgress(reading: ProgressReading): string {
  const { done, total, bytes, elapsedMs } = reading
  const percent = total > 0 ? Math.floor((done / total) * 100) : 0
  const parts = [`syncing ${count(done)}/${count(total)} files (${percent}%)`, megabytes(bytes)]
  // Before a second has passed the rates say more about start-up than about the sync.
  if (elapsedMs >= 1_000 && done > 0) {
    const seconds = elapsedMs / 1_000
    const filesPerSecond = done / seconds
    parts.push(`${count(Math.round(filesPerSecond))} files/s`, `${megabytes(bytes / seconds)}/s`)
    parts.push(`ETA ${duration((total - done) / filesPerSecond)}`)
  }
  return parts.join(', ')
}

/** A duration in seconds as `4s`, `2m05s` or `1h02m`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?'
  const s = Math.ceil(seconds)
  if (s < 60) return `${s}s`
  if (s < 3_600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3_600)}h${String(Math.floor((s % 3_600) / 60)).padStart(2, '0')}m`
}

function count(n: number): string {
  return n.toLocaleString('en-US')
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`
}

/** Clear the terminal line and return to its start (CR, then ANSI "erase line"). */
const CLEAR_LINE = '\r\x1b[2K'

/** The terminal line of the progress, rewritten at most once per `intervalMs`. */
export class ProgressLine {
  private readonly stream: ProgressStream
  private readonly intervalMs: number
  private readonly now: () => number
  private readonly started: number
  private lastDrawn = Number.NEGATIVE_INFINITY
  /** The text on the terminal line now; `''` when the line is clear. */
  private shown = ''
  private latest: ProgressReading | null = null

  /**
   * @param stream the terminal (process.stderr)
   * @param options.intervalMs least time between two redraws; default 200
   * @param options.now clock, for tests; default `Date.now`
   */
  constructor(stream: ProgressStream, options: { intervalMs?: number; now?: () => number } = {}) {
    this.stream = stream
    this.intervalMs = options.intervalMs ?? 200
    this.now = options.now ?? Date.now
    this.started = this.now()
  }

  /** A new reading; drawn when the last redraw is old enough, or when the last file is done. */
  update(done: number, total: number, bytes: number): void {
    const now = this.now()
    this.latest = { done, total, bytes, elapsedMs: now - this.started }
    if (now - this.lastDrawn < this.intervalMs && done < total) return
    this.lastDrawn = now
    this.draw()
  }

  /** Write `text` (whole lines, such as a log line) above the progress, which is drawn again below it. */
  writeAbove(text: string): void {
    if (this.shown === '') {
      this.stream.write(text)
      return
    }
    this.stream.write(CLEAR_LINE + text)
    this.shown = ''
    this.draw()
  }

  /** Clear the line, leaving the cursor where the line began. */
  clear(): void {
    if (this.shown === '') return
    this.stream.write(CLEAR_LINE)
    this.shown = ''
    this.latest = null
  }

  private draw(): void {
    if (this.latest === null) return
    // A pseudo-terminal without a size reports 0 columns.
    const width = this.stream.columns || 80
    const text = formatProgress(this.latest).slice(0, Math.max(10, width - 1))
    this.stream.write(CLEAR_LINE + text)
    this.shown = text
  }
}
