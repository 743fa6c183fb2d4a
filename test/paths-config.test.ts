/**
 * Root-relative path rules (ignored files, session ids, session creation
 * times) and configuration resolution (defaults, flags over env, SB_CONFIG).
 */
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_SQLITE_FILE, resolveConfig, resolveDatabase, type StatebridgeOptions } from '../src/config.js'
import { StatebridgeError } from '../src/errors.js'
import { isIgnoredPath, relativeToRoot, sessionCreatedAt, sessionIdOf } from '../src/sync/paths.js'

describe('isIgnoredPath', () => {
  it.each([
    '.DS_Store',
    '.hidden.md',
    'session-1/.orchestrator-state.md.swp',
    '.git/config',
    '.git/objects/ab/cdef',
    'session-1/.git/HEAD',
    'session-1/.cache/state.json',
    'x.swp',
    'x.swo',
    'session-1/notes.md.swp',
    'x~',
    'session-1/final-memorandum.md~',
    'x.tmp',
    'session-1/state.json.tmp',
    'SESSION-1/STATE.JSON.TMP',
    '.#lock',
    'session-1/.#orchestrator-state.md',
    '#autosave#',
    'session-1/#research-plan.md#',
  ])('ignores %s', (relPath) => {
    expect(isIgnoredPath(relPath)).toBe(true)
  })

  it.each([
    '',
    'orchestrator-state.md',
    'session-1/orchestrator-state.md',
    'session-1/specialist-reports/tax-report.md',
    'session-1/review-outputs/risk-summary.json',
    'session-1/final-memorandum.md.backup2',
    'session-1/state.tmp.json',
    'session-1/notes#1.md',
    'session-1/a~b.md',
    'session-1/file.swp.md',
    'session-1/x.sw',
    'session-1/session-audit.log',
    'sessions/1be2370e-0f43-4b14-bf9c-3eb27b414604/session-audit.log',
  ])('does not ignore %j', (relPath) => {
    expect(isIgnoredPath(relPath)).toBe(false)
  })
})

describe('sessionIdOf', () => {
  it.each([
    ['2031-04-02-1964505600/orchestrator-state.md', '2031-04-02-1964505600'],
    ['2031-04-02-1964505600/specialist-reports/x.md', '2031-04-02-1964505600'],
    ['s/a', 's'],
    ['s/', 's'],
    ['README.md', null],
    ['', null],
  ])('%j → %j', (relPath, expected) => {
    expect(sessionIdOf(relPath)).toBe(expected)
  })
})

describe('sessionCreatedAt', () => {
  it.each([
    // 1738200293 s after the epoch is 2025-01-30 01:24:53 UTC: a day from the name's date is its time zone.
    ['2025-01-29-1738200293', '2025-01-30T01:24:53.000Z'],
    ['2025-01-30-1738200293', '2025-01-30T01:24:53.000Z'],
    // A year off: the date the agent spelled out wins over its epoch, at midnight UTC.
    ['2026-01-29-1738200293', '2026-01-29T00:00:00.000Z'],
    ['2031-04-02-1964505600', '2031-04-02T00:00:00.000Z'],
    ['2026-01-29-1738200293123', '2026-01-29T00:00:00.000Z'],
    // No date, or no real date: the epoch alone.
    ['2025-02-30-1738200293', '2025-01-30T01:24:53.000Z'],
    // A date and no epoch.
    ['2025-01-19-test', '2025-01-19T00:00:00.000Z'],
    ['1738200293', '2025-01-30T01:24:53.000Z'],
    ['session-1738200293-retry', '2025-01-30T01:24:53.000Z'],
    ['run_1738200293123', '2025-01-30T01:24:53.123Z'],
    ['1000000000', '2001-09-09T01:46:40.000Z'],
    ['9999999999', '2286-11-20T17:46:39.000Z'],
  ])('%j → %s', (sessionId, expected) => {
    expect(sessionCreatedAt(sessionId)).toBe(expected)
  })

  it.each([
    '',
    'session',
    'run-173820029', // 9 digits
    'run-17382002931', // 11 digits
    'run-173820029312', // 12 digits
    'run-17382002931234', // 14 digits
    '20260129', // a date, not a timestamp
    '1be2370e-0f43-4b14-bf9c-3eb27b414604',
  ])('%j → null', (sessionId) => {
    expect(sessionCreatedAt(sessionId)).toBeNull()
  })
})

