/**
 * A chokidar watch of the whole root that survives directories being replaced.
 *
 * chokidar keeps per-directory state (its watch handles and the names it has
 * seen). When a watched directory is removed and recreated at once (`rm -rf`
 * then `mkdir -p`, or a directory renamed over another), that state still
 * describes the dead directory: the new one is never watched, and no later
 * write inside it raises an event. `unwatch()` + `add()` does not clear it
 * (the child names survive). So when a `rename` of a known directory is seen
 * and the directory exists afterwards, the chokidar instance is closed and a
 * fresh one opened, and the caller is told to look at the tree again once the
 * new watch is in place.
 */
import path from 'node:path'
import fs from 'node:fs'
import { watch as chokidarWatch, type FSWatcher } from 'chokidar'
import type { Logger } from 'pino'
import { isIgnoredPath, relativeToRoot } from './paths.js'

/** What the tree watcher reports; every callback gets a path relative to the root. */
export interface TreeWatcherEvents {
  /** A file was added, changed or removed. */
  file(relPath: string): void
  /** A directory appeared (its files may predate the watch: look at them after `settleMs`). */
  addDir(relDir: string): void
  /** A directory went away. */
  unlinkDir(relDir: string): void
  /**
   * Directories were replaced; the watch was renewed and now covers them. Any
   * change made while it was renewed went unreported: look at the whole tree.
   */
  replaced(): void
  /** A watcher error (ENOSPC, EMFILE, ...). */
  error(error: unknown): void
}

/** Tree watcher settings. */
export interface TreeWatcherOptions {
  /** Real absolute path of the root. */
  rootAbs: string
  /** Quiet time before a suspected replacement is checked (lets `mkdir -p` and first writes land). */
  settleMs: number
  logger: Logger
  events: TreeWatcherEvents
}

/** Longest wait for chokidar's `ready`; a pathological tree must not hold the start forever. */
const READY_TIMEOUT_MS = 60_000

/**
 * How long a raw `change` of a file waits for chokidar's own event before it is
 * reported by itself. chokidar drops a change whose mtime (and atime) were put
 * back, as `touch -r` does; reporting every raw event at once would instead
 * double each write's events and throw away the read started on the first.
 */
const RAW_CHANGE_GRACE_MS = 100

/** The watch of one root; see the module comment. */
export class TreeWatcher {
  private readonly options: TreeWatcherOptions
  private current: FSWatcher
  /** Directories the current watcher has seen, relative to the root (the root itself is not listed). */
  private knownDirs = new Set<string>()
  /** Directories whose entry was renamed or removed, to check once things settle. */
  private readonly suspects = new Set<string>()
  private timer: NodeJS.Timeout | null = null
  private replacing: Promise<void> | null = null
  private closed = false
  /** Files with a raw `change` that chokidar has not reported yet, by path. */
  private readonly rawChanges = new Set<string>()
  private rawTimer: NodeJS.Timeout | null = null

  private constructor(options: TreeWatcherOptions) {
    this.options = options
    this.current = this.open()
  }

  /** Start watching; resolves once chokidar has read the tree. */
  static async start(options: TreeWatcherOptions): Promise<TreeWatcher> {
    const watcher = new TreeWatcher(options)
    await whenReady(watcher.current)
    watcher.knownDirs = watchedDirs(watcher.current, options.rootAbs)
    return watcher
  }

  /** The chokidar instance in use now (it changes when a directory is replaced). */
  get chokidar(): FSWatcher {
    return this.current
  }

  /** Whether a replacement is waiting to be checked or being carried out, or a raw change waits to be reported. */
  get busy(): boolean {
    return this.timer !== null || this.replacing !== null || this.rawTimer !== null
  }

