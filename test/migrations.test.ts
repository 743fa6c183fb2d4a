/**
 * Migrations on both dialects (house style 8): a fresh database equals the
 * committed catalogue, a database left at every earlier version upgrades to
 * the same catalogue, the typed-table catalogue has a step behind each of its
 * columns, and a new step on top of the released ones applies to a fresh
 * database. The catalogue snapshots in `test/migrations/` are written when
 * missing; `UPDATE=1` rewrites them. Review what it writes like code.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import type pg from 'pg'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { SESSION_COLUMNS, TYPED_TABLES, type ColumnType } from '../src/parsers/typed/tables.js'
import { createPool } from '../src/store/postgres-connection.js'
import { migratePostgres } from '../src/store/postgres-migrate.js'
import { LATEST_VERSION, migrations } from '../src/store/migrations.js'
import { migrateSqlite } from '../src/store/sqlite-open.js'
import { PG_URL, postgresAvailable, testSchemas } from './helpers/postgres.js'

const SNAPSHOTS = fileURLToPath(new URL('./migrations/', import.meta.url))
const UPDATE = process.env.UPDATE === '1'

/** A column as one line: name, type, NOT NULL, DEFAULT, and its key (SQLite) or identity (PostgreSQL). */
function column(name: string, type: string, notNull: boolean, dflt: string | null, key: string | null): string {
  return [name, type, notNull ? 'NOT NULL' : '', dflt === null ? '' : `DEFAULT ${dflt}`, key ?? ''].filter(Boolean).join(' ')
}

interface Table {
  /** In table order, each as `column()` writes it. */
  columns: string[]
  /** Index name → definition (columns, uniqueness, partial condition). */
  indexes: Record<string, unknown>
  /** Foreign keys, checks, primary and unique constraints, as the dialect describes them. */
  constraints: unknown[]
  /** Table options (SQLite: WITHOUT ROWID, AUTOINCREMENT). */
  options?: Record<string, boolean>
}

type Catalogue = Record<string, Table>

/** A database of one dialect, opened empty. */
interface Db {
  /** The store's own migration runner, up to `upTo` (default: the latest). */
  migrate(upTo?: number): Promise<void>
  exec(sql: string): Promise<void>
  catalogue(): Promise<Catalogue>
  versions(): Promise<Array<{ version: number; name: string }>>
  close(): Promise<void>
}

interface Dialect {
  name: 'sqlite' | 'postgres'
  /** How the dialect spells each catalogue type (see the steps). */
  types: Record<ColumnType, string>
  fresh(): Promise<Db>
}

const sqlite: Dialect = {
  name: 'sqlite',
  types: { text: 'TEXT', integer: 'INTEGER', real: 'REAL', json: 'TEXT' },
  async fresh() {
    const db = new Database(':memory:')
    return {
      async migrate(upTo) {
        migrateSqlite(db, upTo)
      },
      async exec(sql) {
        db.exec(sql)
      },
      async catalogue() {
        return sqliteCatalogue(db)
      },
      async versions() {
        return db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as Array<{ version: number; name: string }>
      },
      async close() {
        db.close()
      },
    }
  },
}

const schemas = testSchemas()
afterAll(async () => {
  await schemas.dropAll()
})

const postgres: Dialect = {
  name: 'postgres',
  types: { text: 'text', integer: 'bigint', real: 'double precision', json: 'jsonb' },
  async fresh() {
    const schema = schemas.fresh('migrations')
    // The steps name their tables bare: the pool's search_path puts them in the schema, as in the store.
    const pool = createPool({ url: PG_URL, schema }, { max: 1, applicationName: 'statebridge-test' })
    pool.on('error', () => undefined)
    const client = await pool.connect()
    await client.query(`CREATE SCHEMA ${schema}`)
    return {
      async migrate(upTo) {
        await migratePostgres(client, schema, upTo)
      },
      async exec(sql) {
        await client.query(sql)
      },
      catalogue: () => postgresCatalogue(client, schema),
      async versions() {
        return (await client.query(`SELECT version, name FROM ${schema}.schema_migrations ORDER BY version`)).rows
      },
      async close() {
        client.release()
        await pool.end()
      },
    }
  },
}

const dialects: Dialect[] = [sqlite]
if (await postgresAvailable()) dialects.push(postgres)

