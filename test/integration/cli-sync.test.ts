/**
 * `statebridge sync` and `status` end to end, through the built CLI.
 */
import { execSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { PARSER_VERSION } from '../../src/parsers/version.js'
import { CLI, runCli } from '../helpers/cli.js'
import { PG_URL, postgresAvailable, schemaRows, testSchemas } from '../helpers/postgres.js'
import { dumpSqlite } from '../helpers/dump.js'
import { cleanup, sampleTree, tempDir, writeTree } from '../helpers/tree.js'

const pgAvailable = await postgresAvailable()
const schemas = testSchemas()

let dir: string
let root: string
let db: string

beforeEach(() => {
  dir = tempDir()
  root = path.join(dir, 'reports')
  db = path.join(dir, 'db', 'statebridge.db')
  writeTree(root, sampleTree())
})
afterEach(() => cleanup(dir))

function sync(...extra: string[]) {
  const result = runCli(['sync', root, '--json', '--db', `sqlite:${db}`, ...extra])
  const line = result.stdout.trim().split('\n').pop() ?? ''
  return { ...result, summary: line.startsWith('{') ? (JSON.parse(line) as Record<string, number>) : null }
}

describe('statebridge sync', () => {
  it('registers every file, captures tables, reports the invalid JSON, and exits 0', () => {
    const first = sync()
    expect(first.code).toBe(0)
    expect(first.summary).toMatchObject({ files_seen: 9, files_applied: 8, files_failed: 1, files_unchanged: 0, files_removed: 0 })
    expect(first.summary!.duration_ms).toBeGreaterThanOrEqual(0)

    const dump = dumpSqlite(db)
    const realRoot = fs.realpathSync(root)
    expect(dump.sessions).toEqual([
      { root: realRoot, session_id: '2026-02-03-1770076800', created_at: '2026-02-03T00:00:00.000Z' },
      { root: realRoot, session_id: '2026-02-04-1770163200', created_at: '2026-02-04T00:00:00.000Z' },
      { root: realRoot, session_id: 'empty-session', created_at: null },
    ])
    expect(dump.documents.map((d) => [d.path, d.document_type, d.status])).toEqual([
      ['2026-02-03-1770076800/assemble.sh', 'script', 'ok'],
      ['2026-02-03-1770076800/orchestrator-state.md', 'orchestrator_state', 'ok'],
      ['2026-02-03-1770076800/review-outputs/fact-registry.md', 'fact_registry', 'ok'],
      ['2026-02-03-1770076800/specialist-reports/tax-report.md', 'specialist_report', 'ok'],
      ['2026-02-03-1770076800/synthesis-state.json', 'state_file', 'ok'],
      ['2026-02-04-1770163200/broken-state.json', 'state_file', 'error'],
      ['2026-02-04-1770163200/research-plan.md', 'research_plan', 'ok'],
      ['README.md', 'other', 'ok'],
      ['empty-session/notes.txt', 'other', 'ok'],
    ])
    const broken = dump.documents.find((d) => d.path === '2026-02-04-1770163200/broken-state.json')!
    expect(broken.error).toMatch(/^line 2, column 12: invalid JSON/)
    expect(broken.error_line).toBe(2)
    expect(first.stderr).toContain('2026-02-04-1770163200/broken-state.json: line 2')

    const synthesis = dump.documents.find((d) => String(d.path).endsWith('synthesis-state.json'))!
    expect(JSON.parse(String(synthesis.json))).toEqual({ current_phase: 'section-writing', status: 'in_progress' })
    const tax = dump.documents.find((d) => String(d.path).endsWith('tax-report.md'))!
    expect(tax).toMatchObject({ footnote_count: 1, table_count: 0 })
    expect(tax.word_count).toBeGreaterThan(4)

    const state = dump.tables.filter((t) => String(t.path).endsWith('orchestrator-state.md'))
    expect(state.map((t) => JSON.parse(String(t.heading_path)))).toEqual([
      ['ORCHESTRATOR STATE', 'DEAL_METADATA'],
      ['ORCHESTRATOR STATE', 'SESSION_METRICS'],
    ])
    const metrics = dump.rows.filter((r) => String(r.path).endsWith('orchestrator-state.md') && r.ordinal === 1)
    expect(metrics.map((r) => JSON.parse(String(r.cells)).Status)).toEqual(['✅ COMPLETE', '⏳ PENDING'])
    expect(metrics.map((r) => r.line)).toEqual([15, 16])
  })

  it('applies nothing on an immediate second run and picks up what changed while it was not running', () => {
    sync()
    const second = sync()
    expect(second.summary).toMatchObject({ files_seen: 9, files_applied: 0, files_unchanged: 9, files_removed: 0, files_failed: 0 })

    fs.rmSync(path.join(root, 'README.md'))
    fs.rmSync(path.join(root, '2026-02-04-1770163200'), { recursive: true })
    fs.appendFileSync(path.join(root, '2026-02-03-1770076800/review-outputs/fact-registry.md'), '| Closing | 2026-09-30 | T2 |\n')
    writeTree(root, { 'new-session/x.md': '| a |\n|---|\n| 1 |\n' })
    const third = sync()
    expect(third.summary).toMatchObject({ files_applied: 2, files_removed: 3, files_failed: 0 })
    const dump = dumpSqlite(db)
    expect(dump.sessions.map((s) => s.session_id)).toEqual(['2026-02-03-1770076800', 'empty-session', 'new-session'])
    expect(dump.documents.some((d) => String(d.path).startsWith('2026-02-04'))).toBe(false)
    expect(dump.rows.filter((r) => String(r.path).endsWith('fact-registry.md'))).toHaveLength(2)
  })

  it('keeps no revision with --no-history or STATEBRIDGE_NO_HISTORY, the same rows as with history', () => {
    const revisions = (): number => {
      const handle = new Database(db, { readonly: true })
      try {
        return (handle.prepare('SELECT count(*) AS n FROM file_revisions').get() as { n: number }).n
      } finally {
        handle.close()
      }
    }
    const withHistory = path.join(dir, 'with-history.db')
    expect(runCli(['sync', root, '--json', '--db', `sqlite:${withHistory}`]).code).toBe(0)

    expect(sync('--no-history').summary).toMatchObject({ files_applied: 8, files_failed: 1 })
    expect(revisions()).toBe(0)
    expect(dumpSqlite(db)).toEqual(dumpSqlite(withHistory))

    fs.appendFileSync(path.join(root, '2026-02-03-1770076800/review-outputs/fact-registry.md'), '| Closing | 2026-09-30 | T2 |\n')
    const variable = runCli(['sync', root, '--json', '--db', `sqlite:${db}`], { STATEBRIDGE_NO_HISTORY: '1' })
    expect(variable.code).toBe(0)
    expect(revisions()).toBe(0)

    fs.appendFileSync(path.join(root, '2026-02-03-1770076800/review-outputs/fact-registry.md'), '| Signing | 2026-10-01 | T3 |\n')
    expect(sync().summary).toMatchObject({ files_applied: 1 })
    expect(revisions()).toBe(1)
  })

  it('reads again, once, every file an older parser version read, even when it trusts sizes and mtimes', () => {
    expect(sync().code).toBe(0)
    const registry = '2026-02-03-1770076800/review-outputs/fact-registry.md'
    const handle = new Database(db)
    const facts = (): number => (handle.prepare('SELECT count(*) AS n FROM fact_registry').get() as { n: number }).n
    const stored = facts()
    expect(stored).toBeGreaterThan(0)
    // What an upgrade finds: a row an older version wrote, without what this version reads.
    handle.prepare('UPDATE documents SET parser_version = 1 WHERE path = ?').run(registry)
    handle.prepare('DELETE FROM fact_registry').run()

    const again = sync('--trust-stat')
    expect(again.summary).toMatchObject({ files_applied: 1, files_failed: 0 })
    expect(facts()).toBe(stored)
    const versions = handle.prepare('SELECT DISTINCT parser_version AS v FROM documents').all() as Array<{ v: number }>
    expect(versions).toEqual([{ v: PARSER_VERSION }])
    // A newer version's rows are never read again by this one.
    handle.prepare('UPDATE documents SET parser_version = ? WHERE path = ?').run(PARSER_VERSION + 1, registry)
    expect(sync().summary).toMatchObject({ files_applied: 0 })
    handle.close()
  })

  it.skipIf(!pgAvailable)('reads again what an older parser version read on PostgreSQL too', async () => {
    const schema = schemas.fresh('reparse')
    const pgSync = (...extra: string[]) => {
      const result = runCli(['sync', root, '--json', '--db', PG_URL, '--schema', schema, ...extra])
      return JSON.parse(result.stdout.trim().split('\n').pop() ?? 'null') as Record<string, number>
    }
    try {
      expect(pgSync()).toMatchObject({ files_failed: 1 })
      await schemaRows(schema, "UPDATE documents SET parser_version = 1 WHERE path LIKE '%fact-registry.md'")
      await schemaRows(schema, 'DELETE FROM fact_registry')
      expect(pgSync('--trust-stat')).toMatchObject({ files_applied: 1 })
      expect(Number((await schemaRows(schema, 'SELECT count(*) AS n FROM fact_registry'))[0]!.n)).toBeGreaterThan(0)
      expect(pgSync()).toMatchObject({ files_applied: 0 })
    } finally {
      await schemas.dropAll()
    }
  })

  it('ignores editor, temp and dot files', () => {
    writeTree(root, {
      '2026-02-03-1770076800/.orchestrator-state.md.swp': 'x',
      '2026-02-03-1770076800/notes.md~': 'x',
      '2026-02-03-1770076800/plan.md.tmp': 'x',
      '2026-02-03-1770076800/.#lock': 'x',
      '.git/config': 'x',
    })
    expect(sync().summary).toMatchObject({ files_seen: 9 })
    expect(dumpSqlite(db).sessions.map((s) => s.session_id)).not.toContain('.git')
  })

  it('records bad input as errors, keeps going, and keeps the last good rows', () => {
    sync()
    const outside = path.join(dir, 'outside.md')
    fs.writeFileSync(outside, '| secret |\n|---|\n| x |\n')
    fs.symlinkSync(outside, path.join(root, '2026-02-03-1770076800/escape.md'))
    fs.symlinkSync('review-outputs/fact-registry.md', path.join(root, '2026-02-03-1770076800/alias.md'))
    writeTree(root, {
      '2026-02-03-1770076800/binary.md': Buffer.from([0x23, 0x20, 0x00, 0x01, 0x02]),
      '2026-02-03-1770076800/latin1.md': Buffer.from('caf\xe9\n', 'latin1'),
      '2026-02-03-1770076800/huge.md': `| a |\n|---|\n${'| x |\n'.repeat(400)}`,
      // The good orchestrator state becomes a half-written file.
      '2026-02-03-1770076800/orchestrator-state.md': '# ORCHESTRATOR STATE\n\n| Field | Value |\n|---|---|\n| Matter Name',
    })
    const result = sync('--max-file-bytes', '1000')
    expect(result.code).toBe(0)
    expect(result.summary).toMatchObject({ files_failed: 5, files_applied: 1 })

    const docs = new Map(dumpSqlite(db).documents.map((d) => [String(d.path).replace('2026-02-03-1770076800/', ''), d]))
    expect(docs.get('escape.md')).toMatchObject({ status: 'error' })
    expect(String(docs.get('escape.md')!.error)).toContain('symlink leaves the root')
    expect(docs.get('alias.md')).toMatchObject({ status: 'ok', table_count: 1 })
    expect(String(docs.get('binary.md')!.error)).toMatch(/binary content/)
    expect(String(docs.get('latin1.md')!.error)).toMatch(/^line 1, column 4: invalid UTF-8/)
    expect(String(docs.get('huge.md')!.error)).toMatch(/over the 1000-byte limit/)
    const state = docs.get('orchestrator-state.md')!
    expect(state.status).toBe('error')
    expect(String(state.error)).toMatch(/^line 5, column 1: table truncated/)
    // The last good parse (two tables, four rows) is still there.
    const dump = dumpSqlite(db)
    expect(dump.tables.filter((t) => String(t.path).endsWith('/orchestrator-state.md'))).toHaveLength(2)
    expect(dump.rows.filter((r) => String(r.path).endsWith('/orchestrator-state.md'))).toHaveLength(5)
    expect(fs.readFileSync(outside, 'utf8')).toContain('secret')
    expect(dump.rows.some((r) => String(r.cells).includes('secret'))).toBe(false)

    // Finishing the write repairs the file.
    fs.appendFileSync(path.join(root, '2026-02-03-1770076800/orchestrator-state.md'), ' | Kestrel |\n')
    sync('--max-file-bytes', '1000')
    const repaired = dumpSqlite(db).documents.find((d) => String(d.path).endsWith('/orchestrator-state.md'))!
    expect(repaired).toMatchObject({ status: 'ok', error: null, table_count: 1 })
  })

  it('registers a FIFO as an error instead of blocking on it', () => {
    const fifo = path.join(root, '2026-02-03-1770076800/pipe.md')
    const made = runShell(`mkfifo ${JSON.stringify(fifo)}`)
    if (!made) return
    const result = sync()
    expect(result.code).toBe(0)
    const doc = dumpSqlite(db).documents.find((d) => String(d.path).endsWith('pipe.md'))!
    expect(doc).toMatchObject({ status: 'error', error: 'not a regular file' })
  })

  it('fails fast with a one-line reason on bad flags and an unusable database', () => {
    const badFlag = runCli(['sync', root, '--debounce', '5'])
    expect(badFlag.code).toBe(2)
    expect(badFlag.stderr.trim().split('\n')).toHaveLength(1)
    expect(badFlag.stderr).toMatch(/^statebridge: Unknown option '--debounce'/)

    const badEnv = runCli(['sync', root], { LOG_LEVEL: 'loud' })
    expect(badEnv).toMatchObject({ code: 2, stderr: 'statebridge: LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, not loud\n' })
    const badValue = runCli(['sync', root, '--workers', 'two'])
    expect(badValue).toMatchObject({ code: 2, stderr: 'statebridge: --workers must be a whole number, not "two"\n' })

    fs.writeFileSync(path.join(dir, 'not-a-dir'), '')
    const badDb = runCli(['sync', root, '--db', `sqlite:${path.join(dir, 'not-a-dir', 'x.db')}`])
    expect(badDb.code).toBe(1)
    expect(badDb.stderr).toMatch(/^statebridge: cannot open SQLite database/)

    const noRoot = runCli(['sync', path.join(dir, 'missing'), '--db', `sqlite:${db}`])
    expect(noRoot.code).toBe(1)
    expect(noRoot.stderr).toMatch(/^statebridge: reports directory .* is not usable/)
  })

  it('takes the database from the upstream environment variables, flags winning', () => {
    const envDb = path.join(dir, 'env.db')
    const viaEnv = runCli(['sync', root, '--json'], { SESSION_STORAGE_TYPE: 'sqlite', SESSION_DB_PATH: envDb })
    expect(viaEnv.code).toBe(0)
    expect(fs.existsSync(envDb)).toBe(true)
    const viaFlag = runCli(['sync', root, '--json', '--db', db], { SESSION_DB_PATH: envDb })
    expect(viaFlag.code).toBe(0)
    expect(dumpSqlite(db).documents).toHaveLength(9)
  })

  it('show prints one session from the database: deal, phases, pending specialists, synthesis position', () => {
    sync()
    const text = runCli(['show', '2026-02-03-1770076800', '--db', `sqlite:${db}`])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('matter: Project Kestrel')
    expect(text.stdout).toContain('deal value: $1,200M ($1.2B)')
    expect(text.stdout).toMatch(/specialist-research\s+pending/)
    expect(text.stdout).toMatch(/synthesis: phase section-writing, status in_progress/)
    const [detail] = JSON.parse(runCli(['show', '2026-02-03-1770076800', '--json', '--db', `sqlite:${db}`]).stdout)
    expect(detail).toMatchObject({ sessionId: '2026-02-03-1770076800', deal: { matter_name: 'Project Kestrel', deal_value: 1.2e9 } })
    expect(detail.factCount).toBe(1)
    const plan = JSON.parse(runCli(['show', '2026-02-04-1770163200', '--json', '--db', `sqlite:${db}`]).stdout)[0]
    expect(plan.status).toBe('degraded')
    expect(plan.statusReason).toContain('2026-02-04-1770163200/broken-state.json line 2')
    const missing = runCli(['show', 'nope', '--db', `sqlite:${db}`])
    expect(missing).toMatchObject({ code: 1, stderr: 'statebridge: no session "nope" in the database\n' })
  })

  it('status summarises the database', () => {
    sync()
    const text = runCli(['status', '--db', `sqlite:${db}`])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('sessions: 3')
    expect(text.stdout).toContain('documents: 8 ok, 1 error')
    expect(text.stdout).toContain('2026-02-04-1770163200/broken-state.json: line 2')
    const json = JSON.parse(runCli(['status', '--json', '--db', `sqlite:${db}`]).stdout)
    expect(json).toMatchObject({ sessions: 3, documents: { ok: 8, error: 1 }, tables: 4, tableRows: 7 })
  })

  it('--version prints the package version; a flag a command ignores gets a note, not a refusal', () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(path.dirname(CLI), '../package.json'), 'utf8')) as { version: string }
    expect(runCli(['--version'])).toMatchObject({ code: 0, stdout: `statebridge ${pkg.version}\n`, stderr: '' })
    const status = runCli(['status', '--db', `sqlite:${path.join(dir, 'notes.db')}`, '--workers', '3'])
    expect(status.code).toBe(0)
    expect(status.stderr).toBe('statebridge: --workers has no effect on status (it applies to sync, watch, check, restore, render, import)\n')
    expect(runCli(['status', '--db', `sqlite:${path.join(dir, 'notes.db')}`, '--workers', 'x'])).toMatchObject({
      code: 2,
      stderr: 'statebridge: --workers must be a whole number, not "x"\n',
    })
  })
})

function runShell(command: string): boolean {
  try {
    execSync(command)
    return true
  } catch {
    return false
  }
}
