/**
 * JSON Lines files only grow: a grown transcript or audit log has only its new
 * lines parsed and inserted, in one transaction, and the rows always equal a
 * full read of the file. Truncations, rewrites and in-place edits change the
 * prefix and are read whole. Run through the real watch daemon on a
 * transcripts root, on SQLite and PostgreSQL.
 */
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveConfig, type Config } from '../../src/config.js'
import { silentLogger } from '../../src/logger.js'
import { openPostgresStore } from '../../src/store/postgres.js'
import { openSqliteStore } from '../../src/store/sqlite.js'
import type { Store } from '../../src/store/types.js'
import { runSync } from '../../src/sync/run-sync.js'
import { startWatch } from '../../src/sync/watch.js'
import { memoryLogger } from '../helpers/cli.js'
import { TEST_DEBOUNCE_MS } from '../helpers/daemon.js'
import { canonicalDump, dumpPostgres, dumpSqlite, type Dump } from '../helpers/dump.js'
import { PG_URL, postgresAvailable, testSchemas } from '../helpers/postgres.js'
import { transcriptText } from '../../src/bench/transcript-lines.js'
import { cleanup, tempDir } from '../helpers/tree.js'

const PROJECT = '-home-dev-deal-room'
const SESSIONS = ['5d0c9a8e-1f2b-4c3d-9e8f-0a1b2c3d4e5f', '7e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b']

function transcriptsConfig(root: string, db: string, schema?: string): Config {
  const config = resolveConfig({ root, db, debounceMs: TEST_DEBOUNCE_MS, reconcileIntervalMs: 0, workers: 1, ...(schema ? { schema } : {}) }, {})
  return { ...config, rootKind: 'transcripts' }
}

/** What a fresh one-shot sync of the transcripts root gives, in canonical form. */
async function freshTranscripts(root: string, scratch: string): Promise<Dump> {
  const file = path.join(scratch, `fresh-${Date.now()}-${Math.random().toString(36).slice(2)}.db`)
  const store = openSqliteStore(file)
  await runSync(transcriptsConfig(root, `sqlite:${file}`), store, silentLogger())
  await store.close()
  return canonicalDump(dumpSqlite(file))
}

async function settle(handle: { whenIdle(): Promise<void> }): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, TEST_DEBOUNCE_MS * 4))
  await handle.whenIdle()
}

interface Target {
  name: string
  open(scratch: string): Promise<{ store: Store; db: string; schema?: string; dump(): Promise<Dump> }>
}

const schemas = testSchemas()
afterAll(() => schemas.dropAll())

const TARGETS: Target[] = [
  {
    name: 'SQLite',
    async open(scratch) {
      const file = path.join(scratch, 'watch.db')
      return { store: openSqliteStore(file), db: `sqlite:${file}`, dump: async () => dumpSqlite(file) }
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      const schema = schemas.fresh('append')
      const store = await openPostgresStore({ url: PG_URL, schema })
      return { store, db: PG_URL, schema, dump: () => dumpPostgres({ url: PG_URL, schema }) }
    },
  },
]

type Op =
  | { kind: 'append'; file: number; lines: number }
  | { kind: 'half'; file: number }
  | { kind: 'truncate'; file: number; keep: number }
  | { kind: 'rewrite'; file: number; lines: number }
  | { kind: 'edit'; file: number }
  | { kind: 'delete'; file: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('append' as const), file: fc.nat(2), lines: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('half' as const), file: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), file: fc.nat(2), keep: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rewrite' as const), file: fc.nat(2), lines: fc.integer({ min: 0, max: 20 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('edit' as const), file: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), file: fc.nat(2) }) },
)

/** The files the ops write: two main sessions and one sub-agent transcript. */
function fileOf(root: string, file: number): { abs: string; session: string; agentId?: string } {
  if (file === 2) return { abs: path.join(root, PROJECT, SESSIONS[0]!, 'subagents', 'agent-a1b2c3.jsonl'), session: SESSIONS[0]!, agentId: 'a1b2c3' }
  return { abs: path.join(root, PROJECT, `${SESSIONS[file]!}.jsonl`), session: SESSIONS[file]! }
}

