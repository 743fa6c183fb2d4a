/** The progress line of `sync`: its text, when it is shown, and how it rewrites one terminal line. */
import { describe, expect, it } from 'vitest'
import { duration, formatProgress, ProgressLine, showProgress } from '../src/progress.js'

describe('formatProgress', () => {
  it.each([
    [{ done: 0, total: 3000, bytes: 0, elapsedMs: 0 }, 'syncing 0/3,000 files (0%), 0.0 MB'],
    [{ done: 10, total: 3000, bytes: 1_234_567, elapsedMs: 500 }, 'syncing 10/3,000 files (0%), 1.2 MB'],
    [{ done: 1500, total: 3000, bytes: 25_000_000, elapsedMs: 10_000 }, 'syncing 1,500/3,000 files (50%), 25.0 MB, 150 files/s, 2.5 MB/s, ETA 10s'],
    [{ done: 100, total: 3000, bytes: 2_000_000, elapsedMs: 2_000 }, 'syncing 100/3,000 files (3%), 2.0 MB, 50 files/s, 1.0 MB/s, ETA 58s'],
    [{ done: 3000, total: 3000, bytes: 53_800_000, elapsedMs: 36_800 }, 'syncing 3,000/3,000 files (100%), 53.8 MB, 82 files/s, 1.5 MB/s, ETA 0s'],
    [{ done: 5, total: 0, bytes: 0, elapsedMs: 0 }, 'syncing 5/0 files (0%), 0.0 MB'],
  ])('%j → %s', (reading, text) => {
    expect(formatProgress(reading)).toBe(text)
  })

  it.each([
    [0, '0s'],
    [4.2, '5s'],
    [59, '59s'],
    [125, '2m05s'],
    [3_720, '1h02m'],
    [Number.POSITIVE_INFINITY, '?'],
    [-1, '?'],
  ])('duration(%d) = %s', (seconds, text) => {
    expect(duration(seconds)).toBe(text)
  })
})

describe('showProgress', () => {
  it.each([
    [false, true, true],
    [true, true, false],
    [false, false, false],
    [true, false, false],
  ])('json %s, stderr a TTY %s → %s', (json, stderrIsTTY, shown) => {
    expect(showProgress({ json, stderrIsTTY })).toBe(shown)
  })
})

describe('ProgressLine', () => {
  function terminal(columns = 200) {
    const writes: string[] = []
    let clock = 0
    const stream = { columns, write: (text: string) => writes.push(text) }
    return { writes, stream, tick: (ms: number) => (clock += ms), now: () => clock }
  }

  it('draws at most once per interval, always the last file, and clears at the end', () => {
    const t = terminal()
    const line = new ProgressLine(t.stream, { intervalMs: 200, now: t.now })
    line.update(1, 10, 100)
    t.tick(50)
    line.update(2, 10, 200) // throttled
    t.tick(200)
    line.update(3, 10, 300)
    line.update(10, 10, 1000) // the last file is always drawn
    line.clear()
    line.clear() // nothing left to clear
    expect(t.writes).toEqual([
      '\r\x1b[2Ksyncing 1/10 files (10%), 0.0 MB',
      '\r\x1b[2Ksyncing 3/10 files (30%), 0.0 MB',
      '\r\x1b[2Ksyncing 10/10 files (100%), 0.0 MB',
      '\r\x1b[2K',
    ])
  })

  it('writes log lines above the progress and draws it again below them', () => {
    const t = terminal()
    const line = new ProgressLine(t.stream, { now: t.now })
    line.writeAbove('before\n')
    line.update(1, 2, 0)
    line.writeAbove('error in x.json\n')
    expect(t.writes).toEqual([
      'before\n',
      '\r\x1b[2Ksyncing 1/2 files (50%), 0.0 MB',
      '\r\x1b[2Kerror in x.json\n',
      '\r\x1b[2Ksyncing 1/2 files (50%), 0.0 MB',
    ])
  })

  it('cuts the line to the terminal width, since a wrapped line cannot be rewritten', () => {
    const t = terminal(20)
    new ProgressLine(t.stream, { now: t.now }).update(1, 2, 0)
    expect(t.writes).toEqual(['\r\x1b[2Ksyncing 1/2 files ('])
  })

  it('takes 80 columns when the terminal reports none (a pseudo-terminal without a size)', () => {
    const t = terminal(0)
    new ProgressLine(t.stream, { now: t.now }).update(1, 2, 0)
    expect(t.writes).toEqual(['\r\x1b[2Ksyncing 1/2 files (50%), 0.0 MB'])
  })
})
