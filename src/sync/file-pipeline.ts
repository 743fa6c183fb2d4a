/**
 * The per-file pipeline: stat → read → hash → parse (in a worker) → apply
 * (one store transaction). It makes the database match one path on disk,
 * whatever happened to it, so running it again is always safe.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Logger } from 'pino'
import { documentFormat, documentType } from '../parsers/document-type.js'
import { formatDiagnostic } from '../parsers/diagnostic.js'
import type { Diagnostic } from '../parsers/types.js'
import type { BlobChain, EncodedBlob } from '../history/types.js'
import type { FileIdentity, KnownFile, Store } from '../store/types.js'
import type { ParsePool, PoolResult } from './parse-pool.js'
import type { AppendBase, ReadRequest } from './read-file.js'
import { verifyUnchanged } from './read-content.js'
import { StatebridgeError } from '../errors.js'
import type { FileErrorReason, SyncObserver } from './observer.js'
import { hasEscapedBytes, isUtf8, pathBytes, relativeToRoot, sessionCreatedAt, sessionIdOf, type RootKind } from './paths.js'

/** Everything one pipeline run needs; built once per daemon. */
export interface PipelineContext {
  /** Real absolute path of the root. */
  rootAbs: string
  /** Root identity stored with every row. */
  rootId: string
  instance: string
  maxFileBytes: number
  /** History compresses contents of at least this many bytes; `null`: history keeps nothing (`--no-history`, the bench's scratch runs). */
  compressThreshold: number | null
  store: Store
  pool: ParsePool
  /** What the store holds, kept current by the pipeline itself. */
  known: Map<string, KnownFile>
  /**
   * Sessions `cleanup` archived, as the store said at the last reconcile: their
   * files are left alone (the store refuses them too, should one be archived since).
   */
  archived: Set<string>
  logger: Logger
  /** Level of the one log line per applied file. */
  appliedLevel: 'info' | 'debug'
  /** Reads started during a file's debounce window, by path (see `prefetchFile`). */
  prefetched: Map<string, Promise<PoolResult>>
  /** Why each refused path was refused as its row says now, so an unchanged refusal is not written (and logged) again. */
  refusals: Map<string, string>
  /** Told of every committed change, error and apply duration (`NO_OBSERVER` when nobody listens). */
  observer: SyncObserver
  /**
   * Whether the root itself is still there. Asked only before rows are removed:
   * under a root that is gone (moved away, unmounted) every path looks missing.
   */
  rootPresent: () => Promise<boolean>
  /** What the revisions of this run's applies record instead of created/updated (a `restore` writing files). */
  revisionChange?: 'restored'
  /** `transcripts`: an agent SDK's transcripts directory, whose folders are no report sessions; default `reports`. */
  rootKind?: RootKind
  /**
   * During a reconcile, whether each directory was found in the tree, by
   * absolute path: the files of one directory share one realpath. `null`
   * otherwise. Only the first check of a file uses it; what a read opens is
   * always checked on its descriptor, and a directory swapped meanwhile brings
   * a reconcile of its own.
   */
  dirChecks?: Map<string, Promise<boolean>> | null
}

/** What one run did to the file's rows. */
export type FileOutcome =
  | 'applied' // records replaced
  | 'unchanged' // same content as applied
  | 'removed' // file gone, rows deleted
  | 'failed' // error status recorded, last good rows kept
  | 'skipped' // not a file statebridge keeps (directory, gone before it was known)
  | 'retry' // caught mid-write: run again once it settles
  | 'deferred' // the database is away: kept dirty until it is back

/**
 * Make the store match `relPath` as it is on disk now.
 * `trustStat`: skip reading when size and mtime equal what was applied (reconcile);
 * events pass `false` because something did happen to the file.
 */
