/**
 * Migration 12 converts the rows an older release wrote, on both dialects: a
 * database left at version 11 with a document's sections, tables and fields
 * in the old shape reads back, after the upgrade, exactly as the same file
 * applied by this release; the views give back the old shape.
 */
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { parseMarkdown } from '../src/parsers/markdown.js'
import type { MarkdownRecords } from '../src/parsers/types.js'
import { storedRaw } from '../src/store/document-records.js'
import { openPostgresReader } from '../src/store/postgres-read.js'
import { openPostgresStore } from '../src/store/postgres.js'
import type { StoreReader } from '../src/store/read-types.js'
import { migrateSqlite } from '../src/store/sqlite-open.js'
import { openSqliteReader } from '../src/store/sqlite-read.js'
import { openSqliteStore } from '../src/store/sqlite.js'
import type { Store } from '../src/store/types.js'
import { PG_URL, postgresAtVersion, postgresAvailable, testSchemas } from './helpers/postgres.js'
import { snapshotOf } from './helpers/snapshot.js'
import { cleanup, tempDir } from './helpers/tree.js'

const ROOT = '/reports'
const SESSION = 's1'
const FILE = 'notes.md'
const PATH = `${SESSION}/${FILE}`

// Records before any heading, nested headings (one without records of its own, one name twice),
// every field style in every form with and without a list marker, raw lines the rule rebuilds
// and ones it does not, and rows shorter and
// longer than their header row, with markup in cells and a header that is an integer.
const TEXT = `**Owner:** before any heading

| Lead | Col |
|---|---|
| x | y |

# Deal Alpha

**Status:** active
**Notes:**
**Record Title**
- plain key: plain value
- **Listed:** a list item
- **Listed after**: the colon after the bold
**After**: the colon after, no marker
**Empty after**:
12. **Numbered:** item twelve
3) **Numbered after**: item three
* **Star title**
**Styled:** *emphasis* kept in raw
- **Marked**: \`code\` kept in raw

## Metrics

| Metric | 2024 | Value |
|---|---|---|
| **Revenue** | 10 | \`12\` |
| Short |
| Long | 1 | 2 | extra | more |

### Deep

#### Deeper

- depth: four

## Metrics

**Again:** a second heading of the same name

# Other

| A | A |
|---|---|
| 1 | 2 |
`

const records: MarkdownRecords = parseMarkdown(TEXT).records

interface Old {
  /** Run one statement with positional parameters. */
  run(sql: string, params: unknown[]): Promise<Array<Record<string, unknown>>>
}

/** Write the document's records as version 11 wrote them (src/store/sqlite.ts and postgres-sql.ts before step 12). */
async function writeVersion11(db: Old, p: (n: number) => string): Promise<void> {
  const [document] = await db.run(
    `INSERT INTO documents (root, path, document_type, format, size_bytes, mtime_ms, status, instance, checked_at)
     VALUES (${p(1)}, ${p(2)}, 'other', 'markdown', 1, 1, 'ok', 'test', '2026-01-01T00:00:00Z') RETURNING id`,
    [ROOT, PATH],
  )
  const id = document!.id
  for (const t of records.tables) {
    const [table] = await db.run(
      `INSERT INTO document_tables (document_id, ordinal, heading_path, headers, raw_headers, line, end_line, row_count)
       VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}) RETURNING id`,
      [id, t.ordinal, JSON.stringify(t.headingPath), JSON.stringify(t.headers), JSON.stringify(t.rawHeaders), t.line, t.endLine, t.rows.length],
    )
    for (const r of t.rows) {
      await db.run(
        `INSERT INTO document_table_rows (table_id, row_index, cells, raw_cells, line) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)})`,
        [table!.id, r.index, JSON.stringify(r.cells), JSON.stringify(r.raw), r.line],
      )
    }
  }
  for (const f of records.fields) {
    await db.run(
      `INSERT INTO document_fields (document_id, heading_path, key, value, raw, style, line)
       VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)})`,
      [id, JSON.stringify(f.headingPath), f.key, f.value, f.raw, f.style, f.line],
    )
  }
}

