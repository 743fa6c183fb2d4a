/**
 * Read, hash and parse one file: the part of the per-file pipeline that runs
 * in a parse worker. Only this step touches file content.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { parseFile } from '../parsers/parse-file.js'
import type { ParsedDocument } from '../parsers/types.js'

/** What the pipeline asks a worker to do. */
export interface ReadRequest {
  absPath: string
  relPath: string
  /** Hash of the content already applied; equal content is not parsed again. */
  knownHash: string | null
  maxFileBytes: number
}

/** What a worker answers. */
export type ReadResult =
  | { kind: 'unchanged'; hash: string; sizeBytes: number; mtimeMs: number; ino: number }
  /** `parsed.json` is moved into `jsonText`: a string crosses threads far cheaper than an object graph. */
  | { kind: 'parsed'; hash: string; sizeBytes: number; mtimeMs: number; ino: number; parsed: ParsedDocument; jsonText: string | null }
  | { kind: 'too-large'; sizeBytes: number; mtimeMs: number }
  /** The file changed while it was read: read it again later. */
  | { kind: 'unstable' }
  | { kind: 'gone' }
  | { kind: 'unreadable'; code: string; message: string }

/** Read the file once, hash it, and parse it unless its hash is already known. */
export function readAndParse(request: ReadRequest): ReadResult {
  let fd: number
  try {
    fd = fs.openSync(request.absPath, 'r')
  } catch (error) {
    return failedIo(error)
  }
  try {
    const before = fs.fstatSync(fd)
    if (before.size > request.maxFileBytes) return { kind: 'too-large', sizeBytes: before.size, mtimeMs: before.mtimeMs }
    const content = fs.readFileSync(fd)
    // A writer still appending shows up as a stat that moved under us (or a size
    // that differs from what we read); the next event or retry gets the full file.
    const after = fs.statSync(request.absPath)
    if (after.size !== content.length || after.mtimeMs !== before.mtimeMs || after.ino !== before.ino) {
      return { kind: 'unstable' }
    }
    const hash = createHash('sha256').update(content).digest('hex')
    if (hash === request.knownHash) return { kind: 'unchanged', hash, sizeBytes: content.length, mtimeMs: before.mtimeMs, ino: before.ino }
    const parsed = parseFile(request.relPath, content)
    const jsonText = parsed.format === 'json' && !parsed.diagnostics.some((d) => d.severity === 'error') ? JSON.stringify(parsed.json) : null
    return { kind: 'parsed', hash, sizeBytes: content.length, mtimeMs: before.mtimeMs, ino: before.ino, parsed: { ...parsed, json: null }, jsonText }
  } catch (error) {
    return failedIo(error)
  } finally {
    fs.closeSync(fd)
  }
}

function failedIo(error: unknown): ReadResult {
  const code = (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN'
  if (code === 'ENOENT') return { kind: 'gone' }
  return { kind: 'unreadable', code, message: error instanceof Error ? error.message : String(error) }
}
