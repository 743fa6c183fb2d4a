/**
 * Schema migrations on PostgreSQL: the shared ordered list, applied under an
 * advisory lock so sidecars starting together take turns, each step in its
 * own transaction and recorded in `schema_migrations`.
 */
import type pg from 'pg'
import { StatebridgeError } from '../errors.js'
import { LATEST_VERSION, migrations } from './migrations.js'

/**
 * Apply the pending steps up to version `upTo` (default: the latest); returns
 * the versions applied now. A lower `upTo` builds a schema as an older release
 * left it, for the upgrade tests.
 */
export async function migratePostgres(client: pg.ClientBase, schema: string, upTo: number = LATEST_VERSION): Promise<number[]> {
  const lock = `statebridge:migrate:${schema}`
  await client.query('SELECT pg_advisory_lock(hashtext($1))', [lock])
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
    await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`)
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations`)
    const applied = new Set(rows.map((r) => r.version))
    const done: number[] = []
    for (const migration of migrations) {
      if (migration.version > upTo) break
      if (applied.has(migration.version)) continue
      await client.query('BEGIN')
      try {
        await client.query(migration.postgres)
        await client.query(`INSERT INTO ${schema}.schema_migrations (version, name, applied_at) VALUES ($1, $2, now())`, [
          migration.version,
          migration.name,
        ])
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      }
      done.push(migration.version)
    }
    return done
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lock]).catch(() => undefined)
  }
}

/** With `--no-migrate`: throw unless the schema already has every step this build needs. */
export async function checkPostgresSchema(client: pg.PoolClient, schema: string): Promise<void> {
  const { rows } = await client.query<{ version: number | null }>(
    `SELECT CASE WHEN to_regclass($1) IS NULL THEN NULL ELSE 0 END AS version`,
    [`${schema}.schema_migrations`],
  )
  let version = 0
  if (rows[0]?.version !== null) {
    const result = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${schema}.schema_migrations`)
    version = result.rows[0]?.version ?? 0
  }
  if (version < LATEST_VERSION) {
    throw new StatebridgeError(
      'SB_DB_OPEN',
      `schema ${schema} is at version ${version}, this statebridge needs ${LATEST_VERSION}, and --no-migrate forbids migrating; ` +
        'run `statebridge migrate --db <url>` first',
    )
  }
}
