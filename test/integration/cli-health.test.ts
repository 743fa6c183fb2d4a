/**
 * `statebridge health` through the built CLI, as a container health check
 * runs it: against a running `watch --listen`, a port nobody listens on, and
 * an API that answers 503 with reasons.
 */
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CLI, cleanEnv, runCli, startCli, waitFor } from '../helpers/cli.js'
import { spawn } from 'node:child_process'
import { PG_URL, postgresAvailable, testSchemas } from '../helpers/postgres.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { cleanup, sampleTree, tempDir, writeTree } from '../helpers/tree.js'

const available = await postgresAvailable()
const schemas = testSchemas()
let dir: string
let children: Array<ReturnType<typeof startCli>['child']> = []

beforeEach(() => {
  dir = tempDir()
})
afterEach(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
  }
  children = []
  cleanup(dir)
})
afterAll(() => schemas.dropAll())

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Run the CLI without blocking the event loop (a test server in this process must keep answering). */
function runAsync(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.on('exit', (code) => resolve({ code, stderr }))
  })
}

describe('statebridge health', () => {
  it('exits 0 against a ready daemon, by --url and by --listen', { timeout: 60_000 }, async () => {
    const root = path.join(dir, 'reports')
    writeTree(root, sampleTree())
    const port = await freePort()
    const started = startCli(['watch', root, '--db', path.join(dir, 'db.sqlite'), '--listen', `127.0.0.1:${port}`, '--debounce-ms', '20'])
    children.push(started.child)
    await waitFor(() => started.lines.some((l) => l.includes('"watching"')), 30_000, 'watching')
    const byUrl = runCli(['health', '--url', `http://127.0.0.1:${port}`])
    expect(byUrl.stderr).toBe('')
    expect(byUrl.code).toBe(0)
    expect(runCli(['health', '--url', `http://127.0.0.1:${port}/`]).code).toBe(0)
    expect(runCli(['health', '--listen', `127.0.0.1:${port}`]).code).toBe(0)
    // The same flags as the daemon's: --listen is shared, the others are noted and ignored.
    const shared = runCli(['health', '--listen', `127.0.0.1:${port}`, '--debounce-ms', '20'])
    expect(shared.code).toBe(0)
    expect(shared.stderr).toMatch(/--debounce-ms has no effect on health/)
  })

  it('exits 1 when nothing answers, naming the address', { timeout: 30_000 }, async () => {
    const port = await freePort()
    const result = runCli(['health', '--url', `http://127.0.0.1:${port}`])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(new RegExp(`statebridge health: http://127.0.0.1:${port}/readyz did not answer: ECONNREFUSED`))
  })

  it('exits 1 on a 503 and prints the reasons on stderr', { timeout: 30_000 }, async () => {
    const server = http.createServer((req, res) => {
      const body = JSON.stringify({ ready: false, reasons: ['the database is unreachable', 'the oldest waiting file has waited 75.0 s'] })
      res.writeHead(req.url === '/readyz' ? 503 : 404, { 'content-type': 'application/json' })
      res.end(body)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as net.AddressInfo).port
    try {
      const result = await runAsync(['health', '--url', `http://127.0.0.1:${port}`])
      expect(result.code).toBe(1)
      expect(result.stderr).toBe(
        `statebridge health: http://127.0.0.1:${port}/readyz answered 503: the database is unreachable; the oldest waiting file has waited 75.0 s\n`,
      )
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('refuses a bad --url or a directory with exit 2', () => {
    const bad = runCli(['health', '--url', 'localhost:8787'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--url must be an http:\/\/ or https:\/\/ base URL/)
    expect(runCli(['health', 'reports']).code).toBe(2)
  })
})

describe.skipIf(!available)('statebridge health against a daemon that loses PostgreSQL', () => {
  it('exits 0, then 1 with the reason while the database is cut, then 0 again', { timeout: 90_000 }, async () => {
    const proxy = await startTcpProxy('127.0.0.1', Number(new URL(PG_URL).port || 5432))
    try {
      const url = new URL(PG_URL)
      url.port = String(proxy.port)
      const root = path.join(dir, 'reports')
      writeTree(root, sampleTree())
      const port = await freePort()
      const started = startCli([
        'watch', root, '--db', url.toString(), '--schema', schemas.fresh('health'), '--listen', `127.0.0.1:${port}`,
        '--retry-base-ms', '50', '--retry-max-ms', '500',
      ])
      children.push(started.child)
      await waitFor(() => started.lines.some((l) => l.includes('"watching"')), 30_000, 'watching')
      expect((await runAsync(['health', '--listen', `127.0.0.1:${port}`])).code).toBe(0)
      proxy.cut()
      const cut = await runAsync(['health', '--listen', `127.0.0.1:${port}`])
      expect(cut.code).toBe(1)
      expect(cut.stderr).toMatch(/answered 503: .*database/)
      proxy.restore()
      let healed = await runAsync(['health', '--listen', `127.0.0.1:${port}`])
      for (let i = 0; i < 50 && healed.code !== 0; i++) healed = await runAsync(['health', '--listen', `127.0.0.1:${port}`])
      expect(healed.code).toBe(0)
    } finally {
      await proxy.close()
    }
  })
})
