/**
 * Read, hash and parse one file: the part of the per-file pipeline that runs
 * in a parse worker. Only this step touches file content. Reading and hashing
 * are `read-content.ts`; this module adds the parsers and history's encoding.
 */
import { createHash } from 'node:crypto'
import { encodeAgainst, encodeFull } from '../history/encode.js'
import type { EncodedBlob } from '../history/types.js'
import { parseAppend, parseFile } from '../parsers/parse-file.js'
import type { ParsedDocument } from '../parsers/types.js'
import { readContent, type ReadContent, type ReadHooks, type ReadRequest, type ReadResult } from './read-content.js'

export type { AppendBase, ReadContent, ReadHooks, ReadRequest, ReadResult } from './read-content.js'

/** Read the file once, hash it, and parse it unless its hash is already known. */
export function readAndParse(request: ReadRequest, hooks: ReadHooks = {}): ReadResult {
  const read = readContent(request, hooks)
  return read.kind === 'content' ? parseContent(request, read, hooks) : read
}

/** Parse what `readContent` read, and encode it for history when the request asks. */
export function parseContent(request: ReadRequest, read: ReadContent, hooks: ReadHooks = {}): ReadResult {
  const { content, hash, continued } = read
  const stat = { hash, sizeBytes: read.sizeBytes, mtimeMs: read.mtimeMs }
  const base = request.append
  hooks.onParse?.(hash)
  const options = { parser: hooks.parser ?? 'fast', pricing: hooks.pricing ?? null } as const
  if (continued !== null && base !== undefined) {
    try {
      const parsed = parseAppend(request.relPath, content, base, options)
      continued.update(content.subarray(base.offset, parsed.append.offset))
      const appendHash = continued.digest('hex')
      const at = { contentHash: base.contentHash, offset: base.offset }
      return { kind: 'appended', ...stat, ino: read.ino, base: at, parsed, appendHash, blob: historyBlob(request, content, hash) }
    } catch {
      // The tail did not read on from the stored state (a state an older build wrote): read the whole file.
    }
  }
  let parsed: ParsedDocument
  let jsonText: string | null
  try {
    parsed = parseFile(request.relPath, content, options)
    jsonText = parsed.format === 'json' && !parsed.diagnostics.some((d) => d.severity === 'error') ? JSON.stringify(parsed.json) : null
  } catch (error) {
    // Not an I/O problem: the bytes were read, the parser (or serialising its
    // result, which recurses as deep as the input nests) gave up on them.
    return { kind: 'parser-failed', ...stat, message: error instanceof Error ? error.message : String(error), blob: historyBlob(request, content, hash) }
  }
  const appendHash = parsed.append === undefined ? null : prefixHash(content, parsed.append.offset, hash)
  return { kind: 'parsed', ...stat, ino: read.ino, parsed: { ...parsed, json: null }, jsonText, blob: historyBlob(request, content, hash), appendHash }
}

/** sha256 of the first `offset` bytes; `hash` is the whole content's. */
function prefixHash(content: Buffer, offset: number, hash: string): string {
  return offset === content.length ? hash : createHash('sha256').update(content.subarray(0, offset)).digest('hex')
}

/** The content as history stores it, when the request asks for it. */
function historyBlob(request: ReadRequest, content: Buffer, hash: string): EncodedBlob | null {
  if (!request.history) return null
  const { threshold, base } = request.history
  const full = encodeFull(content, hash, threshold)
  if (base.length === 0) return full
  try {
    return encodeAgainst(content, full, base, threshold)
  } catch {
    // A base that does not decode (damaged row) must not cost this file its
    // apply: the full copy needs no base. `restore` reports the damaged row.
    return full
  }
}

