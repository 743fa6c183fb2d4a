import { describe, expect, it } from 'vitest'
import { AnswerCache } from '../src/serve/answer-cache.js'

const answer = (text: string) => ({ body: Buffer.from(text), etag: `"${text.length}"` })

describe('AnswerCache', () => {
  it('keeps answers of one version and forgets them all when the version moves', () => {
    const cache = new AnswerCache({ maxBytes: 100, maxEntryBytes: 50 })
    expect(cache.get('/a', 1)).toBeUndefined()
    cache.set('/a', 1, answer('aaaa'))
    expect(cache.get('/a', 1)?.body.toString()).toBe('aaaa')
    expect(cache.get('/a', 2)).toBeUndefined()
    expect(cache.size).toBe(0)
    // An answer read under the old version is not kept once a newer one was seen.
    cache.set('/a', 1, answer('old'))
    expect(cache.get('/a', 2)).toBeUndefined()
    cache.set('/a', 2, answer('new'))
    expect(cache.get('/a', 2)?.body.toString()).toBe('new')
  })

  it('stays within its bytes, dropping the least recently used first, and never keeps an oversized answer', () => {
    const cache = new AnswerCache({ maxBytes: 30, maxEntryBytes: 20 })
    cache.get('/', 7)
    cache.set('/a', 7, answer('x'.repeat(10)))
    cache.set('/b', 7, answer('y'.repeat(10)))
    cache.set('/c', 7, answer('z'.repeat(10)))
    expect(cache.get('/a', 7)).toBeDefined()
    // /b is now the least recently used: the next answer pushes it out.
    cache.set('/d', 7, answer('w'.repeat(10)))
    expect(cache.get('/b', 7)).toBeUndefined()
    expect(['/a', '/c', '/d'].map((key) => cache.get(key, 7) !== undefined)).toEqual([true, true, true])
    cache.set('/big', 7, answer('b'.repeat(21)))
    expect(cache.get('/big', 7)).toBeUndefined()
    // Replacing an answer counts its bytes once.
    cache.set('/a', 7, answer('v'.repeat(10)))
    expect(cache.size).toBe(3)
    expect(cache.get('/a', 7)?.body.toString()).toBe('v'.repeat(10))
  })
})
