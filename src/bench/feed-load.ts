/**
 * Bench phase (h): apply throughput of a watch with 50 Server-Sent Events
 * clients connected to its change feed, against the same watch with none.
 * The clients live in one child process, as remote clients would, and count
 * the events they receive, so a feed that fell behind shows as well.
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
}

/** What phase (h) measured. */
export interface FeedLoadResult {
  files: number
  clients: number
  without: FeedRun
  with: FeedRun
}

const CLIENTS_SOURCE = `
const http = require('node:http')
const [url, n] = [process.argv[1], Number(process.argv[2])]
let events = 0, open = 0
for (let i = 0; i < n; i++) {
  http.get(url, { headers: { accept: 'text/event-stream' } }, (res) => {
    if (++open === n) process.stdout.write('open\\n')
    res.setEncoding('utf8')
    // A chunk may end inside an event's name: the last 12 characters wait for the next chunk.
    let tail = ''
    res.on('data', (chunk) => {
      const parts = (tail + chunk).split('event: change')
      events += parts.length - 1
      tail = parts[parts.length - 1].slice(-12)
    })
  })
}
setInterval(() => process.stdout.write(events + '\\n'), 100)
`

/** Apply `files` new files with no client and then with `clients` connected, each in a fresh tree and database. */
export async function measureFeedThroughput(workDir: string, options: { files: number; clients: number; workers: number }): Promise<FeedLoadResult> {
  const without = await applyRun(path.join(workDir, 'feed-none'), 0, options)
  const withClients = await applyRun(path.join(workDir, 'feed-many'), options.clients, options)
  return { files: options.files, clients: options.clients, without, with: withClients }
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
  let opened = false
  try {
    if (clients > 0) {
      child = spawn(process.execPath, ['-e', CLIENTS_SOURCE, `${server.url}/api/v1/changes`, String(clients)], { stdio: ['ignore', 'pipe', 'ignore'] })
      child.stdout!.setEncoding('utf8')
      child.stdout!.on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) {
          if (line === 'open') opened = true
          else if (/^\d+$/.test(line)) received = Number(line)
        }
      })
      await until(() => opened, 30_000, 'the SSE clients to connect')
    }
    const before = await reader.latestChangeSeq()
    const started = performance.now()
    for (let i = 0; i < options.files; i++) {
      const rel = `2026-04-${String((i % 28) + 1).padStart(2, '0')}-1775001600/report-${i}.md`
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
      fs.writeFileSync(path.join(root, rel), `# Report ${i}\n\n| a | b |\n|---|---|\n| ${i} | x |\n`)
    }
    // Pages of at most MAX_CHANGES_PAGE rows, as the API reads them.
    const changesAfter = async (seq: number) => {
      const all = []
      for (;;) {
        const page = await reader.changesSince(seq, MAX_CHANGES_PAGE)
        all.push(...page)
        if (page.length < MAX_CHANGES_PAGE) return all
        seq = page[page.length - 1]!.seq
      }
    }
    const applied = async (): Promise<boolean> =>
      (await changesAfter(before)).filter((c) => c.path !== null).length >= options.files
    await until(applied, 300_000, 'every apply')
    const seconds = (performance.now() - started) / 1000
    if (clients > 0) await until(() => received >= clients * options.files, 60_000, 'every client to get every change')
    return { filesPerSecond: options.files / seconds, received }
  } finally {
    child?.kill()
    await server.close()
    await reader.close()
    await watch.close()
    await store.close()
  }
}

async function until(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`bench (h): timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