export async function syncFile(ctx: PipelineContext, relPath: string, trustStat: boolean, wholeFile = false): Promise<FileOutcome> {
  if (inArchivedSession(ctx, relPath)) return 'skipped'
  if (hasEscapedBytes(relPath)) return syncOddName(ctx, relPath, trustStat)
  const absPath = path.join(ctx.rootAbs, relPath)
  const known = ctx.known.get(relPath)
  const early = ctx.prefetched.get(relPath)
  ctx.prefetched.delete(relPath)
  // Under a directory that became a symlink, the path is no longer part of the
  // tree (scans list the link, not what it leads to): its rows go, as a fresh sync would have none.
  if (!(await parentInTreeOnce(ctx, absPath))) return removeIfKnown(ctx, relPath)

  let stat: fs.Stats
  try {
    // On this thread, as the verifying read below is: one lstat takes microseconds, while the promise
    // form's trip through the thread pool cost a re-sync of 3,000 unchanged files 70 ms of its 380.
    stat = fs.lstatSync(absPath)
    if (stat.isSymbolicLink()) {
      const escape = await symlinkEscape(ctx.rootAbs, absPath)
      if (escape === 'dangling') return fail(ctx, relPath, zeroStat(stat), null, { reason: await danglingReason(absPath), kind: 'not_regular' })
      if (escape !== null) return refuse(ctx, relPath, escape)
      stat = await fs.promises.stat(absPath)
    }
  } catch (error) {
    if (isMissing(error)) return removeIfKnown(ctx, relPath)
    return fail(ctx, relPath, null, null, { reason: `cannot stat: ${errorMessage(error)}`, kind: 'unreadable' })
  }
  // A directory is never a document; one that replaced a file or a symlink takes its rows with it.
  if (stat.isDirectory()) return removeIfKnown(ctx, relPath)
  // A FIFO or socket would block the reader forever.
  if (!stat.isFile()) return fail(ctx, relPath, zeroStat(stat), null, { reason: 'not a regular file', kind: 'not_regular' })

  if (trustStat && known && statUnmoved(known, stat)) {
    return 'unchanged'
  }

  // A read made during the debounce window counts if the file has not moved since.
  const prefetched = early ? await early : null
  const result =
    prefetched && (prefetched.kind === 'parsed' || prefetched.kind === 'unchanged') &&
    prefetched.sizeBytes === stat.size && prefetched.mtimeMs === stat.mtimeMs && prefetched.ino === stat.ino
      ? prefetched
      : (verifiedHere(ctx, absPath, known, stat) ??
        (await readFile(ctx, relPath, await historyBase(ctx, relPath, stat), wholeFile ? null : await appendBase(ctx, relPath))))

  switch (result.kind) {
    case 'gone':
      return removeIfKnown(ctx, relPath)
    case 'unstable':
      return 'retry'
    case 'outside':
      // A parent swapped for a symlink since the check above: not part of the tree, as there.
      if (!(await parentInTree(ctx.rootAbs, absPath))) return removeIfKnown(ctx, relPath)
      return refuse(ctx, relPath, `resolves outside the root (to ${result.realPath}) through a symlink; not read`)
    case 'unavailable':
      // Not this file's fault: no worker runs at all. Stop here instead of marking every file in error.
      throw new StatebridgeError('SB_WORKER', result.message)
    case 'too-large':
      return fail(ctx, relPath, result, null, {
        reason: `file is ${result.sizeBytes} bytes, over the ${ctx.maxFileBytes}-byte limit (--max-file-bytes); not parsed`,
        kind: 'too_large',
      })
    case 'timeout':
      return fail(ctx, relPath, stat, result.hash, {
        reason: result.repeated
          ? `parsing took longer than the ${result.budgetMs} ms budget (--parse-timeout-ms) before; this content is not parsed again`
          : `parsing took longer than the ${result.budgetMs} ms budget (--parse-timeout-ms); not parsed`,
        kind: 'timeout',
      })
    case 'unreadable':
      return fail(ctx, relPath, stat, null, { reason: `cannot read (${result.code}): ${result.message}`, kind: 'unreadable' })
    case 'parser-failed':
      return fail(ctx, relPath, result, result.hash, { reason: `parser failed: ${result.message}`, kind: 'parser_failed' }, false, result.blob)
    case 'unchanged': {
      if (known && (known.sizeBytes !== result.sizeBytes || known.mtimeMs !== result.mtimeMs)) {
        await ctx.store.recordFileStat(ctx.rootId, relPath, result.sizeBytes, result.mtimeMs)
      }
      if (known) ctx.known.set(relPath, { ...known, sizeBytes: result.sizeBytes, mtimeMs: result.mtimeMs, ino: result.ino })
      return 'unchanged'
    }
    case 'appended': {
      const outcome = await commit(ctx, relPath, result, () =>
        ctx.store.applyFileAppend({
          ...identity(ctx, relPath, result),
          contentHash: result.hash,
          base: result.base,
          parsed: result.parsed,
          appendHash: result.appendHash,
          blob: result.blob,
        }),
      )
      // The document is no longer what the read continued (another sidecar applied it, or it failed since): read it whole.
      if (outcome === 'stale') return syncFile(ctx, relPath, false, true)
      if (outcome === 'failed') return outcome
      ctx.observer.fileApplied('updated', 'ok')
      ctx.logger[ctx.appliedLevel]({ path: relPath, bytes: result.sizeBytes, from: result.base.offset, lines: result.parsed.append.lines }, 'appended')
      return 'applied'
    }
    case 'parsed': {
      const error = result.parsed.diagnostics.find((d) => d.severity === 'error')
      if (error) return fail(ctx, relPath, result, result.hash, error, false, result.blob)
      const outcome = await commit(ctx, relPath, result, async () => {
        await ctx.store.applyFileSnapshot({
          ...identity(ctx, relPath, result),
          contentHash: result.hash,
          parsed: result.parsed,
          jsonText: result.jsonText,
          blob: result.blob,
          appendHash: result.appendHash,
          ...(ctx.revisionChange ? { revisionChange: ctx.revisionChange } : {}),
        })
        return true
      })
      if (outcome === 'failed') return outcome
      ctx.observer.fileApplied(known ? 'updated' : 'created', 'ok')
      const tables = result.parsed.markdown?.tables.length
      ctx.logger[ctx.appliedLevel]({ path: relPath, bytes: result.sizeBytes, tables }, 'applied')
      return 'applied'
    }
  }
}

