/**
 * `statebridge show` and agent SDK sessions, through the built CLI on SQLite
 * and PostgreSQL: a report session lists the agent sessions that worked on
 * it (span, tokens, cost, evidence) and their sum; the id of an agent session
 * prints that session (files, prompt, counts, usage per model with cost and
 * pricing version, links, the latest events); --json gives the API's objects.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseTarget } from '../src/config.js'
import { silentLogger } from '../src/logger.js'
import { openStore } from '../src/store/open-store.js'
import { A, applyAgentFixture, AUDIT_A, B, C, R1, REPORTS, SUB_A, TRANSCRIPTS } from './helpers/agent-fixture.js'
import { runCli } from './helpers/cli.js'
import { PG_URL, postgresAvailable, testSchemas } from './helpers/postgres.js'
import { cleanup, tempDir } from './helpers/tree.js'

const available = await postgresAvailable()
const scratch = tempDir('statebridge-agent-show-')
const schemas = testSchemas()

afterAll(async () => {
  await schemas.dropAll()
  cleanup(scratch)
})

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.skipIf(dialect === 'postgres' && !available)(`show and agent sessions on ${dialect}`, () => {
    let db: string[]

    beforeAll(async () => {
      const target: DatabaseTarget =
        dialect === 'sqlite' ? { dialect, file: path.join(scratch, 'show.db') } : { dialect, url: PG_URL, schema: schemas.fresh('agentshow') }
      const store = await openStore(target, { logger: silentLogger() })
      await applyAgentFixture(store)
      await store.close()
      db = target.dialect === 'sqlite' ? ['--db', `sqlite:${target.file}`] : ['--db', PG_URL, '--schema', target.schema]
    })

    it('show <report session> lists the agent sessions that worked on it, newest first, and their sum', () => {
      const result = runCli(['show', R1, ...db])
      expect(result.code, result.stderr).toBe(0)
      const text = result.stdout
      expect(text).toContain(`session ${R1}`)
      expect(text).toContain(
        '  agent sessions (2): 59,508 tokens, 5 turns, $0.5158, 4 of 5 turns priced, 54 tool calls (3 failed), 4 sub-agents, 1 compactions, 1h 2m',
      )
      const [a, b] = text.split('\n').filter((line) => /^ {4}[0-9a-f]{8}-/.test(line))
      expect(a).toBe(
        `    ${A}  2026-03-10T09:00:00.000Z .. 2026-03-10T09:42:30.000Z (42m 30s)  55,768 tokens  $0.5158  stopped  (report_saved x2, tool_write x1)`,
      )
      expect(b).toBe(`    ${B}  2026-03-09T15:00:00.000Z .. 2026-03-09T15:20:00.000Z (20m 0s)  3,740 tokens  no cost  active  (prompt x1)`)
      // The JSON is the API's session object.
      const [detail] = JSON.parse(runCli(['show', R1, '--json', ...db]).stdout)
      expect(detail.agentSessions.map((s: { sdkSessionId: string }) => s.sdkSessionId)).toEqual([A, B])
      expect(detail.agentUsage).toMatchObject({ sessions: 2, totalTokens: 59508, costUsd: 0.51575, pricedTurns: 4 })
    })

    it('show <sdk session id> prints the agent session: files, prompt, counts, usage per model, links, the latest events', () => {
      const result = runCli(['show', A, ...db])
      expect(result.code, result.stderr).toBe(0)
      const lines = result.stdout.trimEnd().split('\n')
      expect(lines.slice(0, 7)).toEqual([
        `agent session ${A}`,
        '  status: stopped',
        '  time: 2026-03-10T09:00:00.000Z .. 2026-03-10T09:42:30.000Z (42m 30s)',
        '  cwd: /srv/pipeline   version: 2.0.14',
        `  transcript: ${TRANSCRIPTS}/-srv-pipeline/${A}.jsonl`,
        '  prompt (812 chars): Run the legal research pipeline for Project Osprey: acquisition of Harbor Logistics',
        '  counts: 48 tool calls, 3 failed, 4 sub-agents, 1 compactions, 5 reports saved',
      ])
      expect(lines).toContain('  usage: 55,768 tokens (in 28 / out 2940 / cache read 29200 / created 23600), 4 turns, $0.5158')
      expect(lines.find((l) => l.includes('claude-opus-4-1-20250805'))).toMatch(/^ {4}claude-opus-4-1-20250805\s+2 turns\s+34,510 tokens\s+\$0\.4700\s+\(pricing 2025-10-01\)$/)
      expect(lines.find((l) => l.includes('claude-sonnet-4-5-20250929'))).toMatch(/\s+2 turns\s+21,258 tokens\s+\$0\.0457\s+\(pricing 2025-10-01\)$/)
      expect(lines).toContain(`    ${R1}    report_saved x2, tool_write x1  (2026-03-10T09:03:00.000Z .. 2026-03-10T09:30:00.000Z)`)
      expect(lines).toContain(`    audit_log  ${REPORTS}/${AUDIT_A}  8 lines  stopped`)
      expect(lines).toContain(`    transcript ${TRANSCRIPTS}/${SUB_A} (sub-agent 7c1e9a20)  96 lines  active`)
      // Every event, oldest first, since the session has fewer than the ten shown.
      const events = lines.slice(lines.indexOf('  events (8 of 8):') + 1)
      expect(events).toHaveLength(8)
      expect(events[0]).toBe('    2026-03-10T09:00:00.000Z  session_start')
      expect(events[5]).toBe('    2026-03-10T09:15:02.000Z  tool_failure     mcp__exa__web_search_exa failed: rate limited (30 s)')
      expect(events[7]).toBe('    2026-03-10T09:42:30.000Z  agent_stop')
    })

    it('show <sdk session id> --json gives the API answer; an unpriced session says so; an unknown id fails as before', () => {
      const json = runCli(['show', A, '--json', ...db])
      expect(json.code, json.stderr).toBe(0)
      const detail = JSON.parse(json.stdout)
      expect(detail).toMatchObject({ sdkSessionId: A, usage: { turns: 4 }, events: { total: 8, nextCursor: null } })
      expect(detail.events.items.map((e: { line: number }) => e.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
      const b = runCli(['show', B, ...db])
      expect(b.stdout).toContain('  usage: 3,740 tokens (in 40 / out 700 / cache read 0 / created 3000), 1 turns, no cost')
      expect(b.stdout).toMatch(/claude-experimental-x\s+1 turns\s+3,740 tokens\s+no cost\s+\(not priced\)/)
      expect(b.stdout).not.toContain('events (')
      const c = runCli(['show', C, ...db])
      expect(c.stdout).toContain('  usage: none recorded (no transcript usage lines)\n')
      expect(c.stdout).toContain('  events (2 of 2):')
      const unknown = '00000000-0000-4000-8000-000000000000'
      expect(runCli(['show', unknown, ...db])).toMatchObject({ code: 1, stderr: `statebridge: no session "${unknown}" in the database\n` })
      expect(runCli(['show', 'nope', ...db])).toMatchObject({ code: 1, stderr: 'statebridge: no session "nope" in the database\n' })
    })
  })
}
