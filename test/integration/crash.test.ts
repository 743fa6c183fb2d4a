/**
 * Process-level guarantees of the real CLI: kill -9 at any moment converges
 * after a restart; SIGTERM finishes the transaction in flight and exits 0.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli, startCli, waitFor } from '../helpers/cli.js'
import { freshDump } from '../helpers/daemon.js'
import { canonicalDump, dumpPostgres, dumpSqlite } from '../helpers/dump.js'
import { PG_URL, postgresAvailable, testSchemas } from '../helpers/postgres.js'
import { cleanup, tempDir, writeTree } from '../helpers/tree.js'

let dir: string
let root: string
let db: string

function bigTree(sessions: number, filesPerSession: number, version = 0): Record<string, string> {
  const files: Record<string, string> = {}
  for (let s = 0; s < sessions; s++) {
    for (let f = 0; f < filesPerSession; f++) {
      const rows = Array.from({ length: 60 }, (_, i) => `| F${i} | **$${i + version}M** | ${i % 2 ? '✅ COMPLETE' : '⏳ PENDING'} | note ${f} |`).join('\n')
      const tables = Array.from({ length: 4 }, (_, t) => `## Part ${t}\n\n| Fact | Value | Status | Notes |\n|---|---|---|---|\n${rows}\n`).join('\n')
      files[`2026-04-0${(s % 9) + 1}-17750${s}0000/specialist-reports/report-${f}.md`] = `# Report ${f} v${version}\n\n${tables}`
    }
  }
  return files
}

beforeEach(() => {
  dir = tempDir()
  root = path.join(dir, 'reports')
  db = path.join(dir, 'statebridge.db')
})
afterEach(() => cleanup(dir))

function integrity(file: string): string {
  const handle = new Database(file, { readonly: true })
  try {
    return String(handle.pragma('integrity_check', { simple: true }))
  } finally {
    handle.close()
  }
}

const pgAvailable = await postgresAvailable()
const schemas = testSchemas()
afterAll(() => schemas.dropAll())

/** Start `watch` on `db` and kill -9 it at several moments: during the initial sync, and while applying edits. */
async function killRepeatedly(dbArgs: string[], afterEachKill: () => void = () => undefined): Promise<void> {
  writeTree(root, bigTree(3, 8))
  const killDelays = [0, 150, 400, 900]
  for (const [round, delay] of killDelays.entries()) {
    // A kill during the start-up sync needs a start-up sync with work to do: the edits
    // of the round before may all have been applied before its kill.
    if (round > 0 && round % 2 === 0) writeTree(root, bigTree(3, 8, 100 + round))
    const { child, lines } = startCli(['watch', root, ...dbArgs, '--workers', '1', '--debounce-ms', '30'])
    if (round % 2 === 1) {
      await waitFor(() => lines.some((l) => l.includes('"watching"')), 60_000, 'watching')
      writeTree(root, bigTree(3, 8, round))
    } else {
      await waitFor(() => lines.some((l) => l.includes('"applied"')), 60_000, 'first apply')
    }
    await new Promise((resolve) => setTimeout(resolve, delay))
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))
    afterEachKill()
  }
}

describe('crash safety', () => {
  it.skipIf(!pgAvailable)('converges on PostgreSQL after kill -9 mid-transaction, once restarted', { timeout: 180_000 }, async () => {
    const schema = schemas.fresh('crash')
    const dbArgs = ['--db', PG_URL, '--schema', schema]
    // The server rolls back what a killed client left open; the restart's reconcile does the rest.
    await killRepeatedly(dbArgs)
    const restart = runCli(['sync', root, ...dbArgs, '--json'])
    expect(restart.code, restart.stderr).toBe(0)
    expect(canonicalDump(await dumpPostgres({ url: PG_URL, schema }))).toEqual(canonicalDump(await freshDump(root, dir)))
    expect(JSON.parse(runCli(['sync', root, ...dbArgs, '--json']).stdout).files_applied).toBe(0)
  })

  it('converges after kill -9 at several moments during initial sync and during edits', { timeout: 180_000 }, async () => {
    await killRepeatedly(['--db', `sqlite:${db}`], () => expect(integrity(db)).toBe('ok'))
    // Restart: the reconcile at start repairs whatever the kills interrupted.
    const restart = runCli(['sync', root, '--db', `sqlite:${db}`, '--json'])
    expect(restart.code).toBe(0)
    expect(dumpSqlite(db)).toEqual(await freshDump(root, dir))
    const again = JSON.parse(runCli(['sync', root, '--db', `sqlite:${db}`, '--json']).stdout)
    expect(again.files_applied).toBe(0)
  })

  it('SIGTERM lets the apply in flight finish, closes the database, and exits 0', { timeout: 60_000 }, async () => {
    writeTree(root, bigTree(1, 3))
    const { child, lines } = startCli(['watch', root, '--db', `sqlite:${db}`, '--debounce-ms', '20'])
    await waitFor(() => lines.some((l) => l.includes('"watching"')), 30_000, 'watching')
    writeTree(root, bigTree(1, 3, 7))
    await waitFor(() => lines.filter((l) => l.includes('"applied"')).length > 3, 30_000, 'an edit applied')
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(lines.some((l) => l.includes('"stopped"'))).toBe(true)
    // Closed cleanly: the WAL was checkpointed and removed.
    expect(fs.existsSync(`${db}-wal`)).toBe(false)
    expect(integrity(db)).toBe('ok')
    const resync = JSON.parse(runCli(['sync', root, '--db', `sqlite:${db}`, '--json']).stdout)
    expect(resync.files_failed).toBe(0)
    expect(dumpSqlite(db)).toEqual(await freshDump(root, dir))
  })
})
