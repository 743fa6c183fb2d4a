/**
 * The built CLI when the database fails under it: PostgreSQL cut away while
 * `watch` applies (alive, then exit 0 on SIGTERM) and while a one-shot `sync`
 * runs (exit 1, one line); a SQLite path under /proc, /sys or /dev, and a
 * read-only SQLite database (exit 1, one line saying what to do).
 *
 * STATEBRIDGE_TEST_CLI runs another build (to show a test failing on old code).
 */
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CLI as BUILT_CLI, cleanEnv, waitFor } from '../helpers/cli.js'
import { freshDump } from '../helpers/daemon.js'
import { canonicalDump, dumpPostgres } from '../helpers/dump.js'
import { PG_URL, postgresAvailable, schemaRows, testSchemas } from '../helpers/postgres.js'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'
import { cleanup, sampleTree, tempDir, writeTree } from '../helpers/tree.js'

const CLI = process.env.STATEBRIDGE_TEST_CLI ?? BUILT_CLI
const pgAvailable = await postgresAvailable()
const schemas = testSchemas()
let dir: string
let proxy: TcpProxy | null = null

beforeEach(() => {
  dir = tempDir()
})
afterEach(async () => {
  await proxy?.close()
  proxy = null
  cleanup(dir)
})
afterAll(() => schemas.dropAll())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Run the CLI to completion (as `uid` when given), with a generous ceiling instead of a speed assertion. */
function runCli(args: string[], options: { uid?: number } = {}): Run {
  const ids = options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }
  const result = spawnSync(process.execPath, [CLI, ...args], { env: cleanEnv(), encoding: 'utf8', timeout: 60_000, ...ids })
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr }
}

/** Start the CLI in the background; resolves its exit with everything it printed. */
function startCli(args: string[]): { lines: string[]; kill(signal: NodeJS.Signals): void; exited: Promise<Run> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8')
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean))
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8')
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean))
  })
  const exited = new Promise<Run>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })))
  return { lines, kill: (signal) => child.kill(signal), exited }
}

/** stderr lines that are not the JSON log: what a person reads. */
function plainLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line !== '' && !line.startsWith('{'))
}

/** Exactly one plain line, matching `pattern`, and no stack trace anywhere. */
function expectOneLine(run: Run, pattern: RegExp): void {
  expect(run.signal, 'timed out or killed').toBeNull()
  expect(plainLines(run.stderr), run.stderr).toHaveLength(1)
  expect(plainLines(run.stderr)[0]).toMatch(pattern)
  expect(run.stderr).not.toMatch(/^\s+at /m)
  expect(run.stderr).not.toMatch(/Unhandled|uncaught/i)
}

function bigTree(sessions: number, filesPerSession: number, version = 0): Record<string, string> {
  const files: Record<string, string> = {}
  for (let s = 0; s < sessions; s++) {
    for (let f = 0; f < filesPerSession; f++) {
      const rows = Array.from({ length: 60 }, (_, i) => `| F${i} | **$${i + version}M** | ${i % 2 ? 'done' : 'pending'} | note ${f} |`).join('\n')
      const tables = Array.from({ length: 4 }, (_, t) => `## Part ${t}\n\n| Fact | Value | Status | Notes |\n|---|---|---|---|\n${rows}\n`).join('\n')
      files[`2026-04-0${(s % 9) + 1}-17750${s}0000/specialist-reports/report-${f}.md`] = `# Report ${f} v${version}\n\n${tables}`
    }
  }
  return files
}

/** A fresh schema reached through a new proxy (closed after the test). */
async function proxiedUrl(): Promise<{ url: string; link: TcpProxy }> {
  const link = await startTcpProxy('127.0.0.1', Number(new URL(PG_URL).port || 5432))
  proxy = link
  const url = new URL(PG_URL)
  url.port = String(link.port)
  return { url: url.toString(), link }
}

