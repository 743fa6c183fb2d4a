/**
 * Watch-mode latency: edit one markdown file at a time (append a row to its
 * revision table, as an agent would) and time from the end of the write to
 * the commit of that exact content, seen through a `CommitProbe`.
 */
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FSWatcher } from 'chokidar'
import type { Config } from '../config.js'
import { silentLogger } from '../logger.js'
import type { Store } from '../store/types.js'
import { ParsePool } from '../sync/parse-pool.js'
import { startWatch } from '../sync/watch.js'
import { CommitProbe } from './commit-probe.js'
import { createRng } from './prng.js'
import { phrase, revisionRow } from './synthetic-text.js'

/** Latency run settings. */
export interface WatchLatencyOptions {
  /** Real absolute path of the root (the daemon's root identity). */
  rootAbs: string
  /** Root-relative markdown files to pick edits from. */
  candidates: readonly string[]
  /** Number of measured edits, one at a time. */
  edits: number
  /**
   * Edits made first and reported apart: the watch starts with fresh parse
   * workers that the initial (unchanged) reconcile never warmed up.
   */
  warmupEdits: number
  seed: number
  /** Give up on one edit after this long, ms. */
  timeoutMs: number
  /** Pause after each commit (and idle queue) before the next edit, ms. */
  gapMs: number
}

/** One committed edit. */
export interface CommittedEdit {
  relPath: string
  /** Size of the file after the edit; edits only append, so this prefix of the final file is the committed content. */
  bytes: number
  /** End of write → commit, ms. */
  latencyMs: number
  /** End of write → the watcher's `change` event, ms (slightly negative when the truncate was already seen). */
  detectMs: number
  /** The SQLite transaction (applyFileSnapshot), ms. */
  applyMs: number
}

/** What the latency run measured. */
export interface WatchLatencyResult {
  /** startWatch until it resolved (its initial reconcile of the unchanged tree), ms. */
  startMs: number
  /** startWatch until chokidar reported its initial scan done, ms. */
  readyMs: number
  /** Committed warm-up edits, in order. */
  warmup: CommittedEdit[]
  /** Committed measured edits, in order. */
  committed: CommittedEdit[]
  /** Edits whose commit never came (timeout or failure), with the reason. */
  missed: string[]
}

/** Start a watch on `config.root`, make the edits, stop the watch (the store stays open). */
export async function measureWatchLatency(config: Config, store: Store, options: WatchLatencyOptions): Promise<WatchLatencyResult> {
  const probe = new CommitProbe(store)
  const started = performance.now()
  const handle = await startWatch(config, probe, silentLogger())
  const result: WatchLatencyResult = { startMs: performance.now() - started, readyMs: 0, warmup: [], committed: [], missed: [] }
  try {
    await watcherReady(handle.watcher)
    result.readyMs = performance.now() - started
    await handle.whenIdle()
    const rng = createRng(options.seed).fork('edits')
    // The daemon listens first, so this runs right after it queued the path.
    let watched: { absPath: string; seenAt: number | null } = { absPath: '', seenAt: null }
    handle.watcher.on('change', (changed: string) => {
      if (changed === watched.absPath && watched.seenAt === null) watched.seenAt = performance.now()
    })

    for (let i = 0; i < options.warmupEdits + options.edits; i++) {
      const relPath = rng.pick(options.candidates)
      const absPath = path.join(options.rootAbs, relPath)
      const row = revisionRow(1000 + i, new Date(Date.UTC(2026, 0, 1) + i * 1000), 'bench', phrase(rng, 3, 9))
      const content = Buffer.concat([fs.readFileSync(absPath), Buffer.from(row, 'utf8')])
      const hash = createHash('sha256').update(content).digest('hex')
      const commit = probe.expect(relPath, hash, options.timeoutMs)
      watched = { absPath, seenAt: null }
      fs.writeFileSync(absPath, content)
      const wroteAt = performance.now()
      try {
        const times = await commit
        const into = i < options.warmupEdits ? result.warmup : result.committed
        into.push({
          relPath,
          bytes: content.length,
          latencyMs: times.committedAt - wroteAt,
          detectMs: (watched.seenAt ?? Number.NaN) - wroteAt,
          applyMs: times.committedAt - times.applyStartedAt,
        })
      } catch (error) {
        result.missed.push((error as Error).message)
      }
      await handle.whenIdle()
      await sleep(options.gapMs)
    }
  } finally {
    await handle.close()
  }
  return result
}

// startWatch resolves after its own reconcile, which may finish before chokidar
// has walked the tree; an edit made before `ready` can go unseen.
async function watcherReady(watcher: FSWatcher): Promise<void> {
  if (watcher._readyEmitted) return
  await once(watcher, 'ready')
}

/**
 * Time the worker part of each committed edit (read, sha256 and parse of the
 * same bytes on one idle parse worker, message round trip included), ms, to
 * split the latency into that and the rest (watcher, queue, SQLite). Runs after
 * the watch, from a scratch copy of each edited content, so it does not disturb
 * the latency figures; run it after the memory figures too.
 */
export async function measureEditParseTimes(
  rootAbs: string,
  edits: readonly CommittedEdit[],
  scratchDir: string,
  heapMb: number,
): Promise<number[]> {
  if (edits.length === 0) return []
  const finalContent = new Map<string, Buffer>()
  const contentOf = (edit: CommittedEdit): Buffer => {
    let content = finalContent.get(edit.relPath)
    if (!content) {
      content = fs.readFileSync(path.join(rootAbs, edit.relPath))
      finalContent.set(edit.relPath, content)
    }
    // Edits only append, so the committed content is a prefix of the final file.
    return content.subarray(0, edit.bytes)
  }
  const pool = new ParsePool({ workers: 1, budgetMs: 120_000, heapMb })
  const scratch = path.join(scratchDir, 'edit-probe.md')
  const workerTime = async (edit: CommittedEdit): Promise<number> => {
    fs.writeFileSync(scratch, contentOf(edit))
    const started = performance.now()
    await pool.run({ absPath: scratch, relPath: edit.relPath, knownHash: null, maxFileBytes: Number.MAX_SAFE_INTEGER })
    return performance.now() - started
  }
  try {
    // The daemon's workers were warm: warm this one on a dozen ordinary-sized edits first.
    for (const edit of edits.filter((e) => e.bytes <= 64 * 1024).slice(0, 12)) await workerTime(edit)
    const times: number[] = []
    for (const edit of edits) times.push(await workerTime(edit))
    return times
  } finally {
    await pool.close()
    fs.rmSync(scratch, { force: true })
  }
}
