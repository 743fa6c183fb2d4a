/**
 * Bench phase (h): apply throughput of a watch with 50 Server-Sent Events
 * clients connected to its change feed, against the same watch with none.
 * The clients live in one child process, as remote clients would, and count
 * the events they receive, so a feed that fell behind shows as well. The
 * files are written by another child process, as agents write them: written
 * from the daemon's own thread, the writes took most of that thread and
 * their disk latency set the figure. Runs without and with clients
 * alternate, so a change in the machine's speed falls on both.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { resolveConfig } from '../config.js'
import { feedRoutes } from '../feed/feed-routes.js'
import { silentLogger } from '../logger.js'
import { startApiServer } from '../serve/index.js'
import { openReader } from '../store/open-reader.js'
import { MAX_CHANGES_PAGE } from '../store/read-types.js'
import { openSqliteStore } from '../store/sqlite.js'
import { startWatch } from '../sync/watch.js'

/** One run of phase (h). */
export interface FeedRun {
  /** Files applied per second, from the first write to the last commit. */
  filesPerSecond: number
  /** Change events the clients received in all (clients × files when none was lost). */
  received: number
  /** Time the daemon's main thread was busy, from the first write to the last commit, ms per file. */
  mainBusyMsPerFile: number
  /** CPU time of the clients' process, from its start until every event was in, ms. */
  clientsCpuMs: number
}

/** What phase (h) measured: each side summed over its runs. */
export interface FeedLoadResult {
  /** Files of one run. */
  files: number
  clients: number
  /** Runs of each side. */
  pairs: number
  without: FeedRun
  with: FeedRun
  /** Every run, in the order run. */
  runs: Array<FeedRun & { clients: number }>
}

// Counts "event: change" in the raw bytes, without decoding or splitting them: the clients share the
// daemon's two cores, so what they spend is taken from the applies measured.
const CLIENTS_SOURCE = `
const http = require('node:http')
const [url, n] = [process.argv[1], Number(process.argv[2])]
const needle = Buffer.from('event: change')
const keep = needle.length - 1
let events = 0, open = 0
for (let i = 0; i < n; i++) {
  http.get(url, { headers: { accept: 'text/event-stream' } }, (res) => {
    if (++open === n) process.stdout.write('open\\n')
    // An event's name may span chunks: the stream's last bytes so far are joined to the next chunk's first.
    let tail = Buffer.alloc(0)
    res.on('data', (chunk) => {
      if (tail.length > 0 && Buffer.concat([tail, chunk.subarray(0, keep)]).includes(needle)) events++
      for (let at = chunk.indexOf(needle); at !== -1; at = chunk.indexOf(needle, at + needle.length)) events++
      tail = chunk.length >= keep ? Buffer.from(chunk.subarray(chunk.length - keep)) : Buffer.concat([tail, chunk]).subarray(-keep)
    })
  })
}
setInterval(() => {
  const cpu = process.cpuUsage()
  process.stdout.write(events + ' ' + Math.round((cpu.user + cpu.system) / 1000) + '\\n')
}, 100)
`

// Says when it starts, then writes the run's files as fast as it can, one session folder per day.
const WRITER_SOURCE = `
const fs = require('node:fs')
const path = require('node:path')
const [root, n] = [process.argv[1], Number(process.argv[2])]
process.stdout.write('start\\n')
for (let i = 0; i < n; i++) {
  const rel = '2026-04-' + String((i % 28) + 1).padStart(2, '0') + '-1775001600/report-' + i + '.md'
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
  fs.writeFileSync(path.join(root, rel), '# Report ' + i + '\\n\\n| a | b |\\n|---|---|\\n| ' + i + ' | x |\\n')
}
`

/**
 * Apply `files` new files with no client and then with `clients` connected, `pairs` times in turn
 * (default 1), each run in a fresh tree and database.
 */
export async function measureFeedThroughput(
  workDir: string,
  options: { files: number; clients: number; workers: number; pairs?: number },
): Promise<FeedLoadResult> {
  const pairs = Math.max(1, options.pairs ?? 1)
  const without: FeedRun[] = []
  const withClients: FeedRun[] = []
  const runs: FeedLoadResult['runs'] = []
  for (let pair = 0; pair < pairs; pair++) {
    // In the order none, clients, clients, none, ...: a run's place in the sequence falls on both sides alike.
    const runNone = async () => {
      const run = await applyRun(path.join(workDir, `feed-none-${pair}`), 0, options)
      without.push(run)
      runs.push({ ...run, clients: 0 })
    }
    const runClients = async () => {
      const run = await applyRun(path.join(workDir, `feed-many-${pair}`), options.clients, options)
      withClients.push(run)
      runs.push({ ...run, clients: options.clients })
    }
    if (pair % 2 === 0) await runNone().then(runClients)
    else await runClients().then(runNone)
  }
  return { files: options.files, clients: options.clients, pairs, without: summed(without, options.files), with: summed(withClients, options.files), runs }
}

