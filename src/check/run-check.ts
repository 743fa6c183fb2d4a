/**
 * `statebridge check <dir>`: parse every file without a database and report
 * how well the parsers understood it. This is how drift is found.
 */
import fs from 'node:fs'
import path from 'node:path'
import { documentType } from '../parsers/document-type.js'
import { formatDiagnostic } from '../parsers/diagnostic.js'
import { ParsePool } from '../sync/parse-pool.js'
import { scanTree } from '../sync/scan.js'
import { addFailure, addParsed, emptyReport, type CheckReport } from './check-report.js'

/** Check settings. */
export interface CheckOptions {
  workers: number
  parseTimeoutMs: number
  maxFileBytes: number
  workerHeapMb: number
  /** Nice value of each parse worker thread; default 0. */
  workerNice?: number
  /** Which markdown reader parses; default `fast`. */
  parser?: string
}

/** Parse the tree under `root` and report per file kind. */
export async function runCheck(root: string, options: CheckOptions): Promise<CheckReport> {
  const rootAbs = await fs.promises.realpath(root)
  const scan = await scanTree(rootAbs)
  const report = emptyReport(rootAbs)
  const pool = new ParsePool({
    workers: options.workers,
    budgetMs: options.parseTimeoutMs,
    heapMb: options.workerHeapMb,
    nice: options.workerNice ?? 0,
    parser: options.parser === 'remark' ? 'remark' : 'fast',
  })
  try {
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < scan.files.length) {
        const relPath = scan.files[next++]!
        const type = documentType(relPath)
        const result = await pool.run({
          absPath: path.join(rootAbs, relPath),
          relPath,
          realRoot: rootAbs,
          knownHash: null,
          maxFileBytes: options.maxFileBytes,
        })
        if (result.kind === 'parsed') {
          const error = result.parsed.diagnostics.find((d) => d.severity === 'error')
          if (error) addFailure(report, type, relPath, formatDiagnostic(error))
          else addParsed(report, type, relPath, result.parsed)
        } else if (result.kind !== 'gone') {
          addFailure(report, type, relPath, describe(result))
        }
      }
    }
    await Promise.all(Array.from({ length: Math.max(1, options.workers * 2) }, worker))
  } finally {
    await pool.close()
  }
  return report
}

function describe(result: { kind: string } & Record<string, unknown>): string {
  switch (result.kind) {
    case 'timeout':
      return `parsing took longer than ${String(result.budgetMs)} ms`
    case 'too-large':
      return `file is ${String(result.sizeBytes)} bytes, over the limit`
    case 'unreadable':
      return `cannot read (${String(result.code)}): ${String(result.message)}`
    case 'unstable':
      return 'file changed while it was read'
    case 'outside':
      return `resolves outside the root (to ${String(result.realPath)}) through a symlink; not read`
    case 'parser-failed':
      return `parser failed: ${String(result.message)}`
    case 'unavailable':
      return `not parsed: ${String(result.message)}`
    default:
      return result.kind
  }
}
