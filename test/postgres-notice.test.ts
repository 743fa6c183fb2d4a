/**
 * The NOTIFY payload is built here around the seq, which the server puts in
 * (src/store/postgres.ts, `noticeAroundSeq`): whatever the path holds, the
 * pieces and the seq make the notice's JSON with that seq.
 */
import { describe, expect, it } from 'vitest'
import { noticeAroundSeq, type ChangeNotice } from '../src/store/postgres.js'

const notice = (path: string | null, status?: 'ok' | 'error'): ChangeNotice => ({
  schema: 'public',
  seq: 0,
  root: '/srv/reports',
  session: 's1',
  path,
  change: 'updated',
  ...(status ? { status } : {}),
  instance: 'host-a',
})

describe('noticeAroundSeq', () => {
  it.each([
    ['a plain path', notice('s1/orchestrator-state.md', 'ok')],
    ['a path that spells the key', notice('s1/"seq":0 and "seq":01.md', 'ok')],
    ['a schema and path with quotes and backslashes', { ...notice('s1/\\"seq\\":0.md'), schema: 'we"ird' }],
    ['a removed session', notice(null)],
  ])('%s', (_label, value) => {
    const [head, tail] = noticeAroundSeq(value)
    for (const seq of [1, 4711, 9007199254740991]) {
      const text = `${head}${seq}${tail}`
      expect(JSON.parse(text)).toEqual({ ...value, seq })
      expect(text).toBe(JSON.stringify({ ...value, seq }))
    }
  })

  it('shortens a path that would take the payload past 8000 bytes, and says so', () => {
    const [head, tail] = noticeAroundSeq(notice(`s1/${'x'.repeat(9000)}.md`, 'ok'))
    const text = `${head}9007199254740991${tail}`
    expect(Buffer.byteLength(text)).toBeLessThan(8000)
    expect(JSON.parse(text)).toMatchObject({ seq: 9007199254740991, truncated: true, path: `s1/${'x'.repeat(997)}…` })
  })
})
