/**
 * What a `history`, `diff` or `restore` argument names: a file or a session
 * directory given as a path on disk, as a root-relative path (`<session>/plan.md`)
 * or as a session id, looked up in what history holds.
 */
import fs from 'node:fs'
import path from 'node:path'
import { StatebridgeError } from '../errors.js'
import { relativeToRoot } from '../sync/paths.js'
import type { Store } from '../store/types.js'

/** A file or session history knows, and where its root is on disk when that can be told. */
export interface HistoryTarget {
  /** Root identity as stored. */
  root: string
  /** The root directory on disk; `null` when the root identity is not a directory here (`--root-id`). */
  rootDir: string | null
  /** Root-relative path of a file; `null` for a session. */
  path: string | null
  /** Session directory name; for a file, its session (`null` at the root). */
  sessionId: string | null
}

/** Roots a lookup by path or session may find, at most. */
const ROOT_SCAN = 500

/**
 * Find what `arg` names. A path on disk wins (its root is the nearest
 * ancestor history knows, or `rootId` when given); then a root-relative path;
 * then a session id. Throws `SB_HISTORY` when history knows none, or when a
 * name matches under several roots.
 */
export async function locateTarget(store: Store, arg: string, rootId: string | null): Promise<HistoryTarget> {
  const onDisk = await locateOnDisk(store, arg, rootId)
  if (onDisk) return onDisk
  const relPath = arg.replace(/^\.\//, '').replace(/\/+$/, '')
  for (const kind of ['path', 'sessionId'] as const) {
    const revisions = await store.listRevisions({ [kind]: relPath, limit: ROOT_SCAN, ...(rootId !== null ? { root: rootId } : {}) })
    const roots = [...new Set(revisions.map((r) => r.root))]
    if (roots.length > 1) {
      throw new StatebridgeError('SB_HISTORY', `${arg} has history under several roots (${roots.join(', ')}); give its path on disk, or --root-id`)
    }
    if (roots.length === 1) {
      const root = roots[0]!
      return {
        root,
        rootDir: isDirectory(root) ? root : null,
        path: kind === 'path' ? relPath : null,
        sessionId: kind === 'path' ? revisions[0]!.sessionId : relPath,
      }
    }
  }
  throw new StatebridgeError('SB_HISTORY', `no history for ${arg}: not a file or session statebridge has recorded (see \`statebridge status\`)`)
}

/** `arg` as a path on disk under a root history knows; `null` when it is none. A deleted file still counts: its directory is there. */
async function locateOnDisk(store: Store, arg: string, rootId: string | null): Promise<HistoryTarget | null> {
  const absolute = path.resolve(arg)
  const real = realPathOf(absolute)
  if (real === null) return null
  const isDir = isDirectory(real)
  for (let ancestor = path.dirname(real); ; ancestor = path.dirname(ancestor)) {
    const rel = relativeToRoot(ancestor, real)
    const root = rootId ?? ancestor
    if (rel !== null && rel !== '') {
      const query = isDir && !rel.includes('/') ? { sessionId: rel } : { path: rel }
      const found = await store.listRevisions({ root, ...query, limit: 1 })
      if (found.length > 0) {
        return { root, rootDir: ancestor, path: 'path' in query ? rel : null, sessionId: 'path' in query ? found[0]!.sessionId : rel }
      }
    }
    if (path.dirname(ancestor) === ancestor) return null
  }
}

/** The real path of `absolute`, or of its directory plus its name when it is gone; `null` when neither exists. */
function realPathOf(absolute: string): string | null {
  try {
    return fs.realpathSync(absolute)
  } catch {
    try {
      return path.join(fs.realpathSync(path.dirname(absolute)), path.basename(absolute))
    } catch {
      return null
    }
  }
}

/** Whether `candidate` is a directory (following symlinks); `false` when it cannot be looked at. */
export function isDirectory(candidate: string): boolean {
  try {
    return fs.statSync(candidate).isDirectory()
  } catch {
    return false
  }
}
