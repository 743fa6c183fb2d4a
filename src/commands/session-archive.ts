/**
 * The session archive of `cleanup` and `import`: one gzip-compressed tar
 * holding `statebridge-export.json` (the manifest: every file with its size,
 * sha256, mtime and mode, plus the session's database export) and the
 * session's regular files under `<session-id>/`, bytes as they are. Written
 * with tar-stream, read back and checked against the manifest before anything
 * is deleted; read the same way, every name checked, before anything is
 * extracted. Symlinks and other special files are not archived: the manifest
 * lists them as skipped.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createGzip } from 'node:zlib'
import * as tar from 'tar-stream'
import { StatebridgeError } from '../errors.js'
import { decodeChain } from '../history/encode.js'
import type { EncodedBlob } from '../history/types.js'
import type { SessionExport } from '../store/types.js'
import { isUtf8 } from '../sync/paths.js'

/** Name of the manifest entry, at the top of the archive. */
export const MANIFEST_ENTRY = 'statebridge-export.json'

/** `format` of a manifest statebridge wrote. */
export const ARCHIVE_FORMAT = 'statebridge-session-archive'

/** Version of the manifest's layout. */
export const ARCHIVE_VERSION = 1

/** One regular file of the session, as archived. */
export interface ArchivedFile {
  /** Path relative to the reports directory: `<session-id>/...`. */
  path: string
  sizeBytes: number
  /** sha256 (hex) of the bytes. */
  sha256: string
  /** Modification time in ms as stat gave it (tar headers keep whole seconds); import restores it to the microsecond. */
  mtimeMs: number
  /** Permission bits (`mode & 0o777`). */
  mode: number
}

/** An entry of the session directory that was not archived, and why. */
export interface SkippedEntry {
  path: string
  reason: string
}

/** The content of `statebridge-export.json`. */
export interface ArchiveManifest {
  format: typeof ARCHIVE_FORMAT
  version: typeof ARCHIVE_VERSION
  createdAt: string
  /** Base name of the reports directory the session came from. */
  rootName: string
  sessionId: string
  files: ArchivedFile[]
  skipped: SkippedEntry[]
  database: SessionExport
}

/** What the session directory holds now: its regular files, hashed, and what is not archived. */
export interface SessionFiles {
  files: ArchivedFile[]
  skipped: SkippedEntry[]
  /** Whether the directory exists (as a real directory: a symlink in its place counts as absent, and is reported in `skipped`). */
  exists: boolean
}

/** `<root-basename>-<session-id>.tar.gz`. */
export function archiveFileName(rootAbs: string, sessionId: string): string {
  return `${path.basename(rootAbs)}-${sessionId}.tar.gz`
}

/**
 * Walk `<rootAbs>/<sessionId>` without following symlinks: every regular file
 * read once and hashed (with `read: false` only stat'ed: `sha256` is empty);
 * symlinks, special files and names that are not UTF-8 listed as skipped.
 * Sorted by path.
 */
export async function collectSessionFiles(rootAbs: string, sessionId: string, options: { read: boolean }): Promise<SessionFiles> {
  const result: SessionFiles = { files: [], skipped: [], exists: false }
  const top = await lstatOrNull(path.join(rootAbs, sessionId))
  if (top === null) return result
  if (!top.isDirectory()) {
    result.skipped.push({ path: sessionId, reason: top.isSymbolicLink() ? 'the session directory is a symlink; not followed' : 'not a directory' })
    return result
  }
  result.exists = true
  const pending = [sessionId]
  while (pending.length > 0) {
    const dir = pending.pop()!
    const entries = await fs.promises.readdir(path.join(rootAbs, dir), { encoding: 'buffer', withFileTypes: true })
    for (const entry of entries) {
      if (!isUtf8(entry.name)) {
        result.skipped.push({ path: `${dir}/${entry.name.toString('utf8')}`, reason: 'name is not valid UTF-8' })
        continue
      }
      const rel = `${dir}/${entry.name.toString('utf8')}`
      if (entry.isDirectory()) pending.push(rel)
      else if (entry.isFile()) {
        const file = options.read ? await readRegular(rootAbs, rel) : await statRegular(rootAbs, rel)
        if (file.kind === 'skipped') result.skipped.push({ path: rel, reason: file.reason })
        else if (file.kind === 'file') result.files.push(file.meta)
      } else result.skipped.push({ path: rel, reason: entry.isSymbolicLink() ? 'symlink; not followed' : 'not a regular file' })
    }
  }
  result.files.sort((a, b) => compare(a.path, b.path))
  result.skipped.sort((a, b) => compare(a.path, b.path))
  return result
}

