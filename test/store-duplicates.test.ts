/**
 * Duplicates (issue 11), written once and run against every dialect: a tree
 * whose fact registry states a fact twice, whose conflict report, fact
 * registry and coverage gaps tell the same conflicts, and whose orchestrator
 * state extracts facts the registry also states, is synced through the real
 * syncer; the views `session_conflicts` and `canonical_facts` then give one
 * row per conflict and per fact, and both dialects give the same rows.
 */
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveConfig } from '../src/config.js'
import { silentLogger } from '../src/logger.js'
import { openPostgresStore } from '../src/store/postgres.js'
import { openSqliteStore } from '../src/store/sqlite.js'
import type { Store } from '../src/store/types.js'
import { createSyncer } from '../src/sync/syncer.js'
import { dropSchema, PG_URL, postgresAvailable, schemaRows, uniqueSchema } from './helpers/postgres.js'
import { cleanup, tempDir, writeTree } from './helpers/tree.js'

const SESSION = '2026-03-02-1772409600'

const TREE: Record<string, string> = {
  [`${SESSION}/review-outputs/fact-registry.md`]: `# FACT REGISTRY

## Key Facts Summary

| Fact | Canonical Value | Source |
|------|-----------------|--------|
| Purchase Price | $870M | deal-terms-report.md |
| Annual Debt Service | $42M | financial-report.md |

## Financial Facts

| Fact | Canonical Value | Source |
|------|-----------------|--------|
| **Purchase Price** | $870M (cash) | financial-report.md |
| Annual Debt Service | $48M | debt-report.md |

## Conflicts Detected

### Conflict 1: Annual Debt Service

**Severity:** HIGH
**Status:** UNRESOLVED
`,
  [`${SESSION}/review-outputs/conflict-report.md`]: `# CONFLICT REPORT

## Summary of Conflicts

| # | Fact | Report A Value | Report B Value | Severity | Status |
|---|------|----------------|----------------|----------|--------|
| 1 | Annual Debt Service Discrepancy | $42M | $48M | HIGH | UNRESOLVED |
| 2 | Closing Date Range | Q2 2027 | Q3 2027 | MEDIUM | RESOLVED |

## Conflict Details

### Conflict 1: Annual Debt Service Discrepancy

**Severity:** HIGH
**Status:** UNRESOLVED
**Resolution:** Awaiting the lender's schedule
`,
  [`${SESSION}/review-outputs/coverage-gaps.md`]: `# COVERAGE GAP ANALYSIS

## Identified Conflicts

### Conflict 1: Closing Date

**Severity:** MEDIUM
**Status:** RESOLVED
`,
  [`${SESSION}/orchestrator-state.md`]: `# ORCHESTRATOR STATE

## EXTRACTED_FACTS

| Category | Fact | Value | Source Report |
|----------|------|-------|---------------|
| Financial | Purchase Price | $875M | financial-report.md |
| Dates | Closing Date | Q2 2027 | deal-terms-report.md |
| Dates | Closing Date | Q2 2027 | regulatory-report.md |
`,
}

interface Harness {
  store: Store
  query(sql: string): Promise<Array<Record<string, unknown>>>
  close(): Promise<void>
}

const dialects: Array<[string, () => Promise<Harness>]> = [
  [
    'sqlite',
    async () => {
      const dir = tempDir()
      const file = path.join(dir, 'store.db')
      const store = openSqliteStore(file, { instance: 'test' })
      const Database = (await import('better-sqlite3')).default
      return {
        store,
        query: async (sql) => {
          const db = new Database(file, { readonly: true })
          try {
            return db.prepare(sql).all() as Array<Record<string, unknown>>
          } finally {
            db.close()
          }
        },
        close: async () => (await store.close(), cleanup(dir)),
      }
    },
  ],
]
if (await postgresAvailable()) {
  dialects.push([
    'postgres',
    async () => {
      const target = { url: PG_URL, schema: uniqueSchema('duplicates') }
      const store = await openPostgresStore(target, { instance: 'test' })
      return {
        store,
        query: (sql) => schemaRows(target.schema, sql),
        close: async () => {
          await store.close()
          await dropSchema(target.schema)
        },
      }
    },
  ])
}

