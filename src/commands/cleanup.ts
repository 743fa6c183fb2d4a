/**
 * `statebridge cleanup`: archive the sessions that finished long ago, then
 * drop their rows. The files are the truth, so a session deleted from the
 * database alone would come back with the next reconcile; a cleanup therefore
 * writes the session directory and its database export to one tar.gz, reads it
 * back, and only then, in one transaction, deletes the rows and lists the
 * session in `archived_sessions`, which every sync and watch then leaves alone.
 * With `deleteFiles` the archived files go too, each only if it still has the
 * bytes that were archived. A dry run (the default) changes nothing.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Writable } from 'node:stream'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { StatebridgeError } from '../errors.js'
import type { Store } from '../store/types.js'
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  archiveFileName,
  checkExportDecodes,
  collectSessionFiles,
  realDirectory,
  writeArchive,
  type ArchiveManifest,
  type ArchivedFile,
} from './session-archive.js'

/** How `cleanup` runs. */
export interface CleanupOptions {
  /** The resolved configuration: the reports directory (`root`), its identity (`rootId`). */
  config: Config
  store: Store
  /** Directory that receives one `<root-name>-<session-id>.tar.gz` per session; created when missing; not inside the reports directory. */
  archiveDir: string
  /** Sessions complete and not updated for at least this long, in ms (see `parseAge`). */
  olderThanMs: number
  /** Also delete each archived session's files from disk, once its archive is verified and its rows are gone (default `false`). */
  deleteFiles?: boolean
  /** Carry it out (default `false`: a dry run that only says what would be archived). */
  yes?: boolean
  /** Write one JSON object instead of lines of text (default `false`). */
  json?: boolean
  logger: Logger
  /** Where the report goes (default `process.stdout`). */
  out?: Writable
  /** What "now" is (default the clock), for tests. */
  now?: Date
}

/** What happened to one session. */
export type CleanupOutcome =
  | 'would_archive' // dry run
  | 'archived' // archive written and verified, rows deleted (and files, if asked)
  | 'changed' // updated while being archived: nothing deleted, archive discarded; the next cleanup sees it again
  | 'gone' // its rows went meanwhile (removed by a sync): nothing to archive
  | 'failed' // see `error`; its rows and files are untouched

/** One session in the report. */
export interface CleanupSession {
  sessionId: string
  /** When an apply last touched it. */
  updatedAt: string
  outcome: CleanupOutcome
  /** The archive (written, or that would be written). */
  archive: string
  /** Regular files archived (or to be archived) and their bytes. */
  files: number
  bytes: number
  /** Entries not archived: symlinks, special files, names that are not UTF-8. */
  skipped: number
  /** Revisions exported with it. */
  revisions: number
  /** Files deleted from disk (with `deleteFiles`). */
  filesDeleted: number
  /** What was left on disk although `deleteFiles` was given (changed since archived, not regular files). */
  filesLeft: string[]
  /** Why it failed. */
  error?: string
}

/** What `runCleanup` did. */
export interface CleanupReport {
  dryRun: boolean
  root: string
  /** Sessions updated before this instant were considered. */
  cutoff: string
  sessions: CleanupSession[]
  /** 0, or 1 when a session failed. */
  exitCode: number
}

/**
 * `30d`, `12h` or `90m` in milliseconds; throws SB_CONFIG for anything else.
 */
export function parseAge(text: string): number {
  const match = /^(\d{1,6})([dhm])$/.exec(text.trim())
  if (!match) {
    throw new StatebridgeError(
      'SB_CONFIG',
      `--completed-older-than ${JSON.stringify(text)} is not an age: give a whole number of days, hours or minutes, such as 30d, 12h or 90m`,
    )
  }
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as 'd' | 'h' | 'm']
  return Number(match[1]) * unit
}