/**
 * Write the archive to `target`: a temporary file beside it first, read back
 * and verified (every manifest file present once with its size and sha256,
 * nothing else, the manifest itself intact), then renamed over `target`.
 * Each file is read again while packing; one that changed since `manifest`
 * was made fails the archive (SB_ARCHIVE), and nothing is left behind.
 */
export async function writeArchive(target: string, rootAbs: string, manifest: ArchiveManifest): Promise<void> {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`)
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest)}\n`)
  const pack = tar.pack()
  const written = pipeline(pack, createGzip(), fs.createWriteStream(temp, { flags: 'wx' }))
  // The output failing (disk full) ends the pipeline; the packing must stop then, not wait for tar-stream.
  const broken = written.then(
    () => new Promise<never>(() => undefined),
    (error: unknown) => Promise.reject(error as Error),
  )
  broken.catch(() => undefined)
  const add = (header: { name: string; mode: number; mtime: Date }, content: Buffer): Promise<void> =>
    Promise.race([addEntry(pack, header, content), broken])
  try {
    await add({ name: MANIFEST_ENTRY, mode: 0o644, mtime: new Date(manifest.createdAt) }, manifestBytes)
    for (const file of manifest.files) {
      const read = await readRegular(rootAbs, file.path)
      if (read.kind !== 'file' || read.meta.sha256 !== file.sha256) {
        throw new StatebridgeError('SB_ARCHIVE', `${file.path} changed while it was being archived; nothing was removed: run cleanup again`)
      }
      await add({ name: file.path, mode: file.mode, mtime: new Date(file.mtimeMs) }, read.bytes)
    }
    pack.finalize()
    await written
    await fsyncPath(temp)
    await verifyArchive(temp, manifest, manifestBytes)
    await fs.promises.rename(temp, target)
    await fsyncPath(path.dirname(target))
  } catch (error) {
    pack.destroy()
    await written.catch(() => undefined)
    await fs.promises.rm(temp, { force: true })
    if (error instanceof StatebridgeError) throw error
    throw new StatebridgeError('SB_ARCHIVE', `cannot write the archive ${target}: ${(error as Error).message}; nothing was removed`, { cause: error })
  }
}

/** The real path of the reports directory; SB_ROOT when it is not a directory. */
export async function realDirectory(root: string): Promise<string> {
  try {
    const real = await fs.promises.realpath(root)
    if (!(await fs.promises.stat(real)).isDirectory()) throw new Error('not a directory')
    return real
  } catch (error) {
    throw new StatebridgeError('SB_ROOT', `reports directory ${root} is not usable: ${(error as Error).message}`, { cause: error })
  }
}

/** One entry of an archive as read: its name, type, size and sha256. */
export interface ArchiveEntry {
  name: string
  type: string
  sizeBytes: number
  sha256: string
}

/** Everything an archive holds, read once: the manifest (parsed, not yet checked) and every entry. */
export interface ArchiveListing {
  manifest: unknown
  manifestSha256: string | null
  entries: ArchiveEntry[]
}

/** Read every entry of the gzip-compressed tar at `file`, hashing file contents as they stream by. */
export async function listArchive(file: string): Promise<ArchiveListing> {
  const listing: ArchiveListing = { manifest: undefined, manifestSha256: null, entries: [] }
  const extract = tar.extract()
  const reading = pipeline(fs.createReadStream(file), createGunzip(), extract)
  try {
    for await (const entry of extract) {
      const hash = createHash('sha256')
      const keep = entry.header.name === MANIFEST_ENTRY ? ([] as Buffer[]) : null
      let size = 0
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        hash.update(chunk)
        size += chunk.length
        keep?.push(chunk)
      }
      const sha256 = hash.digest('hex')
      listing.entries.push({ name: entry.header.name, type: entry.header.type, sizeBytes: size, sha256 })
      if (keep) {
        listing.manifestSha256 = sha256
        listing.manifest = parseManifestText(Buffer.concat(keep).toString('utf8'), file)
      }
    }
    await reading
  } catch (error) {
    await reading.catch(() => undefined)
    if (error instanceof StatebridgeError) throw error
    throw new StatebridgeError('SB_ARCHIVE', `cannot read the archive ${file}: ${(error as Error).message}`, { cause: error })
  }
  return listing
}

/**
 * Stream the contents of the archive's file entries named in `wanted` to
 * `sink`, one at a time, in archive order; every other entry is read past.
 */
export async function forEachArchivedFile(file: string, wanted: ReadonlySet<string>, sink: (name: string, content: AsyncIterable<Buffer>) => Promise<void>): Promise<void> {
  const extract = tar.extract()
  const reading = pipeline(fs.createReadStream(file), createGunzip(), extract)
  try {
    for await (const entry of extract) {
      if (entry.header.type === 'file' && wanted.has(entry.header.name)) await sink(entry.header.name, entry as AsyncIterable<Buffer>)
      else for await (const _chunk of entry as AsyncIterable<Buffer>);
    }
    await reading
  } catch (error) {
    await reading.catch(() => undefined)
    throw error
  }
}

