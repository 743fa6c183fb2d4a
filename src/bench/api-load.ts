/**
 * Bench phase (g): the HTTP API under load while the daemon runs its full
 * start-up sync. The daemon is the real CLI in a process of its own
 * (`watch --listen`), so its latency and its memory are its own, not the
 * bench's; the clients run here, each with one request in flight.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { percentile } from './measure.js'

/** What phase (g) measured. */
export interface ApiLoadResult {
  /** Latency of each answered request while the sync ran, ms. */
  latenciesMs: number[]
  /** Requests that failed (a status other than 200, or a socket error). */
  errors: number
  /** How long the daemon's start-up sync took under the load, ms. */
  syncMs: number
  /** The daemon process's kernel RSS high-water mark (VmHWM), MB. */
  daemonPeakRssMb: number
}

/** Settings of phase (g). */
export interface ApiLoadOptions {
  /** Real path of the tree to sync. */
  rootAbs: string
  /** A fresh SQLite file for the daemon. */
  dbFile: string
  /** Concurrent clients (the issue asks for 20). */
  clients: number
  workers: number
  /** Longest the sync may take before the phase gives up, ms. */
  timeoutMs: number
}

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url))

/** Run `watch --listen` on an empty database and load its API until the start-up sync is done. */
export async function measureApiUnderSync(options: ApiLoadOptions): Promise<ApiLoadResult> {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const child = spawn(
    process.execPath,
    [CLI, 'watch', options.rootAbs, '--db', `sqlite:${options.dbFile}`, '--listen', `127.0.0.1:${port}`, '--workers', String(options.workers)],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'info' } },
  )
  let listening = false
  let watching = false
  let pending = ''
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8')
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) {
      if (line.includes('API listening')) listening = true
      if (line.includes('"msg":"watching"')) watching = true
    }
  })
  child.stderr.resume()
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    const deadline = Date.now() + options.timeoutMs
    while (!listening) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('the daemon did not start its API')
      await sleep(20)
    }
    const started = performance.now()
    const latenciesMs: number[] = []
    let errors = 0
    // The session list, and one session from it, alternately: the two routes the issue names.
    let sessionPath = '/api/v1/sessions?limit=50'
    const client = async (index: number): Promise<void> => {
      for (let i = index; !watching && Date.now() < deadline; i++) {
        const url = i % 2 === 0 ? `${base}/api/v1/sessions?limit=50` : `${base}${sessionPath}`
        const sent = performance.now()
        try {
          const response = await fetch(url)
          const body = await response.text()
          if (response.status !== 200) errors++
          else {
            latenciesMs.push(performance.now() - sent)
            const first = /"sessionId":"([^"]+)"/.exec(body)
            if (first && sessionPath.startsWith('/api/v1/sessions?')) sessionPath = `/api/v1/sessions/${encodeURIComponent(first[1]!)}`
          }
        } catch {
          errors++
          await sleep(10)
        }
      }
    }
    await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)))
    const syncMs = performance.now() - started
    if (!watching) throw new Error(`the daemon's start-up sync did not finish within ${options.timeoutMs} ms`)
    const daemonPeakRssMb = peakRssMb(child.pid!)
    return { latenciesMs, errors, syncMs, daemonPeakRssMb }
  } finally {
    child.kill('SIGTERM')
    await exited
  }
}

/** p50 and p99 of the answered requests. */
export function apiPercentiles(result: ApiLoadResult): { p50: number | null; p99: number | null } {
  if (result.latenciesMs.length === 0) return { p50: null, p99: null }
  return { p50: percentile(result.latenciesMs, 50), p99: percentile(result.latenciesMs, 99) }
}

function peakRssMb(pid: number): number {
  const status = fs.readFileSync(path.join('/proc', String(pid), 'status'), 'utf8')
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)
  return kb ? Number(kb[1]) / 1024 : Number.NaN
}

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
