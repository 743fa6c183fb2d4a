/**
 * Packaging checks: the systemd unit (`systemd-analyze verify` and an offline
 * exposure score ≤ 2.0), and the structure of docker-compose.yml, the
 * Prometheus configuration and the Grafana provisioning, including that every
 * file they mount is in the repository. The Docker image itself cannot be
 * built here (no Docker engine); the Dockerfile gets structural checks only.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanup, tempDir } from './helpers/tree.js'
import { parseYamlSubset, type YamlValue } from './helpers/yaml-subset.js'

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const UNIT = path.join(REPO, 'deploy/systemd/statebridge.service')
const MAX_EXPOSURE = 2.0
// statebridge's --shutdown-timeout-ms default: systemd must not kill it before it gives up by itself.
const SHUTDOWN_TIMEOUT_S = 10

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' })
const haveAnalyze = analyze.status === 0
if (!haveAnalyze) {
  if (process.env.CI === 'true') throw new Error('systemd-analyze is not installed, and CI=true requires the systemd unit checks (apt-get install systemd)')
  process.stderr.write('\n*** systemd-analyze is not installed: the systemd unit checks are SKIPPED (apt-get install systemd) ***\n\n')
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
    // The memory settings the README's Performance figures were measured with.
    expect(unit.get('Environment')).toContain('MALLOC_ARENA_MAX=2')
    expect(unit.get('Environment')).toContain('NODE_OPTIONS=--max-semi-space-size=2')
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

type YamlMap = { [key: string]: YamlValue }

function map(value: YamlValue | undefined, what: string): YamlMap {
  if (value === null || value === undefined || typeof value === 'string' || Array.isArray(value)) throw new Error(`${what} is not a map`)
  return value
}

function list(value: YamlValue | undefined, what: string): YamlValue[] {
  if (!Array.isArray(value)) throw new Error(`${what} is not a list`)
  return value
}

function readYaml(rel: string): YamlMap {
  return map(parseYamlSubset(fs.readFileSync(path.join(REPO, rel), 'utf8')), rel)
}

/** Compose's `${VAR:-default}` with the default taken: what the repository gives without a .env. */
function withDefaults(text: string): string {
  return text.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')
}

