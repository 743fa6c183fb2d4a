/**
 * `npm run bench`: generate a synthetic reports tree, then measure in one run
 * (a) the floor (read + hash + parse, no database), (b) a full sync into an
 * empty SQLite database, (c) a re-sync of the unchanged tree, (f) the same full
 * sync and re-sync into an empty PostgreSQL schema (run after (c), before (d)),
 * (d) watch-mode write-to-commit latency (SQLite), (e) peak RSS, (g) the HTTP
 * API's latency under 20 clients while a `watch --listen` daemon (its own
 * process) runs its full start-up sync, and that daemon's peak RSS, (h) apply
 * throughput with 50 SSE clients on the change feed against none, (i) history:
 * the storage of a 1.5 MB memorandum written in 20 appends and a 30 KB state
 * file rewritten 200 times against the raw bytes of all their versions, the
 * time to restore any memorandum revision, and (b) again with history off, for
 * what history costs the full sync, (j) the full sync again read by
 * `--parser remark` (the fast path's authority), (k) the first edit of a
 * 1.5 MB memorandum after a daemon start with each parser, and (l) the SQLite
 * file against the input bytes; print them against the targets.
 *
 *   --tree DIR     run on a copy of an existing reports tree (the real corpus, say) instead of
 *                  generating one; --sessions and --large-memo-every are then ignored
 *   --sessions N   session directories to generate (default 200)
 *   --edits N      measured watch-mode edits, one at a time, after 10 warm-up edits
 *                  (default 200; 0 skips the watch)
 *   --seed N       PRNG seed of the tree and the edits (default 1)
 *   --large-memo-every N   one session in N gets a ~1 MB memorandum (default 50; 0 none)
 *   --pg-url URL   PostgreSQL server of (f) (default $STATEBRIDGE_BENCH_PG_URL, else a
 *                  postgres:// $DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test);
 *                  (f) uses a fresh schema sb_bench_<pid>_<time> and drops it at the end;
 *                  an unreachable server skips (f) with a message on stderr
 *   --no-pg        skip (f)
 *   --api-clients N  concurrent API clients of (g) (default 20; 0 skips (g))
 *   --feed-clients N SSE clients of (h) (default 50; 0 skips (h))
 *   --json         print one JSON object line instead of the table
 *   --keep         keep the temporary tree, database and PostgreSQL schema (named on stderr)
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { resolveConfig, type StatebridgeOptions } from '../config.js'
import { StatebridgeError } from '../errors.js'
import { tuneHeap } from '../heap-tuning.js'
import { silentLogger } from '../logger.js'
import { openSqliteStore } from '../store/sqlite.js'
import { runSync, type SyncSummary } from '../sync/run-sync.js'
import { apiPercentiles, measureApiUnderSync, type ApiLoadResult } from './api-load.js'
import { measureFeedThroughput, type FeedLoadResult } from './feed-load.js'
import { measureHistory, type HistoryLoadResult } from './history-load.js'
import { measureFloor, type FloorResult } from './floor.js'
import { generateTreeInWorker, type GeneratedTree } from './generate-tree.js'
import { measureTranscripts, type TranscriptLoadResult } from './transcript-load.js'
import { measureFirstLargeEdit, measureSyncWith } from './parser-load.js'
import { RssSampler, kernelPeakRssMb, percentile, timed } from './measure.js'
import { BenchSchema, benchSchemaName, measurePostgres, resolvePgUrl, type PgResults } from './pg-column.js'
import { formatJson, formatTable, type BenchFigures } from './report.js'
import { measureEditParseTimes, measureWatchLatency, type CommittedEdit, type WatchLatencyResult } from './watch-latency.js'

const USAGE =
  'usage: npm run bench -- [--tree DIR | --sessions N] [--edits N] [--seed N] [--large-memo-every N] [--pg-url URL | --no-pg] [--api-clients N] [--feed-clients N] [--json] [--keep]'

const WORKERS = 2
const DEBOUNCE_MS = 150
const WARMUP_EDITS = 10
const MAX_FILE_BYTES = 25 * 1024 * 1024
/** Files each run of (h) applies. */
const FEED_FILES = 1000
/** Runs of (h) without and with clients, in turn, summed: the ratio of one run each moved by ±20 % between runs, more than the effect measured. */
const FEED_PAIRS = 4
const MB = 1024 * 1024

