/**
 * What both dialects' archive modules share: when a session still is as it
 * was exported (`Store.purgeSession`'s guard).
 */
import type { SessionMark } from './types.js'

/** Whether two marks describe the same state of a session. */
export function sameMark(a: SessionMark, b: SessionMark): boolean {
  return a.updatedAt === b.updatedAt && (a.latestRev ?? null) === (b.latestRev ?? null) && Number(a.documents) === Number(b.documents)
}
