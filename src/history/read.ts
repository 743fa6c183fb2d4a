/**
 * Reading history back: the revisions of a file, the one in force at a time
 * or number, and the bytes a revision names.
 */
import { StatebridgeError } from '../errors.js'
import type { Store } from '../store/types.js'
import { decodeChain } from './encode.js'
import type { Revision } from './types.js'

/** Revisions one file may have at most (the per-file cap bounds it far lower by default). */
const FILE_REVISIONS_CAP = 1_000_000

/** Every revision of one file, oldest first. */
export async function fileRevisions(store: Pick<Store, 'listRevisions'>, root: string, filePath: string): Promise<Revision[]> {
  return store.listRevisions({ root, path: filePath, order: 'asc', limit: FILE_REVISIONS_CAP })
}

/** The content a revision names (for a tombstone: what the file last held). Throws `SB_HISTORY` when it is not stored. */
export async function revisionContent(store: Pick<Store, 'blobChain'>, revision: Revision): Promise<Buffer> {
  if (revision.contentHash === null) {
    throw new StatebridgeError('SB_HISTORY', `revision ${revision.rev} of ${revision.path} names no content (the file was never read)`)
  }
  const chain = await store.blobChain(revision.contentHash)
  if (chain.length === 0) {
    throw new StatebridgeError('SB_HISTORY', `the content of revision ${revision.rev} of ${revision.path} (${revision.contentHash}) is not stored`)
  }
  try {
    return decodeChain(chain)
  } catch (error) {
    throw new StatebridgeError('SB_HISTORY', `the content of revision ${revision.rev} of ${revision.path} is damaged: ${(error as Error).message}`, {
      cause: error,
    })
  }
}

/** What `--at` asks for: a revision number or an instant. */
export type At = { rev: number } | { time: string }

/** Parse `--at`: digits are a revision number; anything else must be an ISO-8601 time with a date. */
export function parseAt(text: string): At {
  if (/^\d+$/.test(text)) return { rev: Number(text) }
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN
  if (Number.isNaN(ms)) {
    throw new StatebridgeError('SB_CONFIG', `--at must be a revision number or an ISO-8601 time such as 2026-11-30T14:00:00Z, not ${JSON.stringify(text)}`)
  }
  return { time: new Date(ms).toISOString() }
}

/**
 * The revision of a file in force at `at`, from its revisions oldest first:
 * the one numbered, or the latest committed at or before the time (which may
 * be a tombstone: the file did not exist then). Throws `SB_HISTORY` with the
 * kept range when the time is before it, or the number is not this file's.
 */
export function revisionAt(revisions: Revision[], at: At, label: string): Revision {
  if (revisions.length === 0) throw new StatebridgeError('SB_HISTORY', `no history is kept for ${label}`)
  if ('rev' in at) {
    const found = revisions.find((r) => r.rev === at.rev)
    if (!found) {
      throw new StatebridgeError(
        'SB_HISTORY',
        `revision ${at.rev} is not a kept revision of ${label}; it has ${revisions.length} (${revisions.map((r) => r.rev).join(', ')})`,
      )
    }
    return found
  }
  const first = revisions[0]!
  if (at.time < first.at) {
    throw new StatebridgeError('SB_HISTORY', `${at.time} is before the history kept for ${label}, which covers ${first.at} to ${revisions.at(-1)!.at}`)
  }
  let found = first
  for (const revision of revisions) if (revision.at <= at.time) found = revision
  return found
}