interface BenchArgs {
  /** An existing tree to copy and use instead of a generated one; `null` to generate. */
  tree: string | null
  sessions: number
  edits: number
  seed: number
  largeMemoEvery: number
  /** `null` with `--no-pg`. */
  pgUrl: string | null
  apiClients: number
  feedClients: number
  json: boolean
  keep: boolean
}

function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      tree: { type: 'string' },
      sessions: { type: 'string', default: '200' },
      edits: { type: 'string', default: '200' },
      seed: { type: 'string', default: '1' },
      'large-memo-every': { type: 'string', default: '50' },
      'pg-url': { type: 'string' },
      'no-pg': { type: 'boolean', default: false },
      'api-clients': { type: 'string', default: '20' },
      'feed-clients': { type: 'string', default: '50' },
      json: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  })
  if (values['no-pg'] && values['pg-url'] !== undefined) {
    throw new StatebridgeError('SB_CONFIG', '--pg-url and --no-pg contradict each other; pass one of them')
  }
  return {
    tree: values.tree ?? null,
    sessions: wholeNumber('--sessions', values.sessions, 1),
    edits: wholeNumber('--edits', values.edits, 0),
    seed: wholeNumber('--seed', values.seed, 0),
    largeMemoEvery: wholeNumber('--large-memo-every', values['large-memo-every'], 0),
    pgUrl: values['no-pg'] ? null : resolvePgUrl(values['pg-url'], process.env),
    apiClients: wholeNumber('--api-clients', values['api-clients'], 0),
    feedClients: wholeNumber('--feed-clients', values['feed-clients'], 0),
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
  /** `null` with `--no-pg` or when the server could not be used. */
  pg: PgResults | null
  watch: WatchLatencyResult | null
  /** Worker read + parse time per committed edit, same order. */
  editParseMs: number[]
  kernelPeakMb: number
  /** (g); `null` with `--api-clients 0`. */
  api: ApiLoadResult | null
  /** (h); `null` with `--feed-clients 0`. */
  feed: FeedLoadResult | null
  /** (i) storage and restore. */
  history: HistoryLoadResult
  /** (b) with history off, twice, each into another empty database: the mean, and the first one's file size (l). */
  syncNoHistory: { ms: number; value: SyncSummary; fileMb: number }
  /** (b) and one more sync with history on, into another empty database: the mean. */
  syncWithHistory: { ms: number; value: SyncSummary }
  /** (j) (b) read by `--parser remark`, into another empty database. */
  syncRemark: { ms: number; value: SyncSummary }
  /** (k) first edit of a 1.5 MB memorandum after a start, minus the debounce; `null` when it never committed. */
  firstEdit: { fast: number | null; remark: number | null }
  /** (m) agent transcripts. */
  transcripts: TranscriptLoadResult
}