/** Archive (or, without `yes`, list) the finished sessions; prints to `out` and returns what happened. */
export async function runCleanup(options: CleanupOptions): Promise<CleanupReport> {
  const { config, store } = options
  const log = options.logger.child({ module: 'cleanup' })
  const out = options.out ?? process.stdout
  const dryRun = options.yes !== true
  const deleteFiles = options.deleteFiles === true
  if (!Number.isFinite(options.olderThanMs) || options.olderThanMs < 0) {
    throw new StatebridgeError('SB_CONFIG', `the age of a finished session must be 0 or more ms, not ${options.olderThanMs}`)
  }
  const rootAbs = await realDirectory(config.root)
  const rootId = config.rootId ?? rootAbs
  const archiveDir = await archiveDirectory(options.archiveDir, rootAbs, !dryRun)
  const now = options.now ?? new Date()
  const cutoff = new Date(now.getTime() - options.olderThanMs).toISOString()

  const report: CleanupReport = { dryRun, root: rootAbs, cutoff, sessions: [], exitCode: 0 }
  for (const finished of await store.finishedSessions(rootId, cutoff)) {
    const session: CleanupSession = {
      sessionId: finished.sessionId,
      updatedAt: finished.updatedAt,
      outcome: dryRun ? 'would_archive' : 'failed',
      archive: path.join(archiveDir, archiveFileName(rootAbs, finished.sessionId)),
      files: 0,
      bytes: 0,
      skipped: 0,
      revisions: 0,
      filesDeleted: 0,
      filesLeft: [],
    }
    report.sessions.push(session)
    try {
      if (dryRun) {
        const files = await collectSessionFiles(rootAbs, finished.sessionId, { read: false })
        session.files = files.files.length
        session.bytes = sum(files.files)
        session.skipped = files.skipped.length
      } else {
        await archiveSession(session, { store, rootAbs, rootId, deleteFiles, log })
      }
    } catch (error) {
      session.outcome = 'failed'
      session.error = (error as Error).message
      log.error({ session: session.sessionId, err: error }, `${session.sessionId}: not archived: ${session.error}`)
    }
    if (session.error !== undefined) report.exitCode = 1
    if (!options.json) out.write(`${describe(session, deleteFiles)}\n`)
  }
  out.write(options.json ? `${JSON.stringify(report)}\n` : `${summary(report, options.olderThanMs)}\n`)
  return report
}

interface ArchiveContext {
  store: Store
  rootAbs: string
  rootId: string
  deleteFiles: boolean
  log: Logger
}

// Export, archive, verify, purge (one transaction), then delete the files if asked.
async function archiveSession(session: CleanupSession, ctx: ArchiveContext): Promise<void> {
  const { store, rootAbs, rootId, log } = ctx
  const data = await store.exportSession(rootId, session.sessionId)
  if (data === null) {
    session.outcome = 'gone'
    return
  }
  // The history must decode from the archive alone, or an import could not give it back.
  checkExportDecodes(data, `session ${session.sessionId}`)
  const files = await collectSessionFiles(rootAbs, session.sessionId, { read: true })
  for (const skipped of files.skipped) log.warn({ session: session.sessionId, path: skipped.path }, `${skipped.path}: not archived: ${skipped.reason}`)
  if (!files.exists) log.warn({ session: session.sessionId }, `${session.sessionId}: no session directory on disk; archiving its database export alone`)
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    version: ARCHIVE_VERSION,
    createdAt: new Date().toISOString(),
    rootName: path.basename(rootAbs),
    sessionId: session.sessionId,
    files: files.files,
    skipped: files.skipped,
    database: data,
  }
  session.files = files.files.length
  session.bytes = sum(files.files)
  session.skipped = files.skipped.length
  session.revisions = data.revisions.length
  if (fs.existsSync(session.archive)) log.info({ archive: session.archive }, `replacing the earlier archive ${session.archive}`)
  await writeArchive(session.archive, rootAbs, manifest)

  const purge = await store.purgeSession(rootId, session.sessionId, session.archive, ctx.deleteFiles, data.mark)
  if (!purge.purged) {
    // Applied to (or removed) since the export: this archive is already stale. The next cleanup sees the session again.
    await fs.promises.rm(session.archive, { force: true })
    session.outcome = 'changed'
    log.warn({ session: session.sessionId }, `${session.sessionId}: changed while being archived; left as it is`)
    return
  }
  session.outcome = 'archived'
  log.info({ session: session.sessionId, archive: session.archive, ...purge }, 'session archived')
  if (!ctx.deleteFiles || !files.exists) return
  let removal: { deleted: number; left: string[] }
  try {
    removal = await deleteArchivedFiles(rootAbs, session.sessionId, files.files)
  } catch (error) {
    // Archived and purged: what is left on disk is the archive's own bytes; deleting them again is safe.
    session.error = `archived, but deleting its files failed: ${(error as Error).message}`
    log.error({ session: session.sessionId, err: error }, `${session.sessionId}: ${session.error}`)
    return
  }
  session.filesDeleted = removal.deleted
  session.filesLeft = removal.left
  if (removal.left.length > 0) {
    log.warn(
      { session: session.sessionId, left: removal.left.length },
      `${session.sessionId}: ${removal.left.length} entr${removal.left.length === 1 ? 'y' : 'ies'} left on disk (changed since archived, or not archived): ${removal.left.slice(0, 5).join(', ')}`,
    )
  }
}

/**
 * Delete the archived files that still have the archived bytes, then the
 * directories left empty, the session directory last. What remains (a file
 * written since, a symlink) stays, and is listed.
 */
