/**
 * The history codec: deltas rebuild their target byte for byte, chains
 * decode, and the encoder picks the smaller form the issue asks for.
 */
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applyDelta, encodeDelta } from '../src/history/delta.js'
import { decodeChain, encodeAgainst, encodeFull } from '../src/history/encode.js'
import { MAX_DELTA_DEPTH, type EncodedBlob } from '../src/history/types.js'

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

// Line-shaped bytes: deltas match whole lines, so random text must share some.
const lineArb = fc.oneof(
  fc.constantFrom('| Phase | Status |\n', '|---|---|\n', '| research | ✅ COMPLETE |\n', '## Facts\n', '\n', 'Deal value: $40-60M\n'),
  fc.string({ maxLength: 60 }).map((s) => `${s}\n`),
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1')),
)
const docArb = fc.array(lineArb, { maxLength: 40 }).map((lines) => Buffer.from(lines.join(''), 'latin1'))

describe('encodeDelta / applyDelta', () => {
  it('rebuilds any target from any base, byte for byte', () => {
    fc.assert(
      fc.property(docArb, docArb, (base, target) => {
        expect(applyDelta(base, encodeDelta(base, target)).equals(target)).toBe(true)
      }),
      { numRuns: 500 },
    )
  })

  it('rebuilds an edited version of the base (shared lines moved, changed, dropped)', () => {
    fc.assert(
      fc.property(docArb, fc.array(fc.tuple(fc.nat(), fc.nat(), lineArb), { maxLength: 6 }), (base, edits) => {
        const lines = base.toString('latin1').split(/(?<=\n)/)
        for (const [at, drop, insert] of edits) lines.splice(at % (lines.length + 1), drop % 3, insert)
        const target = Buffer.from(lines.join(''), 'latin1')
        expect(applyDelta(base, encodeDelta(base, target)).equals(target)).toBe(true)
      }),
      { numRuns: 500 },
    )
  })

  it('stores an append as the appended bytes plus one copy', () => {
    const base = Buffer.from('# Memo\n\n'.concat('Paragraph of analysis text.\n'.repeat(4000)))
    const target = Buffer.concat([base, Buffer.from('## New section\n\nMore text.\n')])
    const delta = encodeDelta(base, target)
    expect(delta.length).toBeLessThan(80)
    expect(delta.toString('utf8').split('\n')[0]).toBe(`[[0,${base.length}],27]`)
  })

  it('stores two scattered line edits as copies around two inserts', () => {
    const rows = Array.from({ length: 400 }, (_, i) => `| T${i} | specialist-${i} | ⏳ PENDING | high |\n`)
    const base = Buffer.from(`Last Updated: 2026-03-02T09:00:00Z\n${rows.join('')}`)
    rows[250] = '| T250 | specialist-250 | ✅ COMPLETE | high |\n'
    const target = Buffer.from(`Last Updated: 2026-03-02T10:15:00Z\n${rows.join('')}`)
    const delta = encodeDelta(base, target)
    expect(applyDelta(base, delta).equals(target)).toBe(true)
    expect(delta.length).toBeLessThan(200)
  })

  it('refuses a stream that does not fit its base', () => {
    const delta = encodeDelta(Buffer.from('a'.repeat(100)), Buffer.from(`${'a'.repeat(100)}b`))
    expect(() => applyDelta(Buffer.from('short'), delta)).toThrow(/copies bytes 0\.\.100 of a 5-byte base/)
    expect(() => applyDelta(Buffer.alloc(0), Buffer.from('[3]\nab'))).toThrow(/ends inside an insert/)
  })
})