async function runPhases(args: BenchArgs, workDir: string, rss: RssSampler, pgSchema: BenchSchema | null): Promise<PhaseResults> {
  const root = path.join(workDir, 'reports')
  const dbFile = path.join(workDir, 'statebridge-bench.db')

  rss.enter('generate')
  progress(args.tree === null ? `generating ${args.sessions} sessions under ${root}` : `copying ${args.tree} to ${root}`)
  const generated = await timed(async () =>
    args.tree === null
      ? generateTreeInWorker(root, { sessions: args.sessions, seed: args.seed, largeMemorandumEvery: args.largeMemoEvery })
      : copyTree(args.tree, root),
  )
  const tree = generated.value
  progress(`${tree.files} files, ${(tree.bytes / MB).toFixed(1)} MB in ${(generated.ms / 1000).toFixed(1)} s`)
  const rootAbs = fs.realpathSync(root)

  const options: StatebridgeOptions = {
    root,
    db: `sqlite:${dbFile}`,
    workers: WORKERS,
    debounceMs: DEBOUNCE_MS,
    reconcileIntervalMs: 0,
    instance: 'bench',
    maxFileBytes: MAX_FILE_BYTES,
  }
  const config = resolveConfig(options, {})

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
  let syncNoHistory: PhaseResults['syncNoHistory']
  let syncWithHistory: PhaseResults['syncWithHistory']
  let syncRemark: PhaseResults['syncRemark']
  let pg: PgResults | null = null
  try {
    rss.enter('sync')
    progress('(b) full sync into an empty SQLite database')
    sync = await timed(() => runSync(config, store, silentLogger()))
    progress(`    ${(sync.ms / 1000).toFixed(1)} s (${sync.value.files_applied} applied, ${sync.value.files_failed} failed)`)

    rss.enter('sync-no-history')
    // Two syncs against two: one of each swung the cost between +2 and +18 % on the same code.
    progress('(i) the history cost: the same full sync with history off twice, then on once more, each into another empty SQLite database')
    const syncInto = async (name: string, history: boolean): Promise<{ ms: number; value: SyncSummary }> => {
      const other = openSqliteStore(path.join(workDir, name))
      try {
        return await timed(() => runSync(config, other, silentLogger(), { history }))
      } finally {
        await other.close()
      }
    }
    const without = [await syncInto('statebridge-bench-no-history.db', false), await syncInto('statebridge-bench-no-history-2.db', false)]
    const again = await syncInto('statebridge-bench-history-2.db', true)
    syncNoHistory = {
      ms: (without[0]!.ms + without[1]!.ms) / 2,
      value: without[0]!.value,
      fileMb: fileSizeMb(path.join(workDir, 'statebridge-bench-no-history.db')),
    }
    syncWithHistory = { ms: (sync.ms + again.ms) / 2, value: again.value }
    progress(
      `    without ${without.map((run) => (run.ms / 1000).toFixed(1)).join(' and ')} s, with ${(sync.ms / 1000).toFixed(1)} and ${(again.ms / 1000).toFixed(1)} s: ` +
        `history costs ${((100 * (syncWithHistory.ms - syncNoHistory.ms)) / syncNoHistory.ms).toFixed(1)} %`,
    )

    rss.enter('sync-remark')
    progress('(j) the same full sync read by --parser remark, into another empty SQLite database')
    syncRemark = await measureSyncWith(options, path.join(workDir, 'statebridge-bench-remark.db'), 'remark')
    progress(`    ${(syncRemark.ms / 1000).toFixed(1)} s: the fast path takes ${(sync.ms / syncRemark.ms).toFixed(2)} x its time`)

    rss.enter('resync')
    progress('(c) re-sync of the unchanged tree')
    resync = await timed(() => runSync(config, store, silentLogger()))
    progress(`    ${resync.ms.toFixed(0)} ms (${resync.value.files_unchanged} unchanged)`)

    // The SQLite store stays open (the watch uses it) but idle meanwhile.
    if (pgSchema !== null) pg = await measurePostgres(options, pgSchema, rss, progress)

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

  let api: ApiLoadResult | null = null
  if (args.apiClients > 0) {
    progress(`(g) API latency: ${args.apiClients} clients while \`watch --listen\` runs its full start-up sync (a separate process)`)
    api = await measureApiUnderSync({
      rootAbs,
      dbFile: path.join(workDir, 'statebridge-api.db'),
      clients: args.apiClients,
      workers: WORKERS,
      timeoutMs: 600_000,
    })
    const { p50, p99 } = apiPercentiles(api)
    progress(`    ${api.latenciesMs.length} requests, ${api.errors} failed, p50 ${p50?.toFixed(1)} ms, p99 ${p99?.toFixed(1)} ms; daemon peak RSS ${api.daemonPeakRssMb.toFixed(0)} MB`)
  }
  let feed: FeedLoadResult | null = null
  if (args.feedClients > 0) {
    progress(`(h) apply throughput: ${FEED_FILES} new files with no SSE client, then with ${args.feedClients} connected, ${FEED_PAIRS} times in turn`)
    feed = await measureFeedThroughput(workDir, { files: FEED_FILES, clients: args.feedClients, workers: WORKERS, pairs: FEED_PAIRS })
    progress(`    ${feed.without.filesPerSecond.toFixed(0)} files/s without, ${feed.with.filesPerSecond.toFixed(0)} files/s with; ${feed.with.received} events received`)
    progress(`    runs (clients files/s): ${feed.runs.map((run) => `${run.clients} ${run.filesPerSecond.toFixed(0)}`).join(', ')}`)
  }
  progress('(i) history: a 1.5 MB memorandum in 20 appends, a 30 KB state file rewritten 200 times, then every memorandum revision restored')
  const history = await measureHistory(workDir, { workers: WORKERS, seed: args.seed })
  progress(
    `    ${history.revisions} revisions, ${(history.rawBytes / MB).toFixed(1)} MB of versions stored in ${(history.storedBytes / 1024).toFixed(0)} KB; ` +
      `restore p50 ${history.restoreP50Ms.toFixed(1)} ms, max ${history.restoreMaxMs.toFixed(1)} ms`,
  )
  progress('(k) first edit of a 1.5 MB memorandum after a start (fresh workers), fast path, then remark')
  const firstEdit = {
    fast: await measureFirstLargeEdit(workDir, { parser: 'fast', workers: WORKERS, debounceMs: DEBOUNCE_MS, seed: args.seed }),
    remark: await measureFirstLargeEdit(workDir, { parser: 'remark', workers: WORKERS, debounceMs: DEBOUNCE_MS, seed: args.seed }),
  }
  progress(`    ${firstEdit.fast?.toFixed(0) ?? 'missed'} ms, remark ${firstEdit.remark?.toFixed(0) ?? 'missed'} ms`)
  progress('(m) agent transcripts: full sync of 100 sessions, then one line appended to a 5,000-line transcript, and the same file read whole')
  const transcripts = await measureTranscripts(workDir, { sessions: 100, linesPerSession: 500, samples: 10, workers: WORKERS, debounceMs: DEBOUNCE_MS })
  progress(
    `    ${(transcripts.syncMs / 1000).toFixed(1)} s for ${transcripts.files} files; append p50 ${percentile(transcripts.appendMs, 50).toFixed(0)} ms, ` +
      `whole p50 ${percentile(transcripts.wholeMs, 50).toFixed(0)} ms`,
  )
  return {
    tree,
    generateMs: generated.ms,
    rssBeforeFloorMb,
    floor,
    sync,
    resync,
    pg,
    watch,
    editParseMs,
    kernelPeakMb,
    api,
    feed,
    history,
    syncNoHistory,
    syncWithHistory,
    syncRemark: syncRemark!,
    firstEdit,
    transcripts,
  }
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
    pg_sync_ms: r.pg?.sync.ms ?? null,
    pg_resync_ms: r.pg?.resync.ms ?? null,
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
    peak_rss_pg_mb: r.pg ? rss.phasePeakMb('pg-sync') : null,
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
    pg_sync_files_applied: r.pg?.sync.value.files_applied ?? null,
    pg_sync_files_failed: r.pg?.sync.value.files_failed ?? null,
    pg_resync_files_unchanged: r.pg?.resync.value.files_unchanged ?? null,
    sqlite_file_mb: fileSizeMb(dbFile),
    sqlite_no_history_file_mb: r.syncNoHistory.fileMb,
    api_clients: r.api ? args.apiClients : null,
    api_requests: r.api?.latenciesMs.length ?? null,
    api_errors: r.api?.errors ?? null,
    api_p50_ms: r.api ? apiPercentiles(r.api).p50 : null,
    api_p99_ms: r.api ? apiPercentiles(r.api).p99 : null,
    api_sync_ms: r.api?.syncMs ?? null,
    listen_peak_rss_mb: r.api?.daemonPeakRssMb ?? null,
    feed_clients: r.feed?.clients ?? null,
    feed_files_per_s_without: r.feed?.without.filesPerSecond ?? null,
    feed_files_per_s_with: r.feed?.with.filesPerSecond ?? null,
    feed_events_missed: r.feed ? r.feed.clients * r.feed.files * r.feed.pairs - r.feed.with.received : null,
    feed_main_busy_ms_per_file_without: r.feed?.without.mainBusyMsPerFile ?? null,
    feed_main_busy_ms_per_file_with: r.feed?.with.mainBusyMsPerFile ?? null,
    feed_clients_cpu_ms: r.feed?.with.clientsCpuMs ?? null,
    sync_no_history_ms: r.syncNoHistory.ms,
    sync_with_history_ms: r.syncWithHistory.ms,
    history_raw_bytes: r.history.rawBytes,
    history_stored_bytes: r.history.storedBytes,
    history_revisions: r.history.revisions,
    history_restore_p50_ms: r.history.restoreP50Ms,
    history_restore_max_ms: r.history.restoreMaxMs,
    remark_sync_ms: r.syncRemark.ms,
    peak_rss_sync_remark_mb: rss.phasePeakMb('sync-remark'),
    first_edit_excess_ms: r.firstEdit.fast,
    first_edit_remark_excess_ms: r.firstEdit.remark,
    transcripts_sessions: r.transcripts.sessions,
    transcripts_files: r.transcripts.files,
    transcripts_lines: r.transcripts.lines,
    transcripts_bytes: r.transcripts.bytes,
    transcripts_sync_ms: r.transcripts.syncMs,
    transcript_append_p50_ms: stat(r.transcripts.appendMs, 50),
    transcript_append_max_ms: stat(r.transcripts.appendMs, 100),
    transcript_whole_p50_ms: stat(r.transcripts.wholeMs, 50),
    workers: WORKERS,
    generate_ms: r.generateMs,
    wall_ms: wallMs,
  }
}