  /** Resolves once no replacement is pending. */
  async whenSettled(): Promise<void> {
    while (this.busy && !this.closed) {
      if (this.replacing) await this.replacing
      else await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  /** Stop watching; a renewal under way finishes first. */
  async close(): Promise<void> {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    if (this.rawTimer) clearTimeout(this.rawTimer)
    this.timer = null
    this.rawTimer = null
    await this.replacing
    await this.current.close()
  }

  /**
   * Close the watch and open a fresh one on the same path, then report
   * `replaced`: for a root that was itself replaced (moved away and recreated),
   * which the old watch, bound to the old inode, would follow instead.
   */
  async renew(): Promise<void> {
    while (this.replacing) await this.replacing
    if (this.closed) return
    this.replacing = this.reopen()
      .catch((err: Error) => this.options.logger.error({ err }, `could not renew the watch: ${err.message}`))
      .finally(() => {
        this.replacing = null
      })
    await this.replacing
  }

  private open(): FSWatcher {
    const { rootAbs, events } = this.options
    const watcher = chokidarWatch(rootAbs, {
      ignoreInitial: true,
      followSymlinks: false,
      persistent: true,
      ignored: (absPath: string) => {
        const rel = relativeToRoot(rootAbs, absPath)
        return rel !== null && isIgnoredPath(rel)
      },
    })
    const relOf = (absPath: string): string | null => {
      const rel = relativeToRoot(rootAbs, absPath)
      return rel === null || rel === '' ? null : rel
    }
    watcher.on('all', (event: string, absPath: string) => this.options.logger.trace({ event, path: relOf(absPath) }, 'watch event'))
    const onFile = (absPath: string): void => {
      const rel = relOf(absPath)
      if (rel === null) return
      this.rawChanges.delete(rel)
      events.file(rel)
    }
    watcher.on('add', onFile)
    watcher.on('change', onFile)
    watcher.on('unlink', onFile)
    watcher.on('addDir', (absPath: string) => {
      const rel = relOf(absPath)
      if (rel === null) return
      if (watcher === this.current) this.knownDirs.add(rel)
      events.addDir(rel)
    })
    watcher.on('unlinkDir', (absPath: string) => {
      const rel = relOf(absPath)
      if (rel !== null) events.unlinkDir(rel)
    })
    watcher.on('error', (error: unknown) => events.error(error))
    // fs.watch reports a directory entry created, removed or renamed as `rename`,
    // on the parent's handle (with the entry's name) and on the entry's own.
    watcher.on('raw', (event: string, name: string | null, details: unknown) => {
      const watched = (details as { watchedPath?: string } | null)?.watchedPath
      if ((event !== 'rename' && event !== 'change') || !watched || !name || watcher !== this.current) return
      const fromParent = path.basename(watched) !== name
      const abs = fromParent ? path.join(watched, name) : watched
      const rel = relativeToRoot(rootAbs, abs)
      if (rel === null || rel === '' || isIgnoredPath(rel)) return
      if (event === 'change') {
        if (!this.knownDirs.has(rel)) this.rawChange(rel)
        return
      }
      if (this.knownDirs.has(rel)) return this.suspect(rel)
      // A file renamed over another with the same mtime (two files written
      // within one clock tick) gets no `change` from chokidar, which compares
      // mtimes; the parent's report of the entry is the only sign of it.
      if (fromParent && !isDirectory(abs)) events.file(rel)
    })
    return watcher
  }

  private rawChange(rel: string): void {
    this.rawChanges.add(rel)
    this.rawTimer ??= setTimeout(() => {
      this.rawTimer = null
      const unreported = [...this.rawChanges]
      this.rawChanges.clear()
      if (this.closed) return
      for (const relPath of unreported) this.options.events.file(relPath)
    }, RAW_CHANGE_GRACE_MS)
  }

  private suspect(relDir: string): void {
    if (this.closed) return
    this.suspects.add(relDir)
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      if (this.replacing) return this.suspect(relDir)
      this.replacing = this.replaceIfNeeded()
        .catch((err: Error) => this.options.logger.error({ err }, `could not renew the watch: ${err.message}`))
        .finally(() => {
          this.replacing = null
        })
    }, this.options.settleMs)
  }

  private async replaceIfNeeded(): Promise<void> {
    const { rootAbs, logger, events } = this.options
    const candidates = [...this.suspects]
    this.suspects.clear()
    // A directory removed for good needs nothing: chokidar reports its files gone.
    const replaced = candidates.filter((rel) => isDirectory(path.join(rootAbs, rel)))
    // One replaced by a file or a symlink (to a directory, maybe outside the root)
    // is gone as a directory: chokidar reports only a change of the entry.
    for (const rel of candidates) {
      if (this.closed || replaced.includes(rel) || !exists(path.join(rootAbs, rel))) continue
      this.knownDirs.delete(rel)
      events.unlinkDir(rel)
      events.file(rel)
    }
    if (replaced.length === 0 || this.closed) return
    logger.debug({ directories: replaced }, 'directories replaced: renewing the watch')
    await this.reopen()
  }

  private async reopen(): Promise<void> {
    const { rootAbs, events } = this.options
    // chokidar shares one fs.watch handle per path across its instances, so the
    // stale handles must be closed before the fresh watch opens, or it would
    // reuse them. Changes in between are found by the look that follows.
    await this.current.close()
    if (this.closed) return
    this.current = this.open()
    await whenReady(this.current)
    this.knownDirs = watchedDirs(this.current, rootAbs)
    if (!this.closed) events.replaced()
  }
}

function whenReady(watcher: FSWatcher): Promise<void> {
  return new Promise<void>((resolve) => {
    const timeout = setTimeout(resolve, READY_TIMEOUT_MS)
    watcher.once('ready', () => {
      clearTimeout(timeout)
      resolve()
    })
  })
}

/** Every directory the watcher holds, relative to the root. */
function watchedDirs(watcher: FSWatcher, rootAbs: string): Set<string> {
  const dirs = new Set<string>()
  for (const absDir of Object.keys(watcher.getWatched())) {
    const rel = relativeToRoot(rootAbs, absDir)
    if (rel !== null && rel !== '') dirs.add(rel)
  }
  return dirs
}

function exists(absPath: string): boolean {
  try {
    fs.lstatSync(absPath)
    return true
  } catch {
    return false
  }
}

function isDirectory(absPath: string): boolean {
  try {
    return fs.lstatSync(absPath).isDirectory()
  } catch {
    // Gone (or unreadable): nothing to watch there.
    return false
  }
}
