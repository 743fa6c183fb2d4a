/**
 * `npm run bench`: generate a synthetic reports tree, then measure in one run
 * (a) the floor (read + hash + parse, no database), (b) a full sync into an
 * empty SQLite database, (c) a re-sync of the unchanged tree, (d) watch-mode
 * write-to-commit latency, (e) peak RSS; print them against the targets.
 *
 *   --sessions N   session directories to generate (default 200)
 *   --edits N      measured watch-mode edits, one at a time, after 10 warm-up edits
 *                  (default 200; 0 skips the watch)
 *   --seed N       PRNG seed of the tree and the edits (default 1)
 *   --large-memo-every N   one session in N gets a ~1 MB memorandum (default 50; 0 none)
 *   --json         print one JSON object line instead of the table
 *   --keep         keep the temporary tree and database (their path goes to stderr)
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { resolveConfig } from '../config.js'
import { StatebridgeError } from '../errors.js'
import { silentLogger } from '../logger.js'
import { openSqliteStore } from '../store/sqlite.js'
import { runSync, type SyncSummary } from '../sync/run-sync.js'
import { measureFloor, type FloorResult } from './floor.js'
import { generateTreeInWorker, type GeneratedTree } from './generate-tree.js'
import { RssSampler, kernelPeakRssMb, percentile, timed } from './measure.js'
import { formatJson, formatTable, type BenchFigures } from './report.js'
import { measureEditParseTimes, measureWatchLatency, type CommittedEdit, type WatchLatencyResult } from './watch-latency.js'

const USAGE = `usage: npm run bench -- [--sessions N] [--edits N] [--seed N] [--large-memo-every N] [--json] [--keep]`

const WORKERS = 2
const DEBOUNCE_MS = 150
const WARMUP_EDITS = 10
const MAX_FILE_BYTES = 25 * 1024 * 1024
const MB = 1024 * 1024

interface BenchArgs {
  sessions: number
  edits: number
  seed: number
  largeMemoEvery: number
  json: boolean
  keep: boolean
}

function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      sessions: { type: 'string', default: '200' },
      edits: { type: 'string', default: '200' },
      seed: { type: 'string', default: '1' },
      'large-memo-every': { type: 'string', default: '50' },
      json: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  })
  return {
    sessions: wholeNumber('--sessions', values.sessions, 1),
    edits: wholeNumber('--edits', values.edits, 0),
    seed: wholeNumber('--seed', values.seed, 0),
    largeMemoEvery: wholeNumber('--large-memo-every', values['large-memo-every'], 0),
    json: values.json,
    keep: values.keep,
  }
}

function wholeNumber(flag: string, text: string, min: number): number {
  const value = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
    throw new StatebridgeError('SB_CONFIG', `${flag} must be a whole number of at least ${min}, not ${JSON.stringify(text)}`)
  }
  return value
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`)
}

/** Raw measurements of the phases, before they become figures. */
interface PhaseResults {
  tree: GeneratedTree
  generateMs: number
  rssBeforeFloorMb: number
  floor: FloorResult
  sync: { ms: number; value: SyncSummary }
  resync: { ms: number; value: SyncSummary }
  watch: WatchLatencyResult | null
  /** Worker read + parse time per committed edit, same order. */
  editParseMs: number[]
  kernelPeakMb: number
}

async function runPhases(args: BenchArgs, workDir: string, rss: RssSampler): Promise<PhaseResults> {
  const root = path.join(workDir, 'reports')
  const dbFile = path.join(workDir, 'statebridge-bench.db')

  rss.enter('generate')
  progress(`generating ${args.sessions} sessions under ${root}`)
  const generated = await timed(() =>
    generateTreeInWorker(root, { sessions: args.sessions, seed: args.seed, largeMemorandumEvery: args.largeMemoEvery }),
  )
  const tree = generated.value
  progress(`${tree.files} files, ${(tree.bytes / MB).toFixed(1)} MB in ${(generated.ms / 1000).toFixed(1)} s`)
  const rootAbs = fs.realpathSync(root)

  const config = resolveConfig(
    { root, db: `sqlite:${dbFile}`, workers: WORKERS, debounceMs: DEBOUNCE_MS, reconcileIntervalMs: 0, instance: 'bench', maxFileBytes: MAX_FILE_BYTES },
    {},
  )

  const rssBeforeFloorMb = process.memoryUsage.rss() / MB
  rss.enter('floor')
  progress('(a) floor: scan + read + sha256 + parse, no database')
  const floor = await measureFloor(rootAbs, {
    workers: config.workers,
    inFlight: 2 * config.workers,
    maxFileBytes: config.maxFileBytes,
    heapMb: config.workerHeapMb,
  })
  progress(`    ${(floor.ms / 1000).toFixed(1)} s (${floor.notParsed} not parsed, ${floor.withErrors} with errors)`)

  const store = openSqliteStore(dbFile)
  let watch: WatchLatencyResult | null = null
  let sync: PhaseResults['sync']
  let resync: PhaseResults['resync']
  try {
    rss.enter('sync')
    progress('(b) full sync into an empty SQLite database')
    sync = await timed(() => runSync(config, store, silentLogger()))
    progress(`    ${(sync.ms / 1000).toFixed(1)} s (${sync.value.files_applied} applied, ${sync.value.files_failed} failed)`)

    rss.enter('resync')
    progress('(c) re-sync of the unchanged tree')
    resync = await timed(() => runSync(config, store, silentLogger()))
    progress(`    ${resync.ms.toFixed(0)} ms (${resync.value.files_unchanged} unchanged)`)

    if (args.edits > 0) {
      rss.enter('watch')
      progress(`(d) watch latency: ${WARMUP_EDITS} warm-up + ${args.edits} measured edits, debounce ${DEBOUNCE_MS} ms`)
      watch = await measureWatchLatency(config, store, {
        rootAbs,
        candidates: tree.markdownFiles,
        edits: args.edits,
        warmupEdits: WARMUP_EDITS,
        seed: args.seed,
        timeoutMs: 30_000,
        gapMs: 20,
      })
      for (const reason of watch.missed) progress(`    missed: ${reason}`)
    }
  } finally {
    await store.close()
  }
  rss.enter('end')
  rss.stop()
  const kernelPeakMb = kernelPeakRssMb()

  // After the memory figures: this parses on a fresh worker of its own.
  const committed = watch?.committed ?? []
  if (committed.length > 0) progress('    splitting latency: worker read + parse time of each edited content')
  const editParseMs = await measureEditParseTimes(rootAbs, committed, workDir, config.workerHeapMb)
  return { tree, generateMs: generated.ms, rssBeforeFloorMb, floor, sync, resync, watch, editParseMs, kernelPeakMb }
}

