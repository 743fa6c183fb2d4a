/**
 * Walk the root: every file statebridge keeps, and every session directory.
 * Symlinks are listed, not followed; the pipeline decides what they become.
 */
import fs from 'node:fs'
import path from 'node:path'
import { isIgnoredPath } from './paths.js'

/** What a scan found. */
export interface TreeScan {
  /** Root-relative paths of files and symlinks, posix separators. */
  files: string[]
  /** Names of the directories directly under the root. */
  sessions: string[]
  /** Directories that could not be listed, with the reason. */
  unreadable: Array<{ path: string; reason: string }>
}

/** List the tree under `rootAbs` (or only under its subdirectory `relDir`), skipping ignored names. */
export async function scanTree(rootAbs: string, relDir = ''): Promise<TreeScan> {
  const scan: TreeScan = { files: [], sessions: [], unreadable: [] }
  const pending: string[] = [relDir]
  while (pending.length > 0) {
    const dir = pending.pop()!
    let entries: fs.Dirent[]
    try {
      entries = await fs.promises.readdir(path.join(rootAbs, dir), { withFileTypes: true })
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      // A directory removed mid-scan is a race, not a fault.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') scan.unreadable.push({ path: dir, reason: String((error as Error).message) })
      continue
    }
    for (const entry of entries) {
      const rel = dir === '' ? entry.name : `${dir}/${entry.name}`
      if (isIgnoredPath(rel)) continue
      if (entry.isDirectory()) {
        if (dir === '') scan.sessions.push(entry.name)
        pending.push(rel)
      } else {
        scan.files.push(rel)
      }
    }
  }
  scan.files.sort()
  scan.sessions.sort()
  return scan
}
