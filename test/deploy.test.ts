/**
 * Packaging checks: the systemd unit (`systemd-analyze verify` and an offline
 * exposure score ≤ 2.0).
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanup, tempDir } from './helpers/tree.js'

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const UNIT = path.join(REPO, 'deploy/systemd/statebridge.service')
const MAX_EXPOSURE = 2.0
// statebridge's --shutdown-timeout-ms default: systemd must not kill it before it gives up by itself.
const SHUTDOWN_TIMEOUT_S = 10

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' })
const haveAnalyze = analyze.status === 0
if (!haveAnalyze) {
  const message = 'systemd-analyze is not installed: the systemd unit checks are SKIPPED (apt-get install systemd)'
  if (process.env.CI === 'true') throw new Error(`${message}; CI=true requires them`)
  process.stderr.write(`\n*** ${message} ***\n\n`)
}

/** `Key=value` lines of the unit, by key, in order (systemd allows a key more than once). */
function unitEntries(text: string): Map<string, string[]> {
  const entries = new Map<string, string[]>()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';') || line.startsWith('[')) continue
    const eq = line.indexOf('=')
    const key = line.slice(0, eq)
    entries.set(key, [...(entries.get(key) ?? []), line.slice(eq + 1)])
  }
  return entries
}

function seconds(value: string): number {
  const match = /^(\d+)(s|min)?$/.exec(value)
  if (match === null) throw new Error(`time span ${value} is not in s or min`)
  return Number(match[1]) * (match[2] === 'min' ? 60 : 1)
}

describe('deploy/systemd/statebridge.service', () => {
  const text = fs.readFileSync(UNIT, 'utf8')
  const unit = unitEntries(text)
  const one = (key: string): string | undefined => unit.get(key)?.at(-1)
  let dir: string
  let copy: string

  beforeAll(() => {
    dir = tempDir('statebridge-unit-')
    copy = path.join(dir, 'statebridge.service')
    // verify checks that ExecStart's binary exists and is executable: point it at this node and this build.
    const rewritten = text.replace(
      /^ExecStart=\/usr\/bin\/node \/opt\/statebridge\/dist\/cli\.js /m,
      `ExecStart=${process.execPath} ${path.join(REPO, 'dist/cli.js')} `,
    )
    expect(rewritten).not.toBe(text)
    fs.writeFileSync(copy, rewritten)
  })
  afterAll(() => cleanup(dir))

  it('is a Type=notify service that the child systemd-notify may report for', () => {
    expect(one('Type')).toBe('notify')
    expect(one('NotifyAccess')).toBe('all')
    expect(one('ExecStart')).toMatch(/^\/usr\/bin\/node \/opt\/statebridge\/dist\/cli\.js watch \/srv\/reports /)
    expect(one('Restart')).toBe('on-failure')
    expect(one('KillMode')).toBe('mixed')
    expect(seconds(one('TimeoutStartSec')!)).toBeGreaterThanOrEqual(5 * 60)
    expect(seconds(one('TimeoutStopSec')!)).toBeGreaterThan(SHUTDOWN_TIMEOUT_S)
  })

  it('keeps the database in its state directory and the reports read-only, and never denies V8 its JIT', () => {
    expect(one('DynamicUser')).toBe('yes')
    expect(one('StateDirectory')).toBe('statebridge')
    expect(unit.get('Environment')).toContain('SESSION_DB_PATH=/var/lib/statebridge/statebridge.db')
    expect(one('ReadOnlyPaths')).toBe('/srv/reports')
    expect(unit.get('Environment')).toContain('STATEBRIDGE_API_TOKEN_FILE=%d/api-token')
    expect(one('LoadCredential')).toBe('api-token:/etc/statebridge/api-token')
    expect(one('EnvironmentFile')).toBe('-/etc/statebridge/env')
    // MemoryDenyWriteExecute=yes makes node abort at start.
    expect(unit.has('MemoryDenyWriteExecute')).toBe(false)
  })

  it.skipIf(!haveAnalyze)('passes systemd-analyze verify', () => {
    const result = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8', cwd: dir })
    const output = `${result.stdout}${result.stderr}`
    expect(result.status, output).toBe(0)
    // Unknown keys and bad values are only warnings to verify: none may name the unit.
    expect(output.split('\n').filter((line) => line.includes('statebridge.service'))).toEqual([])
  })

  it.skipIf(!haveAnalyze)(`has an offline exposure score of at most ${MAX_EXPOSURE}`, () => {
    const result = spawnSync('systemd-analyze', ['security', '--offline=yes', '--no-pager', copy], { encoding: 'utf8', cwd: dir })
    const output = `${result.stdout}${result.stderr}`
    const match = /Overall exposure level for statebridge\.service: (\d+(?:\.\d+)?)/.exec(output)
    expect(match, output).not.toBeNull()
    const score = Number(match![1])
    process.stderr.write(`systemd-analyze security: exposure ${score} (limit ${MAX_EXPOSURE})\n`)
    expect(score).toBeLessThanOrEqual(MAX_EXPOSURE)
  })
})
