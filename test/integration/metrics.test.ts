/**
 * /metrics and /readyz of a real daemon over a real socket: startWatch and
 * startService in-process, on SQLite and on PostgreSQL (through the test's
 * TCP proxy for a database cut). Also checks that every metric the Grafana
 * dashboard and the Prometheus rules use appears in a real /metrics response.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { resolveConfig } from '../../src/config.js'
import { silentLogger } from '../../src/logger.js'
import { startService, type Service } from '../../src/service.js'
import { openPostgresStore } from '../../src/store/postgres.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { Store } from '../../src/store/types.js'
import { startWatch, type WatchHandle } from '../../src/sync/watch.js'
import { PG_URL, postgresAvailable, testSchemas } from '../helpers/postgres.js'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'
import { cleanup, sampleTree, tempDir, writeTree } from '../helpers/tree.js'
import { transcriptText } from '../../src/bench/transcript-lines.js'

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const TOKEN = 'metrics-test-token'
const available = await postgresAvailable()
const schemas = testSchemas()
const scratch = tempDir()
const cleanups: Array<() => Promise<void>> = []

afterEach(async () => {
  for (const close of cleanups.splice(0).reverse()) await close()
})
afterAll(async () => {
  await schemas.dropAll()
  cleanup(scratch)
})

interface Running {
  service: Service
  handle: () => WatchHandle | null
  start(): Promise<WatchHandle>
}

/**
 * The API first and the watch second, as `watch --listen` starts them, so the
 * test can ask /readyz before the start-up reconcile is done.
 */
async function startApi(root: string, db: Parameters<typeof startService>[0]['db'], store: Store, options: { metricsPublic?: boolean; debounceMs?: number } = {}): Promise<Running> {
  let handle: WatchHandle | null = null
  const service = await startService({
    db,
    listen: '127.0.0.1:0',
    metricsPublic: options.metricsPublic ?? false,
    logger: silentLogger(),
    store,
    daemon: () => handle,
    env: { STATEBRIDGE_API_TOKEN: TOKEN },
  })
  cleanups.push(async () => {
    await service.close()
    await handle?.close()
    await store.close()
  })
  return {
    service,
    handle: () => handle,
    async start() {
      const config = resolveConfig(
        { root, ...(db.dialect === 'sqlite' ? { db: `sqlite:${db.file}` } : { db: db.url!, schema: db.schema }), debounceMs: options.debounceMs ?? 50, reconcileIntervalMs: 0, workers: 1, retryBaseMs: 50, retryMaxMs: 500 },
        {},
      )
      handle = await startWatch(config, store, silentLogger())
      return handle
    },
  }
}

const auth = { authorization: `Bearer ${TOKEN}` }

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; type: string | null }> {
  const response = await fetch(url, { headers })
  return { status: response.status, text: await response.text(), type: response.headers.get('content-type') }
}

async function readyz(base: string, query = ''): Promise<{ status: number; body: { ready: boolean; reasons: string[] } }> {
  const response = await get(`${base}/readyz${query}`)
  return { status: response.status, body: JSON.parse(response.text) as { ready: boolean; reasons: string[] } }
}

/** The value of one sample (`name` with its labels exactly as printed), or undefined. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1))
  }
  return undefined
}

/** Metric names that appear as samples in an exposition text. */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>()
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line)
    if (match) names.add(match[1]!)
  }
  return names
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('/readyz with a transcripts root', () => {
  it('is 503 while a transcripts root has not reconciled, naming it, and 200 once it has', { timeout: 60_000 }, async () => {
    const root = path.join(scratch, 'readyz-reports')
    const projects = path.join(scratch, 'readyz-projects')
    writeTree(root, sampleTree())
    writeTree(projects, { '-home-dev-x/5d0c9a8e-1f2b-4c3d-9e8f-0a1b2c3d4e5f.jsonl': transcriptText('5d0c9a8e-1f2b-4c3d-9e8f-0a1b2c3d4e5f', 0, 20) })
    const file = path.join(scratch, 'readyz.db')
    const store = openSqliteStore(file)
    const settings = { db: `sqlite:${file}`, debounceMs: 50, reconcileIntervalMs: 0, workers: 1 }
    const transcripts: Array<{ root: string; handle: WatchHandle | null }> = [{ root: projects, handle: null }]
    let handle: WatchHandle | null = null
    const service = await startService({
      db: { dialect: 'sqlite', file },
      listen: '127.0.0.1:0',
      metricsPublic: false,
      logger: silentLogger(),
      store,
      daemon: () => handle,
      transcriptWatches: () => transcripts,
      env: { STATEBRIDGE_API_TOKEN: TOKEN },
    })
    cleanups.push(async () => {
      await service.close()
      await transcripts[0]!.handle?.close()
      await handle?.close()
      await store.close()
    })
    handle = await startWatch(resolveConfig({ root, ...settings }, {}), store, silentLogger())
    const waiting = await readyz(service.url)
    expect(waiting.status).toBe(503)
    expect(waiting.body.reasons).toEqual([`transcripts directory ${projects}: the start-up reconcile has not finished`])
    transcripts[0]!.handle = await startWatch({ ...resolveConfig({ root: projects, ...settings }, {}), rootKind: 'transcripts' }, store, silentLogger())
    expect(await readyz(service.url)).toEqual({ status: 200, body: { ready: true, reasons: [] } })
  })
})

