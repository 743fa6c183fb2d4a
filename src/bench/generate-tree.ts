/**
 * A synthetic reports tree shaped like the real session corpus: session
 * directories `YYYY-MM-DD-<unix seconds>/` holding state files, reports in
 * their sub-folders, scripts and logs. Text comes from an invented vocabulary.
 *
 * Default shape, sized by measurement so `npm run bench` (floor, sync,
 * re-sync, 200 edits) takes about 3 minutes on 2 cores: every session has the
 * same 15 files, ~270 KB on average, and every 50th session carries a ~1 MB
 * final memorandum (the size real memoranda reach). 200 sessions are 3,000
 * files and ~54 MB (p50 file 9 KB, p90 54 KB). As in the corpus, most bytes are
 * prose-heavy reports (~1 table row per KB), while state files are mostly
 * tables (orchestrator state and fact registry ~6–10 rows per KB).
 *
 *   orchestrator-state.md 6 KB   research-plan.md 12 KB   executive-summary.md 10 KB
 *   final-memorandum.md 30 KB (1 MB in every 50th session)
 *   synthesis-state.json 4 KB    risk-summary.json 6 KB
 *   specialist-reports/<topic>-report.md 70 KB
 *   section-reports/section-iv-<x>-<topic>.md 50 KB
 *   review-outputs/fact-registry.md 10 KB, conflict-report.md 5 KB, coverage-gaps.md 8 KB
 *   qa-outputs/citation-validation-report.md 6 KB
 *   remediation-outputs/remediation-plan.md 8 KB
 *   assemble.py or assemble.sh 3 KB   session-audit.log 6 KB
 *
 * Each markdown file ends with a revision-history table (edits append rows to
 * it). Each file's size varies ±30 %; `sessions` scales the count and the mix
 * stays, so bytes grow linearly (memoranda in steps of 50 sessions).
 */
import { once } from 'node:events'
import fs from 'node:fs'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { createRng, type Rng } from './prng.js'
import {
  TOPIC_SLUGS,
  auditLog,
  markdownDocument,
  riskJson,
  script,
  stateJson,
  type MarkdownMix,
} from './synthetic-text.js'

/** Generator settings. */
export interface TreeOptions {
  /** Number of session directories; default 200. */
  sessions?: number
  /** PRNG seed; default 1. */
  seed?: number
  /** One session in this many carries a ~1 MB memorandum; default 50; 0 never. */
  largeMemorandumEvery?: number
}

/** What was written. */
export interface GeneratedTree {
  root: string
  sessions: number
  files: number
  bytes: number
  /** Root-relative paths of the markdown files (the watch bench edits these). */
  markdownFiles: string[]
}

const KB = 1024

const STATE: MarkdownMix = { prose: 10, fieldTable: 3, dataTable: 1, list: 2 }
const REPORT: MarkdownMix = { prose: 30, fieldTable: 1, dataTable: 1, list: 2 }
const REGISTRY: MarkdownMix = { prose: 3, fieldTable: 1, dataTable: 4, list: 0 }
export const MEMO: MarkdownMix = { prose: 50, fieldTable: 0.5, dataTable: 1, list: 2 }

interface MarkdownFile {
  path: string
  kb: number
  mix: MarkdownMix
  footnoteRate: number
}

// Sessions start in 2025 and follow each other a day or two apart.
const FIRST_SESSION_S = Date.UTC(2025, 0, 6) / 1000

/** Write the tree under `root` (created; must not exist or be empty). */
export function generateTree(root: string, options: TreeOptions = {}): GeneratedTree {
  const sessions = options.sessions ?? 200
  const seed = options.seed ?? 1
  const largeEvery = options.largeMemorandumEvery ?? 50
  const rng = createRng(seed)
  const tree: GeneratedTree = { root, sessions, files: 0, bytes: 0, markdownFiles: [] }
  fs.mkdirSync(root, { recursive: true })

  let unixS = FIRST_SESSION_S
  for (let i = 0; i < sessions; i++) {
    unixS += rng.int(20_000, 160_000)
    const sessionId = `${new Date(unixS * 1000).toISOString().slice(0, 10)}-${unixS}`
    writeSession(tree, sessionId, rng.fork(i), new Date(unixS * 1000), largeEvery > 0 && i % largeEvery === 0)
  }
  return tree
}