/**
 * Run one apply of a read file's records and remember what it committed;
 * `'stale'` when the store declined (an append whose base moved); `'failed'`,
 * recorded as the file's error, when the database refused the records (a
 * value it cannot hold: the file gets an error, not the daemon). Other
 * database errors are thrown.
 */
async function commit(
  ctx: PipelineContext,
  relPath: string,
  result: { hash: string; sizeBytes: number; mtimeMs: number; ino: number; blob: EncodedBlob | null },
  apply: () => Promise<boolean>,
): Promise<'applied' | 'stale' | 'failed'> {
  const started = performance.now()
  try {
    if (!(await apply())) return 'stale'
  } catch (error) {
    if (ctx.store.classifyError(error) !== 'file') throw error
    const reason = `the database refused the records: ${errorMessage(error)}`
    await fail(ctx, relPath, result, result.hash, { reason, kind: 'db_refused' }, false, result.blob)
    return 'failed'
  }
  ctx.observer.applyDuration((performance.now() - started) / 1000)
  ctx.known.set(relPath, { path: relPath, sizeBytes: result.sizeBytes, mtimeMs: result.mtimeMs, ino: result.ino, contentHash: result.hash, status: 'ok' })
  ctx.refusals.delete(relPath)
  return 'applied'
}

/**
 * When size, mtime and inode say the file still holds the content applied
 * (a reconcile that verifies every file, an event that changed no byte), that
 * is checked by its hash on this thread; a worker reads it only when it
 * changed after all, or when this thread will not read it (see `verifyUnchanged`).
 */