/** Sync the tree into a fresh store of one dialect and read the views. */
async function syncAndRead(open: () => Promise<Harness>): Promise<Record<string, Array<Record<string, unknown>>>> {
  const dir = tempDir()
  const root = path.join(dir, 'reports')
  writeTree(root, TREE)
  const h = await open()
  try {
    const syncer = await createSyncer(resolveConfig({ root, db: `sqlite:${path.join(dir, 'unused.db')}`, workers: 1 }, {}), h.store, silentLogger(), 'debug', {
      probe: false,
    })
    try {
      const counts = await syncer.reconcile({ verifyAll: true })
      expect(counts.filesFailed).toBe(0)
    } finally {
      await syncer.close()
    }
    return {
      conflicts: await h.query(
        `SELECT session_id, conflict_key, fact_name, document_type, line, severity, status, documents, tellings, paths
         FROM session_conflicts ORDER BY conflict_key`,
      ),
      facts: await h.query(
        `SELECT session_id, fact_key, fact_name, value, value_number, value_date, source_table, document_type, line, candidates, tellings
         FROM canonical_facts ORDER BY fact_key`,
      ),
      registry: await h.query('SELECT fact_key, canonical_value, occurrences FROM fact_registry ORDER BY line'),
      extracted: await h.query('SELECT fact_key, value, occurrences FROM extracted_facts ORDER BY line'),
      // By path, not document id: ids follow the order the files were applied in, which differs between runs.
      raw: await h.query(
        'SELECT c.conflict_key, c.occurrences FROM fact_conflicts c JOIN documents d ON d.id = c.document_id ORDER BY c.conflict_key, d.path, c.line',
      ),
    }
  } finally {
    await h.close()
    cleanup(dir)
  }
}

const results = new Map<string, Record<string, Array<Record<string, unknown>>>>()

describe.each(dialects)('duplicates (%s)', (name, open) => {
  it('stores a restated record once, links a conflict across files, and picks one row per fact', async () => {
    const read = await syncAndRead(open)
    results.set(name, read)
    // The registry's purchase price is stated twice with one value: one row, two tellings; the debt service twice with two values: two rows.
    expect(read.registry).toEqual([
      { fact_key: 'purchase price', canonical_value: '$870M', occurrences: 2 },
      { fact_key: 'annual debt service', canonical_value: '$42M', occurrences: 1 },
      { fact_key: 'annual debt service', canonical_value: '$48M', occurrences: 1 },
    ])
    expect(read.extracted).toEqual([
      { fact_key: 'purchase price', value: '$875M', occurrences: 1 },
      { fact_key: 'closing date', value: 'Q2 2027', occurrences: 2 },
    ])
    // Three files tell two conflicts: four rows, two linked conflicts, the conflict report's telling first.
    expect(read.raw).toHaveLength(4)
    expect(read.conflicts).toEqual([
      {
        session_id: SESSION,
        conflict_key: 'annual debt service',
        fact_name: 'Annual Debt Service Discrepancy',
        document_type: 'conflict_report',
        line: 14,
        severity: 'high',
        status: 'unresolved',
        documents: 2,
        tellings: 3,
        paths: `${SESSION}/review-outputs/conflict-report.md; ${SESSION}/review-outputs/fact-registry.md`,
      },
      {
        session_id: SESSION,
        conflict_key: 'closing date',
        fact_name: 'Closing Date Range',
        document_type: 'conflict_report',
        line: 8,
        severity: 'medium',
        status: 'resolved',
        documents: 2,
        tellings: 2,
        paths: `${SESSION}/review-outputs/conflict-report.md; ${SESSION}/review-outputs/coverage-gaps.md`,
      },
    ])
    // The registry outranks the orchestrator's extracted facts; a fact only the orchestrator states comes from it.
    expect(read.facts).toEqual([
      {
        session_id: SESSION,
        fact_key: 'annual debt service',
        fact_name: 'Annual Debt Service',
        value: '$42M',
        value_number: 42_000_000,
        value_date: null,
        source_table: 'fact_registry',
        document_type: 'fact_registry',
        line: 8,
        candidates: 2,
        tellings: 2,
      },
      {
        session_id: SESSION,
        fact_key: 'closing date',
        fact_name: 'Closing Date',
        value: 'Q2 2027',
        value_number: null,
        value_date: '2027-04-01',
        source_table: 'extracted_facts',
        document_type: 'orchestrator_state',
        line: 8,
        candidates: 1,
        tellings: 2,
      },
      {
        session_id: SESSION,
        fact_key: 'purchase price',
        fact_name: 'Purchase Price',
        value: '$870M',
        value_number: 870_000_000,
        value_date: null,
        source_table: 'fact_registry',
        document_type: 'fact_registry',
        line: 7,
        candidates: 2,
        tellings: 3,
      },
    ])
  })
})

afterAll(() => {
  // Both dialects give the same rows (checked when both ran).
  const [first, ...rest] = [...results.values()]
  for (const other of rest) expect(other).toEqual(first)
})
