/**
 * `statebridge history` and `statebridge diff`: what history holds for a file
 * or a session, and how two revisions of a file differ.
 */
import type { Writable } from 'node:stream'
import { StatebridgeError } from '../errors.js'
import { locateTarget } from '../history/locate.js'
import { fileRevisions, revisionContent } from '../history/read.js'
import type { Revision } from '../history/types.js'
import { unifiedDiff } from '../history/unified-diff.js'
import type { Store } from '../store/types.js'

/** Revisions `history` lists for a session at most, newest kept. */
const SESSION_LIST_CAP = 100_000

/** Print the revisions of a file or session, oldest first; returns the exit code. */
export async function runHistory(store: Store, arg: string, options: { rootId: string | null; json: boolean; out: Writable }): Promise<number> {
  const target = await locateTarget(store, arg, options.rootId)
  const revisions =
    target.path !== null
      ? await fileRevisions(store, target.root, target.path)
      : (await store.listRevisions({ root: target.root, sessionId: target.sessionId!, limit: SESSION_LIST_CAP })).reverse()
  if (options.json) {
    options.out.write(`${JSON.stringify({ root: target.root, path: target.path, sessionId: target.sessionId, revisions }, null, 2)}\n`)
    return 0
  }
  options.out.write(formatRevisions(revisions, target.path === null))
  return 0
}

/** Revisions as an aligned table (with the path column for a session). */
export function formatRevisions(revisions: Revision[], withPath: boolean): string {
  const header = ['rev', 'at', 'change', 'bytes', 'status', 'instance', ...(withPath ? ['path'] : [])]
  const rows = revisions.map((r) => [
    String(r.rev),
    r.at,
    r.change,
    r.sizeBytes === null ? '-' : String(r.sizeBytes),
    r.status ?? '-',
    r.instance || '-',
    ...(withPath ? [r.path] : []),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')
  return `${[header, ...rows].map(line).join('\n')}\n`
}

/** Print the unified diff of a file from revision `a` to revision `b`; returns the exit code. */
export async function runDiff(store: Store, arg: string, revA: string, revB: string, options: { rootId: string | null; out: Writable }): Promise<number> {
  const target = await locateTarget(store, arg, options.rootId)
  if (target.path === null) throw new StatebridgeError('SB_CONFIG', `diff compares revisions of one file; ${arg} is a session`)
  const revisions = await fileRevisions(store, target.root, target.path)
  const pick = (text: string): Revision => {
    const rev = /^\d+$/.test(text) ? Number(text) : Number.NaN
    const found = revisions.find((r) => r.rev === rev)
    if (!found) {
      throw new StatebridgeError('SB_HISTORY', `${text} is not a kept revision of ${target.path}; it has ${revisions.map((r) => r.rev).join(', ') || 'none'}`)
    }
    return found
  }
  const [a, b] = [pick(revA), pick(revB)]
  const side = async (r: Revision): Promise<{ label: string; content: Buffer }> => ({
    label: `${target.path}@${r.rev}`,
    // A tombstone stands for a file that is not there: nothing to compare but emptiness.
    content: r.change === 'removed' ? Buffer.alloc(0) : await revisionContent(store, r),
  })
  options.out.write(unifiedDiff(await side(a), await side(b)))
  return 0
}
