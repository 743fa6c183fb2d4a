/**
 * The bench's PostgreSQL column: the generated tree synced into a fresh schema
 * of a PostgreSQL server, then synced again unchanged. The schema exists for
 * one run; a server that cannot be reached or used skips the column instead of
 * failing the bench.
 */
import pg from 'pg'
import { resolveConfig, type StatebridgeOptions } from '../config.js'
import { StatebridgeError } from '../errors.js'
import { silentLogger } from '../logger.js'
import { connectionOptions, describeTarget, type PostgresTarget } from '../store/postgres-connection.js'
import { openPostgresStore } from '../store/postgres.js'
import type { Store } from '../store/types.js'
import { runSync, type SyncSummary } from '../sync/run-sync.js'
import { timed, type RssSampler } from './measure.js'

/** A local server with trust authentication, as on the development VM. */
export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test'

const POSTGRES_URL = /^postgres(ql)?:\/\//i

/**
 * The server of the column: `--pg-url`, else `STATEBRIDGE_BENCH_PG_URL`, else
 * `DATABASE_URL` when it is a postgres:// URL, else {@link DEFAULT_PG_URL}.
 * Throws `SB_CONFIG` for a URL that is not postgres://; the message does not
 * repeat the URL, which may hold a password.
 */
export function resolvePgUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const [url, source] =
    flag !== undefined
      ? [flag, '--pg-url']
      : env.STATEBRIDGE_BENCH_PG_URL
        ? [env.STATEBRIDGE_BENCH_PG_URL, 'STATEBRIDGE_BENCH_PG_URL']
        : env.DATABASE_URL && POSTGRES_URL.test(env.DATABASE_URL)
          ? [env.DATABASE_URL, 'DATABASE_URL']
          : [DEFAULT_PG_URL, 'the default']
  if (!POSTGRES_URL.test(url.trim()) || !URL.canParse(url.trim())) {
    throw new StatebridgeError('SB_CONFIG', `${source} must be a postgres:// URL, e.g. ${DEFAULT_PG_URL}`)
  }
  return url.trim()
}

/** A schema name of this run alone: `sb_bench_<pid>_<time base 36>`. */
export function benchSchemaName(): string {
  return `sb_bench_${process.pid}_${Date.now().toString(36)}`
}

/** The bench's own schema on the server: created before the store opens, dropped once. */
export class BenchSchema {
  /** Credential-free name of the server and schema, for messages. */
  readonly description: string
  private created = false
  private dropping: Promise<void> | null = null

  constructor(
    readonly target: PostgresTarget & { url: string },
    /** Leave the schema in place at the end (`--keep`). */
    private readonly keep: boolean,
  ) {
    this.description = describeTarget(target)
  }

  /**
   * Create the schema on a connection of its own. This is also the reachability
   * check: a failure here leaves nothing behind to drop.
   */
  async create(): Promise<void> {
    try {
      await this.withClient(async (client) => {
        await client.query(`CREATE SCHEMA ${this.target.schema}`)
      })
    } catch (error) {
      throw new StatebridgeError('SB_DB_UNAVAILABLE', `cannot create the bench's PostgreSQL ${this.description}: ${errorText(error)}`, { cause: error })
    }
    this.created = true
  }

  /**
   * `DROP SCHEMA … CASCADE` unless kept; safe to call again (from the signal
   * handler while the normal path drops): every call awaits the one drop.
   * Never throws: a failure is reported on stderr with the statement to run by hand.
   */
  drop(report: (message: string) => void): Promise<void> {
    if (!this.created) return Promise.resolve()
    if (this.keep) {
      if (this.dropping === null) report(`kept PostgreSQL ${this.description}`)
      this.dropping ??= Promise.resolve()
      return this.dropping
    }
    this.dropping ??= this.withClient(async (client) => {
      await client.query(`DROP SCHEMA IF EXISTS ${this.target.schema} CASCADE`)
    }).catch((error: unknown) => {
      report(
        `could not drop the bench's PostgreSQL ${this.description}: ${errorText(error)}; ` +
          `run DROP SCHEMA ${this.target.schema} CASCADE by hand`,
      )
    })
    return this.dropping
  }

  private async withClient(task: (client: pg.Client) => Promise<void>): Promise<void> {
    // The URL's own server options kept, as the store keeps them (connectionOptions).
    const connection = connectionOptions(this.target)
    const client = new pg.Client({
      ...(connection.url !== null ? { connectionString: connection.url } : {}),
      application_name: 'statebridge bench',
      connectionTimeoutMillis: 5_000,
      // On SIGINT the store's transactions may still hold locks: wait a little, not forever.
      options: `${connection.options} -c lock_timeout=5000`,
    })
    // A connection lost while idle must not crash the bench; the query that needs it fails instead.
    client.on('error', () => undefined)
    try {
      await client.connect()
      await task(client)
    } finally {
      await client.end().catch(() => undefined)
    }
  }
}

// Connection failures to a name with several addresses are an AggregateError with an empty message.
function errorText(error: unknown): string {
  if (error instanceof AggregateError && error.message === '') return errorText(error.errors[0])
  if (error instanceof Error) return error.message || ((error as { code?: string }).code ?? error.name)
  return String(error)
}

/** The timed syncs of the column. */
export interface PgResults {
  /** runSync into the empty schema. */
  sync: { ms: number; value: SyncSummary }
  /** runSync again over the unchanged tree. */
  resync: { ms: number; value: SyncSummary }
}

/**
 * Create `schema`'s tables, then time a full sync and a re-sync of
 * `options.root` into them, with the same settings as the SQLite sync. The
 * schema is dropped before this returns (unless kept). A server that cannot
 * be reached or opened gives `null`, with the reason on `progress`; a failure
 * during the sync itself is a defect and is thrown.
 */
export async function measurePostgres(
  options: StatebridgeOptions,
  schema: BenchSchema,
  rss: RssSampler,
  progress: (message: string) => void,
): Promise<PgResults | null> {
  const { url, schema: schemaName } = schema.target
  const config = resolveConfig({ ...options, db: url, schema: schemaName }, {})
  try {
    rss.enter('pg-open')
    progress(`(f) full sync into an empty PostgreSQL schema: ${schema.description}`)
    let store: Store
    try {
      await schema.create()
      store = await openPostgresStore({ url, schema: schemaName }, { instance: config.instance })
    } catch (error) {
      progress(`    PostgreSQL column skipped: ${errorText(error)}; start the server, pass --pg-url <url>, or --no-pg`)
      return null
    }
    try {
      rss.enter('pg-sync')
      const sync = await timed(() => runSync(config, store, silentLogger()))
      progress(`    ${(sync.ms / 1000).toFixed(1)} s (${sync.value.files_applied} applied, ${sync.value.files_failed} failed)`)
      rss.enter('pg-resync')
      const resync = await timed(() => runSync(config, store, silentLogger()))
      progress(`    re-sync ${resync.ms.toFixed(0)} ms (${resync.value.files_unchanged} unchanged)`)
      return { sync, resync }
    } finally {
      await store.close()
    }
  } finally {
    await schema.drop(progress)
  }
}
