import { describe, expect, it } from 'vitest'
import type { FileOutcome } from '../src/sync/file-pipeline.js'
import { waitFor } from './helpers/cli.js'
import { FileQueue } from '../src/sync/file-queue.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function recorder(durationMs: number, outcomes: FileOutcome[] = []) {
  const calls: Array<{ path: string; trustStat: boolean; start: number; end: number }> = []
  let running = 0
  let maxRunning = 0
  const perPath = new Map<string, number>()
  let overlap = false
  const run = async (path: string, trustStat: boolean): Promise<FileOutcome> => {
    const start = Date.now()
    running++
    maxRunning = Math.max(maxRunning, running)
    perPath.set(path, (perPath.get(path) ?? 0) + 1)
    if (perPath.get(path)! > 1) overlap = true
    await sleep(durationMs)
    perPath.set(path, perPath.get(path)! - 1)
    running--
    calls.push({ path, trustStat, start, end: Date.now() })
    return outcomes.shift() ?? 'applied'
  }
  return { run, calls, stats: () => ({ maxRunning, overlap }) }
}

describe('FileQueue', () => {
  it('coalesces a burst of events on one path into one run after the quiet window', async () => {
    const r = recorder(1)
    const queue = new FileQueue({ debounceMs: 40, concurrency: 2, maxRetries: 3, run: r.run })
    const first = Date.now()
    let last = first
    for (let i = 0; i < 10; i++) {
      // Taken at the touch itself: a late wake-up from the sleep below must not count as quiet time.
      last = Date.now()
      queue.touch('a.md')
      await sleep(5)
    }
    await queue.whenIdle()
    expect(r.calls).toHaveLength(1)
    expect(r.calls[0]!.trustStat).toBe(false)
    // Load only delays timers, so these lower bounds hold on a busy machine (1 ms for timer rounding).
    expect(r.calls[0]!.start - last).toBeGreaterThanOrEqual(39)
    expect(r.calls[0]!.start - first).toBeGreaterThanOrEqual(84)
  })

  it('never runs one path twice at once, and runs again for an event that arrived mid-run', async () => {
    const r = recorder(60)
    const queue = new FileQueue({ debounceMs: 5, concurrency: 4, maxRetries: 3, run: r.run })
    queue.touch('a.md')
    await sleep(20) // first run in flight
    queue.touch('a.md')
    await sleep(20)
    queue.touch('a.md')
    await queue.whenIdle()
    expect(r.stats().overlap).toBe(false)
    expect(r.calls).toHaveLength(2)
    expect(r.calls[1]!.start).toBeGreaterThanOrEqual(r.calls[0]!.end)
  })

  it('bounds how many paths run at once', async () => {
    const r = recorder(20)
    const queue = new FileQueue({ debounceMs: 0, concurrency: 3, maxRetries: 3, run: r.run })
    await Promise.all(Array.from({ length: 12 }, (_, i) => queue.submit(`f${i}.md`, true)))
    expect(r.calls).toHaveLength(12)
    expect(r.stats().maxRunning).toBe(3)
  })

  it('retries a file caught mid-write and resolves with the settled outcome', async () => {
    const r = recorder(1, ['retry', 'retry', 'applied'])
    const queue = new FileQueue({ debounceMs: 10, concurrency: 1, maxRetries: 5, run: r.run })
    await expect(queue.submit('a.md', true)).resolves.toBe('applied')
    expect(r.calls).toHaveLength(3)
  })

  it('gives up after maxRetries and reports retry', async () => {
    const r = recorder(1, ['retry', 'retry', 'retry', 'retry'])
    const queue = new FileQueue({ debounceMs: 1, concurrency: 1, maxRetries: 2, run: r.run })
    await expect(queue.submit('a.md', true)).resolves.toBe('retry')
    expect(r.calls).toHaveLength(3)
    await queue.whenIdle()
  })

  it('an event downgrades a pending trusted submit to a full read', async () => {
    const r = recorder(1)
    const queue = new FileQueue({ debounceMs: 20, concurrency: 1, maxRetries: 1, run: r.run })
    queue.touch('a.md')
    await queue.submit('a.md', true)
    await queue.whenIdle()
    expect(r.calls.every((c) => c.trustStat === false)).toBe(true)
  })

  it('close drops pending debounces and waits for the run in flight', async () => {
    const r = recorder(50)
    const queue = new FileQueue({ debounceMs: 5, concurrency: 2, maxRetries: 1, run: r.run })
    const inFlight = queue.submit('a.md', true)
    queue.touch('b.md')
    await sleep(10)
    queue.touch('c.md')
    await queue.close()
    expect(await inFlight).toBe('applied')
    expect(r.calls.map((c) => c.path).sort()).toEqual(['a.md', 'b.md'])
    queue.touch('d.md')
    await sleep(20)
    expect(r.calls).toHaveLength(2)
  })

  it('prefetches on the first event of a quiet path and discards it when another event comes before the run', async () => {
    const log: string[] = []
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let running = 0
    const queue = new FileQueue({
      debounceMs: 20,
      concurrency: 2,
      maxRetries: 1,
      run: async (relPath) => {
        log.push(`run ${relPath}`)
        running++
        await gate
        return 'applied'
      },
      prefetch: (relPath) => log.push(`prefetch ${relPath}`),
      discardPrefetch: (relPath) => log.push(`discard ${relPath}`),
    })
    queue.touch('a.md')
    queue.touch('a.md')
    await waitFor(() => running === 1, 15_000, 'the run of a.md')
    // During the run: the run after it reads afresh, there is nothing to discard.
    queue.touch('a.md')
    release()
    await queue.whenIdle()
    expect(log).toEqual(['prefetch a.md', 'discard a.md', 'run a.md', 'run a.md'])
  })
})
