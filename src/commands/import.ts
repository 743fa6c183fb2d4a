/**
 * `statebridge import`: bring an archived session back. The archive is read
 * and checked whole first (every name inside `<session-id>/`, every file's
 * sha256 as the manifest says, the history decodable); then the files are
 * extracted (mtimes kept) where they are missing, the history is re-imported
 * and the session taken off `archived_sessions` in one transaction, and the
 * files are applied through the normal pipeline, so its rows are derived again.
 * Nothing on disk is overwritten: a session directory that holds other bytes
 * than the archive is refused, unless the cleanup kept the files on disk, in
 * which case they are the truth and only the history comes back.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Writable } from 'node:stream'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { StatebridgeError } from '../errors.js'
import type { HistoryImportResult, Store } from '../store/types.js'
import { scanTree } from '../sync/scan.js'
import { createSyncer } from '../sync/syncer.js'
import {
  checkExportDecodes,
  checkListing,
  collectSessionFiles,
  forEachArchivedFile,
  listArchive,
  realDirectory,
  type ArchiveManifest,
  type ArchivedFile,
} from './session-archive.js'

/** How `import` runs. */
export interface ImportOptions {
  /** The resolved configuration: the reports directory the session goes back into (`root`), its identity (`rootId`), and how files are applied. */
  config: Config
  store: Store
  /** The `.tar.gz` a cleanup wrote. */
  archive: string
  /** Write one JSON object instead of a line of text (default `false`). */
  json?: boolean
  logger: Logger
  /** Where the report goes (default `process.stdout`). */
  out?: Writable
}

/** What `runImport` did. */
export interface ImportReport {
  sessionId: string
  archive: string
  /** `extracted`: files written from the archive where missing; `history_only`: the cleanup had kept the files on disk, which were left as they are. */
  mode: 'extracted' | 'history_only'
  /** Files written from the archive. */
  filesExtracted: number
  /** Archived files already on disk with the archived bytes (not written). */
  filesPresent: number
  /** Revisions and contents added to history. */
  history: HistoryImportResult
  /** What the pipeline did with the session's files. */
  filesApplied: number
  filesUnchanged: number
  filesFailed: number
  exitCode: number
}

/** Import the session archived in `options.archive`; prints to `out` and returns what happened. Throws SB_ARCHIVE or SB_IMPORT_REFUSED before changing anything. */
export async function runImport(options: ImportOptions): Promise<ImportReport> {
  const { config, store } = options
  const log = options.logger.child({ module: 'import' })
  const out = options.out ?? process.stdout
  const archive = path.resolve(options.archive)
  const rootAbs = await realDirectory(config.root)
  const rootId = config.rootId ?? rootAbs

  const manifest = checkListing(archive, await listArchive(archive))
  checkExportDecodes(manifest.database, archive)
  const sessionId = manifest.sessionId

  const archived = (await store.archivedSessions(rootId)).get(sessionId)
  if (!archived && (await store.listSessions(rootId)).includes(sessionId)) {
    throw new StatebridgeError(
      'SB_IMPORT_REFUSED',
      `session ${sessionId} is live in the database under ${rootId}, not archived: import brings back archived sessions only; nothing was changed`,
    )
  }
  const top = await fs.promises.lstat(path.join(rootAbs, sessionId)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null
    throw error
  })
  if (top !== null && !top.isDirectory()) {
    throw new StatebridgeError('SB_IMPORT_REFUSED', `${path.join(rootAbs, sessionId)} exists and is not a directory (${top.isSymbolicLink() ? 'a symlink' : 'a file'}); nothing was changed`)
  }

  const report: ImportReport = {
    sessionId,
    archive,
    mode: archived && !archived.filesDeleted && top !== null ? 'history_only' : 'extracted',
    filesExtracted: 0,
    filesPresent: 0,
    history: { revisions: 0, blobs: 0 },
    filesApplied: 0,
    filesUnchanged: 0,
    filesFailed: 0,
    exitCode: 0,
  }
  if (report.mode === 'extracted') {
    const plan = await planExtraction(rootAbs, manifest, top !== null)
    if (plan.conflicts.length > 0) {
      const shown = plan.conflicts.slice(0, 10).map((c) => `  ${c}`).join('\n')
      throw new StatebridgeError(
        'SB_IMPORT_REFUSED',
        `not importing ${sessionId}: its directory under ${rootAbs} holds other content than the archive, which would be lost or mixed in:\n${shown}` +
          `${plan.conflicts.length > 10 ? `\n  … and ${plan.conflicts.length - 10} more` : ''}\nmove the directory away, then import again; nothing was changed`,
      )
    }
    report.filesPresent = plan.present
    report.filesExtracted = await extractFiles(archive, rootAbs, manifest, plan.missing)
  }

  report.history = await store.importSessionHistory(rootId, manifest.database)
  log.info({ session: sessionId, ...report.history }, 'history imported; session no longer archived')
  await applySession(config, store, log, rootAbs, sessionId, report)

  if (options.json) out.write(`${JSON.stringify(report)}\n`)
  else out.write(`${describe(report)}\n`)
  return report
}

