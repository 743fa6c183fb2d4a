/**
 * A synthetic reports tree shaped like the real session corpus: session
 * directories `YYYY-MM-DD-<unix seconds>/` holding state files, reports in
 * their sub-folders, scripts and logs.
 *
 * Default shape (chosen so `npm run bench` stays under ~5 minutes on 2 cores;
 * the markdown parser reads ~0.4–0.5 MB/s per core, so the floor alone is
 * about bytes / 0.9 MB/s): every session has the same 16 files, ~250 KB on average,
 * and every 25th session carries a ~1 MB final memorandum. 200 sessions are
 * 3,200 files and ~50 MB.
 *
 *   orchestrator-state.md 8 KB   research-plan.md 12 KB   executive-summary.md 10 KB
 *   final-memorandum.md 40 KB (1 MB in every 25th session)
 *   synthesis-state.json 4 KB    risk-summary.json 6 KB
 *   specialist-reports/<topic>-report.md ×2, 30 KB each
 *   section-reports/section-iv-<x>-<topic>.md 25 KB
 *   review-outputs/fact-registry.md 18 KB, conflict-report.md 8 KB, coverage-gaps.md 8 KB
 *   qa-outputs/citation-validation-report.md 8 KB
 *   remediation-outputs/remediation-plan.md 6 KB
 *   assemble.py or assemble.sh 3 KB   session-audit.log 6 KB
 *
 * Sizes vary ±30 % per file; `sessions` scales the count, the mix stays, so
 * bytes grow linearly.
 */
import fs from 'node:fs'
import path from 'node:path'
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
  /** One session in this many carries a ~1 MB memorandum; default 25. */
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

const STATE: MarkdownMix = { prose: 6, fieldTable: 4, dataTable: 1, list: 2 }
const REPORT: MarkdownMix = { prose: 20, fieldTable: 1, dataTable: 1, list: 2 }
const REGISTRY: MarkdownMix = { prose: 3, fieldTable: 1, dataTable: 4, list: 0 }
const MEMO: MarkdownMix = { prose: 30, fieldTable: 0.5, dataTable: 1, list: 2 }

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
  const largeEvery = options.largeMemorandumEvery ?? 25
  const rng = createRng(seed)
  const tree: GeneratedTree = { root, sessions, files: 0, bytes: 0, markdownFiles: [] }
  fs.mkdirSync(root, { recursive: true })

  let unixS = FIRST_SESSION_S
  for (let i = 0; i < sessions; i++) {
    unixS += rng.int(20_000, 160_000)
    const sessionId = `${new Date(unixS * 1000).toISOString().slice(0, 10)}-${unixS}`
    writeSession(tree, sessionId, rng.fork(i), new Date(unixS * 1000), i % largeEvery === 0)
  }
  return tree
}

function writeSession(tree: GeneratedTree, sessionId: string, rng: Rng, startedAt: Date, largeMemo: boolean): void {
  const topics = shuffled(rng, TOPIC_SLUGS)
  const sectionLetter = String.fromCharCode(97 + rng.int(0, 10))
  const markdown: MarkdownFile[] = [
    { path: 'orchestrator-state.md', kb: 8, mix: STATE, footnoteRate: 0 },
    { path: 'research-plan.md', kb: 12, mix: STATE, footnoteRate: 0.02 },
    { path: 'executive-summary.md', kb: 10, mix: REPORT, footnoteRate: 0.1 },
    { path: 'final-memorandum.md', kb: largeMemo ? 1024 : 40, mix: MEMO, footnoteRate: 0.25 },
    { path: `specialist-reports/${topics[0]}-report.md`, kb: 30, mix: REPORT, footnoteRate: 0.2 },
    { path: `specialist-reports/${topics[1]}-report.md`, kb: 30, mix: REPORT, footnoteRate: 0.2 },
    { path: `section-reports/section-iv-${sectionLetter}-${topics[2]}.md`, kb: 25, mix: REPORT, footnoteRate: 0.2 },
    { path: 'review-outputs/fact-registry.md', kb: 18, mix: REGISTRY, footnoteRate: 0 },
    { path: 'review-outputs/conflict-report.md', kb: 8, mix: REGISTRY, footnoteRate: 0.05 },
    { path: 'review-outputs/coverage-gaps.md', kb: 8, mix: STATE, footnoteRate: 0.05 },
    { path: 'qa-outputs/citation-validation-report.md', kb: 8, mix: REGISTRY, footnoteRate: 0 },
    { path: 'remediation-outputs/remediation-plan.md', kb: 6, mix: STATE, footnoteRate: 0.05 },
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
