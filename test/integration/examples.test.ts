/**
 * examples/reports is the README's first run: the built CLI syncs it (every
 * file seen, exactly the broken one failed), shows each session and checks it.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { CLI, cleanEnv, runCli } from '../helpers/cli.js'
import { cleanup, tempDir } from '../helpers/tree.js'

const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/reports')
const dir = tempDir()
const db = `sqlite:${path.join(dir, 'examples.db')}`
afterAll(() => cleanup(dir))

/** Every file of the tree, as sync sees it (no dotfiles in the examples). */
function countFiles(at: string): number {
  return fs.readdirSync(at, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? countFiles(path.join(at, e.name)) : 1), 0)
}

describe('examples/reports', () => {
  it('syncs: every file seen, only the broken state file failed', () => {
    const result = runCli(['sync', EXAMPLES, '--json', '--db', db])
    expect(result.code, result.stderr).toBe(0)
    const files = countFiles(EXAMPLES)
    expect(JSON.parse(result.stdout)).toMatchObject({ files_seen: files, files_applied: files - 1, files_failed: 1, files_removed: 0 })
    expect(result.stderr).toContain('2026-03-09-1773014400/synthesis-state.json: line 5, column 1: invalid JSON')
  })

  it.each([
    ['2026-03-02-1772409600', ['matter: Project Wrenfield', /research-planning\s+in_progress/, /pending specialists \(4\)/, /T1\s+environmental-analyst\s+pending/]],
    ['2026-03-05-1772668800', ['matter: Project Tallis', /synthesis: phase PHASE_4_ASSEMBLY, status in_progress, last step 4\.2/, 'next action: Append section IV.C', /usage: 303,050 tokens.*38 turns, \$1\.31/]],
    ['2026-02-16-1771200000', ['status: complete: QA certificate 2026-02-16-1771200000/qa-outputs/final-qa-certificate.md', 'matter: Project Ostrander', /assembly-qa\s+complete/, /certification\s+92%\s+CERTIFIED/, 'remediation tasks: 2 listed, 2 done (2 by output)']],
    [
      '2026-03-09-1773014400',
      [
        'status: degraded: no completion evidence; state file in error: 2026-03-09-1773014400/synthesis-state.json line 5, column 1: invalid JSON',
        'matter: Project Bellweather',
        'documents: 1 ok, 1 error',
      ],
    ],
  ] as const)('show %s', (sessionId, expected) => {
    const result = runCli(['show', sessionId, '--db', db])
    expect(result.code, result.stderr).toBe(0)
    for (const e of expected) {
      if (typeof e === 'string') expect(result.stdout).toContain(e)
      else expect(result.stdout).toMatch(e)
    }
  })

  it('show --json gives the synthesis position with its section lists as arrays, as PostgreSQL does', () => {
    const result = runCli(['show', '2026-03-05-1772668800', '--json', '--db', db])
    expect(result.code, result.stderr).toBe(0)
    const [detail] = JSON.parse(result.stdout) as Array<{ synthesis: { sections_completed: unknown; sections_pending: unknown } }>
    expect(detail!.synthesis).toMatchObject({ sections_completed: ['IV.A', 'IV.B'], sections_pending: ['IV.C', 'IV.D'] })
  })

  it('checks without a database: typed parsers cover the planning, synthesis and risk files', () => {
    const result = runCli(['check', EXAMPLES, '--json'])
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as { files: number; failed: number }
    expect(report).toMatchObject({ files: countFiles(EXAMPLES), failed: 1 })
  })

  // util-linux `script` runs the CLI on a pseudo-terminal, so stderr is a TTY as for a person.
  const hasScript = spawnSync('script', ['--version']).status === 0
  it.skipIf(!hasScript)('shows a progress line on a terminal, rewritten in place and cleared; none with --json or without a terminal', () => {
    const onTerminal = (extra: string[]): string => {
      const command = [process.execPath, CLI, 'sync', EXAMPLES, '--db', `sqlite:${path.join(dir, 'tty.db')}`, ...extra].map((a) => `'${a}'`).join(' ')
      const typescript = path.join(dir, 'typescript')
      const result = spawnSync('script', ['-qfec', command, typescript], { env: cleanEnv(), encoding: 'utf8', timeout: 60_000 })
      expect(result.status, result.stderr).toBe(0)
      return fs.readFileSync(typescript, 'utf8')
    }
    const shown = onTerminal([])
    expect(shown).toMatch(/\r\x1b\[2Ksyncing \d+\/21 files/)
    // The last progress line is cleared before the summary is written.
    expect(shown).toMatch(/\r\x1b\[2K21 files seen: /)
    expect(onTerminal(['--json'])).not.toContain('syncing')
    expect(runCli(['sync', EXAMPLES, '--db', `sqlite:${path.join(dir, 'tty.db')}`]).stderr).not.toContain('syncing')
  })
})
