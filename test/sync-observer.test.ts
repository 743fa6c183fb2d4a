/**
 * The sync layer's observer seam: the monitor counts and remembers by itself,
 * holds histogram samples until an observer attaches (the latest HELD_SAMPLES),
 * and only src/metrics/registry.ts loads prom-client.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { HELD_SAMPLES, NO_OBSERVER, SyncMonitor, type SyncObserver } from '../src/sync/observer.js'

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src')

function recorder(): SyncObserver & { applies: number[]; commits: number[]; parses: number[]; events: string[] } {
  const r = { applies: [] as number[], commits: [] as number[], parses: [] as number[], events: [] as string[] }
  return {
    ...r,
    applyDuration: (s) => void r.applies.push(s),
    changeToCommit: (s) => void r.commits.push(s),
    parseDuration: (s) => void r.parses.push(s),
    fileApplied: (change, status) => void r.events.push(`applied ${change} ${status}`),
    fileError: (reason) => void r.events.push(`error ${reason}`),
    reconcileDone: (_s, ok) => void r.events.push(`reconcile ${ok}`),
    dbDown: () => void r.events.push('down'),
    dbUp: () => void r.events.push('up'),
    dbRetry: () => void r.events.push('retry'),
    workerRestart: () => void r.events.push('restart'),
  }
}

describe('SyncMonitor', () => {
  it('counts and remembers without an observer', () => {
    const monitor = new SyncMonitor()
    expect(monitor.initialReconcileDone).toBe(false)
    monitor.fileApplied('created', 'ok')
    monitor.fileApplied('created', 'error')
    monitor.fileApplied('removed', 'none')
    monitor.fileError('parse')
    monitor.dbRetry()
    monitor.workerRestart()
    monitor.reconcileDone(1.5, false)
    expect(monitor.initialReconcileDone).toBe(false)
    expect(monitor.lastReconcileDurationSeconds).toBe(1.5)
    monitor.reconcileDone(0.5, true)
    expect(monitor.initialReconcileDone).toBe(true)
    expect(monitor.applied.created).toEqual({ ok: 1, error: 1, none: 0 })
    expect(monitor.applied.removed.none).toBe(1)
    expect(monitor.errors.parse).toBe(1)
    expect(monitor.errors.timeout).toBe(0)
    expect([monitor.dbRetries, monitor.workerRestarts]).toEqual([1, 1])
    expect(monitor.lastApplyAt).toBeGreaterThan(Date.now() / 1000 - 5)
    // Until the watch binds its state, the monitor reads as idle.
    expect(monitor.status.dirtyFiles()).toBe(0)
    expect(monitor.status.databaseUp()).toBe(true)
  })

  it('replays the latest held samples to the first observer, then forwards, and detaches', () => {
    const monitor = new SyncMonitor()
    for (let i = 0; i < HELD_SAMPLES + 10; i++) monitor.applyDuration(i)
    monitor.changeToCommit(0.2)
    monitor.parseDuration(0.01)
    const first = recorder()
    const detach = monitor.observe(first)
    expect(first.applies).toHaveLength(HELD_SAMPLES)
    expect(first.applies[0]).toBe(10)
    expect(first.applies.at(-1)).toBe(HELD_SAMPLES + 9)
    expect(first.commits).toEqual([0.2])
    expect(first.parses).toEqual([0.01])
    monitor.applyDuration(7)
    monitor.fileApplied('updated', 'ok')
    monitor.fileError('too_large')
    monitor.dbDown()
    monitor.dbUp()
    expect(first.applies.at(-1)).toBe(7)
    expect(first.events).toEqual(['applied updated ok', 'error too_large', 'down', 'up'])
    // A second observer gets no replay: the samples went to the first.
    const second = recorder()
    monitor.observe(second)
    expect(second.applies).toEqual([])
    detach()
    monitor.applyDuration(8)
    expect(first.applies.at(-1)).toBe(7)
    expect(second.applies).toEqual([8])
  })

  it('NO_OBSERVER takes every call', () => {
    expect(() => {
      NO_OBSERVER.fileApplied('created', 'ok')
      NO_OBSERVER.applyDuration(1)
      NO_OBSERVER.dbRetry()
    }).not.toThrow()
  })
})

describe('prom-client stays out of the daemon', () => {
  it('is imported by src/metrics/registry.ts only, which only the /metrics route loads (dynamically)', () => {
    const importers: string[] = []
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name)
        if (entry.isDirectory()) walk(full)
        else if (entry.name.endsWith('.ts') && /from 'prom-client'|import\('prom-client'\)/.test(fs.readFileSync(full, 'utf8'))) {
          importers.push(path.relative(SRC, full))
        }
      }
    }
    walk(SRC)
    expect(importers).toEqual(['metrics/registry.ts'])
    const staticImporters: string[] = []
    const walkRegistry = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name)
        if (entry.isDirectory()) walkRegistry(full)
        else if (entry.name.endsWith('.ts') && /from '[./]+(metrics\/)?registry\.js'/.test(fs.readFileSync(full, 'utf8'))) {
          staticImporters.push(path.relative(SRC, full))
        }
      }
    }
    walkRegistry(SRC)
    // routes.ts imports only its type (erased); the module itself comes through import('./registry.js').
    for (const file of staticImporters) expect(fs.readFileSync(path.join(SRC, file), 'utf8')).toMatch(/import type \{[^}]*\} from '\.\/registry\.js'/)
  })
})
