/**
 * Who may bind where, and the bearer-token check.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'
import type { IncomingMessage } from 'node:http'

/** Whether `host` only accepts connections from this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  if (bare === 'localhost') return true
  if (isIP(bare) === 4) return bare.startsWith('127.')
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./.test(bare)
  return false
}

/**
 * A check of `Authorization: Bearer <token>` in constant time: both sides are
 * hashed first, so the comparison is between equal-length digests and leaks
 * neither the token's content nor its length.
 */
export function bearerCheck(token: string): (req: IncomingMessage) => boolean {
  const expected = createHash('sha256').update(token).digest()
  return (req) => {
    const header = req.headers.authorization
    const match = typeof header === 'string' ? /^Bearer +(\S+) *$/i.exec(header) : null
    const given = createHash('sha256').update(match?.[1] ?? '').digest()
    // Always compare, even without a header, so a missing token costs the same time as a wrong one.
    return timingSafeEqual(given, expected) && match !== null
  }
}
