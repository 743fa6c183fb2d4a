/**
 * Writing a file into a watched tree the way agents should: to a temporary
 * dotfile beside it (the sync ignores dotfiles), then renamed into place, so
 * no reader ever sees half a file. And what is on disk now, to compare with
 * what history last recorded before overwriting anything.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Revision } from '../history/types.js'

/** What a path holds now. */
export type DiskState = { kind: 'file'; hash: string } | { kind: 'missing' } | { kind: 'other' }

/** The state of `absPath`: a regular file with its sha256, nothing, or something else (a directory, a symlink). */
export function diskState(absPath: string): DiskState {
  let stat: fs.Stats
  try {
    stat = fs.lstatSync(absPath)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' }
    throw error
  }
  if (!stat.isFile()) return { kind: 'other' }
  return { kind: 'file', hash: sha256(fs.readFileSync(absPath)) }
}

/** Write `content` to `absPath` through a temporary file and a rename, keeping the mode of the file it replaces. */
export function writeAtomically(absPath: string, content: Uint8Array): void {
  fs.mkdirSync(path.dirname(absPath), { recursive: true })
  const temp = path.join(path.dirname(absPath), `.${path.basename(absPath)}.statebridge-${process.pid}`)
  let mode = 0o644
  try {
    mode = fs.statSync(absPath).mode & 0o7777
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  try {
    fs.writeFileSync(temp, content, { mode })
    fs.renameSync(temp, absPath)
  } catch (error) {
    fs.rmSync(temp, { force: true })
    throw error
  }
}

/** sha256 (hex) of `bytes`. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/**
 * Why the file on disk is not what history last recorded of it (an edit not
 * applied yet, a file deleted or created behind the daemon's back), so that
 * overwriting it would lose bytes; `null` when it is, or history has nothing.
 */
export function unrecordedChange(onDisk: DiskState, latest: Pick<Revision, 'rev' | 'change' | 'contentHash'> | undefined): string | null {
  if (latest === undefined) return onDisk.kind === 'missing' ? null : 'has no revision in history'
  const expected = latest.change === 'removed' ? null : latest.contentHash
  if (onDisk.kind === 'other') return 'is not a regular file'
  if (expected === null && onDisk.kind === 'file') return `exists, but its latest revision (${latest.rev}) is its removal`
  if (expected !== null && onDisk.kind === 'missing') return `is gone, but its latest revision (${latest.rev}) has content`
  if (expected !== null && onDisk.kind === 'file' && onDisk.hash !== expected) return `differs from its latest revision (${latest.rev})`
  return null
}