describe('docker-compose.yml', () => {
  const compose = readYaml('docker-compose.yml')
  const services = map(compose.services, 'services')
  const service = (name: string): YamlMap => map(services[name], `services.${name}`)

  it('has PostgreSQL 16 with a health check, a one-shot migrate, statebridge, and a monitoring profile', () => {
    expect(Object.keys(services).sort()).toEqual(['grafana', 'migrate', 'postgres', 'prometheus', 'statebridge'])
    expect(service('postgres').image).toMatch(/^postgres:16(\b|-)/)
    expect(list(map(service('postgres').healthcheck, 'healthcheck').test, 'test').join(' ')).toContain('pg_isready')
    expect(service('migrate').command).toEqual(['migrate'])
    expect(service('migrate').restart).toBe('no')
    expect(list(service('statebridge').command, 'command').slice(0, 2)).toEqual(['watch', '/reports'])
    for (const name of ['postgres', 'migrate', 'statebridge']) expect(service(name).profiles, name).toBeUndefined()
    for (const name of ['prometheus', 'grafana']) expect(service(name).profiles, name).toEqual(['monitoring'])
  })

  it('starts statebridge after a healthy PostgreSQL and a migration that succeeded', () => {
    expect(map(service('migrate').depends_on, 'depends_on')).toEqual({ postgres: { condition: 'service_healthy' } })
    expect(map(service('statebridge').depends_on, 'depends_on')).toEqual({
      postgres: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    })
    // Every depends_on names a service and a condition compose knows.
    for (const [name, value] of Object.entries(services)) {
      for (const [other, spec] of Object.entries(map(map(value, name).depends_on ?? {}, 'depends_on'))) {
        expect(Object.keys(services), `${name} depends on ${other}`).toContain(other)
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(map(spec, other).condition)
      }
    }
  })

  it('gives statebridge PostgreSQL, read-only reports and the API token from a secret', () => {
    for (const name of ['migrate', 'statebridge']) {
      const env = map(service(name).environment, `${name}.environment`)
      expect(env.SESSION_STORAGE_TYPE).toBe('postgres')
      expect(env.DATABASE_URL).toMatch(/^postgres:\/\/statebridge:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432\/statebridge$/)
    }
    const statebridge = service('statebridge')
    const env = map(statebridge.environment, 'environment')
    expect(statebridge.secrets).toEqual(['api_token'])
    expect(env.STATEBRIDGE_API_TOKEN_FILE).toBe('/run/secrets/api_token')
    expect(list(statebridge.command, 'command').join(' ')).toContain('--listen 0.0.0.0:8787')
    expect(statebridge.ports).toEqual(['127.0.0.1:8787:8787'])
    const reports = list(statebridge.volumes, 'volumes').map(String).find((v) => v.includes(':/reports'))
    expect(reports).toMatch(/:\/reports:ro$/)
    expect(map(compose.secrets, 'secrets').api_token).toEqual({ file: './secrets/api-token' })
  })

  it('mounts only files and folders that are in the repository', () => {
    const volumes = Object.keys(map(compose.volumes, 'volumes'))
    const mounted: string[] = []
    for (const [name, value] of Object.entries(services)) {
      for (const entry of list(map(value, name).volumes ?? [], `${name}.volumes`)) {
        const source = withDefaults(String(entry)).split(':')[0]!
        if (volumes.includes(source)) continue
        expect(source, `${name} mounts ${source}`).toMatch(/^\.\//)
        mounted.push(source)
      }
      if (map(value, name).build !== undefined) expect(map(value, name).build).toBe('.')
    }
    expect(mounted).toEqual(
      expect.arrayContaining(['./examples/reports', './deploy/prometheus', './deploy/grafana/provisioning', './deploy/grafana/statebridge.json']),
    )
    for (const source of mounted) expect(fs.existsSync(path.join(REPO, source)), `${source} is in the repository`).toBe(true)
    expect(fs.existsSync(path.join(REPO, 'Dockerfile'))).toBe(true)
  })

  it('has Prometheus load the rules beside its configuration and scrape statebridge with the token', () => {
    const prometheus = readYaml('deploy/prometheus/prometheus.yml')
    for (const rules of list(prometheus.rule_files, 'rule_files')) {
      expect(fs.existsSync(path.join(REPO, 'deploy/prometheus', String(rules))), `rule file ${String(rules)}`).toBe(true)
    }
    expect(prometheus.rule_files).toEqual(['alerts.yml'])
    const [job] = list(prometheus.scrape_configs, 'scrape_configs').map((j) => map(j, 'job'))
    expect(job!.metrics_path).toBe('/metrics')
    expect(map(job!.authorization, 'authorization')).toEqual({ type: 'Bearer', credentials_file: '/run/secrets/api_token' })
    expect(list(job!.static_configs, 'static_configs').map((c) => map(c, 'static').targets)).toEqual([['statebridge:8787']])
    expect(service('prometheus').secrets).toEqual(['api_token'])
    expect(list(service('prometheus').volumes, 'volumes')).toContain('./deploy/prometheus:/etc/prometheus:ro')
  })

  it('has Grafana provisioned with the Prometheus data source and the statebridge dashboard', () => {
    const datasources = list(readYaml('deploy/grafana/provisioning/datasources/prometheus.yml').datasources, 'datasources').map((d) => map(d, 'ds'))
    expect(datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090', uid: 'prometheus' })])
    const [provider] = list(readYaml('deploy/grafana/provisioning/dashboards/statebridge.yml').providers, 'providers').map((p) => map(p, 'provider'))
    const dashboards = map(provider!.options, 'options').path
    expect(list(service('grafana').volumes, 'volumes')).toContain(`./deploy/grafana/statebridge.json:${String(dashboards)}/statebridge.json:ro`)
    expect(list(service('grafana').volumes, 'volumes')).toContain('./deploy/grafana/provisioning:/etc/grafana/provisioning:ro')
  })
})

describe('Dockerfile', () => {
  const text = fs.readFileSync(path.join(REPO, 'Dockerfile'), 'utf8')
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'))

  it('builds on bookworm and runs on bookworm-slim as a non-root user, with a health check', () => {
    const froms = instructions.filter((line) => line.startsWith('FROM '))
    expect(froms).toEqual(['FROM node:20-bookworm-slim AS build', 'FROM node:20-bookworm-slim'])
    expect(text).toMatch(/npm_config_build_from_source=true npm rebuild better-sqlite3/)
    expect(text).toMatch(/npm prune --omit=dev/)
    expect(instructions).toContain('USER node')
    expect(instructions.some((line) => /^HEALTHCHECK .*CMD \["node", "dist\/cli\.js", "health"\]$/.test(line.replace(/\s+/g, ' ')))).toBe(true)
    expect(instructions).toContain('ENTRYPOINT ["node", "/app/dist/cli.js"]')
    expect(instructions).toContain('CMD ["watch", "/reports", "--listen", "0.0.0.0:8787"]')
    expect(instructions).toContain('VOLUME /data')
    const env = instructions.find((line) => line.startsWith('ENV '))?.replace(/\s+/g, ' ')
    expect(env).toContain('MALLOC_ARENA_MAX=2')
    expect(env).toContain('NODE_OPTIONS=--max-semi-space-size=2')
  })

  it('copies only what the build needs, and .dockerignore keeps the rest out', () => {
    const copied = instructions.filter((line) => line.startsWith('COPY ') && !line.includes('--from=')).map((line) => line.split(/\s+/).slice(1, -1))
    for (const sources of copied) for (const source of sources) expect(fs.existsSync(path.join(REPO, source)), source).toBe(true)
    const ignored = fs.readFileSync(path.join(REPO, '.dockerignore'), 'utf8').split('\n')
    for (const entry of ['node_modules', 'dist', 'data', '.git', 'test', 'coverage']) expect(ignored).toContain(entry)
    for (const sources of copied) for (const source of sources) expect(ignored).not.toContain(source)
  })
})

describe('parseYamlSubset', () => {
  it('reads the subset and refuses what is outside it', () => {
    expect(parseYamlSubset('a:\n  - x: "1" # c\n    y: [b, "c, d"]\n  - plain\nb: it\'s\n')).toEqual({ a: [{ x: '1', y: ['b', 'c, d'] }, 'plain'], b: "it's" })
    expect(parseYamlSubset('k:\n- a\n- b\n')).toEqual({ k: ['a', 'b'] })
    expect(() => parseYamlSubset('a: &x 1\n')).toThrow(/line 1/)
    expect(() => parseYamlSubset('a: |\n  text\n')).toThrow(/line 1/)
    expect(() => parseYamlSubset('a: 1\na: 2\n')).toThrow(/duplicate key/)
  })
})