// Files per second over all runs together, and every event received.
function summed(runs: FeedRun[], files: number): FeedRun {
  const seconds = runs.reduce((sum, run) => sum + files / run.filesPerSecond, 0)
  return {
    filesPerSecond: (files * runs.length) / seconds,
    received: runs.reduce((sum, run) => sum + run.received, 0),
    mainBusyMsPerFile: runs.reduce((sum, run) => sum + run.mainBusyMsPerFile, 0) / runs.length,
    clientsCpuMs: runs.reduce((sum, run) => sum + run.clientsCpuMs, 0) / runs.length,
  }
}

async function applyRun(dir: string, clients: number, options: { files: number; workers: number }): Promise<FeedRun> {
  const root = path.join(dir, 'reports')
  const file = path.join(dir, 'feed.db')
  fs.mkdirSync(root, { recursive: true })
  fs.writeFileSync(path.join(root, 'README.md'), '# reports\n')
  const logger = silentLogger()
  const config = resolveConfig({ root, db: `sqlite:${file}`, workers: options.workers, debounceMs: 50, reconcileIntervalMs: 0, instance: 'bench' }, {})
  const store = openSqliteStore(file)
  const watch = await startWatch(config, store, logger)
  const reader = await openReader({ dialect: 'sqlite', file }, { logger })
  const server = await startApiServer({ reader, host: '127.0.0.1', port: 0, logger, streamRoutes: feedRoutes({ reader }, { logger }) })
  let child: ChildProcess | null = null
  let received = 0
  let clientsCpuMs = 0
  let opened = false
  try {
    if (clients > 0) {
      child = spawn(process.execPath, ['-e', CLIENTS_SOURCE, `${server.url}/api/v1/changes`, String(clients)], { stdio: ['ignore', 'pipe', 'ignore'] })
      child.stdout!.setEncoding('utf8')
      child.stdout!.on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) {
          if (line === 'open') opened = true
          else if (/^\d+ \d+$/.test(line)) [received, clientsCpuMs] = line.split(' ').map(Number) as [number, number]
        }
      })
      await until(() => opened, 30_000, 'the SSE clients to connect')
    }
    let seq = await reader.latestChangeSeq()
    const writer = startWriter(root, options.files)
    const started = await writer.began
    const busyBefore = performance.eventLoopUtilization()
    // Counted as the log grows, in pages of at most MAX_CHANGES_PAGE rows as the API reads them.
    let applied = 0
    const allApplied = async (): Promise<boolean> => {
      const failure = writer.failure()
      if (failure !== null) throw failure
      for (;;) {
        const page = await reader.changesSince(seq, MAX_CHANGES_PAGE)
        for (const change of page) if (change.path !== null) applied++
        if (page.length > 0) seq = page[page.length - 1]!.seq
        if (page.length < MAX_CHANGES_PAGE) return applied >= options.files
      }
    }
    await until(allApplied, 300_000, 'every apply')
    const seconds = (performance.now() - started) / 1000
    const busy = performance.eventLoopUtilization(busyBefore)
    if (clients > 0) await until(() => received >= clients * options.files, 60_000, 'every client to get every change')
    // The clients report every 100 ms: one more report after the last event, so their CPU figure includes it.
    if (clients > 0) {
      const last = clientsCpuMs
      await until(() => clientsCpuMs !== last, 5_000, 'the clients to report')
    }
    return { filesPerSecond: options.files / seconds, received, mainBusyMsPerFile: busy.active / options.files, clientsCpuMs }
  } finally {
    child?.kill()
    await server.close()
    await reader.close()
    await watch.close()
    await store.close()
  }
}

// Starts the writer: when it began writing, and what went wrong with it, if anything.
function startWriter(root: string, files: number): { began: Promise<number>; failure(): Error | null } {
  const writer = spawn(process.execPath, ['-e', WRITER_SOURCE, root, String(files)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let failure: Error | null = null
  // A failure after the start only sets `failure`: the promise has settled by then.
  const began = new Promise<number>((resolve, reject) => {
    const fail = (error: Error): void => {
      failure = error
      reject(error)
    }
    writer.stdout!.once('data', () => resolve(performance.now()))
    writer.once('error', fail)
    writer.once('exit', (code) => {
      if (code !== 0) fail(new Error(`bench (h): the file writer exited with ${code}`))
    })
  })
  return { began, failure: () => failure }
}

async function until(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`bench (h): timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