function verifiedHere(ctx: PipelineContext, absPath: string, known: KnownFile | undefined, stat: fs.Stats): PoolResult | null {
  if (known?.status !== 'ok' || known.contentHash === null || !statUnmoved(known, stat)) return null
  const same = verifyUnchanged({ absPath, realRoot: ctx.rootAbs, maxFileBytes: ctx.maxFileBytes }, known.contentHash)
  return same && { kind: 'unchanged', ...same }
}

/**
 * Whether size, mtime and inode are those of the content applied. The inode is
 * known only for files this process read: two files written within one clock
 * tick can share size and mtime, and one renamed over the other differs only there.
 */
function statUnmoved(known: KnownFile, stat: fs.Stats): boolean {
  return known.sizeBytes === stat.size && known.mtimeMs === stat.mtimeMs && (known.ino ?? stat.ino) === stat.ino
}

/** Whether `relPath` belongs to a session `cleanup` archived: not synced until `import` brings it back. */
export function inArchivedSession(ctx: PipelineContext, relPath: string): boolean {
  const sessionId = reportSessionOf(ctx, relPath)
  return sessionId !== null && ctx.archived.has(sessionId)
}

/** Reads retried after running out of file descriptors (about 15 s in all). */
const FD_RETRIES = 10

/**
 * Read through the pool. Running out of file descriptors (`EMFILE`, `ENFILE`)
 * says nothing about the file: wait for others to close and try again, and
 * only then record it, naming the limit to raise.
 */
async function readFile(ctx: PipelineContext, relPath: string, base: BlobChain, append: AppendBase | null): Promise<PoolResult> {
  for (let attempt = 0; ; attempt++) {
    const result = await ctx.pool.run(readRequest(ctx, relPath, base, append))
    if (result.kind !== 'unreadable' || (result.code !== 'EMFILE' && result.code !== 'ENFILE')) return result
    if (attempt === FD_RETRIES) {
      return { ...result, message: `${result.message}; the process is out of file descriptors: raise the open-file limit (\`ulimit -n\`)` }
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 2_000)))
  }
}

/**
 * A path in escaped form (see `nameFromBytes`): a name that is not UTF-8, or
 * a real name that reads like one. Neither is read: which file would be meant
 * could not be told. The row says why, and goes when the name does.
 */
async function syncOddName(ctx: PipelineContext, relPath: string, trustStat: boolean): Promise<FileOutcome> {
  const raw = pathBytes(relPath)
  const stat = isUtf8(raw) ? null : await lstatOrNull(Buffer.concat([Buffer.from(`${ctx.rootAbs}/`), raw]))
  let reason: string
  if (stat) {
    reason = stat.isDirectory()
      ? 'directory name is not valid UTF-8 (its bytes are shown as \\xHH); its files are not synced: rename it'
      : 'file name is not valid UTF-8 (its bytes are shown as \\xHH); not synced: rename it'
  } else {
    const literal = await lstatOrNull(path.join(ctx.rootAbs, relPath))
    if (!literal) return removeIfKnown(ctx, relPath)
    // A real directory of this name is listed like any other; its files land here one by one.
    if (literal.isDirectory()) return 'skipped'
    reason = 'file name contains \\xHH, the form statebridge uses to show bytes that are not UTF-8; not synced: rename it'
  }
  if (trustStat && ctx.known.get(relPath)?.status === 'error') return 'unchanged'
  return refuse(ctx, relPath, reason)
}

/**
 * Start reading and parsing a file as soon as its first event arrives, so the
 * work overlaps the debounce window instead of following it. `syncFile` uses
 * the result only if the file's size and mtime are still the same.
 */
export function prefetchFile(ctx: PipelineContext, relPath: string): void {
  if (ctx.prefetched.has(relPath)) return
  // Without its base (the database is away), the content is stored as a full copy.
  const base = historyBase(ctx, relPath, null).catch((): BlobChain => [])
  // Without its checkpoint (the database is away), a grown JSON Lines file is read whole.
  const append = appendBase(ctx, relPath).catch(() => null)
  ctx.prefetched.set(
    relPath,
    Promise.all([base, append]).then(([chain, checkpoint]) => ctx.pool.run(readRequest(ctx, relPath, chain, checkpoint))),
  )
}