function sqliteCatalogue(db: Database.Database): Catalogue {
  const catalogue: Catalogue = {}
  const tables = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as Array<{ name: string; sql: string }>
  for (const { name, sql } of tables) {
    const columns = (db.pragma(`table_info(${name})`) as Array<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>).map(
      (c) => column(c.name, c.type, c.notnull === 1, c.dflt_value, c.pk === 0 ? null : `PRIMARY KEY ${c.pk}`),
    )
    const indexes: Record<string, unknown> = {}
    const indexList = db.pragma(`index_list(${name})`) as Array<{ name: string; unique: number; origin: string; partial: number }>
    for (const index of [...indexList].sort((a, b) => a.name.localeCompare(b.name))) {
      const indexSql = (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").get(index.name) as { sql: string | null } | undefined)?.sql
      indexes[index.name] = {
        columns: (db.pragma(`index_info(${index.name})`) as Array<{ seqno: number; name: string }>).sort((a, b) => a.seqno - b.seqno).map((c) => c.name),
        unique: index.unique === 1,
        origin: index.origin,
        where: index.partial && indexSql ? squash(indexSql.slice(indexSql.search(/\sWHERE\s/i))) : null,
      }
    }
    const keys = new Map<number, { table: string; from: string[]; to: string[]; onUpdate: string; onDelete: string }>()
    for (const fk of db.pragma(`foreign_key_list(${name})`) as Array<{ id: number; table: string; from: string; to: string; on_update: string; on_delete: string }>) {
      const key = keys.get(fk.id) ?? { table: fk.table, from: [], to: [], onUpdate: fk.on_update, onDelete: fk.on_delete }
      key.from.push(fk.from)
      key.to.push(fk.to)
      keys.set(fk.id, key)
    }
    const [info] = db.pragma(`table_list(${name})`) as Array<{ wr: number; strict: number }>
    catalogue[name] = {
      columns,
      indexes,
      constraints: [
        ...[...keys.values()].map((k) => ({ foreignKey: k })).sort(byJson),
        ...checks(sql).map((check) => ({ check })),
      ],
      options: { withoutRowid: info?.wr === 1, strict: info?.strict === 1, autoincrement: /\bAUTOINCREMENT\b/i.test(sql) },
    }
  }
  return catalogue
}

// The CHECK clauses of a CREATE TABLE, which no pragma lists.
function checks(sql: string): string[] {
  const found: string[] = []
  for (const match of sql.matchAll(/\bCHECK\s*\(/gi)) {
    let depth = 0
    let end = match.index! + match[0].length - 1
    for (; end < sql.length; end++) {
      if (sql[end] === '(') depth++
      else if (sql[end] === ')' && --depth === 0) break
    }
    found.push(squash(sql.slice(match.index!, end + 1)))
  }
  return found
}

async function postgresCatalogue(client: pg.ClientBase, schema: string): Promise<Catalogue> {
  const catalogue: Catalogue = {}
  // Schema-qualified names depend on the test's schema: the snapshot holds them bare.
  const bare = (text: string) => text.split(`${schema}.`).join('')
  const tables = await client.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
    [schema],
  )
  for (const { name } of tables.rows) catalogue[name] = { columns: [], indexes: {}, constraints: [] }
  const columns = await client.query<{ table: string; name: string; type: string; nullable: string; default: string | null; identity: string | null }>(
    `SELECT table_name AS table, column_name AS name, data_type AS type, is_nullable AS nullable, column_default AS default,
       identity_generation AS identity
     FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
    [schema],
  )
  for (const c of columns.rows) {
    const identity = c.identity === null ? null : `GENERATED ${c.identity} AS IDENTITY`
    catalogue[c.table]?.columns.push(column(c.name, c.type, c.nullable === 'NO', c.default === null ? null : bare(c.default), identity))
  }
  const indexes = await client.query<{ table: string; name: string; definition: string }>(
    'SELECT tablename AS table, indexname AS name, indexdef AS definition FROM pg_indexes WHERE schemaname = $1 ORDER BY tablename, indexname',
    [schema],
  )
  for (const index of indexes.rows) {
    const table = catalogue[index.table]
    if (table) table.indexes[index.name] = bare(index.definition)
  }
  // Primary keys, unique, foreign keys and checks; NOT NULL is on the columns (PostgreSQL 18 also lists it here).
  const constraints = await client.query<{ table: string; name: string; type: string; definition: string }>(
    `SELECT cl.relname AS table, c.conname AS name, c.contype AS type, pg_get_constraintdef(c.oid) AS definition
     FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
     WHERE n.nspname = $1 AND c.contype IN ('p', 'u', 'f', 'c') ORDER BY cl.relname, c.conname`,
    [schema],
  )
  for (const c of constraints.rows) catalogue[c.table]?.constraints.push({ name: c.name, type: c.type, definition: bare(c.definition) })
  return catalogue
}

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

function byJson(a: unknown, b: unknown): number {
  return JSON.stringify(a).localeCompare(JSON.stringify(b))
}

// The committed snapshot of a dialect's catalogue; written when missing or with UPDATE=1.
function expectSnapshot(dialect: Dialect['name'], catalogue: Catalogue): void {
  const file = `${SNAPSHOTS}catalogue.${dialect}.json`
  if (UPDATE || !fs.existsSync(file)) {
    fs.mkdirSync(SNAPSHOTS, { recursive: true })
    fs.writeFileSync(file, `${JSON.stringify(catalogue, null, 2)}\n`)
    return
  }
  expect(catalogue, `the migrated ${dialect} schema differs from ${file}; if the change is meant, rerun with UPDATE=1 and review the diff`).toEqual(
    JSON.parse(fs.readFileSync(file, 'utf8')),
  )
}

// Columns every typed table has besides its catalogue columns (see the typed tables of step 2).
const TYPED_FIXED = ['id', 'root', 'session_id', 'document_id', 'line', 'extra', 'raw']

describe.each(dialects)('migrations ($name)', (dialect) => {
  it('has the same steps in both dialects, numbered 1, 2, 3 …', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1))
    for (const m of migrations) {
      expect(m.sqlite.trim(), `step ${m.version} has no SQLite SQL`).not.toBe('')
      expect(m.postgres.trim(), `step ${m.version} has no PostgreSQL SQL`).not.toBe('')
    }
  })

  it('migrates a fresh database to the committed catalogue, recording every version', async () => {
    const db = await dialect.fresh()
    try {
      await db.migrate()
      expectSnapshot(dialect.name, await db.catalogue())
      expect(await db.versions()).toEqual(migrations.map((m) => ({ version: m.version, name: m.name })))
      // A second run finds nothing to do.
      await db.migrate()
      expect((await db.versions()).length).toBe(LATEST_VERSION)
    } finally {
      await db.close()
    }
  })

  it('upgrades a database left at every earlier version to the same catalogue', async () => {
    const reference = await dialect.fresh()
    let expected: Catalogue
    try {
      await reference.migrate()
      expected = await reference.catalogue()
    } finally {
      await reference.close()
    }
    for (let version = 0; version < LATEST_VERSION; version++) {
      const db = await dialect.fresh()
      try {
        await db.migrate(version)
        expect((await db.versions()).map((v) => v.version)).toEqual(migrations.slice(0, version).map((m) => m.version))
        await db.migrate()
        expect(await db.catalogue(), `upgrading from version ${version}`).toEqual(expected)
        expect((await db.versions()).map((v) => v.version)).toEqual(migrations.map((m) => m.version))
      } finally {
        await db.close()
      }
    }
  })

  it('has a migration step behind every column of the typed-table catalogue', async () => {
    const db = await dialect.fresh()
    let catalogue: Catalogue
    try {
      await db.migrate()
      catalogue = await db.catalogue()
    } finally {
      await db.close()
    }
    const problems: string[] = []
    const fix = `: add a migration step that makes the schema match (src/store/migrations/sqlite.ts and postgres.ts, listed in src/store/migrations.ts); never edit a released step`
    const compare = (table: string, wanted: Record<string, ColumnType>, ignore: (column: string) => boolean) => {
      // Name and type of each column, from its one-line description (types may hold spaces: double precision).
      const columns = catalogue[table]?.columns.map((line) => {
        const [name, ...rest] = line.split(' ')
        const type = rest.join(' ').replace(/ (NOT NULL|DEFAULT|PRIMARY KEY|GENERATED)\b.*$/, '')
        return { name: name!, type }
      })
      if (!columns) {
        problems.push(`table ${table} is in src/parsers/typed/tables.ts but no migration creates it${fix}`)
        return
      }
      for (const [column, type] of Object.entries(wanted)) {
        const found = columns.find((c) => c.name === column)
        if (!found) problems.push(`column ${table}.${column} (${type}) is in src/parsers/typed/tables.ts but no migration creates it${fix}`)
        else if (found.type !== dialect.types[type]) {
          problems.push(`column ${table}.${column} is ${type} in src/parsers/typed/tables.ts but ${found.type} in the migrated schema${fix}`)
        }
      }
      for (const column of columns) {
        if (!ignore(column.name) && !(column.name in wanted)) {
          problems.push(`column ${table}.${column.name} is in the migrated schema but not in src/parsers/typed/tables.ts${fix}, or put it back in the catalogue`)
        }
      }
    }
    // Columns the store derives at refresh time, beside the parser's (step 7: a specialist's status from evidence; step 8: a remediation task's).
    const derivedOwn: Record<string, string[]> = {
      specialist_assignments: ['derived_status', 'status_evidence', 'evidence_path'],
      remediation_tasks: ['derived_status', 'status_evidence', 'evidence_path'],
    }
    for (const [table, columns] of Object.entries(TYPED_TABLES)) {
      compare(table, columns, (c) => TYPED_FIXED.includes(c) || (derivedOwn[table] ?? []).includes(c))
    }
    // The session row and the facts it is derived from carry the same typed columns, beside their own.
    const sessionOwn = ['id', 'root', 'session_id', 'created_at', 'first_seen_at', 'updated_at', 'status', 'metadata',
      'status_reason', 'error_files', 'created_at_from_name', 'created_at_source']
    compare('sessions', SESSION_COLUMNS, (c) => sessionOwn.includes(c))
    const factsOwn = ['id', 'root', 'session_id', 'document_id', 'precedence', 'line', 'metadata']
    compare('session_facts', SESSION_COLUMNS, (c) => factsOwn.includes(c))
    expect(problems, problems.join('\n')).toEqual([])
  })

  it('applies a new step on top of the released ones to a fresh database, whatever the catalogue says now', async () => {
    // The documented procedure: a column goes into the catalogue and into a new step.
    // A released step built from the live catalogue would already create it, and the new step would then fail.
    vi.resetModules()
    vi.doMock('../src/parsers/typed/tables.js', async (importOriginal) => {
      const original = await importOriginal<typeof import('../src/parsers/typed/tables.js')>()
      return { ...original, TYPED_TABLES: { ...original.TYPED_TABLES, risk_items: { ...original.TYPED_TABLES.risk_items, probe_note: 'text' } } }
    })
    try {
      const { migrations: steps } = await import('../src/store/migrations.js')
      const db = await dialect.fresh()
      try {
        for (const step of steps) await db.exec(step[dialect.name])
        await db.exec(`ALTER TABLE risk_items ADD COLUMN probe_note ${dialect.types.text}`)
        expect((await db.catalogue()).risk_items!.columns).toContain(`probe_note ${dialect.types.text}`)
      } finally {
        await db.close()
      }
    } finally {
      vi.doUnmock('../src/parsers/typed/tables.js')
      vi.resetModules()
    }
  })
})

// Users open the database in their system's sqlite3 shell, often older than the
// SQLite better-sqlite3 bundles (3.40 on Debian 12): a view written in newer
// syntax makes that shell call the whole schema malformed.
const systemSqlite = (() => {
  try {
    return execFileSync('sqlite3', ['--version'], { encoding: 'utf8' }).split(' ')[0] ?? null
  } catch {
    return null
  }
})()
if (systemSqlite === null) process.stderr.write('\n*** SKIPPING the system sqlite3 shell check: no sqlite3 on PATH ***\n\n')

describe.skipIf(systemSqlite === null)('a migrated database in the system sqlite3 shell', () => {
  it(`reads every table and view (sqlite3 ${systemSqlite})`, () => {
    const dir = fs.mkdtempSync(`${os.tmpdir()}/statebridge-shell-`)
    try {
      const file = `${dir}/store.db`
      const db = new Database(file)
      migrateSqlite(db)
      const names = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>
      db.close()
      const sql = names.map(({ name }) => `SELECT '${name}', count(*) FROM "${name}";`).join('\n')
      const out = execFileSync('sqlite3', [file], { input: sql, encoding: 'utf8' })
      expect(out.trim().split('\n')).toEqual(names.map(({ name }) => `${name}|${name === 'schema_migrations' ? LATEST_VERSION : 0}`))
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
