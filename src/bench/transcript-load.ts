/**
 * (m) agent transcripts: a full sync of a transcripts tree (100 sessions,
 * each with a sub-agent), then the cost of one line appended to a
 * 5,000-line transcript under a running watch (read from where the last read
 * stopped), beside the same file read whole (an edit that changes its first
 * line), each timed from the write to its commit, minus the debounce.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { resolveConfig, type Config } from '../config.js'
import { silentLogger } from '../logger.js'
import { openSqliteStore } from '../store/sqlite.js'
import { runSync } from '../sync/run-sync.js'
import { startWatch } from '../sync/watch.js'
import { CommitProbe } from './commit-probe.js'
import { timed } from './measure.js'
import { transcriptText } from './transcript-lines.js'

/** What (m) measured. */
export interface TranscriptLoadResult {
  sessions: number
  files: number
  lines: number
  bytes: number
  /** Full sync of the transcripts tree into an empty database, ms. */
  syncMs: number
  /** Write to commit of one appended line, minus the debounce, ms: each sample. */
  appendMs: number[]
  /** Write to commit of the whole 5,000-line file read again, minus the debounce, ms: each sample. */
  wholeMs: number[]
}

const PROJECT = '-home-bench-deal-room'
const LONG_LINES = 5_000

function sessionId(n: number): string {
  const hex = n.toString(16).padStart(12, '0')
  return `0b5e55ed-0000-4000-8000-${hex}`
}

function transcriptsConfig(root: string, dbFile: string, workers: number, debounceMs: number): Config {
  const config = resolveConfig({ root, db: `sqlite:${dbFile}`, workers, debounceMs, reconcileIntervalMs: 0, instance: 'bench' }, {})
  return { ...config, rootKind: 'transcripts' }
}

export async function measureTranscripts(
  workDir: string,
  settings: { sessions: number; linesPerSession: number; samples: number; workers: number; debounceMs: number },
): Promise<TranscriptLoadResult> {
  const root = path.join(workDir, 'transcripts')
  let files = 0
  let lines = 0
  let bytes = 0
  for (let n = 0; n < settings.sessions; n++) {
    const id = sessionId(n)
    const main = transcriptText(id, 0, settings.linesPerSession)
    const sub = transcriptText(id, 0, Math.ceil(settings.linesPerSession / 5), { agentId: `a${n.toString(16).padStart(5, '0')}` })
    fs.mkdirSync(path.join(root, PROJECT, id, 'subagents'), { recursive: true })
    fs.writeFileSync(path.join(root, PROJECT, `${id}.jsonl`), main)
    fs.writeFileSync(path.join(root, PROJECT, id, 'subagents', `agent-a${n}.jsonl`), sub)
    files += 2
    lines += settings.linesPerSession + Math.ceil(settings.linesPerSession / 5)
    bytes += Buffer.byteLength(main) + Buffer.byteLength(sub)
  }
  const syncStore = openSqliteStore(path.join(workDir, 'transcripts-sync.db'))
  let syncMs: number
  try {
    syncMs = (await timed(() => runSync(transcriptsConfig(root, path.join(workDir, 'transcripts-sync.db'), settings.workers, settings.debounceMs), syncStore, silentLogger()))).ms
  } finally {
    await syncStore.close()
  }

  // One long transcript under a watch of its own.
  const longRoot = path.join(workDir, 'transcripts-long')
  const relPath = `${PROJECT}/${sessionId(9999)}.jsonl`
  const file = path.join(longRoot, relPath)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, transcriptText(sessionId(9999), 0, LONG_LINES))
  const dbFile = path.join(workDir, 'transcripts-long.db')
  const inner = openSqliteStore(dbFile)
  const probe = new CommitProbe(inner)
  const handle = await startWatch(transcriptsConfig(longRoot, dbFile, settings.workers, settings.debounceMs), probe, silentLogger())
  const appendMs: number[] = []
  const wholeMs: number[] = []
  try {
    let next = LONG_LINES
    for (let i = 0; i < settings.samples; i++) {
      // Appended: only the new line is parsed and inserted.
      appendMs.push(await commitOf(probe, file, relPath, settings.debounceMs, () => fs.appendFileSync(file, transcriptText(sessionId(9999), next, next + 1))))
      next++
      // Rewritten in place (its first line changes): read whole.
      wholeMs.push(
        await commitOf(probe, file, relPath, settings.debounceMs, () => {
          // The first line's cwd flips between `deal-room` and `Deal-room`.
          const bytes = fs.readFileSync(file)
          const at = bytes.indexOf('eal-room')
          bytes[at - 1] = bytes[at - 1] === 0x64 ? 0x44 : 0x64
          fs.writeFileSync(file, bytes)
        }),
      )
    }
  } finally {
    await handle.close()
    await inner.close()
  }
  return { sessions: settings.sessions, files, lines, bytes, syncMs, appendMs, wholeMs }
}

/** Write, then wait for the commit of exactly the new content; ms from the write, minus the debounce. */
async function commitOf(probe: CommitProbe, file: string, relPath: string, debounceMs: number, write: () => void): Promise<number> {
  const startedAt = performance.now()
  write()
  const hash = createHash('sha256').update(fs.readFileSync(file)).digest('hex')
  const { committedAt } = await probe.expect(relPath, hash, 60_000)
  // Let the watcher's trailing events settle before the next write.
  await new Promise((resolve) => setTimeout(resolve, debounceMs * 3))
  return committedAt - startedAt - debounceMs
}