describe('encodeFull / encodeAgainst / decodeChain', () => {
  const text = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => `| F${i} | value ${i * 7} | HIGH |\n`).join(''))

  it('stores small contents as they are and large ones Brotli-compressed', () => {
    const small = Buffer.from('tiny')
    expect(encodeFull(small, sha(small), 1000)).toMatchObject({ encoding: 'identity', depth: 0, baseHash: null })
    const large = text(200)
    const full = encodeFull(large, sha(large), 1000)
    expect(full.encoding).toBe('br')
    expect(full.data.length).toBeLessThan(large.length / 3)
    expect(decodeChain([full]).equals(large)).toBe(true)
  })

  it('keeps content that compression would not shrink as it is', () => {
    // Bytes of a hash chain: no redundancy for Brotli to find.
    const noise = Buffer.concat(Array.from({ length: 64 }, (_, i) => createHash('sha256').update(String(i)).digest()))
    expect(encodeFull(noise, sha(noise), 100)).toMatchObject({ encoding: 'identity', data: noise })
  })

  it('still decodes the gzip copies and deltas that releases before schema version 14 stored', () => {
    const first = text(300)
    const second = Buffer.concat([first, Buffer.from('| appended | row | LOW |\n')])
    const full: EncodedBlob = { contentHash: sha(first), sizeBytes: first.length, encoding: 'gzip', baseHash: null, depth: 0, data: gzipSync(first) }
    const delta: EncodedBlob = {
      contentHash: sha(second),
      sizeBytes: second.length,
      encoding: 'gzip',
      baseHash: full.contentHash,
      depth: 1,
      data: gzipSync(encodeDelta(first, second)),
    }
    expect(decodeChain([full]).equals(first)).toBe(true)
    expect(decodeChain([full, delta]).equals(second)).toBe(true)
    // A Brotli delta on a gzip copy: what a file stored before the upgrade and changed after it gets.
    const third = Buffer.concat([second, Buffer.from('| appended | again | LOW |\n'.repeat(40))])
    const next = encodeAgainst(third, encodeFull(third, sha(third), 1000), [full, delta], 1000)
    expect(next).toMatchObject({ baseHash: delta.contentHash, depth: 2, encoding: 'br' })
    expect(decodeChain([full, delta, next]).equals(third)).toBe(true)
  })

  it('keeps a delta only when it is at most half the full copy, and caps chains at MAX_DELTA_DEPTH', () => {
    let previous = text(300)
    let chain: EncodedBlob[] = [encodeFull(previous, sha(previous), 1000)]
    const depths: number[] = []
    for (let i = 0; i < 25; i++) {
      const next = Buffer.concat([previous, Buffer.from(`| appended ${i} | row | LOW |\n`)])
      const blob = encodeAgainst(next, encodeFull(next, sha(next), 1000), chain, 1000)
      depths.push(blob.depth)
      chain = blob.baseHash === null ? [blob] : [...chain, blob]
      expect(decodeChain(chain).equals(next)).toBe(true)
      previous = next
    }
    expect(Math.max(...depths)).toBe(MAX_DELTA_DEPTH)
    expect(depths.filter((d) => d === 0).length).toBeGreaterThanOrEqual(2)

    // An unrelated rewrite gains nothing from the base: a full copy.
    const other = Buffer.from(Array.from({ length: 300 }, (_, i) => `${(i * 7919) % 1000} unrelated\n`).join(''))
    expect(encodeAgainst(other, encodeFull(other, sha(other), 1000), chain, 1000).baseHash).toBeNull()
  })

  it('says which content is damaged instead of returning wrong bytes', () => {
    const a = text(50)
    const full = encodeFull(a, sha(a), 1000)
    expect(() => decodeChain([{ ...full, contentHash: 'f'.repeat(64) }])).toThrow(/decodes to bytes with hash/)
    expect(() => decodeChain([{ ...full, baseHash: 'e'.repeat(64) }])).toThrow(/delta against e+, which is not stored/)
    const unknown = { ...full, encoding: 'zstd' } as unknown as EncodedBlob
    expect(() => decodeChain([unknown])).toThrow(`content ${full.contentHash} is stored as 'zstd', which this statebridge cannot decode`)
  })
})