describe.skipIf(!pgAvailable)('the CLI when PostgreSQL is cut away', () => {
  it('watch stays alive through cuts while files are applied, converges, and exits 0 on SIGTERM', { timeout: 240_000 }, async () => {
    const { url, link } = await proxiedUrl()
    const schema = schemas.fresh('cliwatch')
    const root = path.join(dir, 'reports')
    writeTree(root, sampleTree())
    const watch = startCli(['watch', root, '--db', url, '--schema', schema, '--instance', 'cli-cut', '--workers', '1', '--debounce-ms', '20',
      '--retry-base-ms', '100', '--retry-max-ms', '800'])
    await waitFor(() => watch.lines.some((l) => l.includes('"watching"')), 60_000, 'watching')

    // Big files rewritten all the time, so the cuts find transactions in flight.
    let stopped = false
    const writer = (async () => {
      for (let version = 1; !stopped; version++) {
        writeTree(root, bigTree(2, 3, version))
        await sleep(30)
      }
    })()
    for (const length of [50, 2_000, 10, 300, 3_000]) {
      await sleep(200 + Math.random() * 300)
      link.cut()
      await sleep(length)
      link.restore()
    }
    stopped = true
    await writer

    const alive = await Promise.race([watch.exited.then(() => false), sleep(0).then(() => true)])
    expect(alive, watch.lines.slice(-20).join('\n')).toBe(true)
    // Converged: the daemon's rows equal a fresh sync of the tree.
    const expected = JSON.stringify(canonicalDump(await freshDump(root, dir)))
    await waitFor(
      async () => JSON.stringify(canonicalDump(await dumpPostgres({ url: PG_URL, schema }))) === expected,
      90_000,
      'the rows of a fresh sync',
    )
    watch.kill('SIGTERM')
    const run = await watch.exited
    expect(run.code, watch.lines.slice(-20).join('\n')).toBe(0)
    expect(run.stdout + run.stderr).not.toMatch(/Unhandled 'error' event|^\s+at /m)
    expect(watch.lines.some((l) => l.includes('database unavailable'))).toBe(true)
  })

  // Cut at the start (loading what is known, listing and creating sessions), at the first apply, and further on.
  it.each([
    ['right after the database opened', 'open'],
    ['at the first applied file', 1],
    ['after some files', 40],
  ] as const)('a sync cut %s exits 1 with the one-line reason, no stack trace', { timeout: 180_000 }, async (_, when) => {
    const { url, link } = await proxiedUrl()
    const schema = schemas.fresh('clisync')
    const root = path.join(dir, 'reports')
    // Large enough that the sync is still applying when the cut comes.
    writeTree(root, bigTree(8, 25))
    const sync = startCli(['sync', root, '--db', url, '--schema', schema, '--workers', '1', '--log-level', 'debug'])
    const documents = async () => {
      const [row] = await schemaRows(schema, "SELECT to_regclass('documents') IS NOT NULL AS ready")
      if (!row?.ready) return 0
      return Number((await schemaRows(schema, 'SELECT count(*) AS n FROM documents'))[0]!.n)
    }
    if (when === 'open') await waitFor(() => sync.lines.some((l) => l.includes('"database open"')), 60_000, 'the database open')
    else await waitFor(async () => (await documents()) >= when, 60_000, `${when} applied files`)
    link.cut()
    const run = await sync.exited
    expect(run.code, run.stderr).toBe(1)
    expectOneLine(run, /^statebridge: the database went away during the sync \(.+\): (\d+ files? (was|were) not applied|no file was applied); run sync again$/)
    expect(await documents()).toBeLessThan(200)
  })
})

describe('the CLI with a SQLite path it cannot use', () => {
  it.each(['/proc/x/y.db', '/proc/self/y.db', '/sys/x/y.db', '/dev/x/y.db'])('refuses --db %s at once with one line', (db) => {
    const root = path.join(dir, 'reports')
    writeTree(root, sampleTree())
    const run = runCli(['sync', root, '--db', `sqlite:${db}`])
    expect(run.code, run.stderr).toBe(1)
    expectOneLine(run, new RegExp(`^statebridge: cannot use ${db} as the SQLite database: it is under /(proc|sys|dev), a kernel file system`))
  })

  it('refuses a path that reaches /proc through a symlink', () => {
    const root = path.join(dir, 'reports')
    writeTree(root, sampleTree())
    fs.symlinkSync('/proc/self', path.join(dir, 'link'))
    const run = runCli(['sync', root, '--db', path.join(dir, 'link', 'x', 'y.db')])
    expect(run.code, run.stderr).toBe(1)
    expectOneLine(run, /^statebridge: cannot use .* it is under \/proc/)
  })
})

