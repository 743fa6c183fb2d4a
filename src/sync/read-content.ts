/**
 * Reading one file's bytes safely: opened without following a FIFO into a
 * hang, checked on its descriptor to lie under the root, and read whole while
 * nobody writes it. No parser is imported here: the main thread uses this to
 * verify content it already holds (`verifyUnchanged`), the parse workers to
 * read what they parse (read-file.ts).
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { relativeToRoot } from './paths.js'

/** What a read needs to know. */
export interface ContentRequest {
  absPath: string
  /** Real absolute path of the root: what was opened must lie under it; without it nothing is checked. */
  realRoot?: string
  maxFileBytes: number
}

/** The bytes and the stat they were read under, or why there are none. */
export type ContentRead =
  | { kind: 'read'; content: Buffer; before: fs.Stats }
  | { kind: 'too-large'; sizeBytes: number; mtimeMs: number }
  /** The file changed while it was read: read it again later. */
  | { kind: 'unstable' }
  | { kind: 'gone' }
  | { kind: 'unreadable'; code: string; message: string }
  /** What was opened lies outside the root (a symlink on the way): nothing was read. */
  | { kind: 'outside'; realPath: string }

/**
 * Read the file once. Containment is checked on the opened descriptor, so a
 * symlink swapped between a check and the read cannot bring outside bytes in.
 * With `scratch`, a file that fits is read into it and the content is a view
 * of it, valid until the next read into the same buffer.
 */
export function readContent(request: ContentRequest, scratch?: Buffer): ContentRead {
  let fd: number
  try {
    // Non-blocking, so a FIFO swapped in after the pipeline's stat cannot hang the reader.
    fd = fs.openSync(request.absPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
  } catch (error) {
    return failedIo(error)
  }
  try {
    const before = fs.fstatSync(fd)
    if (!before.isFile()) return { kind: 'unstable' }
    const opened = request.realRoot === undefined ? request.absPath : openedPath(fd, request.absPath, before)
    if (opened === null) return { kind: 'unstable' }
    if (request.realRoot !== undefined && relativeToRoot(request.realRoot, opened) === null) return { kind: 'outside', realPath: opened }
    if (before.nlink === 0) return { kind: 'gone' }
    if (before.size > request.maxFileBytes) return { kind: 'too-large', sizeBytes: before.size, mtimeMs: before.mtimeMs }
    const content = readWhole(fd, before.size, scratch)
    // A writer still appending shows up as a stat that moved under us (or a size
    // that differs from what we read); the next event or retry gets the full file.
    const after = fs.statSync(request.absPath)
    if (after.size !== content.length || after.mtimeMs !== before.mtimeMs || after.ino !== before.ino) {
      return { kind: 'unstable' }
    }
    return { kind: 'read', content, before }
  } catch (error) {
    return failedIo(error)
  } finally {
    fs.closeSync(fd)
  }
}

/** The file behind `fd`, of `size` bytes by its stat, into `scratch` when it fits. */
function readWhole(fd: number, size: number, scratch: Buffer | undefined): Buffer {
  if (scratch === undefined || size >= scratch.length) return fs.readFileSync(fd)
  // One byte more than the stat said, so a file that grew meanwhile shows as a length that differs.
  let length = 0
  while (length <= size) {
    const got = fs.readSync(fd, scratch, length, size + 1 - length, length)
    if (got === 0) break
    length += got
  }
  return scratch.subarray(0, length)
}

/**
 * The largest file `verifyUnchanged` reads on the calling thread (about 15 ms
 * of read and sha256 here); larger ones go to a worker.
 */
export const VERIFY_MAX_BYTES = 16 * 1024 * 1024

// Reused by every verification of a file under 1 MB: a re-sync of the generated
// tree otherwise allocated each file's bytes anew, and collecting them was a
// sixth of its main-thread time. Larger files, rare, get their own buffer.
const verifyScratch = Buffer.allocUnsafeSlow(1024 * 1024)

/**
 * Whether the file still holds the content of hash `knownHash`, read and
 * hashed on the calling thread: its stat (size, mtime, inode) when it does;
 * `null` when it does not, or when anything else is the case (too large to
 * read here, unreadable, outside the root, being written). A worker then
 * reads it as usual and says what it is. A re-sync of an unchanged tree so
 * needs no worker at all: each file costs a read and a sha256 (about 1 ms per
 * MB), not two messages between threads.
 */
export function verifyUnchanged(
  request: ContentRequest,
  knownHash: string,
): { hash: string; sizeBytes: number; mtimeMs: number; ino: number } | null {
  const read = readContent({ ...request, maxFileBytes: Math.min(request.maxFileBytes, VERIFY_MAX_BYTES) }, verifyScratch)
  if (read.kind !== 'read') return null
  const hash = createHash('sha256').update(read.content).digest('hex')
  return hash === knownHash ? { hash, sizeBytes: read.content.length, mtimeMs: read.before.mtimeMs, ino: read.before.ino } : null
}

/**
 * The real path of the file behind `fd`, or `null` when it cannot be pinned
 * down (renamed or replaced while we looked: the caller retries).
 */
function openedPath(fd: number, absPath: string, opened: fs.Stats): string | null {
  try {
    // Linux names the object an open descriptor refers to, symlinks resolved.
    return fs.readlinkSync(`/proc/self/fd/${fd}`)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  // Without procfs: the real path of the name, trusted only while it still names the opened file.
  const real = fs.realpathSync(absPath)
  const now = fs.statSync(real)
  return now.dev === opened.dev && now.ino === opened.ino ? real : null
}

function failedIo(error: unknown): ContentRead {
  const code = (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN'
  if (code === 'ENOENT') return { kind: 'gone' }
  return { kind: 'unreadable', code, message: error instanceof Error ? error.message : String(error) }
}