describe('/metrics and /readyz on SQLite', () => {
  it('/readyz is 503 before the start-up reconcile and 200 after; /metrics counts applies and errors', { timeout: 60_000 }, async () => {
    const root = path.join(scratch, 'sqlite-main')
    writeTree(root, sampleTree())
    const file = path.join(scratch, 'main.db')
    // 10 ms above the histogram's first bucket: a timer may fire a millisecond before its delay has passed
    // by performance.now(), so a debounce of exactly 50 ms could land a change in the 50 ms bucket.
    const api = await startApi(root, { dialect: 'sqlite', file }, openSqliteStore(file), { debounceMs: 60 })
    const base = api.service.url

    const before = await readyz(base)
    expect(before.status).toBe(503)
    expect(before.body.ready).toBe(false)
    expect(before.body.reasons.join(' ')).toMatch(/start-up reconcile/)
    // Scraped during the start-up: the process metrics answer, the sync ones read as idle.
    expect((await get(`${base}/metrics`, auth)).status).toBe(200)

    const handle = await api.start()
    expect(await readyz(base)).toEqual({ status: 200, body: { ready: true, reasons: [] } })

    // One new file, one edit, one removal and one more broken file, by events.
    writeTree(root, {
      '2026-05-01-1777593600/research-plan.md': '| Task | Specialist |\n|---|---|\n| T1 | tax |\n',
      '2026-02-03-1770076800/synthesis-state.json': JSON.stringify({ current_phase: 'review', status: 'in_progress' }),
      '2026-05-01-1777593600/late-state.json': '{"status": ',
    })
    fs.rmSync(path.join(root, '2026-02-03-1770076800/specialist-reports/tax-report.md'))
    await until('the events applied', async () => {
      await handle.whenIdle()
      const text = (await get(`${base}/metrics`, auth)).text
      return (sample(text, 'statebridge_files_applied_total{change="removed",status="none"}') ?? 0) >= 1 &&
        (sample(text, 'statebridge_files_applied_total{change="updated",status="ok"}') ?? 0) >= 1 &&
        (sample(text, 'statebridge_change_to_commit_seconds_count') ?? 0) >= 3
        ? true
        : undefined
    })

    const metrics = await get(`${base}/metrics`, auth)
    expect(metrics.status).toBe(200)
    expect(metrics.type).toMatch(/^text\/plain/)
    const text = metrics.text
    expect(text).toMatch(/^statebridge_build_info\{version="\d+\.\d+\.\d+",node="[^"]+",mode="watch"\} 1$/m)
    expect(sample(text, 'statebridge_files_applied_total{change="created",status="ok"}')).toBeGreaterThanOrEqual(6)
    // The sample tree's broken state file at start, and the truncated one written later.
    expect(sample(text, 'statebridge_files_applied_total{change="created",status="error"}')).toBeGreaterThanOrEqual(2)
    expect(sample(text, 'statebridge_file_errors_total{reason="parse"}')).toBeGreaterThanOrEqual(2)
    expect(sample(text, 'statebridge_file_errors_total{reason="timeout"}')).toBe(0)
    // The start-up reconcile's applies were held by the monitor and replayed on the first scrape.
    expect(sample(text, 'statebridge_apply_duration_seconds_count')).toBeGreaterThanOrEqual(10)
    expect(sample(text, 'statebridge_parse_duration_seconds_count')).toBeGreaterThanOrEqual(8)
    expect(sample(text, 'statebridge_change_to_commit_seconds_bucket{le="+Inf"}')).toBe(sample(text, 'statebridge_change_to_commit_seconds_count'))
    // Every change waited at least the debounce window (60 ms).
    expect(sample(text, 'statebridge_change_to_commit_seconds_bucket{le="0.05"}')).toBe(0)
    expect(sample(text, 'statebridge_dirty_files')).toBe(0)
    expect(sample(text, 'statebridge_oldest_dirty_age_seconds')).toBe(0)
    expect(sample(text, 'statebridge_db_up')).toBe(1)
    expect(sample(text, 'statebridge_watch_degraded')).toBe(0)
    expect(sample(text, 'statebridge_db_retries_total')).toBe(0)
    const now = Date.now() / 1000
    expect(sample(text, 'statebridge_last_apply_timestamp_seconds')).toBeGreaterThan(now - 60)
    expect(sample(text, 'statebridge_last_reconcile_success_timestamp_seconds')).toBeGreaterThan(now - 60)
    expect(sample(text, 'statebridge_reconcile_duration_seconds')).toBeGreaterThan(0)
    // Counted on the scrape during the start-up (an empty database) and cached for 30 s since.
    expect(text).toContain('# TYPE statebridge_sessions gauge')
    expect(sample(text, 'statebridge_sse_clients')).toBeGreaterThanOrEqual(0)
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m)
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds /m)

    // Every metric the dashboard and the alert rules use is in this response.
    const exposed = exposedNames(text)
    for (const file of ['deploy/grafana/statebridge.json', 'deploy/prometheus/alerts.yml']) {
      const used = new Set(fs.readFileSync(path.join(REPO, file), 'utf8').match(/\b(?:statebridge|process|nodejs)_[a-z0-9_]+/g) ?? [])
      expect(used.size, file).toBeGreaterThan(5)
      for (const name of used) expect(exposed.has(name), `${file} uses ${name}, which /metrics does not expose`).toBe(true)
    }
    const dashboard = fs.readFileSync(path.join(REPO, 'deploy/grafana/statebridge.json'), 'utf8')
    for (const row of ['Flow', 'Latency', 'Backlog', 'Database', 'Reconcile', 'Process']) expect(dashboard).toContain(`"title": "${row}"`)
    const rules = fs.readFileSync(path.join(REPO, 'deploy/prometheus/alerts.yml'), 'utf8')
    for (const alert of ['Down', 'Stalled', 'LagHigh', 'DBDown', 'FileErrors', 'ReconcileStale', 'WatchDegraded', 'ApiThreadRestarting']) {
      expect(rules).toMatch(new RegExp(`alert: Statebridge${alert}$`, 'm'))
    }
  })

  it('/metrics needs the token unless --metrics-public; /readyz never does and checks max_lag_s', { timeout: 60_000 }, async () => {
    const root = path.join(scratch, 'sqlite-token')
    writeTree(root, sampleTree())
    const closed = path.join(scratch, 'token.db')
    const guarded = await startApi(root, { dialect: 'sqlite', file: closed }, openSqliteStore(closed))
    await guarded.start()
    expect((await get(`${guarded.service.url}/metrics`)).status).toBe(401)
    expect((await get(`${guarded.service.url}/metrics`, { authorization: 'Bearer wrong' })).status).toBe(401)
    expect((await get(`${guarded.service.url}/metrics`, auth)).status).toBe(200)
    expect((await readyz(guarded.service.url)).status).toBe(200)
    expect((await get(`${guarded.service.url}/readyz?max_lag_s=soon`)).status).toBe(400)
    expect((await get(`${guarded.service.url}/readyz?lag=1`)).status).toBe(400)
    expect((await get(`${guarded.service.url}/metrics?x=1`, auth)).status).toBe(400)

    const openFile = path.join(scratch, 'public.db')
    const open = await startApi(path.join(scratch, 'sqlite-token'), { dialect: 'sqlite', file: openFile }, openSqliteStore(openFile), { metricsPublic: true })
    await open.start()
    const scraped = await get(`${open.service.url}/metrics`)
    expect(scraped.status).toBe(200)
    expect(scraped.text).toContain('statebridge_files_applied_total')
    // The rest of the API keeps its token.
    expect((await get(`${open.service.url}/api/v1/sessions`)).status).toBe(401)
  })

  it('/readyz is 503 while a file waits longer than max_lag_s, and 200 once it is applied', { timeout: 60_000 }, async () => {
    const root = path.join(scratch, 'sqlite-lag')
    writeTree(root, sampleTree())
    const file = path.join(scratch, 'lag.db')
    // A long debounce keeps the changed file waiting long enough to be seen.
    const api = await startApi(root, { dialect: 'sqlite', file }, openSqliteStore(file), { debounceMs: 1_500 })
    const handle = await api.start()
    writeTree(root, { '2026-02-04-1770163200/research-plan.md': '| Task | Specialist | Status |\n|---|---|---|\n| T1 | tax | done |\n' })
    const lagging = await until('a 503 for the waiting file', async () => {
      const answer = await readyz(api.service.url, '?max_lag_s=0.2')
      return answer.status === 503 ? answer : undefined
    })
    expect(lagging.body.reasons.join(' ')).toMatch(/oldest waiting file has waited/)
    // The default limit (60 s) is not reached.
    expect((await readyz(api.service.url)).status).toBe(200)
    await until('the file applied', async () => {
      await handle.whenIdle()
      return (await readyz(api.service.url, '?max_lag_s=0.2')).status === 200 ? true : undefined
    })
  })
})

