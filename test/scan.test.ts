/**
 * The tree scan lists directories several at a time; what it returns must not
 * depend on the order the listings finish in.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { scanTree } from '../src/sync/scan.js'
import { cleanup, tempDir } from './helpers/tree.js'

let dir: string
let root: string

beforeEach(() => {
  dir = tempDir()
  root = path.join(fs.realpathSync(dir), 'reports')
})

afterEach(() => cleanup(dir))

/** 40 sessions, each with files at three depths and an empty folder: more directories than are listed at once. */
function writeDeepTree(): string[] {
  const files: string[] = []
  for (let s = 0; s < 40; s++) {
    const session = `2026-02-${String((s % 28) + 1).padStart(2, '0')}-17700${String(s).padStart(5, '0')}`
    for (const rel of ['orchestrator-state.md', 'specialist-reports/a.md', 'specialist-reports/deep/b.json', `qa-outputs/r${s}/c.md`]) {
      const file = path.join(root, session, rel)
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.writeFileSync(file, '# x\n')
      files.push(`${session}/${rel}`)
    }
    fs.mkdirSync(path.join(root, session, 'empty'), { recursive: true })
  }
  return files.sort()
}

describe('scanTree', () => {
  it('lists every file of a deep tree once, sorted, and every session', async () => {
    const files = writeDeepTree()
    const scan = await scanTree(root)
    expect(scan.files).toEqual(files)
    expect(scan.sessions).toEqual([...new Set(files.map((f) => f.split('/')[0]!))].sort())
    expect(scan.unreadable).toEqual([])
  })

  it('lets other work on the thread run while it lists a large tree', async () => {
    writeDeepTree()
    // 40 sessions of 6 directories: more than one turn's worth of listings.
    let turns = 0
    const tick = () => {
      turns++
      if (!done) setImmediate(tick)
    }
    let done = false
    setImmediate(tick)
    const scan = await scanTree(root)
    done = true
    expect(scan.files).toHaveLength(160)
    expect(turns).toBeGreaterThan(1)
  })

  it('gives the same answer on every run', async () => {
    writeDeepTree()
    const first = await scanTree(root)
    for (let i = 0; i < 5; i++) expect(await scanTree(root)).toEqual(first)
  })

  it('lists only under a subdirectory, and skips the sessions it is told to', async () => {
    const files = writeDeepTree()
    const [one, two] = [...new Set(files.map((f) => f.split('/')[0]!))]
    const under = await scanTree(root, `${one}/specialist-reports`)
    expect(under.files).toEqual(files.filter((f) => f.startsWith(`${one}/specialist-reports/`)))
    expect(under.sessions).toEqual([])
    const skipping = await scanTree(root, '', new Set([two!]))
    expect(skipping.files).toEqual(files.filter((f) => !f.startsWith(`${two}/`)))
    expect(skipping.sessions).not.toContain(two)
  })

  it('does not descend through a directory symlink, and lists the link itself', async () => {
    const files = writeDeepTree()
    const session = files[0]!.split('/')[0]!
    fs.symlinkSync(path.join(root, session, 'specialist-reports'), path.join(root, session, 'linked'))
    const scan = await scanTree(root)
    expect(scan.files).toEqual([...files, `${session}/linked`].sort())
  })
})
