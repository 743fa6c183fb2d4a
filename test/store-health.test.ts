/**
 * The backoff formula, and the outage state machine of `StoreHealth` against a
 * fake store whose `ping` follows a script. Real timers with small delays
 * (baseMs 10, maxMs 40) keep the tests short without faking the clock.
 */
import { describe, expect, it, vi } from 'vitest'
import type { Store, StoreErrorKind } from '../src/store/types.js'
import { retryDelay, StoreHealth } from '../src/sync/store-health.js'
import { memoryLogger, waitFor } from './helpers/cli.js'

const DESCRIPTION = 'postgres://sb@db.internal:5432/state (schema tenant_a)'
const WARN = 40
const INFO = 30
const ERROR = 50

describe('retryDelay', () => {
  it.each([
    // attempt, baseMs, maxMs, lowest (random() = 0), highest (random() = 1)
    [1, 1_000, 30_000, 500, 1_000],
    [2, 1_000, 30_000, 1_000, 2_000],
    [3, 1_000, 30_000, 2_000, 4_000],
    [5, 1_000, 30_000, 8_000, 16_000],
    [6, 1_000, 30_000, 15_000, 30_000], // 32 s is above the cap
    [7, 1_000, 30_000, 15_000, 30_000],
    [40, 1_000, 30_000, 15_000, 30_000],
    [1_000_000, 1_000, 30_000, 15_000, 30_000],
    [Number.MAX_SAFE_INTEGER, 1_000, 30_000, 15_000, 30_000],
    [Number.MAX_VALUE, 1_000, 30_000, 15_000, 30_000],
    [Infinity, 1_000, 30_000, 15_000, 30_000],
    [Infinity, 10, 40, 20, 40],
    [Infinity, 600_000, 3_600_000, 1_800_000, 3_600_000],
    // Attempts below 1 wait like the first.
    [0, 1_000, 30_000, 500, 1_000],
    [-3, 1_000, 30_000, 500, 1_000],
    // A cap below the base wins.
    [1, 1_000, 400, 200, 400],
    [3, 10, 40, 20, 40],
    [2, 10, 40, 10, 20],
  ])('attempt %d, base %d, max %d → %d..%d', (attempt, baseMs, maxMs, lowest, highest) => {
    expect(retryDelay(attempt, baseMs, maxMs, () => 0)).toBe(lowest)
    expect(retryDelay(attempt, baseMs, maxMs, () => 1)).toBe(highest)
    const middle = retryDelay(attempt, baseMs, maxMs, () => 0.5)
    expect(middle).toBe(Math.round((lowest + highest) / 2))
  })

  it('grows with the attempt, never passes the cap and is always a whole number', () => {
    let previous = 0
    for (let attempt = 1; attempt <= 80; attempt++) {
      const delay = retryDelay(attempt, 1_000, 30_000, () => 0.37)
      expect(Number.isInteger(delay)).toBe(true)
      expect(delay).toBeGreaterThanOrEqual(previous)
      expect(delay).toBeLessThanOrEqual(30_000)
      previous = delay
    }
    expect(previous).toBe(Math.round(15_000 + 0.37 * 15_000))
  })

  it('uses Math.random by default, within the jitter bounds', () => {
    for (let i = 0; i < 200; i++) {
      const delay = retryDelay(3, 100, 1_000)
      expect(delay).toBeGreaterThanOrEqual(200)
      expect(delay).toBeLessThanOrEqual(400)
    }
  })
})

/** A ping outcome: `'ok'`, or an error to throw with the kind `classifyError` gives it. */
type PingStep = 'ok' | { error: Error; kind: StoreErrorKind }

const fail = (message = 'connect ECONNREFUSED 10.0.0.5:5432', kind: StoreErrorKind = 'transient'): PingStep => ({
  error: Object.assign(new Error(message), { code: 'ECONNREFUSED' }),
  kind,
})

/**
 * A `StoreHealth` over a fake store. `ping` plays `steps` in order and
 * answers `'ok'` once they run out; `pingGate`, when given, holds every ping
 * until it resolves.
 */