function readRequest(ctx: PipelineContext, relPath: string, base: BlobChain, append: AppendBase | null): ReadRequest {
  const known = ctx.known.get(relPath)
  return {
    absPath: path.join(ctx.rootAbs, relPath),
    relPath,
    realRoot: ctx.rootAbs,
    knownHash: known?.status === 'ok' ? known.contentHash : null,
    maxFileBytes: ctx.maxFileBytes,
    ...(ctx.compressThreshold === null ? {} : { history: { threshold: ctx.compressThreshold, base } }),
    ...(append === null ? {} : { append }),
  }
}

/**
 * Where the last read of a JSON Lines file stopped, so a grown file is read
 * from there; `null` for other files and for one not applied cleanly before.
 */
async function appendBase(ctx: PipelineContext, relPath: string): Promise<AppendBase | null> {
  if (documentFormat(relPath) !== 'jsonl' || ctx.known.get(relPath)?.status !== 'ok') return null
  return ctx.store.appendBase(ctx.rootId, relPath)
}

/**
 * The stored blobs of the content last applied to `relPath`, which a changed
 * content may be stored as a delta against. Not fetched when the stat says
 * the content is unchanged (a hashing reconcile reads every file): should it
 * have changed after all, it is stored as a full copy.
 */
async function historyBase(ctx: PipelineContext, relPath: string, stat: fs.Stats | null): Promise<BlobChain> {
  const known = ctx.known.get(relPath)
  if (ctx.compressThreshold === null || !known?.contentHash) return []
  if (stat && known.sizeBytes === stat.size && known.mtimeMs === stat.mtimeMs) return []
  return ctx.store.blobChain(known.contentHash)
}

async function removeIfKnown(ctx: PipelineContext, relPath: string): Promise<FileOutcome> {
  if (!ctx.known.has(relPath)) {
    ctx.refusals.delete(relPath)
    return 'skipped'
  }
  // Nothing is removed while the root is gone; the owner reconciles once it is back.
  if (!(await ctx.rootPresent())) return 'skipped'
  ctx.refusals.delete(relPath)
  const started = performance.now()
  await ctx.store.removeFile(ctx.rootId, relPath)
  ctx.observer.applyDuration((performance.now() - started) / 1000)
  ctx.observer.fileApplied('removed', 'none')
  ctx.known.delete(relPath)
  ctx.logger[ctx.appliedLevel]({ path: relPath }, 'removed')
  return 'removed'
}

async function fail(
  ctx: PipelineContext,
  relPath: string,
  stat: { sizeBytes?: number; size?: number; mtimeMs: number } | null,
  contentHash: string | null,
  problem: Partial<Diagnostic> & { reason: string; kind?: FileErrorReason },
  discardRecords = false,
  blob: EncodedBlob | null = null,
): Promise<FileOutcome> {
  const sizeBytes = stat ? (stat.sizeBytes ?? stat.size ?? 0) : 0
  const mtimeMs = stat?.mtimeMs ?? 0
  const error: Diagnostic = { line: problem.line ?? null, column: problem.column ?? null, reason: problem.reason, severity: 'error' }
  const started = performance.now()
  await ctx.store.recordFileFailure({ ...identity(ctx, relPath, { sizeBytes, mtimeMs }), contentHash, error, discardRecords, blob })
  ctx.observer.applyDuration((performance.now() - started) / 1000)
  ctx.observer.fileApplied(ctx.known.has(relPath) ? 'updated' : 'created', 'error')
  // A diagnostic straight from the parser carries no kind: it is a parse error.
  ctx.observer.fileError(problem.kind ?? 'parse')
  ctx.known.set(relPath, { path: relPath, sizeBytes, mtimeMs, contentHash, status: 'error' })
  if (discardRecords) ctx.refusals.set(relPath, problem.reason)
  else ctx.refusals.delete(relPath)
  ctx.logger.error({ path: relPath, line: error.line }, `${relPath}: ${formatDiagnostic(error)}`)
  return 'failed'
}