function summarise(args: BenchArgs, r: PhaseResults, rss: RssSampler, dbFile: string, wallMs: number): BenchFigures {
  const committed = r.watch?.committed ?? []
  const stat = (values: number[], p: number): number | null => (values.length === 0 ? null : percentile(values, p))
  const excess = committed.map((edit) => edit.latencyMs - DEBOUNCE_MS)
  const pickup = committed.map((edit) => edit.latencyMs - edit.detectMs - DEBOUNCE_MS - edit.applyMs)
  const worst = committed.reduce<CommittedEdit | null>((w, edit) => (w === null || edit.latencyMs > w.latencyMs ? edit : w), null)
  if (worst) {
    progress(
      `    slowest edit: ${worst.relPath} (${(worst.bytes / 1024).toFixed(0)} KB), ${worst.latencyMs.toFixed(0)} ms: ` +
        `detect ${worst.detectMs.toFixed(1)} ms, apply ${worst.applyMs.toFixed(1)} ms`,
    )
  }
  return {
    sessions: r.tree.sessions,
    files: r.tree.files,
    bytes: r.tree.bytes,
    floor_ms: r.floor.ms,
    sync_ms: r.sync.ms,
    resync_ms: r.resync.ms,
    latency_p50_excess_ms: stat(excess, 50),
    latency_p99_excess_ms: stat(excess, 99),
    latency_max_excess_ms: stat(excess, 100),
    warmup_latency_max_excess_ms: stat((r.watch?.warmup ?? []).map((edit) => edit.latencyMs - DEBOUNCE_MS), 100),
    debounce_ms: DEBOUNCE_MS,
    peak_rss_mb: rss.peakMb,
    peak_rss_kernel_mb: r.kernelPeakMb,
    rss_before_floor_mb: r.rssBeforeFloorMb,
    peak_rss_floor_mb: rss.phasePeakMb('floor'),
    peak_rss_sync_mb: rss.phasePeakMb('sync'),
    peak_rss_watch_mb: rss.phasePeakMb('watch'),
    edits: args.edits,
    edits_missed: r.watch?.missed.length ?? 0,
    edit_kb_p50: committed.length > 0 ? stat(committed.map((edit) => edit.bytes), 50)! / 1024 : null,
    edit_worst_kb: worst ? worst.bytes / 1024 : null,
    edit_detect_p50_ms: stat(committed.map((edit) => edit.detectMs), 50),
    edit_detect_p99_ms: stat(committed.map((edit) => edit.detectMs), 99),
    edit_apply_p50_ms: stat(committed.map((edit) => edit.applyMs), 50),
    edit_apply_p99_ms: stat(committed.map((edit) => edit.applyMs), 99),
    edit_pickup_p50_ms: stat(pickup, 50),
    edit_pickup_p99_ms: stat(pickup, 99),
    edit_parse_p50_ms: stat(r.editParseMs, 50),
    edit_parse_p99_ms: stat(r.editParseMs, 99),
    watch_start_ms: r.watch?.startMs ?? 0,
    watch_ready_ms: r.watch?.readyMs ?? 0,
    sync_files_applied: r.sync.value.files_applied,
    sync_files_failed: r.sync.value.files_failed,
    resync_files_unchanged: r.resync.value.files_unchanged,
    sqlite_file_mb: fileSizeMb(dbFile),
    workers: WORKERS,
    generate_ms: r.generateMs,
    wall_ms: wallMs,
  }
}

// After close the WAL is checkpointed into the main file; count leftovers anyway.
function fileSizeMb(dbFile: string): number {
  let bytes = 0
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      bytes += fs.statSync(dbFile + suffix).size
    } catch {
      // absent: nothing to add
    }
  }
  return bytes / MB
}

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2))
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'statebridge-bench-'))
  const cleanUp = (): void => {
    if (args.keep) progress(`kept ${workDir}`)
    else fs.rmSync(workDir, { recursive: true, force: true })
  }
  const onSignal = (): void => {
    cleanUp()
    process.exit(130)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const started = performance.now()
    const rss = new RssSampler(50)
    const results = await runPhases(args, workDir, rss)
    const figures = summarise(args, results, rss, path.join(workDir, 'statebridge-bench.db'), performance.now() - started)
    process.stdout.write(args.json ? `${formatJson(figures)}\n` : formatTable(figures))
    return 0
  } finally {
    cleanUp()
  }
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    const code = (error as { code?: unknown }).code
    if (code === 'SB_CONFIG' || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}\n`)
      process.exitCode = 2
      return
    }
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = 1
  },
)