/** Write the tree on a worker thread; its garbage goes away with the thread. */
export async function generateTreeInWorker(root: string, options: TreeOptions = {}): Promise<GeneratedTree> {
  const worker = new Worker(new URL('./generate-worker.js', import.meta.url), { workerData: { root, options } })
  try {
    const [tree] = (await once(worker, 'message')) as [GeneratedTree]
    return tree
  } finally {
    await worker.terminate()
  }
}

function writeSession(tree: GeneratedTree, sessionId: string, rng: Rng, startedAt: Date, largeMemo: boolean): void {
  const topics = shuffled(rng, TOPIC_SLUGS)
  const sectionLetter = String.fromCharCode(97 + rng.int(0, 10))
  const markdown: MarkdownFile[] = [
    { path: 'orchestrator-state.md', kb: 6, mix: REGISTRY, footnoteRate: 0 },
    { path: 'research-plan.md', kb: 12, mix: STATE, footnoteRate: 0.02 },
    { path: 'executive-summary.md', kb: 10, mix: REPORT, footnoteRate: 0.03 },
    { path: 'final-memorandum.md', kb: largeMemo ? 1024 : 30, mix: MEMO, footnoteRate: 0.05 },
    { path: `specialist-reports/${topics[0]}-report.md`, kb: 70, mix: REPORT, footnoteRate: 0.05 },
    { path: `section-reports/section-iv-${sectionLetter}-${topics[1]}.md`, kb: 50, mix: MEMO, footnoteRate: 0.05 },
    { path: 'review-outputs/fact-registry.md', kb: 10, mix: REGISTRY, footnoteRate: 0 },
    { path: 'review-outputs/conflict-report.md', kb: 5, mix: REPORT, footnoteRate: 0.05 },
    { path: 'review-outputs/coverage-gaps.md', kb: 8, mix: STATE, footnoteRate: 0.05 },
    { path: 'qa-outputs/citation-validation-report.md', kb: 6, mix: REPORT, footnoteRate: 0 },
    { path: 'remediation-outputs/remediation-plan.md', kb: 8, mix: MEMO, footnoteRate: 0.05 },
  ]
  for (const file of markdown) {
    const title = `${file.path.replace(/^.*\//, '').replace(/\.md$/, '').replace(/-/g, ' ').toUpperCase()} — ${sessionId}`
    const text = markdownDocument(rng, {
      title,
      targetBytes: rng.jitter(file.kb * KB, 0.3),
      mix: file.mix,
      footnoteRate: file.footnoteRate,
      startedAt,
    })
    write(tree, `${sessionId}/${file.path}`, text)
    tree.markdownFiles.push(`${sessionId}/${file.path}`)
  }
  write(tree, `${sessionId}/synthesis-state.json`, stateJson(rng, sessionId, rng.jitter(4 * KB, 0.3), startedAt))
  write(tree, `${sessionId}/risk-summary.json`, riskJson(rng, rng.jitter(6 * KB, 0.3)))
  const kind = rng.chance(0.5) ? 'sh' : 'py'
  write(tree, `${sessionId}/assemble.${kind}`, script(rng, kind, rng.jitter(3 * KB, 0.3)))
  write(tree, `${sessionId}/session-audit.log`, auditLog(rng, rng.jitter(6 * KB, 0.3), startedAt))
}

function write(tree: GeneratedTree, relPath: string, text: string): void {
  const abs = path.join(tree.root, relPath)
  fs.mkdirSync(path.dirname(abs), { recursive: true })
  const bytes = Buffer.from(text, 'utf8')
  fs.writeFileSync(abs, bytes)
  tree.files++
  tree.bytes += bytes.length
}

function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}