/**
 * Check a listing against its manifest: the manifest is one statebridge
 * wrote, its session id is one directory name, every entry name stays inside
 * `<session-id>/` (no `..`, no absolute path), every entry is a regular file
 * (or a directory), and the files are exactly the manifest's, sizes and
 * sha256 equal. Throws SB_ARCHIVE naming the first problem.
 */
export function checkListing(file: string, listing: ArchiveListing): ArchiveManifest {
  if (listing.manifest === undefined) throw archiveError(file, `it holds no ${MANIFEST_ENTRY}; it is not a statebridge session archive`)
  const manifest = checkManifest(file, listing.manifest)
  const expected = new Map(manifest.files.map((f) => [f.path, f]))
  const seen = new Set<string>()
  let manifests = 0
  for (const entry of listing.entries) {
    if (entry.name === MANIFEST_ENTRY) {
      if (entry.type !== 'file') throw archiveError(file, `${MANIFEST_ENTRY} is not a regular file`)
      if (manifests++ > 0) throw archiveError(file, `it holds ${MANIFEST_ENTRY} twice`)
      continue
    }
    const problem = entryNameProblem(entry.name, manifest.sessionId)
    if (problem) throw archiveError(file, `entry ${JSON.stringify(entry.name)} ${problem}`)
    if (entry.type === 'directory') continue
    if (entry.type !== 'file') throw archiveError(file, `entry ${entry.name} is a ${entry.type}; only regular files are restored`)
    const meta = expected.get(entry.name)
    if (!meta) throw archiveError(file, `entry ${entry.name} is not in the manifest`)
    if (seen.has(entry.name)) throw archiveError(file, `entry ${entry.name} appears twice`)
    if (meta.sizeBytes !== entry.sizeBytes || meta.sha256 !== entry.sha256) {
      throw archiveError(file, `entry ${entry.name} does not match the manifest (size or sha256 differ)`)
    }
    seen.add(entry.name)
  }
  const missing = manifest.files.find((f) => !seen.has(f.path))
  if (missing) throw archiveError(file, `${missing.path} is in the manifest but not in the archive`)
  return manifest
}

/**
 * Check that every content of a database export decodes, within the export
 * alone, to the bytes its hash names (so the history can be imported into any
 * database). Throws SB_ARCHIVE naming the first that does not.
 */
export function checkExportDecodes(data: SessionExport, where: string): void {
  const blobs = new Map<string, EncodedBlob>()
  for (const blob of data.blobs) {
    blobs.set(blob.contentHash, { ...blob, data: Buffer.from(blob.data, 'base64') })
  }
  for (const blob of blobs.values()) {
    const chain: EncodedBlob[] = []
    for (let at: EncodedBlob | undefined = blob; at !== undefined; at = at.baseHash === null ? undefined : blobs.get(at.baseHash)) {
      chain.unshift(at)
      if (chain.length > data.blobs.length) break
    }
    try {
      decodeChain(chain)
    } catch (error) {
      throw new StatebridgeError('SB_ARCHIVE', `${where}: the stored content ${blob.contentHash} does not decode: ${(error as Error).message}`, { cause: error })
    }
  }
  for (const revision of data.revisions) {
    if (revision.contentHash !== null && !blobs.has(revision.contentHash)) {
      throw new StatebridgeError('SB_ARCHIVE', `${where}: revision ${revision.rev} of ${revision.path} needs content ${revision.contentHash}, which it does not hold`)
    }
  }
}

/** Why `name` may not be extracted under the reports directory; `null` when it may. */
export function entryNameProblem(name: string, sessionId: string): string | null {
  if (name.includes('\0')) return 'holds a NUL byte'
  if (name.startsWith('/')) return 'is an absolute path'
  const segments = name.replace(/\/$/, '').split('/')
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return 'has an empty, `.` or `..` component'
  if (segments[0] !== sessionId) return `is outside the session directory ${sessionId}/`
  if (segments.length < 2) return 'is the session directory itself'
  return null
}

/** The session id's own checks: one plain directory name. */
export function sessionIdProblem(sessionId: string): string | null {
  if (sessionId === '' || sessionId === '.' || sessionId === '..') return 'is empty, `.` or `..`'
  if (sessionId.includes('/') || sessionId.includes('\0')) return 'is not a single directory name'
  return null
}

