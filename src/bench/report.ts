/**
 * The bench's figures, the targets they are held to, and their two renderings:
 * one JSON line (`--json`) and an aligned table for people.
 */

/** Every figure of one bench run; the JSON line carries exactly these keys. */
export interface BenchFigures {
  sessions: number
  files: number
  bytes: number
  /** (a) scan + read + sha256 + parse of every file through the parse pool, no database. */
  floor_ms: number
  /** (b) runSync into an empty SQLite database. */
  sync_ms: number
  /** (c) runSync again over the unchanged tree. */
  resync_ms: number
  /** (f) runSync into an empty PostgreSQL schema; `null` with `--no-pg` or when the server could not be used (so are all `pg_` figures). */
  pg_sync_ms: number | null
  /** (f) runSync again over the unchanged tree, PostgreSQL. */
  pg_resync_ms: number | null
  /** (d) write-to-commit latency minus the debounce, p50 / p99 / max; `null` without edits. */
  latency_p50_excess_ms: number | null
  latency_p99_excess_ms: number | null
  latency_max_excess_ms: number | null
  /** The slowest of the warm-up edits made first on the watch's fresh workers, minus the debounce. */
  warmup_latency_max_excess_ms: number | null
  debounce_ms: number
  /** (e) highest sampled RSS of the whole run (50 ms sampling). */
  peak_rss_mb: number
  /** The kernel's RSS high-water mark of the process (catches peaks between samples). */
  peak_rss_kernel_mb: number
  /** RSS of the bench process just before the floor (tree generated on a worker that has exited). */
  rss_before_floor_mb: number
  /** Per-phase sampled RSS peaks. */
  peak_rss_floor_mb: number
  peak_rss_sync_mb: number
  /** Sampled RSS peak of (f)'s full sync. */
  peak_rss_pg_mb: number | null
  peak_rss_watch_mb: number
  edits: number
  edits_missed: number
  /** Size of the edited files, p50, and of the slowest edit's file. */
  edit_kb_p50: number | null
  edit_worst_kb: number | null
  /** Write → the watcher's `change` event. */
  edit_detect_p50_ms: number | null
  edit_detect_p99_ms: number | null
  /** The SQLite transaction of the edit. */
  edit_apply_p50_ms: number | null
  edit_apply_p99_ms: number | null
  /** Latency − detect − debounce − apply: queue, stat, worker read + hash + parse, hand-off. */
  edit_pickup_p50_ms: number | null
  edit_pickup_p99_ms: number | null
  /** Read + sha256 + parse of the edited content on an idle parse worker, measured afterwards: the parser's share of the latency. */
  edit_parse_p50_ms: number | null
  edit_parse_p99_ms: number | null
  /** startWatch's initial reconcile of the unchanged tree, and chokidar's `ready`. */
  watch_start_ms: number
  watch_ready_ms: number
  sync_files_applied: number
  sync_files_failed: number
  resync_files_unchanged: number
  pg_sync_files_applied: number | null
  pg_sync_files_failed: number | null
  pg_resync_files_unchanged: number | null
  sqlite_file_mb: number
  /** (l) the same sync's file with history off (`--no-history`): reported, no target. */
  sqlite_no_history_file_mb: number
  /** (g) concurrent API clients; `null` when (g) did not run (so are all `api_` figures and `listen_peak_rss_mb`). */
  api_clients: number | null
  /** (g) requests answered while the daemon's full start-up sync ran, and those that failed. */
  api_requests: number | null
  api_errors: number | null
  /** (g) latency of the session list and one session, p50 / p99. */
  api_p50_ms: number | null
  api_p99_ms: number | null
  /** (g) the daemon's start-up sync under that load. */
  api_sync_ms: number | null
  /** (g) kernel RSS high-water mark of the `watch --listen` daemon process. */
  listen_peak_rss_mb: number | null
  /** (h) SSE clients; `null` when (h) did not run (so are all `feed_` figures). */
  feed_clients: number | null
  /** (h) files applied per second with no client, and with the clients connected. */
  feed_files_per_s_without: number | null
  feed_files_per_s_with: number | null
  /** (h) change events the clients should have received and did not (0 when none was lost). */
  feed_events_missed: number | null
  /** (h) time the daemon's main thread was busy per file applied, without and with the clients, ms. */
  feed_main_busy_ms_per_file_without: number | null
  feed_main_busy_ms_per_file_with: number | null
  /** (h) CPU the clients' process used per run, ms: taken from the cores the daemon runs on. */
  feed_clients_cpu_ms: number | null
  workers: number
  generate_ms: number
  wall_ms: number
  /** (i) mean of two syncs with history off, each into an empty database. */
  sync_no_history_ms: number
  /** (i) mean of (b) and one more sync with history on: what the history cost compares. */
  sync_with_history_ms: number
  /** (i) bytes of every version of the memorandum and the state file. */
  history_raw_bytes: number
  /** (i) bytes history stores for them. */
  history_stored_bytes: number
  history_revisions: number
  /** (i) `restore --to` of each memorandum revision. */
  history_restore_p50_ms: number
  history_restore_max_ms: number
  /** (j) (b) read by `--parser remark`, into another empty database. */
  remark_sync_ms: number
  /** (j) sampled RSS peak of that sync. */
  peak_rss_sync_remark_mb: number
  /** (k) first edit of a 1.5 MB memorandum after a start, minus the debounce: fast path, and remark; `null` when it never committed. */
  first_edit_excess_ms: number | null
  first_edit_remark_excess_ms: number | null
  /** (m) a transcripts tree: sessions, files, lines and bytes, and its full sync into an empty database. */
  transcripts_sessions: number
  transcripts_files: number
  transcripts_lines: number
  transcripts_bytes: number
  transcripts_sync_ms: number
  /** (m) one line appended to a 5,000-line transcript, write to commit minus the debounce (p50 / max). */
  transcript_append_p50_ms: number | null
  transcript_append_max_ms: number | null
  /** (m) the same transcript read whole (its first line edited), p50. */
  transcript_whole_p50_ms: number | null
}

