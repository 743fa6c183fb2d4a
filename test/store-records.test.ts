/**
 * How markdown records are stored (src/store/document-records.ts): on every
 * markdown fixture, sections rebuild each record's heading path and stored
 * rows and fields read back as parsed; on both dialects, the views of
 * migration 12 rebuild what the readers rebuild (house style 17).
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseMarkdown } from '../src/parsers/markdown.js'
import type { TableRowRecord } from '../src/parsers/types.js'
import {
  COLON_AFTER,
  compareJsonbKeys,
  documentSections,
  readCells,
  readRaw,
  readRawCells,
  sectionAt,
  sectionPaths,
  storedRaw,
  storedRow,
} from '../src/store/document-records.js'
import { createPool } from '../src/store/postgres-connection.js'
import { openPostgresReader } from '../src/store/postgres-read.js'
import { openPostgresStore } from '../src/store/postgres.js'
import type { StoreReader } from '../src/store/read-types.js'
import { openSqliteReader } from '../src/store/sqlite-read.js'
import { openSqliteStore } from '../src/store/sqlite.js'
import Database from 'better-sqlite3'
import { PG_URL, postgresAvailable, testSchemas } from './helpers/postgres.js'
import { snapshotOf } from './helpers/snapshot.js'
import { cleanup, tempDir } from './helpers/tree.js'

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures')

function markdownFixtures(dir = FIXTURES): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return markdownFixtures(full)
    return entry.name.endsWith('.md') ? [full] : []
  })
}

const fixtures = markdownFixtures().map((file) => ({ file: path.relative(FIXTURES, file), text: fs.readFileSync(file, 'utf8') }))

// Every form of every field style, bare and after each kind of list marker, and lines no form rebuilds.
const FORMS = [
  '**Bold:** value',
  '**Empty:**',
  '**After**: value',
  '**Empty after**:',
  '**Title**',
  '- plain key: value',
  '- **Listed:** value',
  '-   **Spaced after**: value',
  '12. **Numbered:** value',
  '7. **Numbered after**: value',
  '3) **Numbered title**',
  '* **Listed title**',
  '+ **Plus**: value',
  '> **Quoted**: value',
  '**Marked:** `code` and *emphasis*',
  '**Wide：** full-width colon',
  '**Gap** : value',
].join('\n\n')

// What the stores hold in the views test: the fixtures and the forms.
const storedDocuments = [...fixtures, { file: 'forms.md', text: FORMS }]

// A row's cells as the readers answered them before migration 12: JSON keys in jsonb order.
function jsonbOrdered(row: TableRowRecord): Record<string, string> {
  return Object.fromEntries(Object.keys(row.cells).sort(compareJsonbKeys).map((key) => [key, row.cells[key]!]))
}

describe('markdown records as stored', () => {
  it('has markdown fixtures to check', () => {
    expect(fixtures.length).toBeGreaterThan(30)
  })

  it('rebuilds every heading path, and the heading path of every field and table, from the sections', () => {
    let records = 0
    for (const { file, text } of fixtures) {
      const { headings, fields, tables } = parseMarkdown(text).records
      const sections = documentSections(headings)
      const paths = sectionPaths(sections.map((s) => ({ id: s.ordinal, parentId: s.parent, title: s.title })))
      headings.forEach((heading, ordinal) => expect(paths.get(String(ordinal)), `${file}:${heading.line}`).toEqual(heading.path))
      for (const record of [...fields, ...tables]) {
        const section = sectionAt(headings, record.line)
        expect(section === null ? [] : paths.get(String(section)), `${file}:${record.line}`).toEqual(record.headingPath)
        records++
      }
    }
    expect(records).toBeGreaterThan(300)
  })

  it('reads back every field and row as parsed', () => {
    for (const { file, text } of fixtures) {
      const { fields, tables } = parseMarkdown(text).records
      for (const f of fields) expect(readRaw(storedRaw(f), f.key, f.value, f.style), `${file}:${f.line}`).toBe(f.raw)
      for (const t of tables) {
        for (const row of t.rows) {
          const stored = storedRow(t.headers, row)
          const cells = readCells(t.headers, stored.cells, stored.cellKeys)
          expect(JSON.stringify(cells), `${file}:${row.line}`).toBe(JSON.stringify(jsonbOrdered(row)))
          expect(readRawCells(stored.cells, stored.rawCells), `${file}:${row.line}`).toEqual(row.raw)
        }
      }
    }
  })

  it('stores a field raw line as its list marker and a form of its style where they rebuild it', () => {
    const fields = parseMarkdown(FORMS).records.fields
    expect(fields.map((f) => [f.raw, storedRaw(f)])).toEqual([
      ['**Bold:** value', { raw: null, prefix: null, form: null }],
      ['**Empty:**', { raw: null, prefix: null, form: null }],
      ['**After**: value', { raw: null, prefix: null, form: COLON_AFTER }],
      ['**Empty after**:', { raw: null, prefix: null, form: COLON_AFTER }],
      ['**Title**', { raw: null, prefix: null, form: null }],
      ['- plain key: value', { raw: null, prefix: '- ', form: null }],
      ['- **Listed:** value', { raw: null, prefix: '- ', form: null }],
      ['-   **Spaced after**: value', { raw: null, prefix: '-   ', form: COLON_AFTER }],
      ['12. **Numbered:** value', { raw: null, prefix: '12. ', form: null }],
      ['7. **Numbered after**: value', { raw: null, prefix: '7. ', form: COLON_AFTER }],
      ['3) **Numbered title**', { raw: null, prefix: '3) ', form: null }],
      ['* **Listed title**', { raw: null, prefix: '* ', form: null }],
      ['+ **Plus**: value', { raw: null, prefix: '+ ', form: COLON_AFTER }],
      // A blockquote's marker is not part of the raw line.
      ['**Quoted**: value', { raw: null, prefix: null, form: COLON_AFTER }],
      ['**Marked:** `code` and *emphasis*', { raw: '**Marked:** `code` and *emphasis*', prefix: null, form: null }],
      ['**Wide：** full-width colon', { raw: '**Wide：** full-width colon', prefix: null, form: null }],
      ['**Gap** : value', { raw: '**Gap** : value', prefix: null, form: null }],
    ])
    for (const f of fields) expect(readRaw(storedRaw(f), f.key, f.value, f.style)).toBe(f.raw)
  })

  it('stores, for the views test, every form of every style, with and without a list marker', () => {
    const seen = new Set<string>()
    for (const { text } of storedDocuments) {
      for (const f of parseMarkdown(text).records.fields) {
        const kept = storedRaw(f)
        const marker = kept.prefix === null ? 'bare' : /^\d/.test(kept.prefix) ? 'numbered' : 'listed'
        if (kept.raw === null) seen.add(`${f.style} ${kept.form ?? 'usual'} ${marker}`)
      }
    }
    // The views test below then checks the SQL of each against the reader.
    expect([...seen].sort()).toEqual([
      'bold 1 bare',
      'bold 1 listed',
      'bold 1 numbered',
      'bold usual bare',
      'bold usual listed',
      'bold usual numbered',
      'bullet usual listed',
      'title usual bare',
      'title usual listed',
      'title usual numbered',
    ])
  })

  it('stores a row longer or shorter than its header row with what it needs to read it back', () => {
    const { tables } = parseMarkdown('| a | 1 | a |\n|---|---|---|\n| x | `y` | z | more |\n| short |\n').records
    const [long, short] = tables[0]!.rows
    expect(storedRow(tables[0]!.headers, long!)).toEqual({ cells: ['x', 'y', 'z', 'more'], rawCells: [null, '`y`', null, null], cellKeys: ['column_4'] })
    expect(storedRow(tables[0]!.headers, short!)).toEqual({ cells: ['short', '', ''], rawCells: [null], cellKeys: null })
    expect(readCells(tables[0]!.headers, ['x', 'y', 'z', 'more'], ['column_4'])).toEqual({ 1: 'y', a: 'x', 'a (2)': 'z', column_4: 'more' })
  })
})

// The views rebuild with SQL what the readers rebuild with document-records.ts.
interface Views {
  reader: StoreReader
  query(sql: string): Promise<Array<Record<string, unknown>>>
  json(column: string): string
  close(): Promise<void>
}

const schemas = testSchemas()
afterAll(async () => {
  await schemas.dropAll()
})

const ROOT = '/fixtures'

const dialects: Array<[string, () => Promise<Views>]> = [
  [
    'sqlite',
    async () => {
      const dir = tempDir()
      const file = path.join(dir, 'store.db')
      const store = openSqliteStore(file)
      for (const { file: rel, text } of storedDocuments) await store.applyFileSnapshot(snapshotOf(ROOT, 's1', rel, text))
      await store.close()
      const reader = openSqliteReader(file)
      const db = new Database(file, { readonly: true })
      return {
        reader,
        query: async (sql) => db.prepare(sql).all() as Array<Record<string, unknown>>,
        json: (column) => column,
        async close() {
          db.close()
          await reader.close()
          cleanup(dir)
        },
      }
    },
  ],
]
if (await postgresAvailable()) {
  dialects.push([
    'postgres',
    async () => {
      const target = { url: PG_URL, schema: schemas.fresh('records') }
      const store = await openPostgresStore(target)
      for (const { file: rel, text } of storedDocuments) await store.applyFileSnapshot(snapshotOf(ROOT, 's1', rel, text))
      await store.close()
      const reader = await openPostgresReader(target)
      const pool = createPool(target, { max: 1, applicationName: 'statebridge-test' })
      return {
        reader,
        query: async (sql) => (await pool.query(sql)).rows as Array<Record<string, unknown>>,
        json: (column) => `(${column} #>> '{}')`,
        async close() {
          await reader.close()
          await pool.end()
        },
      }
    },
  ])
}

describe.each(dialects)('the views of migration 12 (%s)', (_name, open) => {
  it('give every field, table and row of the fixtures and the forms as the reader gives it', async () => {
    const views = await open()
    try {
      const documents = await views.query("SELECT id, path FROM documents WHERE format = 'markdown' ORDER BY id")
      expect(documents.length).toBe(storedDocuments.length)
      for (const document of documents) {
        const [detail] = await views.reader.document(String(document.path), ROOT)
        const fields = await views.query(
          `SELECT ${views.json('heading_path')} AS heading_path, key, value, raw, style, line FROM document_fields_with_path
           WHERE document_id = ${Number(document.id)} ORDER BY line, id`,
        )
        // The reader answers at most LIST_CAP of each; the views all.
        expect(
          fields
            .slice(0, detail!.fields.length)
            .map((f) => ({ headingPath: JSON.parse(String(f.heading_path)), key: f.key, value: f.value, raw: f.raw, style: f.style, line: f.line })),
          String(document.path),
        ).toEqual(detail!.fields)
        const tables = await views.query(
          `SELECT id, ${views.json('heading_path')} AS heading_path FROM document_tables_with_path
           WHERE document_id = ${Number(document.id)} ORDER BY ordinal`,
        )
        expect(tables.slice(0, detail!.tables.length).map((t) => JSON.parse(String(t.heading_path)))).toEqual(detail!.tables.map((t) => t.headingPath))
        for (const [index, table] of detail!.tables.entries()) {
          const rows = await views.query(
            `SELECT ${views.json('cells')} AS cells, ${views.json('raw_cells')} AS raw_cells FROM document_table_rows_with_cells
             WHERE table_id = ${Number(tables[index]!.id)} ORDER BY row_index`,
          )
          expect(rows.slice(0, table.rows.length).map((r) => [JSON.parse(String(r.cells)), JSON.parse(String(r.raw_cells))]), String(document.path)).toEqual(
            table.rows.map((r) => [r.cells, r.rawCells]),
          )
        }
      }
    } finally {
      await views.close()
    }
  })
})
