/**
 * The built CLI against PostgreSQL: migrate, --no-migrate, credentials kept
 * out of the output, the change feed, SIGTERM, and a start before the
 * database is reachable.
 */
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { LATEST_VERSION, migrations } from '../../src/store/migrations.js'
import { createPool } from '../../src/store/postgres-connection.js'
import { runCli, startCli, waitFor } from '../helpers/cli.js'
import { PG_URL, postgresAvailable, schemaRows, testSchemas } from '../helpers/postgres.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { cleanup, sampleTree, tempDir, writeTree } from '../helpers/tree.js'

const available = await postgresAvailable()
const scratch = tempDir()
const schemas = testSchemas()

afterAll(async () => {
  await schemas.dropAll()
  cleanup(scratch)
})

function schema(label: string): string {
  return schemas.fresh(label)
}

function tree(label: string): string {
  const root = path.join(scratch, label)
  writeTree(root, sampleTree())
  return root
}

/** The test URL with a password added: trust auth ignores it, so it must simply never be printed. */
function urlWithPassword(password: string): string {
  const url = new URL(PG_URL)
  url.password = password
  return url.toString()
}

describe.skipIf(!available)('statebridge on PostgreSQL', () => {
  it('migrate creates the schema once; a second run has nothing to do', async () => {
    const name = schema('migrate')
    for (let run = 0; run < 2; run++) {
      const result = runCli(['migrate', '--db', PG_URL, '--schema', name])
      expect(result.code, result.stderr).toBe(0)
    }
    expect((await schemaRows(name, 'SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version)).toEqual(migrations.map((m) => m.version))
    expect(await schemaRows(name, "SELECT to_regclass('documents') IS NOT NULL AS ok")).toEqual([{ ok: true }])
  })

  it('--no-migrate refuses an unmigrated schema and names the fix', () => {
    const result = runCli(['sync', tree('nomigrate'), '--db', PG_URL, '--schema', schema('nomigrate'), '--no-migrate'])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(new RegExp(`at version 0, this statebridge needs ${LATEST_VERSION}.*statebridge migrate`))
  })

  it('syncs from DATABASE_URL, prints no password, and status reads it back', async () => {
    const name = schema('env')
    const secret = 's3cret-pw-9f2'
    const env = { SESSION_STORAGE_TYPE: 'postgres', DATABASE_URL: urlWithPassword(secret), STATEBRIDGE_SCHEMA: name, LOG_LEVEL: 'debug' }
    const result = runCli(['sync', tree('env'), '--json', '--instance', 'host-env'], env)
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout.trim().split('\n').pop()!)).toMatchObject({ files_seen: 9, files_applied: 8, files_failed: 1 })
    expect(result.stdout + result.stderr).not.toContain(secret)
    expect(result.stderr).toContain(`(schema ${name})`)
    const instances = await schemaRows(name, 'SELECT DISTINCT instance FROM documents')
    expect(instances).toEqual([{ instance: 'host-env' }])

    const status = runCli(['status', '--json'], env)
    expect(status.code, status.stderr).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({ sessions: 3, documents: { ok: 8, error: 1 }, lastRun: { mode: 'sync', instance: 'host-env' } })
  })

  it('keeps server options from the URL and PGOPTIONS, and still writes into --schema', async () => {
    const name = schema('options')
    const withOptions = `${PG_URL}?options=${encodeURIComponent('-c statement_timeout=4321 -c search_path=public')}`
    const pool = createPool({ url: withOptions, schema: name }, { max: 1, applicationName: 'statebridge test' })
    const previous = process.env.PGOPTIONS
    process.env.PGOPTIONS = '-c lock_timeout=1234'
    const envPool = createPool({ url: withOptions, schema: name }, { max: 1, applicationName: 'statebridge test' })
    if (previous === undefined) delete process.env.PGOPTIONS
    else process.env.PGOPTIONS = previous
    try {
      const setting = async (p: pg.Pool, name: string) => (await p.query(`SHOW ${name}`)).rows[0]![name]
      expect(await setting(pool, 'statement_timeout')).toBe('4321ms')
      expect(await setting(pool, 'search_path')).toBe(name)
      expect(await setting(envPool, 'lock_timeout')).toBe('1234ms')
      expect(await setting(envPool, 'statement_timeout')).toBe('4321ms')
    } finally {
      await pool.end()
      await envPool.end()
    }
    const result = runCli(['sync', tree('options'), '--db', withOptions, '--schema', name, '--json'])
    expect(result.code, result.stderr).toBe(0)
    expect(await schemaRows(name, 'SELECT count(*)::int AS n FROM documents')).toEqual([{ n: 9 }])
  })

  it('reports a missing database at once, without retrying', () => {
    const url = new URL(PG_URL)
    url.pathname = '/statebridge_no_such_database'
    const result = runCli(['watch', tree('missing'), '--db', url.toString()])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/statebridge_no_such_database.*does not exist; the database does not exist/)
    // A watch that retried would never exit; one that gave up after a retry would say so.
    expect(result.stderr).not.toMatch(/database unavailable: .*; retry \d+ in/)
  })

  it('announces every committed change on statebridge_changes, and SIGTERM exits 0', async () => {
    const name = schema('notify')
    const root = tree('notify')
    const listener = new pg.Client({ connectionString: PG_URL })
    // A LISTEN connection has an error handler for its whole life, like any other.
    listener.on('error', () => undefined)
    await listener.connect()
    const notices: Array<Record<string, unknown>> = []
    listener.on('notification', (n) => {
      const notice = JSON.parse(n.payload ?? '{}') as Record<string, unknown>
      if (notice.schema === name) notices.push(notice)
    })
    await listener.query('LISTEN statebridge_changes')
    const { child, lines } = startCli(['watch', root, '--db', PG_URL, '--schema', name, '--instance', 'host-n', '--debounce-ms', '20'])
    try {
      await waitFor(() => lines.some((l) => l.includes('"msg":"watching"')), 30_000, 'watching')
      await waitFor(() => notices.length >= 9, 10_000, 'notices of the initial sync')
      const realRoot = fs.realpathSync(root)
      expect(notices.find((n) => n.path === 'README.md')).toEqual({
        schema: name,
        root: realRoot,
        session: null,
        path: 'README.md',
        change: 'created',
        status: 'ok',
        instance: 'host-n',
        // The change log's sequence number, which the change feed resumes from.
        seq: expect.any(Number),
      })
      expect(notices.find((n) => n.path === '2026-02-04-1770163200/broken-state.json')).toMatchObject({ change: 'created', status: 'error' })

      notices.length = 0
      fs.appendFileSync(path.join(root, 'README.md'), '\nMore.\n')
      await waitFor(() => notices.some((n) => n.path === 'README.md'), 10_000, 'update notice')
      expect(notices.find((n) => n.path === 'README.md')).toMatchObject({ change: 'updated', status: 'ok', session: null })

      fs.rmSync(path.join(root, '2026-02-03-1770076800/assemble.sh'))
      await waitFor(() => notices.some((n) => n.change === 'removed'), 10_000, 'removal notice')
      expect(notices.find((n) => n.change === 'removed')).toMatchObject({
        session: '2026-02-03-1770076800',
        path: '2026-02-03-1770076800/assemble.sh',
        instance: 'host-n',
      })
    } finally {
      child.kill('SIGTERM')
      await listener.end()
    }
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    expect(code).toBe(0)
    expect(lines.some((l) => l.includes('shutting down'))).toBe(true)
  })

  it('watch started before the database is reachable waits for it, logging each retry', async () => {
    const proxy = await startTcpProxy('127.0.0.1', Number(new URL(PG_URL).port || 5432))
    proxy.cut()
    const url = new URL(PG_URL)
    url.port = String(proxy.port)
    const name = schema('late')
    const { child, lines } = startCli(['watch', tree('late'), '--db', url.toString(), '--schema', name, '--retry-base-ms', '100', '--retry-max-ms', '400'])
    try {
      await waitFor(() => lines.filter((l) => l.includes('retrying in')).length >= 3, 20_000, 'three retries')
      expect(child.exitCode).toBeNull()
      proxy.restore()
      await waitFor(() => lines.some((l) => l.includes('"msg":"watching"')), 30_000, 'watching')
      expect((await schemaRows(name, 'SELECT count(*)::int AS n FROM documents'))[0]!.n).toBe(9)
    } finally {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
      await proxy.close()
    }
  })

  it('SIGTERM during an outage exits 0 and says which changes wait for the next start', async () => {
    const proxy = await startTcpProxy('127.0.0.1', Number(new URL(PG_URL).port || 5432))
    const url = new URL(PG_URL)
    url.port = String(proxy.port)
    const root = tree('sigterm-outage')
    const { child, lines } = startCli(['watch', root, '--db', url.toString(), '--schema', schema('sigterm'), '--debounce-ms', '20', '--retry-base-ms', '100'])
    try {
      await waitFor(() => lines.some((l) => l.includes('"msg":"watching"')), 30_000, 'watching')
      proxy.cut()
      writeTree(root, { 'late.md': '| a |\n|---|\n| b |\n' })
      await waitFor(() => lines.some((l) => l.includes('retry 2 in')), 20_000, 'retries')
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
      const left = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.dirtyFiles !== undefined && String(r.msg).startsWith('stopping with'))
      expect(left).toMatchObject({ dirtyFiles: 1 })
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
      await proxy.close()
    }
  })
})
