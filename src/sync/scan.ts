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
  // Listing a directory is four round trips to the thread pool (open, readlink,
  // readdir, close): one directory at a time, a tree of 1,200 took 0.3 s.
  const slots = new Slots(SCAN_CONCURRENCY)
  const visit = async (dir: string): Promise<void> => {
    await slots.take()
    let subdirs: string[]
    try {
      subdirs = await listDirectory(rootAbs, dir, skipSessions, scan)
    } finally {
      slots.give()
    }
    await Promise.all(subdirs.map(visit))
  }
  await visit(relDir)
  scan.files.sort()
  scan.sessions.sort()
  scan.unreadable.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return scan
}

/** At most `size` holders at once; the others wait in order. */
class Slots {
  private free: number
  private readonly waiting: Array<() => void> = []
  constructor(size: number) {
    this.free = size
  }
  take(): Promise<void> | void {
    if (this.free > 0) {
      this.free--
      return
    }
    return new Promise((resolve) => this.waiting.push(resolve))
  }
  give(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.free++
  }
}

/** Directories listed at once. */
const SCAN_CONCURRENCY = 8

/** List `dir` into `scan`; its subdirectories, to be listed next. */
async function listDirectory(rootAbs: string, dir: string, skipSessions: ReadonlySet<string>, scan: TreeScan): Promise<string[]> {
  let entries: Array<fs.Dirent<Buffer>> | null
  try {
    entries = await listInPlace(rootAbs, dir)
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
 * checked before and after listing.
 */
async function listInPlace(rootAbs: string, dir: string): Promise<Array<fs.Dirent<Buffer>> | null> {
  const absDir = dir === '' ? rootAbs : path.join(rootAbs, dir)
  const handle = await fs.promises.open(absDir, fs.constants.O_RDONLY | (fs.constants.O_DIRECTORY ?? 0))
  try {
    const viaFd = `/proc/self/fd/${handle.fd}`
    const opened = await fs.promises.readlink(viaFd).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null
      throw error
    })
    if (opened !== null) {
      if (opened !== absDir) return null
      return await fs.promises.readdir(viaFd, { encoding: 'buffer', withFileTypes: true })
    }
    if ((await fs.promises.realpath(absDir)) !== absDir) return null
    const entries = await fs.promises.readdir(absDir, { encoding: 'buffer', withFileTypes: true })
    return (await fs.promises.realpath(absDir)) === absDir ? entries : null
  } finally {
    await handle.close()
  }
}