/** Lines written so far per file, so appends continue the numbering. */
function applyOp(root: string, written: Map<number, number>, op: Op): void {
  const { abs, session, agentId } = fileOf(root, op.file)
  const options = agentId === undefined ? {} : { agentId }
  fs.mkdirSync(path.dirname(abs), { recursive: true })
  const have = written.get(op.file) ?? 0
  switch (op.kind) {
    case 'append':
      fs.appendFileSync(abs, transcriptText(session, have, have + op.lines, options))
      written.set(op.file, have + op.lines)
      return
    case 'half': {
      // A line cut in two writes: the reader may see the first half alone.
      const line = transcriptText(session, have, have + 1, options)
      fs.appendFileSync(abs, line.slice(0, Math.floor(line.length / 2)))
      fs.appendFileSync(abs, line.slice(Math.floor(line.length / 2)))
      written.set(op.file, have + 1)
      return
    }
    case 'truncate': {
      const keep = Math.min(op.keep, have)
      fs.writeFileSync(abs, transcriptText(session, 0, keep, options))
      written.set(op.file, keep)
      return
    }
    case 'rewrite':
      fs.writeFileSync(abs, transcriptText(session, 1000, 1000 + op.lines, options))
      written.set(op.file, op.lines)
      return
    case 'edit': {
      if (!fs.existsSync(abs)) return
      // Same length, one byte changed early on: the prefix hash catches it.
      const bytes = fs.readFileSync(abs)
      const at = bytes.indexOf('"cwd":"/home/dev/deal-room"')
      if (at === -1) return
      bytes[at + 8] = 'H'.charCodeAt(0)
      fs.writeFileSync(abs, bytes)
      return
    }
    case 'delete':
      fs.rmSync(abs, { force: true })
      written.set(op.file, 0)
      return
  }
}

for (const target of TARGETS) {
  describe(`JSON Lines appends (${target.name})`, () => {
    it('reads a line appended to a 5,000-line transcript from where the last read stopped, with the rows of a full read', async () => {
      if (target.name === 'PostgreSQL' && !(await postgresAvailable())) return
      const scratch = tempDir()
      const root = path.join(scratch, 'projects')
      const file = path.join(root, PROJECT, `${SESSIONS[0]!}.jsonl`)
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.writeFileSync(file, transcriptText(SESSIONS[0]!, 0, 5_000))
      const opened = await target.open(scratch)
      const log = memoryLogger()
      const handle = await startWatch(transcriptsConfig(root, opened.db, opened.schema), opened.store, log.logger)
      try {
        const before = fs.statSync(file).size
        fs.appendFileSync(file, transcriptText(SESSIONS[0]!, 5_000, 5_001))
        await settle(handle)
        const appended = log.records.filter((r) => r.msg === 'appended' && r.path === `${PROJECT}/${SESSIONS[0]!}.jsonl`)
        expect(appended).toHaveLength(1)
        expect(appended[0]).toMatchObject({ from: before, lines: 5_001, bytes: fs.statSync(file).size })
        const dump = canonicalDump(await opened.dump())
        expect(dump.typed.agent_messages).toHaveLength(5_001)
        expect(dump).toEqual(await freshTranscripts(root, scratch))
      } finally {
        await handle.close()
        await opened.store.close()
        cleanup(scratch)
      }
    }, 120_000)

    it('converges to a full read after appends, half-written lines, truncations, rewrites, edits and deletes', async () => {
      if (target.name === 'PostgreSQL' && !(await postgresAvailable())) return
      const runs = Number(process.env.STATEBRIDGE_APPEND_RUNS ?? 4)
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 3, maxLength: 10 }), async (ops) => {
          const scratch = tempDir()
          const root = path.join(scratch, 'projects')
          fs.mkdirSync(root, { recursive: true })
          const opened = await target.open(scratch)
          const log = memoryLogger()
          const handle = await startWatch(transcriptsConfig(root, opened.db, opened.schema), opened.store, log.logger)
          const written = new Map<number, number>()
          try {
            for (const op of ops) {
              applyOp(root, written, op)
              // Half the ops land while the daemon is busy with the last one.
              if (op.kind !== 'half') await settle(handle)
            }
            await settle(handle)
            expect(canonicalDump(await opened.dump())).toEqual(await freshTranscripts(root, scratch))
          } finally {
            await handle.close()
            await opened.store.close()
            cleanup(scratch)
          }
        }),
        { numRuns: runs, seed: Number(process.env.STATEBRIDGE_APPEND_SEED ?? 1301) },
      )
    }, 300_000)
  })
}