describe('relativeToRoot', () => {
  it.each([
    ['/srv/reports', '/srv/reports', ''],
    ['/srv/reports', '/srv/reports/s1/orchestrator-state.md', 's1/orchestrator-state.md'],
    ['/srv/reports/', '/srv/reports/s1/a.md', 's1/a.md'],
    ['/srv/reports', '/srv/reports/a.md', 'a.md'],
    ['/srv/reports', '/srv/reports-old/s1/a.md', null],
    ['/srv/reports', '/srv/report', null],
    ['/srv/reports', '/srv', null],
    ['/srv/reports', '/elsewhere/a.md', null],
  ])('(%j, %j) → %j', (root, absPath, expected) => {
    expect(relativeToRoot(root, absPath)).toBe(expected)
  })
})

/** The SB_CONFIG error `run` throws; fails the test when it throws nothing or something else. */
function configError(run: () => unknown): StatebridgeError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(StatebridgeError)
    expect((error as StatebridgeError).code).toBe('SB_CONFIG')
    expect((error as StatebridgeError).name).toBe('StatebridgeError')
    return error as StatebridgeError
  }
  throw new Error('expected an SB_CONFIG error, nothing was thrown')
}

describe('resolveConfig', () => {
  it('fills every default', () => {
    expect(resolveConfig({ root: 'reports' }, {})).toEqual({
      root: path.resolve('reports'),
      db: { dialect: 'sqlite', file: DEFAULT_SQLITE_FILE },
      instance: os.hostname(),
      rootId: null,
      debounceMs: 150,
      reconcileIntervalMs: 60_000,
      rehashWindowMs: 600_000,
      trustStat: false,
      shutdownTimeoutMs: 10_000,
      maxFileBytes: 25 * 1024 * 1024,
      parseTimeoutMs: 10_000,
      workers: Math.min(2, os.availableParallelism()),
      workerHeapMb: 96,
      workerNice: 5,
      parser: 'fast',
      transcripts: null,
      pricing: null,
      migrate: true,
      retryBaseMs: 1_000,
      retryMaxMs: 30_000,
      poolSize: Math.max(2, 2 * Math.min(2, os.availableParallelism())) + 2,
      logLevel: 'info',
      listen: null,
      metricsPublic: false,
      changeLogKeepDays: 7,
      history: true,
      compressThreshold: 1000,
      historyKeepDays: 30,
      historyKeepRevisions: 50,
      historyCheckpointInterval: 1,
      redis: null,
    })
    expect(DEFAULT_SQLITE_FILE).toBe('./data/statebridge.db')
  })

  it('keeps every given option', () => {
    const options: Required<StatebridgeOptions> = {
      root: '/srv/reports',
      db: 'postgres://sb@db.internal:5432/state',
      instance: 'sidecar-7',
      rootId: 'shared-reports',
      debounceMs: 0,
      reconcileIntervalMs: 0,
      rehashWindowMs: 0,
      trustStat: true,
      parser: 'remark',
      transcripts: '/home/agent/.claude/projects:/home/agent/.config/claude/projects',
      pricing: '/etc/statebridge/pricing.json',
      shutdownTimeoutMs: 0,
      maxFileBytes: 1,
      parseTimeoutMs: 0,
      workers: 0,
      workerHeapMb: 512,
      workerNice: 7,
      schema: 'tenant_a',
      migrate: false,
      retryBaseMs: 250,
      retryMaxMs: 5_000,
      poolSize: 3,
      logLevel: 'debug',
      listen: '0.0.0.0:8787',
      metricsPublic: true,
      apiToken: 'kept out of the configuration',
      changeLogKeepDays: 0,
      history: false,
      compressThreshold: 0,
      historyKeepDays: 0,
      historyKeepRevisions: 0,
      historyCheckpointInterval: 12,
      redisUrl: 'redis://cache.internal:6380/2',
    }
    // The token is read where the API starts, never kept in the configuration (which may be logged).
    const { schema, apiToken: _token, redisUrl, ...rest } = options
    expect(resolveConfig(options, {})).toEqual({ ...rest, db: { dialect: 'postgres', url: options.db, schema }, redis: { url: redisUrl } })
  })

  it('refuses --workers 0 with a parse budget it could not enforce, and takes it without one', () => {
    expect(configError(() => resolveConfig({ root: '/r', workers: 0 }, {})).message).toBe(
      '--workers 0 parses on the main thread, where the 10000 ms parse budget (--parse-timeout-ms) cannot be enforced; ' +
        'use --workers 1 or more, or pass --parse-timeout-ms 0 to run without a budget',
    )
    expect(resolveConfig({ root: '/r', workers: 0, parseTimeoutMs: 0 }, {}).workers).toBe(0)
    expect(resolveConfig({ root: '/r', workers: 1, parseTimeoutMs: 0 }, {}).parseTimeoutMs).toBe(0)
    expect(configError(() => resolveConfig({ root: '/r', parseTimeoutMs: 50 }, {})).message).toBe(
      '--parse-timeout-ms must be 0 (no budget) or from 100 to 3600000, not 50',
    )
  })

  it('accepts the upper bounds', () => {
    const config = resolveConfig(
      { root: '/r', debounceMs: 60_000, reconcileIntervalMs: 86_400_000, maxFileBytes: 2 ** 31 - 1, parseTimeoutMs: 3_600_000, workers: 64 },
      {},
    )
    expect([config.debounceMs, config.reconcileIntervalMs, config.maxFileBytes, config.parseTimeoutMs, config.workers]).toEqual([
      60_000,
      86_400_000,
      2 ** 31 - 1,
      3_600_000,
      64,
    ])
  })

  it('sizes the PostgreSQL pool from the workers unless --pool-size says, and refuses it for SQLite', () => {
    const pg = 'postgres://sb@db/state'
    expect(resolveConfig({ root: '/r', db: pg, workers: 0, parseTimeoutMs: 0 }, {}).poolSize).toBe(4)
    expect(resolveConfig({ root: '/r', db: pg, workers: 4 }, {}).poolSize).toBe(10)
    expect(resolveConfig({ root: '/r', db: pg, workers: 4, poolSize: 2 }, {}).poolSize).toBe(2)
    expect(configError(() => resolveConfig({ root: '/r', db: pg, poolSize: 0 }, {})).message).toBe('--pool-size must be a whole number from 1 to 1000, not 0')
    expect(configError(() => resolveConfig({ root: '/r', db: 'sqlite:x.db', poolSize: 4 }, {})).message).toBe('--pool-size applies to PostgreSQL only')
  })

  it('takes the root id from STATEBRIDGE_ROOT_ID, the option over it, and refuses a blank one', () => {
    expect(resolveConfig({ root: '/r' }, {}).rootId).toBeNull()
    expect(resolveConfig({ root: '/r' }, { STATEBRIDGE_ROOT_ID: '' }).rootId).toBeNull()
    expect(resolveConfig({ root: '/r' }, { STATEBRIDGE_ROOT_ID: 'from-env' }).rootId).toBe('from-env')
    expect(resolveConfig({ root: '/r', rootId: 'from-flag' }, { STATEBRIDGE_ROOT_ID: 'from-env' }).rootId).toBe('from-flag')
    for (const bad of ['', '  ', ' padded']) {
      expect(() => resolveConfig({ root: '/r', rootId: bad }, {})).toThrow(/--root-id must be a non-empty name/)
    }
  })

  it('takes the instance from STATEBRIDGE_INSTANCE, and the option over it', () => {
    expect(resolveConfig({ root: '/r' }, { STATEBRIDGE_INSTANCE: 'from-env' }).instance).toBe('from-env')
    expect(resolveConfig({ root: '/r', instance: 'from-flag' }, { STATEBRIDGE_INSTANCE: 'from-env' }).instance).toBe('from-flag')
  })

  it('lets the --db flag beat the environment', () => {
    const env = { SESSION_STORAGE_TYPE: 'postgres', DATABASE_URL: 'postgres://env@h/db', SESSION_DB_PATH: '/env/path.db' }
    expect(resolveConfig({ root: '/r', db: 'sqlite:./flag.db' }, env).db).toEqual({ dialect: 'sqlite', file: './flag.db' })
    expect(resolveConfig({ root: '/r' }, env).db).toEqual({ dialect: 'postgres', url: 'postgres://env@h/db', schema: 'public' })
  })

  it('returns a frozen configuration', () => {
    const config = resolveConfig({ root: '/r' }, {})
    expect(Object.isFrozen(config)).toBe(true)
    expect(() => {
      ;(config as { debounceMs: number }).debounceMs = 1
    }).toThrow(TypeError)
    expect(config.debounceMs).toBe(150)
  })

  it('does not keep a reference to the options it was given', () => {
    const options: StatebridgeOptions = { root: '/r', debounceMs: 200 }
    const config = resolveConfig(options, {})
    options.debounceMs = 5
    expect(config.debounceMs).toBe(200)
  })

  it('refuses a missing root', () => {
    expect(configError(() => resolveConfig({ root: '' }, {})).message).toMatch(/reports directory is missing/)
  })

  it.each([
    ['debounceMs', -1, '--debounce-ms', 0, 60_000],
    ['debounceMs', 60_001, '--debounce-ms', 0, 60_000],
    ['debounceMs', 1.5, '--debounce-ms', 0, 60_000],
    ['debounceMs', Number.NaN, '--debounce-ms', 0, 60_000],
    ['reconcileIntervalMs', -5, '--reconcile-interval-ms', 0, 86_400_000],
    ['reconcileIntervalMs', Number.POSITIVE_INFINITY, '--reconcile-interval-ms', 0, 86_400_000],
    ['maxFileBytes', 0, '--max-file-bytes', 1, 2 ** 31 - 1],
    ['maxFileBytes', 2 ** 31, '--max-file-bytes', 1, 2 ** 31 - 1],
    ['parseTimeoutMs', 3_600_001, '--parse-timeout-ms', 0, 3_600_000],
    ['rehashWindowMs', -1, '--rehash-window-ms', 0, 604_800_000],
    ['shutdownTimeoutMs', 3_600_001, '--shutdown-timeout-ms', 0, 3_600_000],
    ['workers', 65, '--workers', 0, 64],
    ['workers', -1, '--workers', 0, 64],
    ['workers', 2.5, '--workers', 0, 64],
    ['retryBaseMs', 9, '--retry-base-ms', 10, 600_000],
    ['retryBaseMs', 600_001, '--retry-base-ms', 10, 600_000],
    ['retryBaseMs', 1.5, '--retry-base-ms', 10, 600_000],
    ['retryMaxMs', 9, '--retry-max-ms', 10, 3_600_000],
    ['retryMaxMs', 3_600_001, '--retry-max-ms', 10, 3_600_000],
    ['retryMaxMs', Number.NaN, '--retry-max-ms', 10, 3_600_000],
  ] as const)('refuses %s = %d, naming %s', (option, value, flag, min, max) => {
    const error = configError(() => resolveConfig({ root: '/r', [option]: value }, {}))
    expect(error.message).toBe(`${flag} must be a whole number from ${min} to ${max}, not ${String(value)}`)
  })

  it.each([
    [{}, 1_000, 30_000],
    [{ retryBaseMs: 250 }, 250, 30_000],
    [{ retryMaxMs: 1_000 }, 1_000, 1_000], // equal to the default base
    [{ retryBaseMs: 10, retryMaxMs: 10 }, 10, 10],
    [{ retryBaseMs: 600_000, retryMaxMs: 3_600_000 }, 600_000, 3_600_000],
  ])('resolves the retry backoff %j to base %d, max %d', (retry, base, max) => {
    const config = resolveConfig({ root: '/r', ...retry }, {})
    expect([config.retryBaseMs, config.retryMaxMs]).toEqual([base, max])
  })

  it.each([
    [{ retryBaseMs: 5_000, retryMaxMs: 4_999 }, '--retry-max-ms (4999) must not be below --retry-base-ms (5000)'],
    [{ retryMaxMs: 500 }, '--retry-max-ms (500) must not be below --retry-base-ms (1000)'],
    [{ retryBaseMs: 60_000 }, '--retry-max-ms (30000) must not be below --retry-base-ms (60000)'],
  ])('refuses a retry cap below the base: %j', (retry, message) => {
    expect(configError(() => resolveConfig({ root: '/r', ...retry }, {})).message).toBe(message)
  })

  it.each([
    [undefined, true],
    [true, true],
    [false, false],
  ])('migrate %s → %s', (migrate, expected) => {
    expect(resolveConfig({ root: '/r', ...(migrate === undefined ? {} : { migrate }) }, {}).migrate).toBe(expected)
  })

  it('passes the schema option to the database target', () => {
    expect(resolveConfig({ root: '/r', db: 'postgres://sb@db/state', schema: 'tenant_a' }, {}).db).toEqual({
      dialect: 'postgres',
      url: 'postgres://sb@db/state',
      schema: 'tenant_a',
    })
    expect(configError(() => resolveConfig({ root: '/r', schema: 'tenant_a' }, {})).message).toMatch(/^--schema applies to PostgreSQL only/)
  })
})