/** Copy an existing reports tree to `root`, for a run on real data; symlinks are copied as links. */
function copyTree(from: string, root: string): GeneratedTree {
  fs.cpSync(from, root, { recursive: true, verbatimSymlinks: true })
  const tree: GeneratedTree = { root, sessions: 0, files: 0, bytes: 0, markdownFiles: [] }
  for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const relPath = path.relative(root, path.join(entry.parentPath, entry.name))
    tree.files++
    tree.bytes += fs.statSync(path.join(root, relPath)).size
    if (relPath.endsWith('.md')) tree.markdownFiles.push(relPath)
  }
  tree.sessions = fs.readdirSync(root, { withFileTypes: true }).filter((entry) => entry.isDirectory()).length
  tree.markdownFiles.sort()
  return tree
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
  tuneHeap()
  const args = parseBenchArgs(process.argv.slice(2))
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'statebridge-bench-'))
  const pgSchema = args.pgUrl === null ? null : new BenchSchema({ url: args.pgUrl, schema: benchSchemaName() }, args.keep)
  const cleanUp = (): void => {
    if (args.keep) progress(`kept ${workDir}`)
    else fs.rmSync(workDir, { recursive: true, force: true })
  }
  // measurePostgres drops its schema itself; this covers an interrupt during (f).
  const onSignal = (): void => {
    cleanUp()
    void (pgSchema?.drop(progress) ?? Promise.resolve()).finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const started = performance.now()
    const rss = new RssSampler(50)
    const results = await runPhases(args, workDir, rss, pgSchema)
    const figures = summarise(args, results, rss, path.join(workDir, 'statebridge-bench.db'), performance.now() - started)
    process.stdout.write(args.json ? `${formatJson(figures)}\n` : formatTable(figures))
    return 0
  } finally {
    // Already dropped after (f) unless the run failed there; dropping is idempotent.
    await pgSchema?.drop(progress)
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