/**
 * One target and whether the run met it; `pass` is `null` when it was not
 * measured (no edits) and `'skipped'` when its phase did not run (PostgreSQL).
 */
export interface Verdict {
  label: string
  target: string
  ratio: string
  pass: boolean | null | 'skipped'
}

/**
 * Targets: (b) ≤ 1.5×(a); (c) ≤ 5 % of (b); (f) PostgreSQL full sync ≤ 2×(a) on loopback;
 * (d) p99 excess ≤ 50 ms with debounce ≤ 300 ms; (e) < 250 MB; (g) API p99 ≤ 50 ms
 * and the `watch --listen` daemon < 250 MB; (j) the full sync ≤ 0.35 × the same sync
 * read by remark; (k) the first edit of a 1.5 MB memorandum ≤ 250 ms after the
 * debounce; (l) the SQLite file ≤ 0.7 × the input bytes.
 */
export function verdicts(f: BenchFigures): Verdict[] {
  const peak = Math.max(f.peak_rss_mb, f.peak_rss_kernel_mb)
  const p99 = f.latency_p99_excess_ms
  const pg = f.pg_sync_ms
  return [
    { label: 'sync', target: '<= 1.5 x floor', ratio: `${(f.sync_ms / f.floor_ms).toFixed(2)} x`, pass: f.sync_ms <= 1.5 * f.floor_ms },
    {
      label: 'resync',
      target: '<= 5 % of sync',
      ratio: `${((100 * f.resync_ms) / f.sync_ms).toFixed(2)} %`,
      pass: f.resync_ms <= 0.05 * f.sync_ms,
    },
    {
      label: 'pg_sync',
      target: '<= 2 x floor',
      ratio: pg === null ? 'n/a' : `${(pg / f.floor_ms).toFixed(2)} x`,
      pass: pg === null ? 'skipped' : pg <= 2 * f.floor_ms,
    },
    {
      label: 'latency',
      target: 'p99 excess <= 50 ms, debounce <= 300 ms',
      ratio: p99 === null ? 'n/a' : `${(p99 / 50).toFixed(2)} x`,
      pass: p99 === null ? null : p99 <= 50 && f.debounce_ms <= 300,
    },
    { label: 'rss', target: '< 250 MB', ratio: `${(peak / 250).toFixed(2)} x`, pass: peak < 250 },
    {
      label: 'api',
      target: 'p99 <= 50 ms, no failed request',
      ratio: f.api_p99_ms === null ? 'n/a' : `${(f.api_p99_ms / 50).toFixed(2)} x`,
      pass: f.api_p99_ms === null ? 'skipped' : f.api_p99_ms <= 50 && f.api_errors === 0,
    },
    {
      label: 'feed',
      target: '>= 90 % of the throughput without clients',
      ratio:
        f.feed_files_per_s_with === null || f.feed_files_per_s_without === null
          ? 'n/a'
          : `${((100 * f.feed_files_per_s_with) / f.feed_files_per_s_without).toFixed(0)} %`,
      pass:
        f.feed_files_per_s_with === null || f.feed_files_per_s_without === null
          ? 'skipped'
          : f.feed_files_per_s_with >= 0.9 * f.feed_files_per_s_without && f.feed_events_missed === 0,
    },
    {
      label: 'history_storage',
      target: '<= 0.1 x raw bytes of all versions',
      ratio: `${(f.history_stored_bytes / f.history_raw_bytes).toFixed(3)} x`,
      pass: f.history_stored_bytes <= 0.1 * f.history_raw_bytes,
    },
    {
      label: 'history_restore',
      target: '<= 100 ms, any revision of 1.5 MB',
      ratio: `${(f.history_restore_max_ms / 100).toFixed(2)} x`,
      pass: f.history_restore_max_ms <= 100,
    },
    {
      label: 'history_cost',
      target: '<= 10 % over the sync without history',
      ratio: `${((100 * (f.sync_with_history_ms - f.sync_no_history_ms)) / f.sync_no_history_ms).toFixed(1)} %`,
      pass: f.sync_with_history_ms <= 1.1 * f.sync_no_history_ms,
    },
    {
      label: 'parser_speed',
      target: '<= 0.35 x the sync read by remark',
      ratio: `${(f.sync_ms / f.remark_sync_ms).toFixed(2)} x`,
      pass: f.sync_ms <= 0.35 * f.remark_sync_ms,
    },
    {
      label: 'first_edit',
      target: '<= 250 ms after the debounce',
      ratio: f.first_edit_excess_ms === null ? 'n/a' : `${(f.first_edit_excess_ms / 250).toFixed(2)} x`,
      pass: f.first_edit_excess_ms === null ? false : f.first_edit_excess_ms <= 250,
    },
    {
      label: 'db_size',
      target: '<= 0.7 x input bytes',
      ratio: `${((f.sqlite_file_mb * 1024 * 1024) / f.bytes).toFixed(2)} x`,
      pass: f.sqlite_file_mb * 1024 * 1024 <= 0.7 * f.bytes,
    },
    {
      label: 'listen_rss',
      target: '< 250 MB',
      ratio: f.listen_peak_rss_mb === null ? 'n/a' : `${(f.listen_peak_rss_mb / 250).toFixed(2)} x`,
      pass: f.listen_peak_rss_mb === null ? 'skipped' : f.listen_peak_rss_mb < 250,
    },
  ]
}