describe('resolveDatabase', () => {
  it('defaults to the SQLite file', () => {
    expect(resolveDatabase(undefined, {})).toEqual({ dialect: 'sqlite', file: './data/statebridge.db' })
    expect(resolveDatabase(undefined, { SESSION_STORAGE_TYPE: '' })).toEqual({ dialect: 'sqlite', file: './data/statebridge.db' })
    expect(resolveDatabase(undefined, { SESSION_STORAGE_TYPE: 'sqlite' })).toEqual({ dialect: 'sqlite', file: './data/statebridge.db' })
  })

  it.each([
    ['sqlite:./data/x.db', { dialect: 'sqlite', file: './data/x.db' }],
    ['sqlite:x.db', { dialect: 'sqlite', file: 'x.db' }],
    ['SQLITE:x.db', { dialect: 'sqlite', file: 'x.db' }],
    ['sqlite:///var/lib/sb.db', { dialect: 'sqlite', file: '/var/lib/sb.db' }],
    ['  sqlite:padded.db  ', { dialect: 'sqlite', file: 'padded.db' }],
    ['/var/lib/sb.db', { dialect: 'sqlite', file: '/var/lib/sb.db' }],
    ['data/state.sqlite', { dialect: 'sqlite', file: 'data/state.sqlite' }],
    ['C:\\data\\sb.db', { dialect: 'sqlite', file: 'C:\\data\\sb.db' }],
    ['postgres://sb@db:5432/state', { dialect: 'postgres', url: 'postgres://sb@db:5432/state', schema: 'public' }],
    ['postgresql://sb@db/state?sslmode=require', { dialect: 'postgres', url: 'postgresql://sb@db/state?sslmode=require', schema: 'public' }],
    ['POSTGRES://sb@db/state', { dialect: 'postgres', url: 'POSTGRES://sb@db/state', schema: 'public' }],
  ])('reads --db %j', (flag, expected) => {
    expect(resolveDatabase(flag, {})).toEqual(expected)
  })

  it.each([
    ['mysql://h/db', '--db: unsupported database "mysql"; use sqlite:<path> or postgres://...'],
    ['mongodb+srv://h/db', '--db: unsupported database "mongodb+srv"; use sqlite:<path> or postgres://...'],
    ['sqlite:', '--db: sqlite: needs a file path, e.g. sqlite:./data/statebridge.db'],
    ['sqlite://', '--db: sqlite: needs a file path, e.g. sqlite:./data/statebridge.db'],
    ['', '--db is empty'],
    ['   ', '--db is empty'],
  ])('refuses --db %j', (flag, message) => {
    expect(configError(() => resolveDatabase(flag, {})).message).toBe(message)
  })

  it('lets the flag beat every variable', () => {
    const env = { SESSION_STORAGE_TYPE: 'postgres', DATABASE_URL: 'postgres://env@h/db', SESSION_DB_PATH: '/env.db' }
    expect(resolveDatabase('/flag.db', env)).toEqual({ dialect: 'sqlite', file: '/flag.db' })
    // Even an invalid environment does not matter when the flag is given.
    expect(resolveDatabase('sqlite:flag.db', { SESSION_STORAGE_TYPE: 'mongo' })).toEqual({ dialect: 'sqlite', file: 'flag.db' })
  })

  it('needs DATABASE_URL when SESSION_STORAGE_TYPE=postgres', () => {
    for (const type of ['postgres', 'postgresql', ' PostgreSQL ']) {
      expect(configError(() => resolveDatabase(undefined, { SESSION_STORAGE_TYPE: type })).message).toBe(
        'SESSION_STORAGE_TYPE=postgres needs DATABASE_URL (postgres://user@host:5432/db) or PGHOST/PGDATABASE',
      )
      expect(resolveDatabase(undefined, { SESSION_STORAGE_TYPE: type, DATABASE_URL: 'postgres://u@h/d' })).toEqual({
        dialect: 'postgres',
        url: 'postgres://u@h/d',
        schema: 'public',
      })
    }
    expect(configError(() => resolveDatabase(undefined, { SESSION_STORAGE_TYPE: 'postgres', DATABASE_URL: '' })).code).toBe('SB_CONFIG')
  })

  it('prefers DATABASE_URL over SESSION_DB_PATH when postgres is asked for', () => {
    expect(
      resolveDatabase(undefined, { SESSION_STORAGE_TYPE: 'postgres', DATABASE_URL: 'postgres://u@h/d', SESSION_DB_PATH: '/x.db' }),
    ).toEqual({ dialect: 'postgres', url: 'postgres://u@h/d', schema: 'public' })
  })

  it('names DATABASE_URL when its scheme is unsupported', () => {
    expect(configError(() => resolveDatabase(undefined, { SESSION_STORAGE_TYPE: 'postgres', DATABASE_URL: 'mysql://h/d' })).message).toBe(
      'DATABASE_URL: unsupported database "mysql"; use sqlite:<path> or postgres://...',
    )
  })

  it('reads SESSION_DB_PATH as a path or a sqlite: URL', () => {
    expect(resolveDatabase(undefined, { SESSION_DB_PATH: '/var/sb/state.db' })).toEqual({ dialect: 'sqlite', file: '/var/sb/state.db' })
    expect(resolveDatabase(undefined, { SESSION_STORAGE_TYPE: 'sqlite', SESSION_DB_PATH: 'sqlite:rel.db' })).toEqual({
      dialect: 'sqlite',
      file: 'rel.db',
    })
    expect(configError(() => resolveDatabase(undefined, { SESSION_DB_PATH: 'redis://h' })).message).toBe(
      'SESSION_DB_PATH: unsupported database "redis"; use sqlite:<path> or postgres://...',
    )
  })

  it('uses a postgres DATABASE_URL when no storage type is set', () => {
    expect(resolveDatabase(undefined, { DATABASE_URL: 'postgresql://u@h/d' })).toEqual({ dialect: 'postgres', url: 'postgresql://u@h/d', schema: 'public' })
    // SESSION_DB_PATH is the more specific variable.
    expect(resolveDatabase(undefined, { DATABASE_URL: 'postgres://u@h/d', SESSION_DB_PATH: '/x.db' })).toEqual({ dialect: 'sqlite', file: '/x.db' })
    // A DATABASE_URL meant for something else is not ours to use.
    expect(resolveDatabase(undefined, { DATABASE_URL: 'mysql://h/d' })).toEqual({ dialect: 'sqlite', file: './data/statebridge.db' })
    // An explicit sqlite type wins over a postgres DATABASE_URL.
    expect(resolveDatabase(undefined, { SESSION_STORAGE_TYPE: 'sqlite', DATABASE_URL: 'postgres://u@h/d' })).toEqual({
      dialect: 'sqlite',
      file: './data/statebridge.db',
    })
  })

  it.each([
    // --db, environment, --schema, expected schema
    ['postgres://sb@db/state', {}, 'tenant_a', 'tenant_a'],
    ['postgres://sb@db/state', { STATEBRIDGE_SCHEMA: 'tenant_b' }, undefined, 'tenant_b'],
    ['postgres://sb@db/state', { STATEBRIDGE_SCHEMA: 'tenant_b' }, 'tenant_a', 'tenant_a'],
    ['postgres://sb@db/state', {}, undefined, 'public'],
    [undefined, { DATABASE_URL: 'postgres://sb@db/state', STATEBRIDGE_SCHEMA: 'tenant_b' }, undefined, 'tenant_b'],
    [undefined, { SESSION_STORAGE_TYPE: 'postgres', DATABASE_URL: 'postgres://sb@db/state' }, '_x1', '_x1'],
  ])('--db %j with env %j and --schema %j uses schema %j', (flag, env, schemaFlag, schema) => {
    expect(resolveDatabase(flag, env, schemaFlag)).toEqual({ dialect: 'postgres', url: 'postgres://sb@db/state', schema })
  })

  it.each([
    [{}, 'Tenant', '--schema must be a lower-case identifier (letters, digits, _; at most 63), not "Tenant"'],
    [{}, 'a;drop', '--schema must be a lower-case identifier (letters, digits, _; at most 63), not "a;drop"'],
    [{}, '', '--schema must be a lower-case identifier (letters, digits, _; at most 63), not ""'],
    // The flag is named when it is given (even if the variable is fine), the variable otherwise.
    [{ STATEBRIDGE_SCHEMA: 'ok' }, 'a-b', '--schema must be a lower-case identifier (letters, digits, _; at most 63), not "a-b"'],
    [{ STATEBRIDGE_SCHEMA: '1abc' }, undefined, 'STATEBRIDGE_SCHEMA must be a lower-case identifier (letters, digits, _; at most 63), not "1abc"'],
  ])('refuses an invalid schema (env %j, --schema %j)', (env, schemaFlag, message) => {
    expect(configError(() => resolveDatabase('postgres://sb@db/state', env, schemaFlag)).message).toBe(message)
  })

  it('lets a valid --schema win over an invalid STATEBRIDGE_SCHEMA', () => {
    expect(resolveDatabase('postgres://sb@db/state', { STATEBRIDGE_SCHEMA: 'Not-Valid' }, 'tenant_a')).toMatchObject({ schema: 'tenant_a' })
  })

  it.each([
    ['default file', undefined, {}],
    ['--db sqlite:', 'sqlite:x.db', {}],
    ['--db path', '/var/lib/sb.db', { DATABASE_URL: 'postgres://sb@db/state' }],
    ['SESSION_DB_PATH', undefined, { SESSION_DB_PATH: '/x.db' }],
    ['SESSION_STORAGE_TYPE=sqlite', undefined, { SESSION_STORAGE_TYPE: 'sqlite', DATABASE_URL: 'postgres://sb@db/state' }],
  ])('refuses --schema with a SQLite target (%s)', (_, flag, env) => {
    expect(configError(() => resolveDatabase(flag, env, 'tenant_a')).message).toBe(
      '--schema applies to PostgreSQL only; SQLite keeps one schema per file',
    )
  })

  it('ignores STATEBRIDGE_SCHEMA for a SQLite target (the variable may be shared with PostgreSQL sidecars)', () => {
    expect(resolveDatabase('sqlite:x.db', { STATEBRIDGE_SCHEMA: 'tenant_b' })).toEqual({ dialect: 'sqlite', file: 'x.db' })
  })

  it.each([
    [{ PGHOST: 'pg.internal' }, 'public'],
    [{ PGDATABASE: 'agents' }, 'public'],
    [{ PGHOST: 'pg.internal', PGDATABASE: 'agents', PGUSER: 'sb', PGPASSWORD: 's3cret' }, 'public'],
    [{ PGHOST: 'pg.internal', STATEBRIDGE_SCHEMA: 'tenant_b' }, 'tenant_b'],
    [{ PGHOST: 'pg.internal', DATABASE_URL: '' }, 'public'],
  ])('SESSION_STORAGE_TYPE=postgres without DATABASE_URL takes the PG* variables %j', (pgEnv, schema) => {
    expect(resolveDatabase(undefined, { SESSION_STORAGE_TYPE: 'postgres', ...pgEnv })).toEqual({ dialect: 'postgres', url: null, schema })
  })

  it.each([
    [{}],
    [{ PGUSER: 'sb', PGPASSWORD: 's3cret' }],
    [{ PGHOST: '', PGDATABASE: '' }],
  ])('SESSION_STORAGE_TYPE=postgres with neither DATABASE_URL nor PGHOST/PGDATABASE is refused (%j)', (pgEnv) => {
    expect(configError(() => resolveDatabase(undefined, { SESSION_STORAGE_TYPE: 'postgres', ...pgEnv })).message).toMatch(
      /DATABASE_URL .* or PGHOST\/PGDATABASE$/,
    )
  })

  it.each(['mongo', 'mysql', 'file'])('refuses SESSION_STORAGE_TYPE=%s', (type) => {
    expect(configError(() => resolveDatabase(undefined, { SESSION_STORAGE_TYPE: type })).message).toBe(
      `SESSION_STORAGE_TYPE must be sqlite, postgres or redis-postgres, not ${JSON.stringify(type)}`,
    )
  })
})