async function deleteArchivedFiles(rootAbs: string, sessionId: string, archived: ArchivedFile[]): Promise<{ deleted: number; left: string[] }> {
  const now = await collectSessionFiles(rootAbs, sessionId, { read: true })
  const onDisk = new Map(now.files.map((f) => [f.path, f]))
  let deleted = 0
  for (const file of archived) {
    if (onDisk.get(file.path)?.sha256 !== file.sha256) continue
    await fs.promises.rm(path.join(rootAbs, file.path), { force: true })
    onDisk.delete(file.path)
    deleted++
  }
  const dirs = await directoriesUnder(rootAbs, sessionId)
  for (const dir of dirs.sort((a, b) => b.split('/').length - a.split('/').length)) {
    await fs.promises.rmdir(path.join(rootAbs, dir)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST' && error.code !== 'ENOENT') throw error
    })
  }
  const left = [...onDisk.keys(), ...now.skipped.map((s) => s.path)].sort()
  return { deleted, left }
}

// The session directory and every real directory below it (symlinks are not followed).
async function directoriesUnder(rootAbs: string, sessionId: string): Promise<string[]> {
  const found: string[] = []
  const pending = [sessionId]
  while (pending.length > 0) {
    const dir = pending.pop()!
    found.push(dir)
    const entries = await fs.promises.readdir(path.join(rootAbs, dir), { withFileTypes: true }).catch(() => [])
    for (const entry of entries) if (entry.isDirectory()) pending.push(`${dir}/${entry.name}`)
  }
  return found
}

/**
 * The archive directory as an absolute path, refused when it lies inside the
 * reports directory (the sync would mirror the archives, and a deleted
 * session could take its own archive with it). Created when `create`.
 */
async function archiveDirectory(dir: string, rootAbs: string, create: boolean): Promise<string> {
  const absolute = path.resolve(dir)
  if (create) {
    await fs.promises.mkdir(absolute, { recursive: true }).catch((error: Error) => {
      throw new StatebridgeError('SB_CONFIG', `cannot create the archive directory ${absolute}: ${error.message}`, { cause: error })
    })
  }
  // The real path of the deepest part that exists, so a symlink cannot hide that it leads into the root.
  let existing = absolute
  let rest = ''
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) {
    rest = path.join(path.basename(existing), rest)
    existing = path.dirname(existing)
  }
  const real = path.join(await fs.promises.realpath(existing), rest)
  const relative = path.relative(rootAbs, real)
  if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) {
    throw new StatebridgeError('SB_CONFIG', `the archive directory ${absolute} is inside the reports directory ${rootAbs}; give one outside it`)
  }
  return absolute
}

function sum(files: ArchivedFile[]): number {
  return files.reduce((total, f) => total + f.sizeBytes, 0)
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`
}

function describe(s: CleanupSession, deleteFiles: boolean): string {
  const size = `${count(s.files, 'file')}, ${count(s.bytes, 'byte')}${s.skipped > 0 ? `, ${count(s.skipped, 'entry', 'entries')} not archived` : ''}`
  switch (s.outcome) {
    case 'would_archive':
      return `would archive ${s.sessionId} (${size}; complete, last updated ${s.updatedAt}) to ${s.archive}${deleteFiles ? ', then delete its files' : ''}`
    case 'archived': {
      const files = !deleteFiles
        ? 'files kept on disk'
        : s.error !== undefined
          ? s.error
          : `${count(s.filesDeleted, 'file')} deleted${s.filesLeft.length > 0 ? `, ${s.filesLeft.length} left on disk` : ''}`
      return `archived ${s.sessionId} (${size}, ${count(s.revisions, 'revision')}) to ${s.archive}; rows removed, ${files}`
    }
    case 'changed':
      return `skipped ${s.sessionId}: it changed while being archived; nothing was removed`
    case 'gone':
      return `skipped ${s.sessionId}: its rows went meanwhile`
    case 'failed':
      return `failed ${s.sessionId}: ${s.error ?? 'unknown error'}; nothing was removed`
  }
}

// The age as `parseAge` reads it: 30d, 12h, 90m.
function formatAge(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  return `${Math.round(ms / 60_000)}m`
}

function summary(report: CleanupReport, olderThanMs: number): string {
  const age = formatAge(olderThanMs)
  if (report.sessions.length === 0) return `no session under ${report.root} is complete and unchanged for ${age} (since ${report.cutoff})`
  if (report.dryRun) {
    return `dry run: ${count(report.sessions.length, 'session')} would be archived; nothing was changed. Pass --yes to archive.`
  }
  const archived = report.sessions.filter((s) => s.outcome === 'archived').length
  const failed = report.sessions.filter((s) => s.outcome === 'failed').length
  return `cleanup: ${count(archived, 'session')} archived${failed > 0 ? `, ${failed} failed` : ''}`
}