describe.skipIf(!available)('/readyz and /metrics on PostgreSQL', () => {
  let proxy: TcpProxy | null = null
  afterEach(async () => {
    await proxy?.close()
    proxy = null
  })

  it('goes 503 during a database cut through the proxy and 200 after it heals', { timeout: 90_000 }, async () => {
    proxy = await startTcpProxy('127.0.0.1', Number(new URL(PG_URL).port || 5432))
    const url = new URL(PG_URL)
    url.port = String(proxy.port)
    const target = { dialect: 'postgres' as const, url: url.toString(), schema: schemas.fresh('metrics') }
    const store = await openPostgresStore(target, { logger: silentLogger(), connectionTimeoutMs: 2_000, queryTimeoutMs: 10_000 })
    const root = path.join(scratch, 'pg-cut')
    writeTree(root, sampleTree())
    const api = await startApi(root, target, store)
    expect((await readyz(api.service.url)).status).toBe(503)
    const handle = await api.start()
    await handle.whenIdle()
    expect((await readyz(api.service.url)).status).toBe(200)

    proxy.cut()
    // Idle, the daemon learns of the cut from the readiness probe.
    const idle = await until('a 503 while idle', async () => {
      const answer = await readyz(api.service.url)
      return answer.status === 503 ? answer : undefined
    })
    expect(idle.body.reasons.join(' ')).toMatch(/database/)
    // A change makes the sync loop meet the outage too: db_up drops, the file waits.
    writeTree(root, { '2026-05-02-1777680000/research-plan.md': '| Task | Specialist |\n|---|---|\n| T9 | ip |\n' })
    const down = await until('db_up 0', async () => {
      const text = (await get(`${api.service.url}/metrics`, auth)).text
      return sample(text, 'statebridge_db_up') === 0 ? text : undefined
    })
    expect(sample(down, 'statebridge_dirty_files')).toBeGreaterThanOrEqual(1)
    const during = await readyz(api.service.url)
    expect(during.status).toBe(503)
    expect(during.body.reasons.join(' ')).toMatch(/database is unreachable/)

    proxy.restore()
    await until('a 200 after the cut', async () => ((await readyz(api.service.url)).status === 200 ? true : undefined), 60_000)
    await handle.whenIdle()
    const after = (await get(`${api.service.url}/metrics`, auth)).text
    expect(sample(after, 'statebridge_db_up')).toBe(1)
    expect(sample(after, 'statebridge_db_retries_total')).toBeGreaterThanOrEqual(1)
    expect(sample(after, 'statebridge_dirty_files')).toBe(0)
    // The file changed during the outage committed once the database was back, and its wait was measured.
    expect(sample(after, 'statebridge_change_to_commit_seconds_count')).toBeGreaterThanOrEqual(1)
    expect(sample(after, 'statebridge_sessions{status="active"}')).toBeGreaterThanOrEqual(1)
  })

  it('serve: ready while the reader answers, with sessions and build_info but no sync metrics', { timeout: 60_000 }, async () => {
    const target = { dialect: 'postgres' as const, url: PG_URL, schema: schemas.fresh('serve') }
    const store = await openPostgresStore(target, { logger: silentLogger() })
    const root = path.join(scratch, 'pg-serve')
    writeTree(root, sampleTree())
    const filler = await startApi(root, target, store)
    const handle = await filler.start()
    await handle.whenIdle()
    const service = await startService({ db: target, listen: '127.0.0.1:0', metricsPublic: true, logger: silentLogger(), env: {} })
    cleanups.push(() => service.close())
    expect(await readyz(service.url)).toEqual({ status: 200, body: { ready: true, reasons: [] } })
    const text = (await get(`${service.url}/metrics`)).text
    expect(text).toMatch(/^statebridge_build_info\{.*mode="serve"\} 1$/m)
    expect(sample(text, 'statebridge_sessions{status="active"}')).toBeGreaterThanOrEqual(1)
    expect(text).toMatch(/^process_cpu_seconds_total /m)
    expect(text).not.toContain('statebridge_files_applied_total')
  })
})
