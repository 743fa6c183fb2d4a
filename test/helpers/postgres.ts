/**
 * PostgreSQL for tests: the server from STATEBRIDGE_TEST_PG_URL (default the
 * local one), a fresh schema per use, dropped afterwards. With CI=true an
 * unreachable server fails the run; elsewhere the suites skip, loudly.
 */
import pg from 'pg'
import { createPool } from '../../src/store/postgres-connection.js'
import { migratePostgres } from '../../src/store/postgres-migrate.js'

export const PG_URL = process.env.STATEBRIDGE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

let reachable: Promise<boolean> | null = null

/** Whether the test server answers; throws under CI=true when it does not. */
export function postgresAvailable(): Promise<boolean> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3_000 })
    // A server restarting under the tests must fail the query using it, not the test process.
    client.on('error', () => undefined)
    try {
      await client.connect()
      await client.query('SELECT 1')
      return true
    } catch (error) {
      const message = `PostgreSQL at ${PG_URL.replace(/:[^:@/]*@/, ':***@')} is not reachable (${(error as Error).message})`
      if (process.env.CI === 'true') throw new Error(`${message}; CI=true requires the PostgreSQL tests to run`)
      process.stderr.write(`\n*** SKIPPING POSTGRESQL TESTS: ${message}. Set STATEBRIDGE_TEST_PG_URL to run them. ***\n\n`)
      return false
    } finally {
      await client.end().catch(() => undefined)
    }
  })()
  return reachable
}

let schemas = 0

/** A schema name no other test run uses. */
export function uniqueSchema(label = 't'): string {
  return `sb_${label}_${process.pid}_${Date.now().toString(36)}_${schemas++}`
}

/** Drop a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL })
  client.on('error', () => undefined)
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  } finally {
    await client.end()
  }
}

/** The schemas of one test file: `fresh(label)` names a new one; `dropAll()`, in `afterAll`, drops them. */
export function testSchemas(): { fresh(label: string): string; dropAll(): Promise<void>; readonly count: number } {
  const names: string[] = []
  return {
    fresh(label) {
      const name = uniqueSchema(label)
      names.push(name)
      return name
    },
    async dropAll() {
      for (const name of names.splice(0)) await dropSchema(name)
    },
    get count() {
      return names.length
    },
  }
}

/** Rows of `sql` run in `schema`, read as the store reads them (bigint as numbers, timestamps as ISO text). */
export async function schemaRows(schema: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const pool = createPool({ url: PG_URL, schema }, { max: 1, applicationName: 'statebridge-test' })
  try {
    return (await pool.query(sql)).rows as Array<Record<string, unknown>>
  } finally {
    await pool.end()
  }
}

/**
 * Schema `schema` migrated only up to `version`, as an older release left it,
 * with rows `write` puts there in its shape (positional `$n` parameters), and
 * a one-connection pool on it for the test's own queries.
 */
export async function postgresAtVersion(
  schema: string,
  version: number,
  write: (run: (sql: string, params: unknown[]) => Promise<Array<Record<string, unknown>>>) => Promise<void>,
): Promise<{ target: { url: string; schema: string }; pool: pg.Pool }> {
  const target = { url: PG_URL, schema }
  const pool = createPool(target, { max: 1, applicationName: 'statebridge-test' })
  pool.on('error', () => undefined)
  const client = await pool.connect()
  try {
    await migratePostgres(client, schema, version)
    await write(async (sql, params) => (await client.query(sql, params)).rows as Array<Record<string, unknown>>)
  } finally {
    client.release()
  }
  return { target, pool }
}
