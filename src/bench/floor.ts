/**
 * The floor of a full sync: walk the tree, then read, hash and parse every
 * file through the same parse pool the daemon uses, with no database.
 */
import path from 'node:path'
import { ParsePool } from '../sync/parse-pool.js'
import { scanTree } from '../sync/scan.js'

/** Floor settings. */
export interface FloorOptions {
  /** Parse worker threads (the daemon's default is 2). */
  workers: number
  /** Files in flight at once; the daemon's queue runs `max(2, workers × 2)`. */
  inFlight: number
  /** Same limit as the daemon's `maxFileBytes`. */
  maxFileBytes: number
  /** Worker heap cap, MB: the daemon's `workerHeapMb`, so both parse under the same limits. */
  heapMb: number
}

/** What the floor pass saw. */
export interface FloorResult {
  ms: number
  files: number
  /** Bytes of the files that were read. */
  bytes: number
  /** Files that did not come back `parsed` (unreadable, too large, timeout…). */
  notParsed: number
  /** Files whose parse reported an error diagnostic (the daemon would record a failure). */
  withErrors: number
}

/** Run the floor pass over `rootAbs` (pool start-up and shutdown included, as in a sync). */
export async function measureFloor(rootAbs: string, options: FloorOptions): Promise<FloorResult> {
  const started = performance.now()
  const scan = await scanTree(rootAbs)
  const pool = new ParsePool({ workers: options.workers, budgetMs: 60_000, heapMb: options.heapMb })
  const result: FloorResult = { ms: 0, files: scan.files.length, bytes: 0, notParsed: 0, withErrors: 0 }
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < scan.files.length) {
      const relPath = scan.files[next++]!
      const outcome = await pool.run({ absPath: path.join(rootAbs, relPath), relPath, knownHash: null, maxFileBytes: options.maxFileBytes })
      if (outcome.kind !== 'parsed') {
        result.notParsed++
        continue
      }
      result.bytes += outcome.sizeBytes
      if (outcome.parsed.diagnostics.some((d) => d.severity === 'error')) result.withErrors++
    }
  }
  try {
    await Promise.all(Array.from({ length: options.inFlight }, lane))
  } finally {
    await pool.close()
  }
  result.ms = performance.now() - started
  return result
}
