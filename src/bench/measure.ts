/**
 * Measuring helpers: a resident-set-size sampler with per-phase peaks, and
 * percentiles. Worker threads live in this process, so `rss` covers them.
 */

const MB = 1024 * 1024

/** Samples `process.memoryUsage().rss` on a timer and keeps the peak overall and per phase. */
export class RssSampler {
  private readonly timer: NodeJS.Timeout
  private phase = 'start'
  private peakBytes = 0
  private readonly phasePeaks = new Map<string, number>()

  /** Start sampling every `intervalMs` (default 50). */
  constructor(intervalMs = 50) {
    this.sample()
    this.timer = setInterval(() => this.sample(), intervalMs)
    this.timer.unref()
  }

  /** Attribute the following samples to `phase` (one sample is taken now). */
  enter(phase: string): void {
    this.sample()
    this.phase = phase
    this.sample()
  }

  /** Stop the timer (after one last sample). */
  stop(): void {
    this.sample()
    clearInterval(this.timer)
  }

  /** Highest sampled RSS, MB. */
  get peakMb(): number {
    return this.peakBytes / MB
  }

  /** Highest sampled RSS of one phase, MB (0 when the phase never ran). */
  phasePeakMb(phase: string): number {
    return (this.phasePeaks.get(phase) ?? 0) / MB
  }

  private sample(): void {
    const rss = process.memoryUsage.rss()
    if (rss > this.peakBytes) this.peakBytes = rss
    if (rss > (this.phasePeaks.get(this.phase) ?? 0)) this.phasePeaks.set(this.phase, rss)
  }
}

/**
 * The kernel's high-water mark of this process's RSS, MB. It also catches
 * peaks shorter than the sampling interval or hidden behind a long synchronous task.
 */
export function kernelPeakRssMb(): number {
  // resourceUsage().maxRSS is in kilobytes.
  return process.resourceUsage().maxRSS / 1024
}

/** Nearest-rank percentile (`p` in 0–100) of `values`; `NaN` when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[Math.min(rank, sorted.length) - 1]!
}

/** Time an async task, ms. */
export async function timed<T>(task: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now()
  const value = await task()
  return { ms: performance.now() - started, value }
}
