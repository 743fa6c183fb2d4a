/**
 * `statebridge render <kind> <session-id> [--write]`: the database-to-markdown
 * direction. Prints the session's `orchestrator-state.md` or `research-plan.md`
 * regenerated from its rows; with `--write` puts it in the session directory,
 * only when it differs, through a temporary file and a rename, then applies
 * it like any change, so the version it replaces stays in history.
 */
import path from 'node:path'
import type { Writable } from 'node:stream'
import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { StatebridgeError } from '../errors.js'
import { isDirectory } from '../history/locate.js'
import { fileRevisions } from '../history/read.js'
import { KIND_FILES, RenderError, renderSessionDocument, type RenderKind } from '../render/index.js'
import type { StoreReader } from '../store/read-types.js'
import type { Store } from '../store/types.js'
import { syncFile } from '../sync/file-pipeline.js'
import { createSyncer } from '../sync/syncer.js'
import { diskState, sha256, unrecordedChange, writeAtomically } from './file-write.js'

/** What `render` was asked. */
export interface RenderOptions {
  kind: string
  sessionId: string
  write: boolean
  /** Write even when reading the result back would change rows, or over a file not recorded yet. */
  force: boolean
  /** Root identity when configured (`--root-id`): which root's session. */
  rootId: string | null
  configFor: (rootDir: string, rootId: string | undefined) => Config
  out: Writable
  err: Writable
  logger: Logger
}

/** Run a render; returns the exit code. */
export async function runRender(reader: StoreReader, store: Store, options: RenderOptions): Promise<number> {
  if (!Object.hasOwn(KIND_FILES, options.kind)) {
    throw new StatebridgeError('SB_CONFIG', `render knows ${Object.keys(KIND_FILES).join(' and ')}, not ${JSON.stringify(options.kind)}`)
  }
  const kind = options.kind as RenderKind
  let rendered
  try {
    rendered = await renderSessionDocument(reader, kind, options.sessionId, options.rootId ?? undefined)
  } catch (error) {
    if (error instanceof RenderError) throw new StatebridgeError('SB_CONFIG', `${error.message}${error.code === 'SB_RENDER_AMBIGUOUS' ? '; name the root with --root-id' : ''}`)
    throw error
  }
  if (rendered === null) {
    throw new StatebridgeError('SB_HISTORY', `session ${options.sessionId} has no ${KIND_FILES[kind]} in the database to render from`)
  }
  // Parts of the file that reading it back would not give the same rows for, named before anything is written.
  for (const problem of rendered.problems) options.err.write(`statebridge: render: ${problem}\n`)
  if (!options.write) {
    options.out.write(rendered.text)
    return 0
  }
  if (rendered.problems.length > 0 && !options.force) {
    throw new StatebridgeError('SB_RESTORE_REFUSED', `not writing ${rendered.path}: reading it back would change the rows (above); pass --force to write it anyway`)
  }
  const rootDir = rendered.root
  if (!isDirectory(rootDir)) throw new StatebridgeError('SB_HISTORY', `the root ${rootDir} is not a directory here; render without --write and place the file yourself`)
  const absPath = path.join(rootDir, rendered.path)
  const content = Buffer.from(rendered.text, 'utf8')
  const onDisk = diskState(absPath)
  if (onDisk.kind === 'file' && onDisk.hash === sha256(content)) {
    options.out.write(`unchanged ${rendered.path}\n`)
    return 0
  }
  const conflict = unrecordedChange(onDisk, (await fileRevisions(store, rendered.root, rendered.path)).at(-1))
  if (conflict !== null && !options.force) {
    throw new StatebridgeError(
      'SB_RESTORE_REFUSED',
      `not writing ${rendered.path}: it ${conflict}, and overwriting it would lose those bytes; let the daemon record it first (or run \`statebridge sync\`), or pass --force`,
    )
  }
  const config = options.configFor(rootDir, options.rootId ?? undefined)
  const syncer = await createSyncer(config, store, options.logger, 'debug', { probe: false, history: true })
  try {
    // Forced over an unrecorded edit: it becomes a revision first, as with restore.
    if (conflict !== null) await syncFile(syncer.ctx, rendered.path, false)
    writeAtomically(absPath, content)
    await syncFile(syncer.ctx, rendered.path, false)
  } finally {
    await syncer.close()
  }
  options.out.write(`wrote ${rendered.path} (${content.length} bytes); the version it replaced is kept in history\n`)
  return 0
}