/** Which archived files to write, which are on disk already, and what on disk differs from the archive. */
async function planExtraction(rootAbs: string, manifest: ArchiveManifest, exists: boolean): Promise<{ missing: ArchivedFile[]; present: number; conflicts: string[] }> {
  const plan = { missing: [] as ArchivedFile[], present: 0, conflicts: [] as string[] }
  if (!exists) return { ...plan, missing: manifest.files }
  const disk = await collectSessionFiles(rootAbs, manifest.sessionId, { read: true })
  const archived = new Map(manifest.files.map((f) => [f.path, f]))
  const skippedInArchive = new Set(manifest.skipped.map((s) => s.path))
  const onDisk = new Set<string>()
  for (const file of disk.files) {
    onDisk.add(file.path)
    const expected = archived.get(file.path)
    if (!expected) plan.conflicts.push(`${file.path}: on disk, not in the archive`)
    else if (expected.sha256 !== file.sha256) plan.conflicts.push(`${file.path}: differs from the archived file`)
    else plan.present++
  }
  // A symlink the cleanup did not archive (and so left on disk) is expected; any other is not.
  for (const entry of disk.skipped) if (!skippedInArchive.has(entry.path)) plan.conflicts.push(`${entry.path}: ${entry.reason}, not in the archive`)
  plan.missing = manifest.files.filter((f) => !onDisk.has(f.path))
  return plan
}

/**
 * Write `files` from the archive: each to a dot-named temporary file beside
 * its place (which scans and watchers ignore), checked against its sha256,
 * given its mode and mtime, then renamed into place. Parents are created as
 * real directories; a symlink on the way is refused.
 */
async function extractFiles(archive: string, rootAbs: string, manifest: ArchiveManifest, files: ArchivedFile[]): Promise<number> {
  const wanted = new Map(files.map((f) => [f.path, f]))
  let written = 0
  await forEachArchivedFile(archive, new Set(wanted.keys()), async (name, content) => {
    const meta = wanted.get(name)!
    wanted.delete(name)
    const target = path.join(rootAbs, name)
    await makeParents(rootAbs, name)
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.import.tmp`)
    const hash = createHash('sha256')
    const handle = await fs.promises.open(temp, 'wx', 0o600)
    try {
      try {
        for await (const chunk of content) {
          hash.update(chunk)
          await handle.write(chunk)
        }
        await handle.sync()
      } finally {
        await handle.close()
      }
      if (hash.digest('hex') !== meta.sha256) throw new StatebridgeError('SB_ARCHIVE', `${archive}: ${name} did not extract to the archived bytes`)
      await fs.promises.chmod(temp, meta.mode)
      // Seconds as a number keep microseconds; a Date would keep milliseconds only.
      await fs.promises.utimes(temp, meta.mtimeMs / 1000, meta.mtimeMs / 1000)
      // Checked absent before extracting; something written there since is not overwritten.
      const there = await fs.promises.lstat(target).then(
        () => true,
        () => false,
      )
      if (there) throw new StatebridgeError('SB_IMPORT_REFUSED', `${target} appeared while importing; it was not overwritten`)
      await fs.promises.rename(temp, target)
      written++
    } catch (error) {
      await fs.promises.rm(temp, { force: true })
      throw error
    }
  })
  const missing = [...wanted.keys()]
  if (missing.length > 0) throw new StatebridgeError('SB_ARCHIVE', `${archive}: ${missing[0]} could not be read back while extracting`)
  return written
}

// Create the directories of `rel` under the root, each a real directory: a symlink there would lead the write elsewhere.
async function makeParents(rootAbs: string, rel: string): Promise<void> {
  const parts = rel.split('/').slice(0, -1)
  let at = rootAbs
  for (const part of parts) {
    at = path.join(at, part)
    const stat = await fs.promises.lstat(at).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null
      throw error
    })
    if (stat === null) await fs.promises.mkdir(at, { mode: 0o755 })
    else if (!stat.isDirectory()) throw new StatebridgeError('SB_IMPORT_REFUSED', `${at} is not a directory (${stat.isSymbolicLink() ? 'a symlink' : 'a file'}); not extracting under it`)
  }
}

/** Apply the session's files through the pipeline, as a sync of that one directory would. */
async function applySession(config: Config, store: Store, log: Logger, rootAbs: string, sessionId: string, report: ImportReport): Promise<void> {
  const syncer = await createSyncer(config, store, log, 'debug', { probe: false, history: true })
  try {
    await syncer.syncSession(sessionId)
    const scan = await scanTree(rootAbs, sessionId)
    const outcomes = await Promise.all(scan.files.map((relPath) => syncer.queue.submit(relPath, false)))
    for (const outcome of outcomes) {
      if (outcome === 'applied') report.filesApplied++
      else if (outcome === 'failed' || outcome === 'retry' || outcome === 'deferred') report.filesFailed++
      else report.filesUnchanged++
    }
    const workerFailure = syncer.takeWorkerFailure()
    if (workerFailure) throw workerFailure
    if (outcomes.includes('deferred') || syncer.health.down) {
      throw new StatebridgeError(
        'SB_DB_UNAVAILABLE',
        `the database went away while applying ${sessionId}: its history is imported and the session no longer archived, but ${report.filesFailed} file(s) were not applied; run statebridge sync`,
      )
    }
  } finally {
    await syncer.close()
  }
}

function describe(r: ImportReport): string {
  const files =
    r.mode === 'history_only'
      ? 'its files were kept on disk by the cleanup and left as they are'
      : `${r.filesExtracted} file(s) extracted${r.filesPresent > 0 ? `, ${r.filesPresent} already on disk` : ''}`
  const failed = r.filesFailed > 0 ? `, ${r.filesFailed} in error` : ''
  return (
    `imported ${r.sessionId} from ${r.archive}: ${files}; ${r.history.revisions} revision(s) and ${r.history.blobs} content(s) of history; ` +
    `${r.filesApplied} file(s) applied${r.filesUnchanged > 0 ? `, ${r.filesUnchanged} unchanged` : ''}${failed}`
  )
}