describe('isIgnoredPath: atomic-write temp names', () => {
  it.each([
    ['s/plan.md.tmp.4242.1738200293', true],
    ['s/plan.md.tmp.77', true],
    ['s/state.tmp.json', false],
    ['s/plan.tmp.md', false],
  ])('%s → %s', (rel, ignored) => {
    expect(isIgnoredPath(rel)).toBe(ignored)
  })
})

describe('sessionCreatedAt and storage-type consistency', () => {
  it('does not read a timestamp out of a UUID group', () => {
    expect(sessionCreatedAt('1be2370e-0f43-4b14-bf9c-1234567890ab')).toBeNull()
    expect(sessionCreatedAt('0e831e76-691e-4b10-84d4-123456789012')).toBeNull()
    expect(sessionCreatedAt('run_1738200293')).toBe('2025-01-30T01:24:53.000Z')
  })

  it('refuses a storage type that contradicts the URL it is given', () => {
    expect(() => resolveDatabase(undefined, { SESSION_STORAGE_TYPE: 'postgres', DATABASE_URL: './x.db' })).toThrow(/postgres:\/\/ DATABASE_URL/)
    expect(() => resolveDatabase(undefined, { SESSION_STORAGE_TYPE: 'sqlite', SESSION_DB_PATH: 'postgres://h/db' })).toThrow(/SQLite file path/)
  })

  it('freezes the database target too', () => {
    const config = resolveConfig({ root: '.' }, {})
    expect(Object.isFrozen(config.db)).toBe(true)
  })
})
