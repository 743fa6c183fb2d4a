/**
 * The parse pool: budgets, heap limits and recovery from dead workers.
 * (Runs the compiled worker from dist/, built before the tests.)
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ParsePool } from '../src/sync/parse-pool.js'
import { cleanup, tempDir, writeTree } from './helpers/tree.js'

let dir: string
let pool: ParsePool | null
beforeEach(() => {
  dir = tempDir()
  pool = null
  writeTree(dir, {
    'small.md': '| a |\n|---|\n| 1 |\n',
    // One block (no blank line) of table rows: parsed in one piece.
    'big.md': `| a | b | c | d |\n|---|---|---|---|\n${'| **x** | `y` | [z](http://z) | w |\n'.repeat(60_000)}`,
  })
})
afterEach(async () => {
  await pool?.close()
  cleanup(dir)
})

const request = (name: string) => ({ absPath: path.join(dir, name), relPath: name, knownHash: null, maxFileBytes: 1e9 })

describe('ParsePool', () => {
  it('parses files on workers and skips parsing content it already knows', async () => {
    pool = new ParsePool({ workers: 2, budgetMs: 30_000 })
    const first = await pool.run(request('small.md'))
    expect(first.kind).toBe('parsed')
    if (first.kind !== 'parsed') return
    expect(first.parsed.markdown?.tables[0]?.rows[0]?.cells).toEqual({ a: '1' })
    const again = await pool.run({ ...request('small.md'), knownHash: first.hash })
    expect(again).toEqual({ kind: 'unchanged', hash: first.hash, sizeBytes: first.sizeBytes, mtimeMs: first.mtimeMs, ino: first.ino })
    expect(first.ino).toBe(fs.statSync(path.join(dir, 'small.md')).ino)
  })

  it('fails a file that exceeds its time budget and keeps serving others', async () => {
    pool = new ParsePool({ workers: 1, budgetMs: 200 })
    const [slow, next] = await Promise.all([pool.run(request('big.md')), pool.run(request('small.md'))])
    expect(slow).toEqual({ kind: 'timeout', budgetMs: 200 })
    expect(next.kind).toBe('parsed')
  })

  it('fails a file whose parse exhausts the worker heap and replaces the worker', async () => {
    pool = new ParsePool({ workers: 1, budgetMs: 120_000, heapMb: 16 })
    const [big, next] = await Promise.all([pool.run(request('big.md')), pool.run(request('small.md'))])
    expect(big).toMatchObject({ kind: 'unreadable', code: 'ERR_WORKER_OUT_OF_MEMORY' })
    expect(big.kind === 'unreadable' && big.message).toMatch(/more than the 16 MB worker heap/)
    expect(next.kind).toBe('parsed')
  })

  it('answers gone for a file removed before it was read, and too-large without reading', async () => {
    pool = new ParsePool({ workers: 1, budgetMs: 5_000 })
    expect(await pool.run(request('missing.md'))).toEqual({ kind: 'gone' })
    const size = fs.statSync(path.join(dir, 'big.md')).size
    expect(await pool.run({ ...request('big.md'), maxFileBytes: 100 })).toMatchObject({ kind: 'too-large', sizeBytes: size })
  })

  it('parses inline with zero workers', async () => {
    pool = new ParsePool({ workers: 0, budgetMs: 1 })
    expect((await pool.run(request('small.md'))).kind).toBe('parsed')
  })
})
