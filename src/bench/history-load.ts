/**
 * The bench's history phase (i): what keeping every version costs in storage,
 * and how fast any version comes back. A 1.5 MB memorandum written in 20
 * appends and a 30 KB JSON state file rewritten 200 times (a timestamp and
 * one task's status change each time, as agents do) go through the real
 * pipeline into an empty SQLite database; then every revision of the
 * memorandum is restored to a file with `restore --to`.
 */
import fs from 'node:fs'
import path from 'node:path'
import { Writable } from 'node:stream'
import { runRestore } from '../commands/restore.js'
import { resolveConfig } from '../config.js'
import { fileRevisions } from '../history/read.js'
import { silentLogger } from '../logger.js'
import { openSqliteStore } from '../store/sqlite.js'
import { syncFile } from '../sync/file-pipeline.js'
import { createSyncer } from '../sync/syncer.js'
import { createRng } from './prng.js'
import { percentile } from './measure.js'

/** What (i) measured. */
export interface HistoryLoadResult {
  /** Bytes of every version written, summed. */
  rawBytes: number
  /** Bytes history stores for them. */
  storedBytes: number
  revisions: number
  /** Restore of each memorandum revision to a file: p50 and max. */
  restoreP50Ms: number
  restoreMaxMs: number
}

const MEMO_BYTES = 1_500_000
const MEMO_WRITES = 20
const STATE_REWRITES = 200

/** Run (i) under `workDir`. */
export async function measureHistory(workDir: string, options: { workers: number; seed: number }): Promise<HistoryLoadResult> {
  const dir = path.join(workDir, 'history')
  const root = path.join(dir, 'reports')
  const session = path.join(root, '2026-03-02-1772400000')
  fs.mkdirSync(session, { recursive: true })
  const dbFile = path.join(dir, 'history.db')
  const store = openSqliteStore(dbFile)
  const config = resolveConfig({ root, db: `sqlite:${dbFile}`, workers: options.workers, instance: 'bench', maxFileBytes: 25 * 1024 * 1024 }, {})
  const syncer = await createSyncer(config, store, silentLogger(), 'debug', { probe: false })
  const rng = createRng(options.seed)
  const random = (): number => rng.next()
  let rawBytes = 0
  try {
    const memo = path.join(session, 'final-memorandum.md')
    const memoText = memorandum(random)
    for (let i = 1; i <= MEMO_WRITES; i++) {
      const content = memoText.slice(0, Math.round((MEMO_BYTES * i) / MEMO_WRITES))
      fs.writeFileSync(memo, content)
      rawBytes += Buffer.byteLength(content)
      await syncFile(syncer.ctx, path.relative(root, memo), false)
    }
    const state = path.join(session, 'research-review-state.json')
    const tasks = Array.from({ length: 110 }, (_, i) => ({
      id: `T${i + 1}`,
      specialist: `specialist-${(i * 7) % 23}`,
      status: 'pending',
      priority: i % 3 === 0 ? 'high' : 'medium',
      started_at: null as string | null,
      completed_at: null as string | null,
      notes: `Review of ${['contracts', 'permits', 'litigation', 'employment', 'tax'][i % 5]} exposure for the target`,
    }))
    for (let i = 0; i < STATE_REWRITES; i++) {
      const task = tasks[Math.floor(random() * tasks.length)]!
      const at = new Date(Date.UTC(2026, 2, 2, 9, 0, i * 17)).toISOString()
      if (task.status === 'pending') {
        task.status = 'in_progress'
        task.started_at = at
      } else {
        task.status = 'complete'
        task.completed_at = at
      }
      const content = JSON.stringify({ session_id: '2026-03-02-1772400000', phase: 'research-review', last_updated: at, iteration: i, tasks }, null, 2)
      fs.writeFileSync(state, content)
      rawBytes += Buffer.byteLength(content)
      await syncFile(syncer.ctx, path.relative(root, state), false)
    }
    const stats = await store.historyStats()

    const restoreMs: number[] = []
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() })
    for (const revision of await fileRevisions(store, fs.realpathSync(root), path.relative(root, memo))) {
      const started = performance.now()
      await runRestore(store, {
        target: memo,
        at: String(revision.rev),
        to: path.join(dir, 'restored.md'),
        dryRun: false,
        force: false,
        rootId: null,
        configFor: () => config,
        out: sink,
        logger: silentLogger(),
      })
      restoreMs.push(performance.now() - started)
    }
    return {
      rawBytes,
      storedBytes: stats.storedBytes,
      revisions: stats.revisions,
      restoreP50Ms: percentile(restoreMs, 50),
      restoreMaxMs: percentile(restoreMs, 100),
    }
  } finally {
    await syncer.close()
    await store.close()
  }
}

/** A memorandum of sections and paragraphs, about `MEMO_BYTES` long. */
function memorandum(random: () => number): string {
  const words = ['indemnity', 'escrow', 'permit', 'covenant', 'exposure', 'remediation', 'counterparty', 'closing', 'warranty', 'regulator']
  const parts: string[] = ['# Final Memorandum\n\n']
  let size = 0
  for (let section = 1; size < MEMO_BYTES + 10_000; section++) {
    const heading = `## ${section}. Analysis of ${words[section % words.length]}\n\n`
    const paragraph = Array.from({ length: 60 }, () => words[Math.floor(random() * words.length)]).join(' ')
    const text = `${heading}${paragraph}.\n\n| Item | Amount | Probability |\n|---|---|---|\n| ${section} | $${Math.round(random() * 90) + 10}M | ${Math.round(random() * 100)}% |\n\n`
    parts.push(text)
    size += text.length
  }
  return parts.join('')
}