/**
 * A file statebridge will not read (it leads out of the root, or its name is
 * ambiguous): an error row without size, time or hash, and every record it
 * had is dropped, since earlier rows may hold what it pointed to then.
 */
async function refuse(ctx: PipelineContext, relPath: string, reason: string): Promise<FileOutcome> {
  // Every reconcile meets a refused link again (its bare row never matches the
  // link's stat): the same refusal is already what the store says.
  const known = ctx.known.get(relPath)
  if (known?.status === 'error' && known.contentHash === null && ctx.refusals.get(relPath) === reason) return 'failed'
  return fail(ctx, relPath, null, null, { reason, kind: 'refused' }, true)
}

/** The report session of a path under the context's root: none under a transcripts root. */
export function reportSessionOf(ctx: PipelineContext, relPath: string): string | null {
  return ctx.rootKind === 'transcripts' ? null : sessionIdOf(relPath)
}

function identity(ctx: PipelineContext, relPath: string, stat: { sizeBytes: number; mtimeMs: number }): FileIdentity {
  const sessionId = reportSessionOf(ctx, relPath)
  return {
    root: ctx.rootId,
    path: relPath,
    sessionId,
    sessionCreatedAt: sessionId === null ? null : sessionCreatedAt(sessionId),
    documentType: documentType(relPath),
    format: documentFormat(relPath),
    sizeBytes: stat.sizeBytes,
    mtimeMs: stat.mtimeMs,
    instance: ctx.instance,
  }
}

/**
 * Why a symlink may not be followed: `'dangling'`, a refusal when its target
 * leaves the root, or `null`. Only a first look: the read checks what it
 * actually opened, since the link can change in between.
 */
async function symlinkEscape(rootAbs: string, absPath: string): Promise<string | 'dangling' | null> {
  let target: string
  try {
    target = await fs.promises.realpath(absPath)
  } catch {
    return 'dangling'
  }
  if (relativeToRoot(rootAbs, target) === null) return `symlink leaves the root (to ${target}); not followed`
  return null
}

/**
 * Whether the directory holding `absPath` is the real directory of that name
 * under the root, with no symlink on the way (the root itself is real). A
 * parent that is gone counts as in the tree: the caller then finds the file missing.
 */
/** `parentInTree`, asked once per directory while a reconcile runs (see `PipelineContext.dirChecks`). */
function parentInTreeOnce(ctx: PipelineContext, absPath: string): Promise<boolean> {
  const checks = ctx.dirChecks
  if (!checks) return parentInTree(ctx.rootAbs, absPath)
  const parent = path.dirname(absPath)
  let check = checks.get(parent)
  if (check === undefined) checks.set(parent, (check = parentInTree(ctx.rootAbs, absPath)))
  return check
}

async function parentInTree(rootAbs: string, absPath: string): Promise<boolean> {
  const parent = path.dirname(absPath)
  if (parent === rootAbs) return true
  try {
    // Synchronous for the reason the lstat in syncFile is.
    return fs.realpathSync.native(parent) === parent
  } catch (error) {
    // Only symlinks loop; anything else (gone, unreadable) is for the read to report.
    return (error as NodeJS.ErrnoException).code !== 'ELOOP'
  }
}

async function danglingReason(absPath: string): Promise<string> {
  return `dangling symlink to ${await fs.promises.readlink(absPath).catch(() => 'an unreadable target')}`
}

async function lstatOrNull(absPath: string | Buffer): Promise<fs.Stats | null> {
  try {
    return await fs.promises.lstat(absPath)
  } catch (error) {
    if (isMissing(error)) return null
    throw error
  }
}

function zeroStat(stat: fs.Stats): { sizeBytes: number; mtimeMs: number } {
  return { sizeBytes: 0, mtimeMs: stat.mtimeMs }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