// The manifest entry read back must be byte for byte the one written, and the files exactly the manifest's.
async function verifyArchive(file: string, manifest: ArchiveManifest, manifestBytes: Buffer): Promise<void> {
  const listing = await listArchive(file)
  const sha = createHash('sha256').update(manifestBytes).digest('hex')
  if (listing.manifestSha256 !== sha) throw archiveError(file, `${MANIFEST_ENTRY} did not read back as written`)
  checkListing(file, listing)
  if (listing.entries.length !== manifest.files.length + 1) throw archiveError(file, 'it did not read back with the entries written')
}

function parseManifestText(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw archiveError(file, `${MANIFEST_ENTRY} is not valid JSON: ${(error as Error).message}`)
  }
}

// Enough of the manifest's shape to act on it safely; the export's own rows are the store's to read.
function checkManifest(file: string, value: unknown): ArchiveManifest {
  const m = value as Partial<ArchiveManifest> | null
  if (m === null || typeof m !== 'object' || m.format !== ARCHIVE_FORMAT) throw archiveError(file, `${MANIFEST_ENTRY} is not a statebridge session manifest`)
  if (m.version !== ARCHIVE_VERSION) throw archiveError(file, `its manifest is version ${String(m.version)}; this statebridge reads version ${ARCHIVE_VERSION}`)
  if (typeof m.sessionId !== 'string') throw archiveError(file, 'its manifest names no session')
  const problem = sessionIdProblem(m.sessionId)
  if (problem) throw archiveError(file, `its session id ${JSON.stringify(m.sessionId)} ${problem}`)
  if (!Array.isArray(m.files) || !Array.isArray(m.skipped)) throw archiveError(file, 'its manifest lists no files')
  for (const f of m.files) {
    if (typeof f?.path !== 'string' || typeof f.sha256 !== 'string' || !Number.isSafeInteger(f.sizeBytes) || typeof f.mtimeMs !== 'number' || !Number.isInteger(f.mode)) {
      throw archiveError(file, 'its manifest has a malformed file entry')
    }
    const nameProblem = entryNameProblem(f.path, m.sessionId)
    if (nameProblem) throw archiveError(file, `its manifest names ${JSON.stringify(f.path)}, which ${nameProblem}`)
  }
  const db = m.database
  if (!db || typeof db !== 'object' || db.sessionId !== m.sessionId || !Array.isArray(db.revisions) || !Array.isArray(db.blobs)) {
    throw archiveError(file, 'its manifest holds no database export of the session')
  }
  return m as ArchiveManifest
}

function archiveError(file: string, reason: string): StatebridgeError {
  return new StatebridgeError('SB_ARCHIVE', `${file}: ${reason}`)
}

// Add one entry and wait until tar-stream took it.
function addEntry(pack: tar.Pack, header: { name: string; mode: number; mtime: Date }, content: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ ...header, type: 'file', size: content.length }, content, (error) => (error ? reject(error) : resolve()))
  })
}

/**
 * Read a regular file without following a symlink: its bytes and what the
 * manifest says of it; why not when it is not a regular file; `gone` when it
 * disappeared (a race with a writer, not a fault).
 */
async function readRegular(
  rootAbs: string,
  rel: string,
): Promise<{ kind: 'file'; meta: ArchivedFile; bytes: Buffer } | { kind: 'skipped'; reason: string } | { kind: 'gone' }> {
  let handle: fs.promises.FileHandle
  try {
    // O_NONBLOCK: a FIFO swapped in must not block the open.
    handle = await fs.promises.open(path.join(rootAbs, rel), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'gone' }
    if (code === 'ELOOP') return { kind: 'skipped', reason: 'symlink; not followed' }
    throw error
  }
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) return { kind: 'skipped', reason: 'not a regular file' }
    const bytes = await handle.readFile()
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    return { kind: 'file', meta: { path: rel, sizeBytes: bytes.length, sha256, mtimeMs: stat.mtimeMs, mode: stat.mode & 0o777 }, bytes }
  } finally {
    await handle.close()
  }
}

// What `readRegular` says of a file, from its lstat alone (a dry run reads nothing).
async function statRegular(rootAbs: string, rel: string): Promise<{ kind: 'file'; meta: ArchivedFile } | { kind: 'skipped'; reason: string } | { kind: 'gone' }> {
  const stat = await lstatOrNull(path.join(rootAbs, rel))
  if (stat === null) return { kind: 'gone' }
  if (!stat.isFile()) return { kind: 'skipped', reason: stat.isSymbolicLink() ? 'symlink; not followed' : 'not a regular file' }
  return { kind: 'file', meta: { path: rel, sizeBytes: stat.size, sha256: '', mtimeMs: stat.mtimeMs, mode: stat.mode & 0o777 } }
}

async function fsyncPath(target: string): Promise<void> {
  const handle = await fs.promises.open(target, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function lstatOrNull(target: string): Promise<fs.Stats | null> {
  try {
    return await fs.promises.lstat(target)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

// Bytewise order, as the scan sorts, whatever the locale.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
