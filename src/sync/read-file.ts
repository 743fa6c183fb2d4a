/**
 * Read, hash and parse one file: the part of the per-file pipeline that runs
 * in a parse worker.
 */
import { createHash } from 'node:crypto'
import { encodeAgainst, encodeFull } from '../history/encode.js'
import type { BlobChain, EncodedBlob } from '../history/types.js'
import type { MarkdownParser } from '../parsers/markdown.js'
import type { AppendCheckpoint, PricingTable } from '../parsers/agent/types.js'
import { parseAppend, parseFile } from '../parsers/parse-file.js'
import type { ParsedAppend, ParsedDocument } from '../parsers/types.js'
import { readContent, type ContentRead } from './read-content.js'

/** What the pipeline asks a worker to do. */
export interface ReadRequest {
  absPath: string
  relPath: string
  /**
   * Real absolute path of the root: what was opened must lie under it. The
   * pipeline always sets it; without it nothing is checked (a bench scratch file).
   */
  realRoot?: string
  /** Hash of the content already applied; equal content is not parsed again. */
  knownHash: string | null
  maxFileBytes: number
  /**
   * Encode the content for history when it changed: compressed at or above
   * `threshold` bytes, or a delta against the last content of `base` (the
   * blobs of the content last applied) when that is at most half the size.
   * Absent: history keeps nothing of this read.
   */
  history?: { threshold: number; base: BlobChain }
  /**
   * A JSON Lines file applied before: where its last read stopped. When the
   * file grew and its first `offset` bytes are still the ones applied, only
   * what follows is parsed (`appended`); otherwise the whole file is.
   */
  append?: AppendBase
}

/** What the store holds of a JSON Lines file's last read: the content it was and where the read stopped. */
export interface AppendBase extends AppendCheckpoint {
  /** The document's content hash: the apply checks it is still the one continued from. */
  contentHash: string
  /** sha256 (hex) of the file's first `offset` bytes. */
  hash: string
}

/** What a worker answers. */
export type ReadResult =
  | { kind: 'unchanged'; hash: string; sizeBytes: number; mtimeMs: number; ino: number }
  /** `parsed.json` is moved into `jsonText`: a string crosses threads far cheaper than an object graph. */
  | {
      kind: 'parsed'
      hash: string
      sizeBytes: number
      mtimeMs: number
      ino: number
      parsed: ParsedDocument
      jsonText: string | null
      blob: EncodedBlob | null
      /** sha256 of the bytes `parsed.append` says were read (JSON Lines only). */
      appendHash: string | null
    }
  /** A JSON Lines file that grew: the rows of its new lines, continuing `base`. */
  | {
      kind: 'appended'
      hash: string
      sizeBytes: number
      mtimeMs: number
      ino: number
      base: { contentHash: string; offset: number }
      parsed: ParsedAppend
      appendHash: string
      blob: EncodedBlob | null
    }
  /** Nothing was read: too large, unstable, gone, unreadable or outside the root (see read-content.ts). */
  | Exclude<ContentRead, { kind: 'read' }>
  /** The parser threw (a stack overflow on deep nesting, a parser bug). */
  | { kind: 'parser-failed'; hash: string; sizeBytes: number; mtimeMs: number; message: string; blob: EncodedBlob | null }
  /** This content blew its parse budget before: not parsed again. */
  | { kind: 'over-budget'; hash: string; sizeBytes: number; mtimeMs: number }

/** What the caller knows of earlier parses, and wants to hear before this one starts. */
export interface ReadHooks {
  /** Hashes of content that blew its parse budget. */
  overBudget?: { has(hash: string): boolean }
  /** Called with the content hash just before parsing starts. */
  onParse?: (hash: string) => void
  /** Which markdown reader parses; default `fast`. */
  parser?: MarkdownParser
  /** Prices of agent transcripts' usage. */
  pricing?: PricingTable | null
}

/** Read the file once (read-content.ts), hash it, and parse it unless its hash is already known. */
export function readAndParse(request: ReadRequest, hooks: ReadHooks = {}): ReadResult {
  const read = readContent(request)
  if (read.kind !== 'read') return read
  const { content, before } = read
  // One pass over the bytes gives the content hash and, for a grown JSON Lines
  // file, the hash of the prefix applied before (and a copy to continue from).
  const hasher = createHash('sha256')
  const base = request.append
  let continued: ReturnType<typeof createHash> | null = null
  if (base !== undefined && base.offset > 0 && content.length > base.offset) {
    hasher.update(content.subarray(0, base.offset))
    if (hasher.copy().digest('hex') === base.hash) continued = hasher.copy()
    hasher.update(content.subarray(base.offset))
  } else {
    hasher.update(content)
  }
  const hash = hasher.digest('hex')
  const stat = { hash, sizeBytes: content.length, mtimeMs: before.mtimeMs }
  if (hash === request.knownHash) return { kind: 'unchanged', ...stat, ino: before.ino }
  if (hooks.overBudget?.has(hash)) return { kind: 'over-budget', ...stat }
  hooks.onParse?.(hash)
  const options = { parser: hooks.parser ?? 'fast', pricing: hooks.pricing ?? null } as const
  if (continued !== null && base !== undefined) {
    try {
      const parsed = parseAppend(request.relPath, content, base, options)
      continued.update(content.subarray(base.offset, parsed.append.offset))
      const appendHash = continued.digest('hex')
      const at = { contentHash: base.contentHash, offset: base.offset }
      return { kind: 'appended', ...stat, ino: before.ino, base: at, parsed, appendHash, blob: historyBlob(request, content, hash) }
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
  return { kind: 'parsed', ...stat, ino: before.ino, parsed: { ...parsed, json: null }, jsonText, blob: historyBlob(request, content, hash), appendHash }
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