function setup(options: { steps?: PingStep[]; probe?: boolean; baseMs?: number; maxMs?: number; pingGate?: () => Promise<void> } = {}) {
  const { logger, records } = memoryLogger('debug')
  const steps = [...(options.steps ?? [])]
  const kinds = new Map<unknown, StoreErrorKind>()
  let pings = 0
  const store = {
    description: DESCRIPTION,
    async ping() {
      pings++
      if (options.pingGate) await options.pingGate()
      const step = steps.shift() ?? 'ok'
      if (step === 'ok') return
      kinds.set(step.error, step.kind)
      throw step.error
    },
    classifyError(error: unknown): StoreErrorKind {
      return kinds.get(error) ?? 'transient'
    },
  } as unknown as Store
  const health = new StoreHealth({
    store,
    logger,
    retry: { baseMs: options.baseMs ?? 10, maxMs: options.maxMs ?? 40 },
    probe: options.probe ?? true,
  })
  const recoveries: Array<Map<string, boolean>> = []
  health.onRecovered = async (dirty) => {
    recoveries.push(dirty)
  }
  const at = (level: number) => records.filter((record) => record.level === level)
  return {
    health,
    records,
    recoveries,
    pings: () => pings,
    errors: () => at(ERROR),
    /** The probe's "retry N in M ms" lines. */
    retries: () => at(WARN).filter((record) => typeof record.attempt === 'number') as Array<Record<string, unknown> & { attempt: number; delayMs: number }>,
    reachable: () => at(INFO).filter((record) => String(record.msg).startsWith('database reachable again')),
  }
}

