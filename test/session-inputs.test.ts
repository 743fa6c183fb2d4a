/**
 * A session is derived again only after a change to a file that feeds it
 * (src/store/session-inputs.ts). The proof that skipping the others loses
 * nothing: after syncs, edits and removals, every session row and derived
 * status equals what deriving every session afresh gives, and at the end
 * what a fresh sync of the tree gives, on both dialects.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { generateTree } from '../src/bench/generate-tree.js'
import { resolveConfig } from '../src/config.js'
import { silentLogger } from '../src/logger.js'
import { openPostgresStore } from '../src/store/postgres.js'
import { shapesSession } from '../src/store/session-inputs.js'
import { openSqliteStore } from '../src/store/sqlite.js'
import type { Store } from '../src/store/types.js'
import { runSync } from '../src/sync/run-sync.js'
import { canonicalDump, dumpPostgres, dumpSqlite, type Dump } from './helpers/dump.js'
import { PG_URL, postgresAvailable, schemaRows, testSchemas } from './helpers/postgres.js'
import { cleanup, tempDir, writeTree } from './helpers/tree.js'

const EXAMPLES = path.resolve(import.meta.dirname, '../examples/reports')
const available = await postgresAvailable()
const scratch = tempDir('statebridge-session-inputs-')
const schemas = testSchemas()
afterAll(async () => {
  await schemas.dropAll()
  cleanup(scratch)
})

describe('shapesSession', () => {
  const S = '2026-03-05-1772668800'
  it.each([
    [`${S}/orchestrator-state.md`, true],
    [`${S}/research-plan.md`, true],
    [`${S}/synthesis-state.json`, true],
    [`${S}/fact-validator-state.json`, true],
    [`${S}/review-outputs/risk-summary.json`, true],
    [`${S}/review-outputs/fact-registry.md`, true],
    [`${S}/final-memorandum.md`, true],
    [`${S}/specialist-reports/employment-analyst-report.md`, true],
    [`${S}/qa-outputs/final-qa-certificate.md`, true],
    [`${S}/qa-outputs/delivery-decision.md`, true],
    [`${S}/qa-outputs/remediation-plan.md`, true],
    [`${S}/section-reports/section-IV-A-employment.md`, false],
    [`${S}/executive-summary.md`, false],
    [`${S}/scripts/merge-sections.sh`, false],
    [`${S}/orchestrator-state.md.bak`, false],
    [`${S}/notes.txt`, false],
  ])('%s: %s', (relPath, expected) => {
    expect(shapesSession(relPath)).toBe(expected)
  })
})

interface Dialect {
  open(): Promise<Store>
  dump(): Promise<Dump>
  /** Forget every session's derivation, so the next open derives them all afresh. */
  forget(): Promise<void>
}

function sqlite(label: string): Dialect {
  const file = path.join(scratch, `${label}.db`)
  return {
    open: async () => openSqliteStore(file),
    dump: async () => canonicalDump(dumpSqlite(file)),
    async forget() {
      const db = new Database(file)
      db.exec('UPDATE sessions SET status_reason = NULL')
      db.close()
    },
  }
}

function postgres(label: string): Dialect {
  const target = { url: PG_URL, schema: schemas.fresh(label) }
  return {
    open: () => openPostgresStore(target),
    dump: async () => canonicalDump(await dumpPostgres(target)),
    forget: () => schemaRows(target.schema, 'UPDATE sessions SET status_reason = NULL').then(() => undefined),
  }
}

/** What a refresh writes: the session rows and the derived statuses of assignments and remediation tasks. */
function derived(dump: Dump) {
  return { sessions: dump.typed.session_state, statuses: dump.typed.derived_statuses }
}

async function sync(root: string, dialect: Dialect): Promise<void> {
  const store = await dialect.open()
  try {
    await runSync(resolveConfig({ root, db: 'sqlite::memory:', workers: 1 }, {}), store, silentLogger())
  } finally {
    await store.close()
  }
}

/** After each step's sync, the sessions equal a derivation from scratch; after the last, a fresh sync of the tree too. */
async function expectFreshAfterEachStep(dialect: Dialect, fresh: Dialect, root: string, steps: Array<() => void>): Promise<void> {
  let kept: ReturnType<typeof derived> | null = null
  for (const [i, step] of steps.entries()) {
    step()
    await sync(root, dialect)
    kept = derived(await dialect.dump())
    expect(kept.sessions!.length, `step ${i}`).toBeGreaterThan(0)
    expect(kept.sessions!.every((s) => typeof s.status_reason === 'string'), `step ${i}`).toBe(true)
    await dialect.forget()
    await (await dialect.open()).close()
    expect(derived(await dialect.dump()), `step ${i}`).toEqual(kept)
  }
  await sync(root, fresh)
  expect(derived(await fresh.dump())).toEqual(kept)
}

const S1 = '2026-02-16-1771200000'
const S2 = '2026-03-05-1772668800'
const NEW = '2026-04-20-1776643200'
const section = (n: number) => `# Section IV.${n}\n\n**Status:** draft\n\n| Item | Value |\n|---|---|\n| n | ${n} |\n`

/** The examples, then edits and removals of files that feed sessions and files that do not. */
function exampleSteps(root: string): Array<() => void> {
  return [
    () => fs.cpSync(EXAMPLES, root, { recursive: true }),
    // A new session whose first file feeds nothing: its row is still derived.
    () => writeTree(root, { [`${NEW}/section-reports/section-IV-1.md`]: section(1), [`${S1}/section-reports/section-IV-2.md`]: section(2) }),
    () => writeTree(root, { [`${NEW}/executive-summary.md`]: '# Executive summary\n\n**Deal value:** $40-60M\n', [`${S2}/scripts/run.sh`]: 'echo hi\n' }),
    // Files that feed their session: a certificate, a final memorandum, a broken state file.
    () =>
      writeTree(root, {
        [`${NEW}/qa-outputs/final-qa-certificate.md`]: '# Final QA certificate\n\n**Status:** CERTIFIED\n',
        [`${NEW}/final-memorandum.md`]: '# Memorandum\n\nDone.\n',
        [`${S2}/synthesis-state.json`]: '{"status": ',
      }),
    () => {
      fs.rmSync(path.join(root, NEW, 'section-reports/section-IV-1.md'))
      fs.rmSync(path.join(root, S1, 'final-memorandum.md'))
      fs.rmSync(path.join(root, NEW, 'qa-outputs/final-qa-certificate.md'))
    },
    // Every file of a session goes, its directory stays: a fresh sync has a row no file was applied to.
    () => {
      fs.rmSync(path.join(root, NEW, 'executive-summary.md'))
      fs.rmSync(path.join(root, NEW, 'final-memorandum.md'))
    },
  ]
}

describe.each([
  ['SQLite', true, sqlite],
  ['PostgreSQL', available, postgres],
] as const)('skipping the refresh loses nothing (%s)', (_name, runs, dialectOf) => {
  it.skipIf(!runs)('on the examples, with edits and removals', async () => {
    const root = path.join(scratch, `examples-${_name}`)
    await expectFreshAfterEachStep(dialectOf(`ex_${_name}`), dialectOf(`ex_fresh_${_name}`), root, exampleSteps(root))
  })

  it.skipIf(!runs)('on a generated tree', async () => {
    const root = path.join(scratch, `generated-${_name}`)
    await expectFreshAfterEachStep(dialectOf(`gen_${_name}`), dialectOf(`gen_fresh_${_name}`), root, [
      () => void generateTree(root, { sessions: 4, seed: 11, largeMemorandumEvery: 0 }),
    ])
  })
})
