/**
 * `--transcripts <dir>` through the built CLI: the agent SDK's transcripts
 * directory is a second kind of root, synced beside the reports root. The
 * shipped examples give the usage and cost worked out by hand below, the same
 * in SQLite and PostgreSQL; a transcripts root keeps the reports root's
 * guarantees (no bytes from outside it).
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli, startCli, waitFor } from '../helpers/cli.js'
import { transcriptText } from '../../src/bench/transcript-lines.js'
import { PG_URL, postgresAvailable, testSchemas } from '../helpers/postgres.js'
import { cleanup, tempDir } from '../helpers/tree.js'

const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples')
const REPORTS = path.join(EXAMPLES, 'reports')
const TRANSCRIPTS = path.join(EXAMPLES, 'transcripts')
const SDK_SESSION = '9f2c4d1e-6a7b-4c8d-9e0f-1a2b3c4d5e6f'
const dir = tempDir()
const schemas = testSchemas()
afterAll(async () => {
  cleanup(dir)
  await schemas.dropAll()
})

/*
 * By hand, from examples/transcripts (prices per million tokens, pricing/models.json):
 * claude-sonnet-4-5 (3 / 15 / cache read 0.30 / cache write 3.75), four requests, the
 * first streamed on two lines and counted once: msg A 4 in, 410 out, 0 read, 18,000 written;
 * msg B 6, 95, 18,000, 1,200; msg D 9, 720, 9,000, 2,400; the sub-agent's msg R 12, 2,300, 0, 6,000.
 * Sums 31, 3,525, 27,000, 27,600: 31×3 + 3,525×15 + 27,000×0.3 + 27,600×3.75 = 164,568 → $0.164568.
 * claude-haiku-4-5 (1 / 5 / 0.10 / 1.25), one request: 3, 60, 19,200, 0: 3 + 300 + 1,920 = 2,223 → $0.002223.
 */
const EXPECTED_USAGE = [
  { model: 'claude-haiku-4-5-20251001', requests: 1, input_tokens: 3, output_tokens: 60, cache_read_tokens: 19_200, cache_creation_tokens: 0, cost_usd: 0.002223 },
  { model: 'claude-sonnet-4-5-20250929', requests: 4, input_tokens: 31, output_tokens: 3_525, cache_read_tokens: 27_000, cache_creation_tokens: 27_600, cost_usd: 0.164568 },
]

const USAGE_SQL = `SELECT model, requests, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, pricing_version
  FROM agent_model_usage WHERE sdk_session_id = '${SDK_SESSION}' ORDER BY model`
const SESSIONS_SQL = 'SELECT source, agent_id, session_id, lines FROM agent_sessions ORDER BY source, agent_id NULLS FIRST'
const LINKS_SQL = `SELECT report_session_id, evidence, occurrences FROM agent_session_report_links WHERE sdk_session_id = '${SDK_SESSION}' ORDER BY evidence`

function expectUsage(rows: Array<Record<string, unknown>>): void {
  expect(rows).toHaveLength(2)
  for (const [i, expected] of EXPECTED_USAGE.entries()) {
    const row = rows[i]!
    expect({ ...row, cost_usd: undefined, pricing_version: undefined }).toEqual({ ...expected, cost_usd: undefined, pricing_version: undefined })
    expect(Number(row.cost_usd)).toBeCloseTo(expected.cost_usd, 9)
    expect(row.pricing_version).toBe('anthropic-2026-11-30')
  }
}

const EXPECTED_SESSIONS = [
  { source: 'audit_log', agent_id: null, session_id: null, lines: 30 },
  { source: 'transcript', agent_id: null, session_id: null, lines: 12 },
  { source: 'transcript', agent_id: 'b71e40c2', session_id: null, lines: 3 },
]
const EXPECTED_LINKS = [
  { report_session_id: '2026-03-05-1772668800', evidence: 'prompt', occurrences: 2 },
  { report_session_id: '2026-03-05-1772668800', evidence: 'report_saved', occurrences: 7 },
  { report_session_id: '2026-03-05-1772668800', evidence: 'tool_write', occurrences: 3 },
]

