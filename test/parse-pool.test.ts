/**
 * The parse pool: budgets, heap limits and recovery from dead workers.
 * (Runs the compiled worker from dist/, built before the tests.)
 */
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
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

const request = (name: string) => ({ absPath: path.join(dir, name), relPath: name, realRoot: fs.realpathSync(dir), knownHash: null, maxFileBytes: 1e9 })

/** Nice values of this process's threads, by thread id (Linux). */
function threadNices(): Map<number, number> {
  const nices = new Map<number, number>()
  for (const tid of fs.readdirSync('/proc/self/task')) {
    // Fields after the command (which may hold spaces) start at the last ')'; nice is field 19.
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    nices.set(Number(tid), Number(fields[19 - 3]))
  }
  return nices
}

describe('ParsePool', () => {
  it.skipIf(process.platform !== 'linux')('runs each worker thread at its nice value, and the rest of the process as it was', async () => {
    const before = threadNices().get(process.pid)
    pool = new ParsePool({ workers: 2, budgetMs: 0, nice: 7 })
    await pool.whenReady()
    expect((await pool.run(request('small.md'))).kind).toBe('parsed')
    const nices = threadNices()
    expect([...nices.values()].filter((nice) => nice === 7)).toHaveLength(2)
    expect(nices.get(process.pid)).toBe(before)
    await pool.close()
    pool = null
    expect([...threadNices().values()].filter((nice) => nice === 7)).toHaveLength(0)
  })

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
    expect(slow).toMatchObject({ kind: 'timeout', budgetMs: 200, repeated: false })
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

  it('runs without a budget when it is 0', async () => {
    pool = new ParsePool({ workers: 1, budgetMs: 0 })
    expect((await pool.run(request('small.md'))).kind).toBe('parsed')
    expect(pool.workersReplaced).toBe(0)
  })

  it('starts no worker before it is asked to when lazy', async () => {
    // A worker entry that says it started, then runs the real one.
    const entry = (marker: string): URL => {
      const file = path.join(dir, `${path.basename(marker)}.mjs`)
      const real = new URL('../dist/sync/parse-worker.js', import.meta.url).href
      fs.writeFileSync(file, `import fs from 'node:fs'\nfs.appendFileSync(${JSON.stringify(marker)}, 'started\\n')\nawait import(${JSON.stringify(real)})\n`)
      return pathToFileURL(file)
    }
    const lazyMarker = path.join(dir, 'lazy-started')
    const eagerMarker = path.join(dir, 'eager-started')
    pool = new ParsePool({ workers: 1, budgetMs: 0, lazy: true, workerUrl: entry(lazyMarker) })
    // An eager pool's worker starts, loads and parses meanwhile: time enough for a lazy one started too early to say so.
    const eager = new ParsePool({ workers: 1, budgetMs: 0, workerUrl: entry(eagerMarker) })
    try {
      expect((await eager.run(request('small.md'))).kind).toBe('parsed')
    } finally {
      await eager.close()
    }
    expect(fs.readFileSync(eagerMarker, 'utf8')).toBe('started\n')
    expect(fs.existsSync(lazyMarker)).toBe(false)
    // What a watch does before it says it is ready: start the workers and wait for them.
    await pool.whenReady()
    expect(fs.readFileSync(lazyMarker, 'utf8')).toBe('started\n')
    expect((await pool.run(request('small.md'))).kind).toBe('parsed')
    expect((await pool.run(request('small.md'))).kind).toBe('parsed')
    expect(fs.readFileSync(lazyMarker, 'utf8')).toBe('started\n')
  })

  it('parses inline with zero workers', async () => {
    pool = new ParsePool({ workers: 0, budgetMs: 1 })
    await pool.whenReady()
    expect((await pool.run(request('small.md'))).kind).toBe('parsed')
  })

  it('does not parse again content that blew its budget, wherever it is and whoever reads it', async () => {
    pool = new ParsePool({ workers: 2, budgetMs: 200 })
    const first = await pool.run(request('big.md'))
    expect(first).toMatchObject({ kind: 'timeout', repeated: false })
    const hash = first.kind === 'timeout' ? first.hash : null
    expect(hash).toMatch(/^[0-9a-f]{64}$/)
    expect(pool.workersReplaced).toBe(1)
    // An edit that keeps the content, a copy at another path, a prefetch and its run: answered at once.
    fs.copyFileSync(path.join(dir, 'big.md'), path.join(dir, 'copy.md'))
    for (const name of ['big.md', 'big.md', 'copy.md', 'big.md']) {
      expect(await pool.run(request(name))).toMatchObject({ kind: 'timeout', budgetMs: 200, hash, repeated: true })
    }
    expect(pool.workersReplaced).toBe(1)
    expect((await pool.run(request('small.md'))).kind).toBe('parsed')
    // New content is parsed (and blows the budget) once.
    fs.appendFileSync(path.join(dir, 'big.md'), '| 1 | 2 | 3 | 4 |\n')
    expect(await pool.run(request('big.md'))).toMatchObject({ kind: 'timeout', repeated: false })
    expect(await pool.run(request('big.md'))).toMatchObject({ kind: 'timeout', repeated: true })
    expect(pool.workersReplaced).toBe(2)
  })

  it('tells a parser failure from a read error', async () => {
    pool = new ParsePool({ workers: 1, budgetMs: 60_000 })
    writeTree(dir, { 'deep.json': `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}` })
    const result = await pool.run(request('deep.json'))
    expect(result).toMatchObject({ kind: 'parser-failed', message: 'Maximum call stack size exceeded' })
    expect(result.kind === 'parser-failed' && result.hash).toMatch(/^[0-9a-f]{64}$/)
    expect((await pool.run(request('small.md'))).kind).toBe('parsed')
  })

  it('refuses a file that resolves outside the root, checked on what was opened', async () => {
    pool = new ParsePool({ workers: 1, budgetMs: 60_000 })
    const outside = tempDir()
    try {
      fs.writeFileSync(path.join(outside, 'secret.md'), '| s |\n|---|\n| x |\n')
      fs.symlinkSync(outside, path.join(dir, 'linked'))
      const result = await pool.run({ ...request('linked/secret.md'), realRoot: fs.realpathSync(dir) })
      expect(result).toEqual({ kind: 'outside', realPath: path.join(fs.realpathSync(outside), 'secret.md') })
      fs.symlinkSync('small.md', path.join(dir, 'alias.md'))
      expect((await pool.run(request('alias.md'))).kind).toBe('parsed')
    } finally {
      cleanup(outside)
    }
  })

  it('backs off and then answers unavailable when no worker can start, instead of respawning in a loop', async () => {
    // A worker that dies while loading, as every worker does below a low `ulimit -n`.
    const starts = path.join(dir, 'starts.log')
    const module = path.join(dir, 'emfile-worker.mjs')
    fs.writeFileSync(
      module,
      `import fs from 'node:fs'\nfs.appendFileSync(${JSON.stringify(starts)}, 'x')\n` +
        `throw Object.assign(new Error('EMFILE: too many open files, open x.js'), { code: 'EMFILE' })\n`,
    )
    pool = new ParsePool({ workers: 2, budgetMs: 1_000, workerUrl: pathToFileURL(module) })
    const result = await pool.run(request('small.md'))
    expect(result).toMatchObject({ kind: 'unavailable', code: 'EMFILE' })
    expect(result.kind === 'unavailable' && result.message).toMatch(/too many open files.*`ulimit -n`/)
    const attempts = fs.readFileSync(starts, 'utf8').length
    expect(attempts).toBeLessThanOrEqual(6)
    // Later requests are answered at once, without starting workers again.
    expect((await pool.run(request('small.md'))).kind).toBe('unavailable')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(fs.readFileSync(starts, 'utf8').length).toBe(attempts)
  }, 30_000)

  it('treats a worker that exits while loading as a failed start', async () => {
    const module = path.join(dir, 'exit-worker.mjs')
    fs.writeFileSync(module, 'process.exit(3)\n')
    pool = new ParsePool({ workers: 1, budgetMs: 1_000, workerUrl: pathToFileURL(module) })
    expect(await pool.run(request('small.md'))).toMatchObject({ kind: 'unavailable', code: 'EWORKER' })
  }, 30_000)
})