/** The `--json` line. */
export function formatJson(f: BenchFigures): string {
  const round = (value: number | null): number | null => (value === null ? null : Math.round(value * 10) / 10)
  const out: Record<string, number | null | Record<string, boolean | null | 'skipped'>> = {}
  for (const [key, value] of Object.entries(f) as Array<[string, number | null]>) out[key] = round(value)
  out.targets = Object.fromEntries(verdicts(f).map((v) => [v.label, v.pass]))
  return JSON.stringify(out)
}

/** The human report: figures, targets, ratios, PASS/MISS. */
export function formatTable(f: BenchFigures): string {
  const [sync, resync, pgSync, latency, rss, api, feed, historyStorage, historyRestore, historyCost, parserSpeed, firstEdit, dbSize, listenRss] =
    verdicts(f)
  const mark = (v: Verdict | undefined): string =>
    v?.pass === null || v === undefined ? 'n/a' : v.pass === 'skipped' ? 'skipped' : v.pass ? 'PASS' : 'MISS'
  const ms = (value: number | null): string => (value === null ? 'n/a' : value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(0)} ms`)
  const mb = (value: number | null): string => (value === null ? 'n/a' : `${value.toFixed(0)} MB`)
  const pgVsSqlite = f.pg_sync_ms === null ? 'n/a' : `${(f.pg_sync_ms / f.sync_ms).toFixed(2)} x`
  const pgResyncShare = f.pg_resync_ms === null || f.pg_sync_ms === null ? '' : `${((100 * f.pg_resync_ms) / f.pg_sync_ms).toFixed(2)} %`
  const rate = (value: number | null): string => (value === null ? 'n/a' : `${value.toFixed(0)} files/s`)
  const kb = (value: number | null): string => (value === null ? 'n/a' : `${value.toFixed(0)} KB`)
  const rows: string[][] = [
    ['', 'measure', 'value', 'target', 'ratio', 'result'],
    ['(a)', 'floor: scan + read + sha256 + parse', ms(f.floor_ms), '', '', ''],
    ['(b)', 'full sync, empty SQLite', ms(f.sync_ms), sync!.target, sync!.ratio, mark(sync)],
    ['(c)', 're-sync, unchanged tree', ms(f.resync_ms), resync!.target, resync!.ratio, mark(resync)],
    ['(f)', 'full sync, empty PostgreSQL schema', ms(f.pg_sync_ms), pgSync!.target, pgSync!.ratio, mark(pgSync)],
    ['', '  PostgreSQL / SQLite full sync', pgVsSqlite, '', '', ''],
    ['', 're-sync, unchanged tree, PostgreSQL', ms(f.pg_resync_ms), '', pgResyncShare, ''],
    ['(d)', `watch latency p50 − debounce`, ms(f.latency_p50_excess_ms), '', '', ''],
    ['', `watch latency p99 − debounce`, ms(f.latency_p99_excess_ms), latency!.target, latency!.ratio, mark(latency)],
    ['', 'watch latency max − debounce', ms(f.latency_max_excess_ms), '', '', ''],
    ['', '  warm-up edits (fresh workers), max', ms(f.warmup_latency_max_excess_ms), '', '', ''],
    ['', '  write → watcher event (p50 / p99)', `${ms(f.edit_detect_p50_ms)} / ${ms(f.edit_detect_p99_ms)}`, '', '', ''],
    ['', '  debounce end → apply: stat, worker, queue', `${ms(f.edit_pickup_p50_ms)} / ${ms(f.edit_pickup_p99_ms)}`, '', '', ''],
    ['', '  SQLite apply (p50 / p99)', `${ms(f.edit_apply_p50_ms)} / ${ms(f.edit_apply_p99_ms)}`, '', '', ''],
    ['', '  worker read+parse alone, idle (p50 / p99)', `${ms(f.edit_parse_p50_ms)} / ${ms(f.edit_parse_p99_ms)}`, '', '', ''],
    ['(e)', 'peak RSS (sampled / kernel)', `${mb(f.peak_rss_mb)} / ${mb(f.peak_rss_kernel_mb)}`, rss!.target, rss!.ratio, mark(rss)],
    [
      '',
      '  per phase: floor / sync / PostgreSQL sync / watch',
      `${mb(f.peak_rss_floor_mb)} / ${mb(f.peak_rss_sync_mb)} / ${mb(f.peak_rss_pg_mb)} / ${mb(f.peak_rss_watch_mb)}`,
      '',
      '',
      '',
    ],
    ['', '  bench process before the floor', mb(f.rss_before_floor_mb), '', '', ''],
    ['(g)', `API p50, ${f.api_clients ?? 0} clients during a full sync`, ms(f.api_p50_ms), '', '', ''],
    ['', 'API p99', ms(f.api_p99_ms), api!.target, api!.ratio, mark(api)],
    ['', `  requests answered / failed; the sync under load`, `${f.api_requests ?? 'n/a'} / ${f.api_errors ?? 'n/a'}; ${ms(f.api_sync_ms)}`, '', '', ''],
    ['', 'peak RSS of the `watch --listen` daemon', mb(f.listen_peak_rss_mb), listenRss!.target, listenRss!.ratio, mark(listenRss)],
    ['(h)', 'apply throughput, no SSE client', rate(f.feed_files_per_s_without), '', '', ''],
    ['', `apply throughput, ${f.feed_clients ?? 0} SSE clients`, rate(f.feed_files_per_s_with), feed!.target, feed!.ratio, mark(feed)],
    ['', '  change events the clients missed', String(f.feed_events_missed ?? 'n/a'), '', '', ''],
    [
      '',
      '  main thread busy per file, no client / clients; the clients\' CPU per run',
      f.feed_main_busy_ms_per_file_without === null
        ? 'n/a'
        : `${f.feed_main_busy_ms_per_file_without.toFixed(2)} / ${f.feed_main_busy_ms_per_file_with!.toFixed(2)} ms; ${ms(f.feed_clients_cpu_ms)}`,
      '',
      '',
      '',
    ],
    [
      '(i)',
      `history stored / raw, ${f.history_revisions} revisions`,
      `${(f.history_stored_bytes / 1024).toFixed(0)} KB / ${(f.history_raw_bytes / 1024 / 1024).toFixed(1)} MB`,
      historyStorage!.target,
      historyStorage!.ratio,
      mark(historyStorage),
    ],
    ['', 'restore, slowest memorandum revision', ms(f.history_restore_max_ms), historyRestore!.target, historyRestore!.ratio, mark(historyRestore)],
    ['', '  restore p50', ms(f.history_restore_p50_ms), '', '', ''],
    ['', 'full sync with history / without, means of two each', `${ms(f.sync_with_history_ms)} / ${ms(f.sync_no_history_ms)}`, historyCost!.target, historyCost!.ratio, mark(historyCost)],
    ['(j)', 'full sync read by --parser remark', ms(f.remark_sync_ms), parserSpeed!.target, parserSpeed!.ratio, mark(parserSpeed)],
    ['', '  its peak RSS (sampled)', mb(f.peak_rss_sync_remark_mb), '', '', ''],
    ['(k)', 'first edit of a 1.5 MB memorandum − debounce', ms(f.first_edit_excess_ms), firstEdit!.target, firstEdit!.ratio, mark(firstEdit)],
    ['', '  the same, read by remark', ms(f.first_edit_remark_excess_ms), '', '', ''],
    [
      '(m)',
      `transcripts: full sync of ${f.transcripts_sessions} sessions (${f.transcripts_files} files, ${f.transcripts_lines} lines, ${(f.transcripts_bytes / 1024 / 1024).toFixed(1)} MB)`,
      ms(f.transcripts_sync_ms),
      '',
      '',
      '',
    ],
    ['', '  one line appended to a 5,000-line transcript − debounce (p50 / max)', `${ms(f.transcript_append_p50_ms)} / ${ms(f.transcript_append_max_ms)}`, '', '', ''],
    ['', '  the same transcript read whole − debounce (p50)', ms(f.transcript_whole_p50_ms), '', '', ''],
    ['(l)', 'SQLite file / input bytes', `${f.sqlite_file_mb.toFixed(1)} MB / ${(f.bytes / 1024 / 1024).toFixed(1)} MB`, dbSize!.target, dbSize!.ratio, mark(dbSize)],
    [
      '',
      '  the same with --no-history',
      `${f.sqlite_no_history_file_mb.toFixed(1)} MB`,
      '',
      `${((f.sqlite_no_history_file_mb * 1024 * 1024) / f.bytes).toFixed(2)} x`,
      '',
    ],
  ]
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  const lines = rows.map((r) =>
    r
      .map((cell, c) => (c === 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  )
  const head =
    `statebridge bench: ${f.sessions} sessions, ${f.files} files, ${(f.bytes / 1024 / 1024).toFixed(1)} MB, ` +
    `${f.workers} parse workers, debounce ${f.debounce_ms} ms, ${f.edits} edits (${f.edits_missed} missed, ` +
    `edited file p50 ${kb(f.edit_kb_p50)}, slowest edit's file ${kb(f.edit_worst_kb)})`
  const tail =
    `sync applied ${f.sync_files_applied} (failed ${f.sync_files_failed}); re-sync unchanged ${f.resync_files_unchanged}; ` +
    (f.pg_sync_ms === null
      ? 'PostgreSQL skipped; '
      : `PostgreSQL sync applied ${f.pg_sync_files_applied} (failed ${f.pg_sync_files_failed}), re-sync unchanged ${f.pg_resync_files_unchanged}; `) +
    `SQLite file ${f.sqlite_file_mb.toFixed(1)} MB; watch start ${ms(f.watch_start_ms)}, ready ${ms(f.watch_ready_ms)}; ` +
    `generate ${ms(f.generate_ms)}; wall ${ms(f.wall_ms)}`
  return `${head}\n\n${lines.join('\n')}\n\n${tail}\n`
}