/** `promise`, or a failure after `ms` (so a hang fails fast with a reason). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Whether `promise` has settled by the next macrotask. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false
  void promise.then(() => {
    done = true
  })
  await new Promise((resolve) => setTimeout(resolve, 0))
  return done
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('StoreHealth', () => {
  it('starts up: whenUp resolves at once, nothing is dirty', async () => {
    const t = setup()
    expect(t.health.down).toBe(false)
    expect(t.health.dirtyCount).toBe(0)
    expect(await settled(t.health.whenUp())).toBe(true)
    expect(t.pings()).toBe(0)
  })

  it.each([
    ['transient', 'changes are kept and applied when it is back'],
    ['fatal', 'retrying cannot fix this by itself: fix the configuration or the schema'],
  ] as const)('markDown(%s) goes down with one error log naming the store', (kind, advice) => {
    const t = setup({ probe: false })
    t.health.markDown(new Error('connect ECONNREFUSED 10.0.0.5:5432'), kind)
    expect(t.health.down).toBe(true)
    expect(t.health.reason).toBe('connect ECONNREFUSED 10.0.0.5:5432')
    expect(t.errors()).toHaveLength(1)
    const [record] = t.errors()
    expect(record!.kind).toBe(kind)
    expect(record!.msg).toBe(`database unavailable (${DESCRIPTION}): connect ECONNREFUSED 10.0.0.5:5432; ${advice}`)
    expect((record!.err as { message: string }).message).toBe('connect ECONNREFUSED 10.0.0.5:5432')
  })

  it('logs an outage once, but keeps the latest reason', () => {
    const t = setup({ probe: false })
    t.health.markDown(new Error('first'), 'transient')
    t.health.markDown(new Error('second'), 'transient')
    t.health.markDown('not an Error', 'transient')
    expect(t.errors()).toHaveLength(1)
    expect(t.health.reason).toBe('not an Error')
  })

  it.each([
    [[true], true],
    [[false], false],
    [[true, true], true],
    [[true, true, true], true],
    [[false, true], false],
    [[true, false], false],
    [[false, false], false],
    [[true, false, true], false],
  ])('defer with trustStat %j hands the recovery %s', async (trustStats, expected) => {
    const t = setup()
    for (const trustStat of trustStats) t.health.defer('s1/state.json', trustStat)
    t.health.defer('s1/other.md', true)
    expect(t.health.dirtyCount).toBe(2)
    t.health.markDown(new Error('gone'), 'transient')
    await within(t.health.whenUp(), 15_000, 'recovery')
    expect(t.recoveries).toEqual([
      new Map([
        ['s1/state.json', expected],
        ['s1/other.md', true],
      ]),
    ])
  })

  it.each([0, 1, 3])('recovers after %d failed pings: warns per retry, then applies exactly the dirty files', async (failures) => {
    const t = setup({ steps: Array.from({ length: failures }, () => fail()) })
    t.health.defer('s1/a.md', true)
    t.health.markDown(new Error('connect ECONNREFUSED 10.0.0.5:5432'), 'transient')
    t.health.defer('s1/b.json', false)
    t.health.defer('s1/a.md', true)
    expect(t.health.dirtyCount).toBe(2)
    const up = t.health.whenUp()
    expect(await settled(up)).toBe(false)

    await within(up, 15_000, 'recovery')

    expect(t.pings()).toBe(failures + 1)
    const retries = t.retries()
    expect(retries.map((record) => record.attempt)).toEqual(Array.from({ length: failures + 1 }, (_, i) => i + 1))
    for (const record of retries) {
      // Transient: the normal doubling from 10 ms, capped at 40.
      const ceiling = Math.min(40, 10 * 2 ** (record.attempt - 1))
      expect(record.delayMs).toBeGreaterThanOrEqual(ceiling / 2)
      expect(record.delayMs).toBeLessThanOrEqual(ceiling)
      expect(record.kind).toBe('transient')
    }
    expect(t.reachable()).toHaveLength(1)
    expect(t.reachable()[0]!).toMatchObject({ attempts: failures + 1, dirtyFiles: 2 })
    expect(t.recoveries).toEqual([
      new Map([
        ['s1/a.md', true],
        ['s1/b.json', false],
      ]),
    ])
    expect(t.health.down).toBe(false)
    expect(t.health.dirtyCount).toBe(0)
    expect(await settled(t.health.whenUp())).toBe(true)
  })

  it('resolves whenUp only after the recovery work is done', async () => {
    const t = setup()
    let release = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let recovering = false
    t.health.onRecovered = async () => {
      recovering = true
      await gate
    }
    t.health.markDown(new Error('gone'), 'transient')
    const up = t.health.whenUp()
    await waitFor(() => recovering, 15_000, 'onRecovered')
    expect(t.health.down).toBe(false)
    // Asked during the recovery, whenUp still waits for it.
    const upDuring = t.health.whenUp()
    expect(await settled(up)).toBe(false)
    expect(await settled(upDuring)).toBe(false)
    release()
    await within(Promise.all([up, upDuring]), 15_000, 'whenUp after recovery')
  })

  it('logs a failed recovery and is up anyway', async () => {
    const t = setup()
    t.health.onRecovered = async () => {
      throw new Error('reconcile exploded')
    }
    t.health.markDown(new Error('gone'), 'transient')
    await within(t.health.whenUp(), 15_000, 'recovery')
    expect(t.health.down).toBe(false)
    expect(t.errors().map((record) => record.msg)).toContain('recovery after the outage failed: reconcile exploded')
  })

  it('with probe: false never pings and stays down', async () => {
    const t = setup({ probe: false })
    t.health.defer('s1/a.md', true)
    t.health.markDown(new Error('gone'), 'transient')
    await sleep(120)
    expect(t.pings()).toBe(0)
    expect(t.retries()).toEqual([])
    expect(t.health.down).toBe(true)
    expect(t.health.dirtyCount).toBe(1)
    expect(t.recoveries).toEqual([])
  })

  it('close() stops probing, releases whenUp waiters and warns about dirty files', async () => {
    const t = setup({ steps: Array.from({ length: 1_000 }, () => fail()) })
    t.health.markDown(new Error('gone'), 'transient')
    t.health.defer('s1/a.md', true)
    t.health.defer('s1/b.md', false)
    const up = t.health.whenUp()
    await waitFor(() => t.pings() >= 2, 15_000, 'two pings')
    t.health.close()
    await within(up, 500, 'whenUp after close')
    const pingsAtClose = t.pings()
    await sleep(150) // several retry periods at maxMs 40
    expect(t.pings()).toBe(pingsAtClose)
    expect(t.recoveries).toEqual([])
    const warning = t.records.find((record) => record.level === WARN && record.dirtyFiles === 2 && record.attempt === undefined)
    expect(warning?.msg).toBe('stopping with 2 changed files not yet in the database; the next start reconciles them')
  })

  it('close() during a long backoff cancels the timer, wakes the waiters at once and never pings', async () => {
    vi.useFakeTimers()
    try {
      const t = setup({ baseMs: 10_000, maxMs: 10_000 })
      t.health.markDown(new Error('gone'), 'transient')
      const up = t.health.whenUp()
      expect(t.retries()).toHaveLength(1)
      expect(vi.getTimerCount()).toBe(1)
      t.health.close()
      // No timer left to keep the process alive.
      expect(vi.getTimerCount()).toBe(0)
      await up
      await vi.advanceTimersByTimeAsync(60_000)
      expect(t.pings()).toBe(0)
      expect(t.records.some((record) => String(record.msg).startsWith('stopping with'))).toBe(false)
    } finally {
      vi.useRealTimers()
    }
  })

  it('close() releases whenUp waiters even when nothing probes', async () => {
    const t = setup({ probe: false })
    t.health.markDown(new Error('gone'), 'transient')
    const up = t.health.whenUp()
    expect(await settled(up)).toBe(false)
    t.health.close()
    await within(up, 200, 'whenUp after close')
    expect(t.pings()).toBe(0)
  })

  it.each([
    // kind given to markDown, kind the failed pings classify as
    ['fatal', 'fatal'],
    ['transient', 'fatal'],
  ] as const)('waits at the cap for fatal errors (markDown %s, pings %s)', async (initial, pingKind) => {
    const t = setup({ steps: [fail('password authentication failed for user "sb"', pingKind), fail('password authentication failed', pingKind)] })
    t.health.markDown(new Error('password authentication failed for user "sb"'), initial)
    await within(t.health.whenUp(), 15_000, 'recovery')
    const retries = t.retries()
    expect(retries.map((record) => record.attempt)).toEqual([1, 2, 3])
    // After a fatal error, every wait is drawn from maxMs/2..maxMs; the first transient one is 5..10.
    const fatalRetries = initial === 'fatal' ? retries : retries.slice(1)
    for (const record of fatalRetries) {
      expect(record.kind).toBe('fatal')
      expect(record.delayMs).toBeGreaterThanOrEqual(20)
      expect(record.delayMs).toBeLessThanOrEqual(40)
    }
    if (initial === 'transient') expect(retries[0]!.delayMs).toBeLessThanOrEqual(10)
    // A server that answers after a fatal error is not called "reachable again": the fix is unproven.
    expect(t.reachable()).toEqual([])
    expect(t.records.some((r) => r.level === WARN && String(r.msg).startsWith('database answers; trying the 0 waiting files again'))).toBe(true)
  })

  it.each([
    [true, 1],
    [false, 4],
  ])('noteSuccess() between outages (%s) makes the next outage start at attempt %d', async (success, firstAttempt) => {
    const t = setup({ steps: [fail(), fail()] })
    t.health.markDown(new Error('first outage'), 'transient')
    await within(t.health.whenUp(), 15_000, 'first recovery')
    expect(t.retries().map((record) => record.attempt)).toEqual([1, 2, 3])
    if (success) t.health.noteSuccess()
    t.health.markDown(new Error('second outage'), 'transient')
    await within(t.health.whenUp(), 15_000, 'second recovery')
    const second = t.retries().slice(3)
    expect(second.map((record) => record.attempt)).toEqual([firstAttempt])
    expect(t.reachable()).toHaveLength(2)
    expect(t.errors()).toHaveLength(2)
  })

  it('close() while a ping is in flight does not recover afterwards', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const t = setup({ pingGate: () => gate })
    t.health.markDown(new Error('gone'), 'transient')
    t.health.defer('s1/a.md', false)
    await waitFor(() => t.pings() === 1, 15_000, 'a ping in flight')
    t.health.close()
    release()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(t.recoveries).toEqual([])
    expect(t.reachable()).toEqual([])
  })

  it('whenUp() asked after close() resolves at once, even while down', async () => {
    const t = setup({ probe: false })
    t.health.markDown(new Error('gone'), 'transient')
    t.health.close()
    await within(t.health.whenUp(), 200, 'whenUp after close')
    expect(t.health.down).toBe(true)
  })

  it('keeps probing when the recovery loses the database again, and recovers a second time', async () => {
    const t = setup({ steps: [fail(), 'ok', fail()] })
    let calls = 0
    t.health.onRecovered = async (dirty) => {
      t.recoveries.push(dirty)
      calls++
      if (calls === 1) {
        t.health.markDown(new Error('again'), 'transient')
        t.health.defer('s1/c.md', true)
      }
    }
    t.health.defer('s1/a.md', false)
    t.health.markDown(new Error('gone'), 'transient')
    await within(t.health.whenUp(), 15_000, 'second recovery')

    expect(calls).toBe(2)
    expect(t.recoveries).toEqual([new Map([['s1/a.md', false]]), new Map([['s1/c.md', true]])])
    expect(t.reachable()).toHaveLength(2)
    expect(t.errors().map((record) => record.msg)).toEqual([
      `database unavailable (${DESCRIPTION}): gone; changes are kept and applied when it is back`,
      `database unavailable (${DESCRIPTION}): again; changes are kept and applied when it is back`,
    ])
    // One probe loop throughout: ping, ping (ok), ping (fails), ping (ok).
    expect(t.pings()).toBe(4)
    expect(t.retries().map((record) => record.attempt)).toEqual([1, 2, 3, 4])
    expect(t.health.down).toBe(false)
  })
})