describe('sync --transcripts', () => {
  it('mirrors the transcripts root beside the reports root, with the usage and cost worked out by hand (SQLite)', () => {
    const file = path.join(dir, 'examples.db')
    const result = runCli(['sync', REPORTS, '--transcripts', TRANSCRIPTS, '--json', '--db', `sqlite:${file}`])
    expect(result.code, result.stderr).toBe(0)
    // 21 report files and 2 transcripts; only the broken state file fails.
    expect(JSON.parse(result.stdout)).toMatchObject({ files_seen: 23, files_applied: 22, files_failed: 1 })
    const db = new Database(file, { readonly: true })
    try {
      expectUsage(db.prepare(USAGE_SQL).all() as Array<Record<string, unknown>>)
      expect(db.prepare(SESSIONS_SQL).all()).toEqual(EXPECTED_SESSIONS)
      expect(db.prepare(LINKS_SQL).all()).toEqual(EXPECTED_LINKS)
      // reports/sessions/ holds agent sessions: no report session of that name.
      expect(db.prepare("SELECT count(*) AS n FROM sessions WHERE session_id = 'sessions'").get()).toEqual({ n: 0 })
      // The transcripts root is a root of its own, whose folders are no report sessions.
      const roots = db.prepare("SELECT DISTINCT root, session_id FROM documents WHERE format = 'jsonl' ORDER BY root").all()
      expect(roots).toEqual([
        { root: fs.realpathSync(REPORTS), session_id: null },
        { root: fs.realpathSync(TRANSCRIPTS), session_id: null },
      ])
    } finally {
      db.close()
    }
    // Again: nothing changed, nothing applied.
    const again = runCli(['sync', REPORTS, '--transcripts', TRANSCRIPTS, '--json', '--db', `sqlite:${file}`])
    expect(JSON.parse(again.stdout)).toMatchObject({ files_seen: 23, files_applied: 0, files_unchanged: 23 })
  })

  it('gives the same rows in PostgreSQL, with the roots listed in STATEBRIDGE_TRANSCRIPTS', async () => {
    if (!(await postgresAvailable())) return
    const schema = schemas.fresh('transcripts')
    const result = runCli(['sync', REPORTS, '--json', '--db', PG_URL, '--schema', schema], { STATEBRIDGE_TRANSCRIPTS: `${TRANSCRIPTS}${path.delimiter}` })
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ files_seen: 23, files_applied: 22, files_failed: 1 })
    const client = new pg.Client({ connectionString: PG_URL })
    await client.connect()
    try {
      await client.query(`SET search_path TO ${schema}`)
      const usage = (await client.query(USAGE_SQL)).rows.map((row: Record<string, unknown>) => ({
        ...row,
        requests: Number(row.requests),
        input_tokens: Number(row.input_tokens),
        output_tokens: Number(row.output_tokens),
        cache_read_tokens: Number(row.cache_read_tokens),
        cache_creation_tokens: Number(row.cache_creation_tokens),
      }))
      expectUsage(usage)
      const sessions = (await client.query(SESSIONS_SQL)).rows.map((row: Record<string, unknown>) => ({ ...row, lines: Number(row.lines) }))
      expect(sessions).toEqual(EXPECTED_SESSIONS)
      const links = (await client.query(LINKS_SQL)).rows.map((row: Record<string, unknown>) => ({ ...row, occurrences: Number(row.occurrences) }))
      expect(links).toEqual(EXPECTED_LINKS)
    } finally {
      await client.end()
    }
  })

  it('stops before applying anything when a --transcripts directory is not usable, naming it', () => {
    const file = path.join(dir, 'missing.db')
    for (const command of ['sync', 'watch']) {
      const result = runCli([command, REPORTS, '--transcripts', path.join(dir, 'no-such-projects'), '--db', `sqlite:${file}`])
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(/transcripts directory .*no-such-projects \(--transcripts\) is not usable: ENOENT/)
    }
    // Checked before the reports root was synced: no database was even opened.
    expect(fs.existsSync(file)).toBe(false)
  })

  it('refuses a transcript that is a symlink leaving the transcripts root, keeping none of its bytes', () => {
    const root = path.join(dir, 'projects')
    const outside = path.join(dir, 'outside.jsonl')
    fs.mkdirSync(path.join(root, '-home-dev-other'), { recursive: true })
    fs.writeFileSync(outside, '{"type":"user","sessionId":"0d0d0d0d-0000-4000-8000-000000000000","message":{"role":"user","content":"secret"}}\n')
    fs.symlinkSync(outside, path.join(root, '-home-dev-other', '0d0d0d0d-0000-4000-8000-000000000000.jsonl'))
    const file = path.join(dir, 'symlink.db')
    const result = runCli(['sync', REPORTS, '--transcripts', root, '--json', '--db', `sqlite:${file}`])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('symlink leaves the root')
    const db = new Database(file, { readonly: true })
    try {
      expect(db.prepare("SELECT status FROM documents WHERE path LIKE '-home-dev-other/%'").all()).toEqual([{ status: 'error' }])
      expect(db.prepare("SELECT count(*) AS n FROM agent_messages WHERE sdk_session_id LIKE '0d0d0d0d%'").get()).toEqual({ n: 0 })
    } finally {
      db.close()
    }
  })

  it('watch follows a transcripts root: an appended line is read from where the last read stopped', async () => {
    const root = path.join(dir, 'watched')
    fs.cpSync(TRANSCRIPTS, root, { recursive: true })
    const transcript = path.join(root, '-home-dev-deal-room', `${SDK_SESSION}.jsonl`)
    const file = path.join(dir, 'watch.db')
    const watch = startCli(['watch', REPORTS, '--transcripts', root, '--db', `sqlite:${file}`, '--debounce-ms', '20', '--workers', '1', '--log-level', 'debug'])
    const messages = (): number => {
      if (!fs.existsSync(file)) return 0
      const db = new Database(file, { readonly: true })
      try {
        return (db.prepare('SELECT count(*) AS n FROM agent_messages').get() as { n: number }).n
      } catch {
        return 0
      } finally {
        db.close()
      }
    }
    try {
      await waitFor(() => watch.lines.filter((l) => l.includes('"watching"')).length === 2, 60_000, 'both roots watched')
      expect(messages()).toBe(15)
      const before = fs.statSync(transcript).size
      const logged = watch.lines.length
      fs.appendFileSync(transcript, transcriptText(SDK_SESSION, 500, 502))
      await waitFor(() => messages() === 17, 30_000, 'the two appended lines')
      // The log line follows the commit through a pipe: wait for it too, whichever way the file was read.
      const records = (): Array<Record<string, unknown>> =>
        watch.lines.slice(logged).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
      const isTranscript = (r: Record<string, unknown>): boolean => r.path === `-home-dev-deal-room/${SDK_SESSION}.jsonl`
      await waitFor(() => records().some((r) => isTranscript(r) && (r.msg === 'appended' || r.msg === 'applied')), 30_000, 'its log line')
      const read = records().filter((r) => isTranscript(r) && (r.msg === 'appended' || r.msg === 'applied'))
      expect(read).toEqual([expect.objectContaining({ msg: 'appended', from: before, lines: 14 })])
    } finally {
      watch.child.kill('SIGTERM')
      await new Promise((resolve) => watch.child.once('exit', resolve))
    }
  }, 90_000)
})
