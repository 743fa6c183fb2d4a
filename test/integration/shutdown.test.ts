/**
 * Signals on the real `watch` process: a stop during the start-up reconcile,
 * a shutdown bounded by --shutdown-timeout-ms when the database hangs, a second
 * signal that exits at once, and SIGHUP that neither kills nor is lost.
 */
import path from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startCli, waitFor } from '../helpers/cli.js'
import { PG_URL, postgresAvailable, testSchemas } from '../helpers/postgres.js'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'
import { cleanup, sampleTree, tempDir, writeTree } from '../helpers/tree.js'

let dir: string
let root: string
let proxy: TcpProxy | null = null

beforeEach(() => {
  dir = tempDir()
  root = path.join(dir, 'reports')
})
afterEach(async () => {
  await proxy?.close()
  proxy = null
  cleanup(dir)
})

const pgAvailable = await postgresAvailable()
const schemas = testSchemas()
afterAll(() => schemas.dropAll())

function reportTree(sessions: number, files: number): Record<string, string> {
  const tree: Record<string, string> = {}
  const rows = Array.from({ length: 80 }, (_, i) => `| F${i} | $${i}M | ${i % 2 ? '✅ COMPLETE' : '⏳ PENDING'} |`).join('\n')
  const body = Array.from({ length: 6 }, (_, t) => `## Part ${t}\n\n| Fact | Value | Status |\n|---|---|---|\n${rows}\n`).join('\n')
  for (let s = 0; s < sessions; s++) {
    for (let f = 0; f < files; f++) tree[`2026-07-0${s + 1}-17830${s}0000/specialist-reports/r-${f}.md`] = `# R ${f}\n\n${body}`
  }
  return tree
}

function exitOf(child: ReturnType<typeof startCli>['child']): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
}

describe('watch and signals', () => {
  it('stops cleanly on SIGTERM during the start-up reconcile', { timeout: 120_000 }, async () => {
    writeTree(root, reportTree(4, 60))
    const { child, lines } = startCli(['watch', root, '--db', path.join(dir, 'db.sqlite'), '--workers', '1'])
    await waitFor(() => lines.some((l) => l.includes('"applied"')), 60_000, 'the first apply')
    expect(lines.some((l) => l.includes('"watching"'))).toBe(false)
    const exited = exitOf(child)
    child.kill('SIGTERM')
    expect(await exited).toEqual({ code: 0, signal: null })
    expect(lines.some((l) => l.includes('stopped before the start-up reconcile finished'))).toBe(true)
    expect(lines.some((l) => l.includes('"reconciled"'))).toBe(false)
  })

  it('logs and ignores SIGHUP', { timeout: 60_000 }, async () => {
    writeTree(root, sampleTree())
    const { child, lines } = startCli(['watch', root, '--db', path.join(dir, 'db.sqlite')])
    await waitFor(() => lines.some((l) => l.includes('"watching"')), 30_000, 'watching')
    const exited = exitOf(child)
    child.kill('SIGHUP')
    await waitFor(() => lines.some((l) => l.includes('SIGHUP ignored')), 10_000, 'the SIGHUP line')
    expect(child.exitCode).toBeNull()
    child.kill('SIGTERM')
    expect(await exited).toEqual({ code: 0, signal: null })
  })

  describe.skipIf(!pgAvailable)('with the database black-holed', () => {
    async function hangingDaemon(extra: string[]) {
      writeTree(root, sampleTree())
      proxy = await startTcpProxy('127.0.0.1', Number(new URL(PG_URL).port || 5432))
      const url = new URL(PG_URL)
      url.port = String(proxy.port)
      url.hostname = '127.0.0.1'
      const started = startCli(['watch', root, '--db', url.toString(), '--schema', schemas.fresh('stop'), '--debounce-ms', '20', ...extra])
      await waitFor(() => started.lines.some((l) => l.includes('"watching"')), 60_000, 'watching')
      // Packets stop with no reset: the next apply hangs in the middle of its transaction.
      proxy.blackhole()
      writeTree(root, reportTree(1, 3))
      await new Promise((resolve) => setTimeout(resolve, 500))
      return started
    }

    it('exits once --shutdown-timeout-ms has passed, saying what was left', { timeout: 120_000 }, async () => {
      const { child, lines } = await hangingDaemon(['--shutdown-timeout-ms', '1500'])
      const exited = exitOf(child)
      child.kill('SIGTERM')
      // Before the bound existed it waited for the query timeout and the pool, for minutes.
      expect(await exited).toEqual({ code: 0, signal: null })
      expect(lines.some((l) => l.includes('shutdown took longer than 1500 ms'))).toBe(true)
    })

    it('exits at once on a second signal', { timeout: 120_000 }, async () => {
      const { child, lines } = await hangingDaemon(['--shutdown-timeout-ms', '0'])
      const exited = exitOf(child)
      child.kill('SIGTERM')
      await waitFor(() => lines.some((l) => l.includes('shutting down')), 10_000, 'shutting down')
      child.kill('SIGTERM')
      expect(await exited).toEqual({ code: 143, signal: null })
      expect(lines.some((l) => l.includes('second SIGTERM'))).toBe(true)
    })
  })
})
