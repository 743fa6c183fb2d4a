/**
 * What a retention policy means in database terms, shared by both dialects'
 * prune: the instants and counts their queries compare with.
 */
import type { RetentionPolicy } from './types.js'

/** The bounds of one prune, from `policy` as of `now`. */
export interface RetentionBounds {
  /** Revisions committed before this instant are expired (ISO-8601; the epoch when kept forever). */
  keepAfter: string
  /** Revisions before this instant are thinned to every `interval`th. */
  thinAfter: string
  /** A file's revisions beyond this many newest ones are expired. */
  keepRevisions: number
  interval: number
}

/** Day length in milliseconds. */
const DAY_MS = 86_400_000

/** Turn `policy` into bounds; `0` days or revisions means no such limit. */
export function retentionBounds(policy: RetentionPolicy, now: Date): RetentionBounds {
  return {
    keepAfter: policy.keepDays === 0 ? new Date(0).toISOString() : new Date(now.getTime() - policy.keepDays * DAY_MS).toISOString(),
    thinAfter: new Date(now.getTime() - DAY_MS).toISOString(),
    keepRevisions: policy.keepRevisions === 0 ? Number.MAX_SAFE_INTEGER : policy.keepRevisions,
    interval: Math.max(1, policy.checkpointInterval),
  }
}

/** The policy of a resolved configuration. */
export function retentionPolicy(settings: { historyKeepDays: number; historyKeepRevisions: number; historyCheckpointInterval: number }): RetentionPolicy {
  return { keepDays: settings.historyKeepDays, keepRevisions: settings.historyKeepRevisions, checkpointInterval: settings.historyCheckpointInterval }
}
