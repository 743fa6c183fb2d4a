/**
 * The bench's parser phases: (j) the full sync again with `--parser remark`,
 * the authority the fast path is measured against, and (k) the first edit of
 * a 1.5 MB memorandum after a daemon start, with each parser, when the parse
 * workers are fresh and no block of it is cached.
 */
import fs from 'node:fs'
import path from 'node:path'
import { resolveConfig, type StatebridgeOptions } from '../config.js'
import { silentLogger } from '../logger.js'
import type { MarkdownParser } from '../parsers/markdown.js'
import { openSqliteStore } from '../store/sqlite.js'
import { runSync, type SyncSummary } from '../sync/run-sync.js'
import { MEMO } from './generate-tree.js'
import { timed } from './measure.js'
import { createRng } from './prng.js'
import { markdownDocument } from './synthetic-text.js'
import { measureWatchLatency } from './watch-latency.js'

const MEMO_BYTES = 1_500_000

/** (j): `options`' full sync into another empty SQLite database, read by `parser`. */
export async function measureSyncWith(
  options: StatebridgeOptions,
  dbFile: string,
  parser: MarkdownParser,
): Promise<{ ms: number; value: SyncSummary }> {
  const store = openSqliteStore(dbFile)
  try {
    return await timed(() => runSync(resolveConfig({ ...options, db: `sqlite:${dbFile}`, parser }, {}), store, silentLogger()))
  } finally {
    await store.close()
  }
}

/**
 * (k): sync a session holding a 1.5 MB memorandum, start a watch (fresh
 * workers), append one revision row to the memorandum and time write to
 * commit; minus the debounce, ms. `null` when the commit never came.
 */
export async function measureFirstLargeEdit(
  workDir: string,
  settings: { parser: MarkdownParser; workers: number; debounceMs: number; seed: number },
): Promise<number | null> {
  const dir = path.join(workDir, `first-edit-${settings.parser}`)
  const root = path.join(dir, 'reports')
  const session = path.join(root, '2026-03-02-1772400000')
  fs.mkdirSync(session, { recursive: true })
  const startedAt = new Date(Date.UTC(2026, 2, 2))
  const memo = markdownDocument(createRng(settings.seed).fork('first-edit'), {
    title: 'Final Memorandum',
    targetBytes: MEMO_BYTES,
    mix: MEMO,
    footnoteRate: 0.05,
    startedAt,
  })
  fs.writeFileSync(path.join(session, 'final-memorandum.md'), memo)
  const dbFile = path.join(dir, 'first-edit.db')
  const config = resolveConfig(
    { root, db: `sqlite:${dbFile}`, workers: settings.workers, debounceMs: settings.debounceMs, reconcileIntervalMs: 0, instance: 'bench', parser: settings.parser },
    {},
  )
  const store = openSqliteStore(dbFile)
  try {
    await runSync(config, store, silentLogger())
    const result = await measureWatchLatency(config, store, {
      rootAbs: fs.realpathSync(root),
      candidates: ['2026-03-02-1772400000/final-memorandum.md'],
      edits: 1,
      warmupEdits: 0,
      seed: settings.seed,
      timeoutMs: 30_000,
      gapMs: 0,
    })
    const edit = result.committed[0]
    return edit === undefined ? null : edit.latencyMs - settings.debounceMs
  } finally {
    await store.close()
  }
}
