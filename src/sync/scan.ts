/**
 * Walk the root: every file statebridge keeps, and every session directory.
 * Symlinks are listed, not followed; the pipeline decides what they become.
 * A directory is listed only where it really is: one reached through a
 * symlink (swapped in while we walk) is not read.
 */
import fs from 'node:fs'
import path from 'node:path'
import { isIgnoredPath, nameFromBytes } from './paths.js'

/** What a scan found. */
export interface TreeScan {
  /**
   * Root-relative paths of files and symlinks, posix separators. Entries whose
   * name is not UTF-8 (files or directories) are listed once, in the escaped
   * form of `nameFromBytes`, and never descended into.
   */
  files: string[]
  /** Names of the directories directly under the root (UTF-8 names only). */
  sessions: string[]
  /** Directories that could not be listed, with the reason. */
  unreadable: Array<{ path: string; reason: string }>
}

/**
 * List the tree under `rootAbs`, a real path (or only under its subdirectory
 * `relDir`), skipping ignored names and the session directories in `skipSessions`
 * (archived sessions, which the sync leaves alone; default none).
 */
export async function scanTree(rootAbs: string, relDir = '', skipSessions: ReadonlySet<string> = NO_SESSIONS): Promise<TreeScan> {
  const scan: TreeScan = { files: [], sessions: [], unreadable: [] }
  const pending = [relDir]
  for (let listed = 0; pending.length > 0; listed++) {
    // Each listing is synchronous (see listInPlace): a watch's reconcile of a large tree hands the thread back now and then.
    if (listed > 0 && listed % DIRECTORIES_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve))
    for (const subdir of listDirectory(rootAbs, pending.pop()!, skipSessions, scan)) pending.push(subdir)
  }
  scan.files.sort()
  scan.sessions.sort()
  scan.unreadable.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return scan
}

/** Directories listed before the scan lets other work on the thread run (about 1 ms of listing). */
const DIRECTORIES_PER_TURN = 64

/** List `dir` into `scan`; its subdirectories, to be listed next. */
function listDirectory(rootAbs: string, dir: string, skipSessions: ReadonlySet<string>, scan: TreeScan): string[] {
  let entries: Array<fs.Dirent<Buffer>> | null
  try {
    entries = listInPlace(rootAbs, dir)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    // A directory removed mid-scan is a race, not a fault.
    if (code !== 'ENOENT' && code !== 'ENOTDIR') scan.unreadable.push({ path: dir, reason: String((error as Error).message) })
    return []
  }
  // Not where it claims to be: its files, if known, are looked at one by one (and refused).
  if (entries === null) return []
  const subdirs: string[] = []
  for (const entry of entries) {
    const name = nameFromBytes(entry.name)
    const rel = dir === '' ? name.text : `${dir}/${name.text}`
    if (isIgnoredPath(rel)) continue
    if (name.valid && entry.isDirectory()) {
      if (dir === '' && skipSessions.has(name.text)) continue
      if (dir === '') scan.sessions.push(name.text)
      subdirs.push(rel)
    } else {
      scan.files.push(rel)
    }
  }
  return subdirs
}

const NO_SESSIONS: ReadonlySet<string> = new Set()

/**
 * The entries of `rootAbs/dir`, or `null` when that path does not lead to a
 * directory at exactly that place (a symlink among its components). On Linux
 * the directory is opened first and listed through its descriptor, so a swap
 * after the check cannot redirect the listing; elsewhere its real path is
 * checked before and after listing. Synchronous, one directory per call: four
 * system calls of microseconds each, where the promise forms' trips through
 * the thread pool cost a scan of 1,200 directories about 40 ms. The scan
 * hands the thread back every few dozen directories, so a large tree never
 * holds it long.
 */
function listInPlace(rootAbs: string, dir: string): Array<fs.Dirent<Buffer>> | null {
  const absDir = dir === '' ? rootAbs : path.join(rootAbs, dir)
  const fd = fs.openSync(absDir, fs.constants.O_RDONLY | (fs.constants.O_DIRECTORY ?? 0))
  try {
    const viaFd = `/proc/self/fd/${fd}`
    let opened: string | null
    try {
      opened = fs.readlinkSync(viaFd)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      opened = null
    }
    if (opened !== null) {
      if (opened !== absDir) return null
      return fs.readdirSync(viaFd, { encoding: 'buffer', withFileTypes: true })
    }
    if (fs.realpathSync.native(absDir) !== absDir) return null
    const entries = fs.readdirSync(absDir, { encoding: 'buffer', withFileTypes: true })
    return fs.realpathSync.native(absDir) === absDir ? entries : null
  } finally {
    fs.closeSync(fd)
  }
}
