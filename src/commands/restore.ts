/**
 * `statebridge restore`: write a file, or every file of a session, back as it
 * was at a revision or a time. Each file goes to a temporary name beside it
 * and is renamed into place, then applied like any change, its revision
 * recorded as `restored`; history only grows. Nothing is written when a file
 * changed since its latest revision (its bytes would be lost), unless forced.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Writable } from 'node:stream'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { StatebridgeError } from '../errors.js'
import { locateTarget, type HistoryTarget } from '../history/locate.js'
import { fileRevisions, parseAt, revisionAt, revisionContent, type At } from '../history/read.js'
import type { Revision } from '../history/types.js'
import type { Store } from '../store/types.js'
import { syncFile } from '../sync/file-pipeline.js'
import { createSyncer } from '../sync/syncer.js'
import { diskState, sha256, unrecordedChange, writeAtomically } from './file-write.js'

/** What `restore` was asked. */
export interface RestoreOptions {
  /** A file or session, as `locateTarget` reads it. */
  target: string
  /** `--at`: a revision number or an ISO-8601 time. */
  at: string
  /** `--to`: write one file's content here instead (`-`: `out`); history and the tree are untouched. */
  to: string | null
  dryRun: boolean
  force: boolean
  /** Root identity when configured (`--root-id`). */
  rootId: string | null
  /** The configuration the apply runs with, given the root directory found. */
  configFor: (rootDir: string, rootId: string | undefined) => Config
  out: Writable
  logger: Logger
}

/** One file's part in a restore. */
interface Step {
  path: string
  /** The revision in force at the moment restored; `null`: the file did not exist yet. */
  revision: Revision | null
  /** Bytes to write; `null`: the file must not exist. */
  content: Buffer | null
  action: 'write' | 'delete' | 'none'
  /** Why the file on disk is not what its latest revision says; `null` when it is. */
  conflict: string | null
}

/** Run a restore; returns the exit code. */
export async function runRestore(store: Store, options: RestoreOptions): Promise<number> {
  const at = parseAt(options.at)
  const target = await locateTarget(store, options.target, options.rootId)
  if (target.path === null && options.to !== null) throw new StatebridgeError('SB_CONFIG', '--to takes one file; a session is restored in place')
  if (target.path === null && 'rev' in at) {
    throw new StatebridgeError('SB_CONFIG', 'a session is restored to a time (--at 2026-11-30T14:00:00Z); a revision number names one file')
  }
  const steps = target.path !== null ? [await fileStep(store, target, target.path, at)] : await sessionSteps(store, target, at as { time: string })

  if (options.to !== null) {
    const step = steps[0]!
    if (step.content === null) throw new StatebridgeError('SB_HISTORY', `${step.path} did not exist at ${options.at}`)
    if (options.to === '-') options.out.write(step.content)
    else if (!options.dryRun) writeAtomically(path.resolve(options.to), step.content)
    return 0
  }
  if (target.rootDir === null) {
    throw new StatebridgeError('SB_HISTORY', `the root ${target.root} is not a directory here; give the file's path on disk, or use --to`)
  }
  const conflicts = steps.filter((s) => s.conflict !== null && s.action !== 'none')
  if (conflicts.length > 0 && !options.force) {
    const lines = conflicts.map((s) => `  ${s.path}: ${s.conflict}`).join('\n')
    throw new StatebridgeError(
      'SB_RESTORE_REFUSED',
      `not restoring: ${conflicts.length} file(s) changed since their latest revision, and restoring would lose those bytes:\n${lines}\n` +
        'let the daemon record them first (or run `statebridge sync`), or pass --force',
    )
  }
  for (const step of steps) options.out.write(`${describe(step, options.dryRun)}\n`)
  const changing = steps.filter((s) => s.action !== 'none')
  if (options.dryRun || changing.length === 0) return 0

  const rootDir = target.rootDir
  const config = options.configFor(rootDir, target.root === rootDir ? undefined : target.root)
  // The workers start before the first write, so the apply follows the rename at
  // once and a watching daemon, still in its debounce, finds the revision recorded.
  const syncer = await createSyncer(config, store, options.logger, 'debug', { probe: false, revisionChange: 'restored', history: true })
  try {
    // Forced over local changes: those bytes become a revision first, so a restore never loses anything.
    const record = { ...syncer.ctx, revisionChange: undefined }
    for (const step of changing) if (step.conflict !== null) await syncFile(record, step.path, false)
    for (const step of changing) {
      const absPath = path.join(rootDir, step.path)
      if (step.action === 'write') writeAtomically(absPath, step.content!)
      else fs.rmSync(absPath, { force: true })
      await syncFile(syncer.ctx, step.path, false)
    }
  } finally {
    await syncer.close()
  }
  return 0
}

