/**
 * Fifty SSE clients on the change feed while a watch applies 300 new files:
 * every client receives every change. The throughput figures themselves are
 * the bench's (phase (h) of `npm run bench`), never asserted here.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { measureFeedThroughput } from '../../src/bench/feed-load.js'
import { cleanup, tempDir } from '../helpers/tree.js'

const scratch = tempDir('statebridge-feed-load-')
afterAll(() => cleanup(scratch))

describe('the change feed under 50 SSE clients', () => {
  it('delivers every change to every client while the applies go on', async () => {
    const result = await measureFeedThroughput(scratch, { files: 300, clients: 50, workers: 1 })
    // Exactly: the clients count event names in raw chunks, and one split across two chunks must count once.
    expect(result.with.received).toBe(50 * 300)
    expect(result.without.filesPerSecond).toBeGreaterThan(0)
    expect(result.runs.map((run) => run.clients)).toEqual([0, 50])
    expect(result.with.clientsCpuMs).toBeGreaterThan(0)
    expect(result.without.clientsCpuMs).toBe(0)
    expect(result.with.mainBusyMsPerFile).toBeGreaterThan(0)
  }, 300_000)
})