// Root writes through any permission: the read-only cases run the CLI as `nobody` then.
const asUser = process.getuid?.() === 0 ? { uid: 65534 } : {}

describe('the CLI with a read-only SQLite database', () => {
  /**
   * A database synced from a sample tree, then made read-only (with its
   * directory too unless `directoryWritable`); the tree then gains `change`.
   */
  function readOnlyDatabase(change: Record<string, string>, directoryWritable: boolean): { root: string; db: string } {
    const root = path.join(dir, 'reports')
    const dbDir = path.join(dir, 'db')
    const db = path.join(dbDir, 'statebridge.db')
    writeTree(root, sampleTree())
    const first = runCli(['sync', root, '--db', `sqlite:${db}`])
    expect(first.code, first.stderr).toBe(0)
    writeTree(root, change)
    // Readable by the user that runs the CLI, and the database writable by nobody.
    fs.chmodSync(dir, 0o755)
    for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
      fs.chmodSync(path.join(entry.parentPath, entry.name), entry.isDirectory() ? 0o755 : 0o644)
    }
    fs.chmodSync(root, 0o755)
    for (const name of fs.readdirSync(dbDir)) fs.chmodSync(path.join(dbDir, name), 0o444)
    // A writable directory lets SQLite open the file read-only (its -wal and -shm can be made): the writes fail later.
    fs.chmodSync(dbDir, directoryWritable ? 0o777 : 0o555)
    return { root, db }
  }
  afterEach(() => {
    // Let cleanup remove what was made read-only.
    if (fs.existsSync(path.join(dir, 'db'))) fs.chmodSync(path.join(dir, 'db'), 0o755)
  })

  const NEW_SESSION = { '2026-06-01-1780272000/new.md': '| a |\n|---|\n| 1 |\n' }
  const CHANGED_FILE = { '2026-02-03-1770076800/specialist-reports/tax-report.md': '# Tax\n\nChanged.\n' }
  const WHAT_TO_DO = /the SQLite database .* cannot be written \(SQLITE_READONLY\w*: .*\): .*read-only.*; make them writable, or point --db at a writable path/

  it('says so at the start when its directory is read-only too', () => {
    const { root, db } = readOnlyDatabase(NEW_SESSION, false)
    const run = runCli(['sync', root, '--db', `sqlite:${db}`], asUser)
    expect(run.code, run.stderr).toBe(1)
    expectOneLine(run, new RegExp(`^statebridge: ${WHAT_TO_DO.source}$`))
  })

  it('says it is read-only, not that it went away, when a new session must be created', () => {
    const { root, db } = readOnlyDatabase(NEW_SESSION, true)
    const run = runCli(['sync', root, '--db', `sqlite:${db}`], asUser)
    expect(run.code, run.stderr).toBe(1)
    expectOneLine(run, new RegExp(`^statebridge: the database refused the sync: ${WHAT_TO_DO.source}; no file was applied; fix that, then run sync again$`))
    expect(run.stderr).not.toMatch(/went away/)
  })

  it('says it is read-only, not that it went away, when a changed file cannot be applied', () => {
    const { root, db } = readOnlyDatabase(CHANGED_FILE, true)
    const run = runCli(['sync', root, '--db', `sqlite:${db}`], asUser)
    expect(run.code, run.stderr).toBe(1)
    // The changed file at least; files still being verified when the database refused count too.
    expectOneLine(
      run,
      new RegExp(`^statebridge: the database refused the sync: ${WHAT_TO_DO.source}; (1 file was|\\d+ files were) not applied; fix that, then run sync again$`),
    )
    expect(run.stderr).not.toMatch(/went away/)
  })
})
