/**
 * The HTTP API through the built CLI: `serve` on a database another process
 * filled, and `watch --listen` serving while it syncs. (Routes in depth: api.test.ts.)
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { CLI, cleanEnv, runCli, startCli, waitFor } from '../helpers/cli.js'
import { cleanup, sampleTree, tempDir, writeTree } from '../helpers/tree.js'

let dir: string
let root: string
let db: string
let children: Array<ReturnType<typeof startCli>['child']> = []

beforeEach(() => {
  dir = tempDir()
  root = path.join(dir, 'reports')
  db = path.join(dir, 'db.sqlite')
  writeTree(root, sampleTree())
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

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

function start(args: string[], env: Record<string, string> = {}) {
  const started = startCli(args, env)
  children.push(started.child)
  return started
}

async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { headers })
  return { status: response.status, body: await response.json() }
}

describe('the API from the command line', () => {
  it('serve answers from a database that sync filled, and stops on SIGTERM', { timeout: 60_000 }, async () => {
    expect(runCli(['sync', root, '--db', db]).code).toBe(0)
    const port = await freePort()
    const { child, lines } = start(['serve', '--db', db, '--listen', `127.0.0.1:${port}`])
    await waitFor(() => lines.some((l) => l.includes('API listening')), 30_000, 'listening')
    const list = await getJson(`http://127.0.0.1:${port}/api/v1/sessions`)
    expect(list.status).toBe(200)
    expect((list.body as { items: Array<{ sessionId: string }> }).items.map((s) => s.sessionId)).toContain('2026-02-03-1770076800')
    const alias = await getJson(`http://127.0.0.1:${port}/api/sessions/2026-02-03-1770076800`)
    expect(alias.status).toBe(200)
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })

  it('watch --listen answers /healthz and serves what it syncs, including later changes', { timeout: 60_000 }, async () => {
    const port = await freePort()
    const { lines } = start(['watch', root, '--db', db, '--listen', `127.0.0.1:${port}`, '--debounce-ms', '20'])
    await waitFor(() => lines.some((l) => l.includes('"watching"')), 30_000, 'watching')
    expect((await getJson(`http://127.0.0.1:${port}/healthz`)).body).toEqual({ status: 'ok' })
    writeTree(root, { '2026-05-01-1777593600/research-plan.md': '| Task | Specialist |\n|---|---|\n| T1 | tax |\n' })
    await waitFor(
      async () => (await getJson(`http://127.0.0.1:${port}/api/v1/sessions/2026-05-01-1777593600`)).status === 200,
      30_000,
      'the new session served',
    )
  })

  it('needs a token for any address but loopback, and then asks for it', { timeout: 60_000 }, async () => {
    expect(runCli(['sync', root, '--db', db]).code).toBe(0)
    const refused = runCli(['serve', '--db', db, '--listen', '0.0.0.0:0'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/refusing to serve the API on 0\.0\.0\.0 without a token/)
    const tokenFile = path.join(dir, 'token')
    fs.writeFileSync(tokenFile, 's3cret-token\n')
    const port = await freePort()
    const { lines } = start(['serve', '--db', db, '--listen', `127.0.0.1:${port}`], { STATEBRIDGE_API_TOKEN_FILE: tokenFile })
    await waitFor(() => lines.some((l) => l.includes('API listening')), 30_000, 'listening')
    expect((await getJson(`http://127.0.0.1:${port}/api/v1/sessions`)).status).toBe(401)
    expect((await getJson(`http://127.0.0.1:${port}/api/v1/sessions`, { authorization: 'Bearer s3cret-token' })).status).toBe(200)
    expect((await getJson(`http://127.0.0.1:${port}/healthz`)).status).toBe(200)
  })

  it('a watch without --listen never loads the HTTP server, the API routes or the metrics library', { timeout: 60_000 }, async () => {
    const trace = fileURLToPath(new URL('../helpers/module-trace.mjs', import.meta.url))
    const child = spawn(process.execPath, ['--import', trace, CLI, 'watch', root, '--db', db], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    children.push(child)
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')))
    await waitFor(() => out.includes('"watching"'), 30_000, 'watching')
    const loaded = err.split('\n').filter((line) => line.startsWith('LOAD '))
    expect(loaded.some((line) => line.includes('/dist/sync/watch.js'))).toBe(true)
    expect(loaded.filter((line) => /node:http$|\/dist\/serve\/|\/dist\/feed\/feed-routes|\/dist\/metrics\/|prom-client|\/redis\//.test(line))).toEqual([])
  })

  it('says what serve needs', () => {
    const noListen = runCli(['serve', '--db', db])
    expect(noListen.code).toBe(2)
    expect(noListen.stderr.trim()).toBe('statebridge: serve needs --listen <host:port>, such as --listen 127.0.0.1:8787')
    const bad = runCli(['serve', '--db', db, '--listen', 'localhost'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--listen must be host:port/)
  })
})
