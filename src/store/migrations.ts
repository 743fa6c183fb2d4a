/**
 * Schema migrations: one ordered list of frozen steps, each written once per
 * dialect as literal SQL (migrations/sqlite.ts, migrations/postgres.ts). A
 * step is applied at most once, in its own transaction, and recorded in
 * `schema_migrations`.
 *
 * To change the schema, append a step: write its SQL in both dialect files
 * and list it here with the next version. Never edit, reorder or regenerate a
 * released step, not even to follow the typed-table catalogue
 * (src/parsers/typed/tables.ts): databases in the field already ran it, and a
 * fresh database runs every step in turn, so an edited step and a new one
 * that both add a column make every new database fail. test/migrations.test.ts
 * upgrades a database from every earlier version and compares the result, and
 * fails when the catalogue names a column no step creates.
 */
import * as postgres from './migrations/postgres.js'
import * as sqlite from './migrations/sqlite.js'

/** One schema step, written once per dialect. */
export interface Migration {
  /** Position in the list, from 1; recorded in `schema_migrations`. */
  version: number
  /** What the step does, recorded beside its version. */
  name: string
  /** The step in SQLite's dialect. */
  sqlite: string
  /** The step in PostgreSQL's dialect. */
  postgres: string
  /**
   * The SQLite step rebuilds a table other tables reference, which SQLite's
   * procedure for schema changes does with foreign keys off (a DROP TABLE
   * would otherwise check, or cascade to, every referencing row). They are
   * switched off around the step's transaction, and before it commits,
   * `PRAGMA foreign_key_check` must find no dangling reference in the tables
   * listed here: the rebuilt table and every table that references it.
   */
  foreignKeysOff?: readonly string[]
}

/** Every step, in the order they apply. Append only. */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'core: sessions, documents, tables, sync runs', sqlite: sqlite.step1, postgres: postgres.step1 },
  {
    version: 2,
    name: 'typed session state: session columns, fields, session facts, typed tables',
    sqlite: sqlite.step2,
    postgres: postgres.step2,
  },
  { version: 3, name: 'change log: one row per committed file change', sqlite: sqlite.step3, postgres: postgres.step3 },
  { version: 4, name: 'feed cursors: how far each change-log consumer got', sqlite: sqlite.step4, postgres: postgres.step4 },
  { version: 5, name: 'sessions index for the API list, newest first', sqlite: sqlite.step5, postgres: postgres.step5 },
  { version: 6, name: 'history: file revisions and their content, stored once; archived sessions', sqlite: sqlite.step6, postgres: postgres.step6 },
  {
    version: 7,
    name: 'status from evidence: session status reason, files in error, creation time source; derived specialist status',
    sqlite: sqlite.step7,
    postgres: postgres.step7,
  },
  {
    version: 8,
    name: 'QA assessments, remediation tasks and outputs (derived task status), session usage and its per-session totals',
    sqlite: sqlite.step8,
    postgres: postgres.step8,
  },
  {
    version: 9,
    name: 'duplicates: occurrences, fact and conflict keys; session_conflicts and canonical_facts views',
    sqlite: sqlite.step9,
    postgres: postgres.step9,
  },
  {
    version: 10,
    name: 'parser version per document: files an older version parsed are read again',
    sqlite: sqlite.step10,
    postgres: postgres.step10,
  },
  { version: 11, name: 'duplicates: occurrences of risk items', sqlite: sqlite.step11, postgres: postgres.step11 },
  {
    version: 12,
    name: 'smaller markdown records: heading sections, raw lines and raw cells only where not rebuilt, cells as arrays',
    sqlite: sqlite.step12,
    postgres: postgres.step12,
  },
  {
    version: 13,
    name: "agent SDK sessions: hook audit logs and transcripts, appended line by line; reports/sessions/ is no report session",
    sqlite: sqlite.step13,
    postgres: postgres.step13,
  },
  {
    version: 14,
    name: 'history: contents may be Brotli-compressed (encoding br)',
    sqlite: sqlite.step14,
    postgres: postgres.step14,
    foreignKeysOff: ['history_blobs', 'file_revisions'],
  },
]

/** The schema version this build needs. */
export const LATEST_VERSION = migrations[migrations.length - 1]!.version

/**
 * What a run of migrations did to a schema that already had steps, for the
 * log: `null` when it applied none or created the schema from nothing (a
 * first run, which says nothing new to an operator).
 */
export function upgradeMessage(applied: readonly number[]): string | null {
  const first = applied[0]
  if (first === undefined || first === 1) return null
  const names = migrations.filter((m) => applied.includes(m.version)).map((m) => `${m.version} (${m.name})`)
  return `schema upgraded from version ${first - 1} to ${applied[applied.length - 1]}: ${names.join('; ')}`
}