async function fileStep(store: Store, target: HistoryTarget, filePath: string, at: At): Promise<Step> {
  const revisions = await fileRevisions(store, target.root, filePath)
  const revision = revisionAt(revisions, at, filePath)
  // By number, a tombstone brings back what the file last held; by time, the file was gone then.
  const absent = revision.change === 'removed' && 'time' in at
  return planStep(store, target, filePath, revisions, absent ? null : revision, absent)
}

async function sessionSteps(store: Store, target: HistoryTarget, at: { time: string }): Promise<Step[]> {
  const all = (await store.listRevisions({ root: target.root, sessionId: target.sessionId!, order: 'asc', limit: 1_000_000 }))
  if (all.length === 0) throw new StatebridgeError('SB_HISTORY', `no history is kept for session ${target.sessionId}`)
  if (at.time < all[0]!.at) {
    throw new StatebridgeError('SB_HISTORY', `${at.time} is before the history kept for session ${target.sessionId}, which covers ${all[0]!.at} to ${all.at(-1)!.at}`)
  }
  const byPath = new Map<string, Revision[]>()
  for (const revision of all) {
    const list = byPath.get(revision.path)
    if (list) list.push(revision)
    else byPath.set(revision.path, [revision])
  }
  const steps: Step[] = []
  for (const [filePath, revisions] of [...byPath].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const inForce = revisions[0]!.at <= at.time ? revisionAt(revisions, at, filePath) : null
    const absent = inForce === null || inForce.change === 'removed'
    steps.push(await planStep(store, target, filePath, revisions, absent ? null : inForce, absent))
  }
  return steps
}

/** What restoring `filePath` to `revision` (or to absence) takes, and whether the disk still matches its latest revision. */
async function planStep(store: Store, target: HistoryTarget, filePath: string, revisions: Revision[], revision: Revision | null, absent: boolean): Promise<Step> {
  const content = absent || revision === null ? null : await revisionContent(store, revision)
  const onDisk = target.rootDir === null ? null : diskState(path.join(target.rootDir, filePath))
  const conflict = onDisk === null ? null : unrecordedChange(onDisk, revisions.at(-1))
  const now = onDisk?.kind === 'file' ? onDisk.hash : null
  const wanted = content === null ? null : sha256(content)
  const action = wanted === now && onDisk?.kind !== 'other' ? 'none' : wanted === null ? 'delete' : 'write'
  return { path: filePath, revision, content, action, conflict }
}

function describe(step: Step, dryRun: boolean): string {
  const verb = { write: dryRun ? 'would write' : 'wrote', delete: dryRun ? 'would delete' : 'deleted', none: 'unchanged' }[step.action]
  const from = step.revision ? ` (revision ${step.revision.rev}, ${step.revision.at}, ${step.content?.length ?? 0} bytes)` : ' (did not exist then)'
  const forced = step.conflict !== null && step.action !== 'none' ? ` — forced over a file that ${step.conflict} (${dryRun ? 'would be' : 'was'} recorded first)` : ''
  return `${verb} ${step.path}${step.action === 'none' ? '' : from}${forced}`
}