interface Upgraded {
  /** The database left at version 11, then migrated. */
  migrated: StoreReader
  /** The same file applied by this release to a fresh database. */
  fresh: StoreReader
  /** Rows of a query on the migrated database; JSON arrives as text in both dialects. */
  query(sql: string): Promise<Array<Record<string, unknown>>>
  close(): Promise<void>
}

interface Dialect {
  name: string
  upgrade(): Promise<Upgraded>
  /** JSON as text, whatever the column type. */
  json(column: string): string
}

async function freshWith(store: Store): Promise<void> {
  await store.applyFileSnapshot(snapshotOf(ROOT, SESSION, FILE, TEXT))
  await store.close()
}

const sqlite: Dialect = {
  name: 'sqlite',
  json: (column) => column,
  async upgrade() {
    const dir = tempDir()
    const file = path.join(dir, 'old.db')
    const db = new Database(file)
    db.pragma('foreign_keys = ON')
    migrateSqlite(db, 11)
    const run = async (sql: string, params: unknown[]): Promise<Array<Record<string, unknown>>> => {
      const statement = db.prepare(sql)
      if (statement.reader) return statement.all(...params) as Array<Record<string, unknown>>
      statement.run(...params)
      return []
    }
    await writeVersion11({ run }, () => '?')
    db.close()
    await openSqliteStore(file).close()
    const freshFile = path.join(dir, 'fresh.db')
    await freshWith(openSqliteStore(freshFile))
    const migrated = openSqliteReader(file)
    const fresh = openSqliteReader(freshFile)
    const check = new Database(file, { readonly: true })
    return {
      migrated,
      fresh,
      query: async (sql) => check.prepare(sql).all() as Array<Record<string, unknown>>,
      async close() {
        check.close()
        await migrated.close()
        await fresh.close()
        cleanup(dir)
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
  json: (column) => `(${column} #>> '{}')`,
  async upgrade() {
    const { target, pool } = await postgresAtVersion(schemas.fresh('m12'), 11, (run) => writeVersion11({ run }, (n) => `$${n}`))
    await (await openPostgresStore(target)).close()
    const freshTarget = { url: PG_URL, schema: schemas.fresh('m12f') }
    await freshWith(await openPostgresStore(freshTarget))
    const migrated = await openPostgresReader(target)
    const fresh = await openPostgresReader(freshTarget)
    return {
      migrated,
      fresh,
      query: async (sql) => (await pool.query(sql)).rows as Array<Record<string, unknown>>,
      async close() {
        await migrated.close()
        await fresh.close()
        await pool.end()
      },
    }
  },
}

const dialects: Dialect[] = [sqlite]
if (await postgresAvailable()) dialects.push(postgres)

describe.each(dialects)('migration 12 on rows of version 11 ($name)', (dialect) => {
  it('reads back every table and field as this release writes them, and the views give back the old shape', async () => {
    const db = await dialect.upgrade()
    try {
      const [migrated] = await db.migrated.document(PATH, ROOT)
      const [fresh] = await db.fresh.document(PATH, ROOT)
      // Byte for byte, key order included: the API answers this JSON.
      expect(JSON.stringify({ tables: migrated!.tables, fields: migrated!.fields })).toBe(
        JSON.stringify({ tables: fresh!.tables, fields: fresh!.fields }),
      )
      // And that is the parse: heading paths, raw lines, cells and raw cells.
      expect(migrated!.fields.map((f) => [f.headingPath, f.key, f.value, f.raw, f.style, f.line])).toEqual(
        records.fields.map((f) => [f.headingPath, f.key, f.value, f.raw, f.style, f.line]),
      )
      expect(migrated!.tables.map((t) => [t.headingPath, t.rows.map((r) => [r.cells, r.rawCells])])).toEqual(
        records.tables.map((t) => [t.headingPath, t.rows.map((r) => [{ ...r.cells }, r.raw])]),
      )
      const long = migrated!.tables[1]!.rows[2]!
      expect(Object.keys(long.cells)).toEqual(['2024', 'Value', 'Metric', 'column_4', 'column_5'])
      expect(long.rawCells).toEqual(['Long', '1', '2', 'extra', 'more'])
      expect(migrated!.tables[1]!.rows[1]!.rawCells).toEqual(['Short'])

      // Sections from the stored heading paths and each prefix, by first line, without lines.
      const sections = await db.query(
        `SELECT s.ordinal, p.ordinal AS parent, s.depth, s.title, s.line
         FROM document_sections s LEFT JOIN document_sections p ON p.id = s.parent_id ORDER BY s.ordinal`,
      )
      expect(sections.map((s) => [Number(s.ordinal), s.parent === null ? null : Number(s.parent), Number(s.depth), s.title, s.line])).toEqual([
        [0, null, 1, 'Deal Alpha', null],
        [1, 0, 2, 'Metrics', null],
        [2, 1, 3, 'Deep', null],
        [3, 2, 4, 'Deeper', null],
        [4, null, 1, 'Other', null],
      ])
      const stored = await db.query('SELECT key, raw, raw_prefix, raw_form FROM document_fields ORDER BY line')
      expect(stored.map((f) => [f.key, f.raw, f.raw_prefix, f.raw_form === null ? null : Number(f.raw_form)])).toEqual([
        ['Owner', null, null, null],
        ['Status', null, null, null],
        ['Notes', null, null, null],
        ['Record Title', null, null, null],
        ['plain key', null, '- ', null],
        ['Listed', null, '- ', null],
        ['Listed after', null, '- ', 1],
        ['After', null, null, 1],
        ['Empty after', null, null, 1],
        ['Numbered', null, '12. ', null],
        ['Numbered after', null, '3) ', 1],
        ['Star title', null, '* ', null],
        ['Styled', '**Styled:** *emphasis* kept in raw', null, null],
        ['Marked', '- **Marked**: `code` kept in raw', null, null],
        ['depth', null, '- ', null],
        ['Again', null, null, null],
      ])
      // The conversion in SQL stores what this release's writer stores.
      expect(stored.map((f) => [f.key, f.raw, f.raw_prefix, f.raw_form === null ? null : Number(f.raw_form)])).toEqual(
        records.fields.map((f) => {
          const kept = storedRaw(f)
          return [f.key, kept.raw, kept.prefix, kept.form]
        }),
      )
      const rows = await db.query(
        `SELECT ${dialect.json('r.cells')} AS cells, ${dialect.json('r.raw_cells')} AS raw_cells, ${dialect.json('r.cell_keys')} AS cell_keys
         FROM document_table_rows r JOIN document_tables t ON t.id = r.table_id ORDER BY t.ordinal, r.row_index`,
      )
      expect(rows.map((r) => [JSON.parse(String(r.cells)), r.raw_cells === null ? null : JSON.parse(String(r.raw_cells)), r.cell_keys === null ? null : JSON.parse(String(r.cell_keys))])).toEqual([
        [['x', 'y'], null, null],
        [['Revenue', '10', '12'], ['**Revenue**', null, '`12`'], null],
        // A short row keeps how many raw cells it had.
        [['Short', '', ''], [null], null],
        [['Long', '1', '2', 'extra', 'more'], null, ['column_4', 'column_5']],
        [['1', '2'], null, null],
      ])

      // The views: what version 11 stored, rebuilt.
      const fields = await db.query(
        `SELECT ${dialect.json('heading_path')} AS heading_path, raw FROM document_fields_with_path ORDER BY line`,
      )
      expect(fields.map((f) => [JSON.parse(String(f.heading_path)), f.raw])).toEqual(records.fields.map((f) => [f.headingPath, f.raw]))
      const tables = await db.query(`SELECT ${dialect.json('heading_path')} AS heading_path FROM document_tables_with_path ORDER BY ordinal`)
      expect(tables.map((t) => JSON.parse(String(t.heading_path)))).toEqual(records.tables.map((t) => t.headingPath))
      const viewRows = await db.query(
        `SELECT ${dialect.json('v.cells')} AS cells, ${dialect.json('v.raw_cells')} AS raw_cells
         FROM document_table_rows_with_cells v JOIN document_tables t ON t.id = v.table_id ORDER BY t.ordinal, v.row_index`,
      )
      expect(viewRows.map((r) => [JSON.parse(String(r.cells)), JSON.parse(String(r.raw_cells))])).toEqual(
        records.tables.flatMap((t) => t.rows.map((r) => [{ ...r.cells }, r.raw])),
      )
    } finally {
      await db.close()
    }
  })
})
