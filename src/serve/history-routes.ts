/**
 * The history routes: a session's revisions (its checkpoints), one revision,
 * the bytes of a file at a revision, and the diff between two revisions.
 * Contents are decoded here, on the request, from the bounded chain the
 * reader returns (at most `MAX_DELTA_DEPTH` deltas on a full copy).
 */
import { decodeChain } from '../history/encode.js'
import type { BlobChain, BlobEncoding, Revision } from '../history/types.js'
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ReadParamError } from '../store/read-types.js'
import { isUtf8 } from '../sync/paths.js'
import { ProblemError } from './problem.js'
import { etagMatches, limitOf, RawAnswer, text, type RouteContext, type RouteSpec } from './route-spec.js'

/** Longest a diff may compute before the route gives up with `diff-too-costly`, ms. */
export const DIFF_TIMEOUT_MS = 1_000

/** How a revision's content is stored (`GET /api/v1/revisions/{rev}`). */
export interface RevisionStorage {
  /** `full`: a copy of the file; `delta`: changes against `baseHash`'s content. */
  kind: 'full' | 'delta'
  /** How the stored bytes are compressed: `br`, `gzip` (written before schema version 14) or `identity`. */
  encoding: BlobEncoding
  /** Bytes stored for this content (not counting its base). */
  storedBytes: number
  /** The content this delta applies to; `null` for a full copy. */
  baseHash: string | null
  /** Deltas between this content and its full copy; 0 for a full copy. */
  depth: number
}

/** One revision with how its content is stored and the revision of the same file before it. */
export interface RevisionDetail extends Revision {
  /** `null` when the content is not stored (it cannot then be read). */
  storage: RevisionStorage | null
  /** The file's revision before this one; `null` for its first kept revision. */
  previousRev: number | null
}

const sessionId = { name: 'id', description: 'The session directory name.' }
const revParam = { name: 'rev', description: 'A revision number, as listed by /api/v1/sessions/{id}/checkpoints.' }

const CONTENT_MEDIA = {
  'text/markdown': { type: 'string', description: 'A .md file.' },
  'application/json': { description: 'A .json file, as it was written (it may not parse).' },
  'application/octet-stream': { type: 'string', format: 'binary', description: 'Any other file.' },
} as const

/** The history routes, in match order. */
export const HISTORY_ROUTES: readonly RouteSpec[] = [
  {
    operationId: 'sessionCheckpoints',
    path: '/api/v1/sessions/{id}/checkpoints',
    aliases: ['/api/sessions/{id}/checkpoints'],
    summary: "A session's revisions, newest first: every content each of its files had, and their removals.",
    description:
      'Pages follow a cursor on the revision number: pass nextCursor back as cursor until it is null (a bare revision number ' +
      'also works, and starts the page below it). 404 only when the session is unknown and has no revisions.',
    pathParams: [sessionId],
    query: [
      { name: 'path', description: 'Only revisions of this file (path relative to the root, `/`-separated).', schema: { type: 'string' } },
      { name: 'root', description: 'Only revisions under this root (exact match).', schema: { type: 'string' } },
      { name: 'cursor', description: 'nextCursor of the previous page, or a revision number.', schema: { type: 'string' } },
      {
        name: 'limit',
        description: `Page size, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).`,
        schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
      },
    ],
    response: 'RevisionPage',
    problems: [400, 404],
    handle: async (ctx) => {
      const id = ctx.params.id!
      const limit = pageSize(ctx)
      const rows = await ctx.reader.revisions({
        sessionId: id,
        path: nonEmpty(ctx, 'path'),
        root: nonEmpty(ctx, 'root'),
        cursor: cursorOf(text(ctx, 'cursor')),
        order: 'desc',
        limit: limit + 1,
      })
      const items = rows.slice(0, limit)
      if (items.length === 0 && !(await sessionKnown(ctx, id))) {
        throw new ProblemError('not-found', `no session named ${JSON.stringify(id)}, and no revisions of one`)
      }
      const last = items.at(-1)
      return { items, nextCursor: rows.length > limit && last ? encodeRevisionCursor(last.rev) : null }
    },
  },
  {
    operationId: 'getRevision',
    path: '/api/v1/revisions/{rev}',
    aliases: [],
    summary: 'One revision: which file, what changed, when, and how its content is stored (full copy or delta, stored bytes).',
    pathParams: [revParam],
    query: [],
    response: 'RevisionDetail',
    problems: [400, 404],
    handle: async (ctx): Promise<RevisionDetail> => {
      const revision = await revisionOf(ctx, ctx.params.rev!, 'rev')
      const chain = revision.contentHash === null ? [] : await ctx.reader.blobChain(revision.contentHash)
      const previous = await previousOf(ctx, revision)
      return { ...revision, storage: storageOf(chain), previousRev: previous?.rev ?? null }
    },
  },
  {
    operationId: 'getRevisionContent',
    path: '/api/v1/revisions/{rev}/content',
    aliases: [],
    summary: "The file's bytes at this revision; for a removal, the content the file last had.",
    description:
      'A content stored as a compressed full copy is sent as stored, with its Content-Encoding (br, or gzip for contents stored ' +
      'before schema version 14), to a client whose Accept-Encoding takes that coding; anything else is decoded and sent as it is. ' +
      'The ETag is the sha256 of the file bytes; If-None-Match gets 304.',
    pathParams: [revParam],
    query: [],
    response: null,
    media: CONTENT_MEDIA,
    responseHeaders: {
      'Content-Encoding': {
        description: 'br or gzip when the stored compressed copy is sent as it is; absent otherwise.',
        schema: { type: 'string', enum: ['br', 'gzip'] },
      },
      Vary: { description: 'Always Accept-Encoding.', schema: { type: 'string' } },
    },
    problems: [400, 404],
    handle: async (ctx) => {
      const revision = await revisionOf(ctx, ctx.params.rev!, 'rev')
      if (revision.contentHash === null) throw new ProblemError('not-found', `revision ${revision.rev} has no stored content`)
      const etag = `"${revision.contentHash}"`
      const headers: Record<string, string> = { 'content-type': contentTypeOf(revision.path), vary: 'Accept-Encoding' }
      // The tag is the content's hash: a match needs no read of the content at all.
      if (etagMatches(ctx.headers['if-none-match'], etag)) return new RawAnswer(Buffer.alloc(0), headers, etag)
      const chain = await ctx.reader.blobChain(revision.contentHash)
      const stored = chain.length === 1 ? chain[0]! : null
      if (stored && stored.baseHash === null && stored.encoding !== 'identity' && acceptsEncoding(ctx.headers['accept-encoding'], stored.encoding)) {
        return new RawAnswer(bufferOf(stored.data), { ...headers, 'content-encoding': stored.encoding }, etag)
      }
      return new RawAnswer(contentOf(revision, chain), headers, etag)
    },
  },
  {
    operationId: 'getRevisionDiff',
    path: '/api/v1/revisions/{rev}/diff',
    aliases: [],
    summary: 'A unified diff from another revision (by default the previous one of the same file) to this one.',
    description:
      'A removal diffs as the file going away (+++ /dev/null), and a removal named by against as the file not yet there. ' +
      '422 when there is no previous revision, when either content is not UTF-8 text, or when the diff takes too long.',
    pathParams: [revParam],
    query: [
      {
        name: 'against',
        description: '`prev` (default): the previous revision of the same file; or a revision number.',
        schema: { type: 'string', default: 'prev' },
      },
    ],
    response: null,
    media: { 'text/x-diff': { type: 'string' } },
    problems: [400, 404, 422],
    handle: async (ctx) => {
      const revision = await revisionOf(ctx, ctx.params.rev!, 'rev')
      const against = text(ctx, 'against') ?? 'prev'
      const other = against === 'prev' ? await previousOf(ctx, revision) : await revisionOf(ctx, against, 'against')
      if (other === null) {
        throw new ProblemError(
          'no-previous-revision',
          `revision ${revision.rev} is the first kept revision of ${revision.path}; name another with against=<rev>`,
          'against',
        )
      }
      const from = await sideOf(ctx, other, 'a')
      const to = await sideOf(ctx, revision, 'b')
      const { createTwoFilesPatch, FILE_HEADERS_ONLY } = await import('diff')
      const patch = createTwoFilesPatch(from.name, to.name, from.text, to.text, `rev ${other.rev} ${other.at}`, `rev ${revision.rev} ${revision.at}`, {
        headerOptions: FILE_HEADERS_ONLY,
        timeout: DIFF_TIMEOUT_MS,
      })
      if (patch === undefined) {
        throw new ProblemError(
          'diff-too-costly',
          `revisions ${other.rev} and ${revision.rev} differ too much to diff within ${DIFF_TIMEOUT_MS} ms; fetch both /content and compare them locally`,
        )
      }
      return new RawAnswer(Buffer.from(patch), { 'content-type': 'text/x-diff; charset=utf-8' })
    },
  },
]

/** The opaque cursor after `rev`: base64url of its JSON, as the session list's. */
export function encodeRevisionCursor(rev: number): string {
  return Buffer.from(JSON.stringify([rev])).toString('base64url')
}

/** The revision a cursor (or a bare revision number) names. */
function cursorOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  if (/^[0-9]{1,15}$/.test(raw)) return Number(raw)
  let value: unknown
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw new Error('not base64url')
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))
  } catch {
    value = null
  }
  if (Array.isArray(value) && value.length === 1 && Number.isSafeInteger(value[0]) && (value[0] as number) >= 0) return value[0] as number
  throw new ProblemError('bad-parameter', 'cursor is neither one this server issued nor a revision number; start again without it', 'cursor')
}

function pageSize(ctx: RouteContext): number {
  const limit = limitOf(ctx) ?? DEFAULT_PAGE_SIZE
  if (limit < 1 || limit > MAX_PAGE_SIZE) throw new ReadParamError('limit', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`)
  return limit
}

function nonEmpty(ctx: RouteContext, name: string): string | undefined {
  const value = text(ctx, name)
  if (value === '') throw new ProblemError('bad-parameter', `${name} is empty: leave it out to mean any`, name)
  return value
}

/** Whether a session has revisions (under any name filter) or a row of its own. */
async function sessionKnown(ctx: RouteContext, id: string): Promise<boolean> {
  if ((await ctx.reader.revisions({ sessionId: id, limit: 1 })).length > 0) return true
  return (await ctx.reader.documents(id)) !== null
}

/** The revision a path or query value names; 400 when it is no number, 404 when there is none. */
async function revisionOf(ctx: RouteContext, raw: string, param: string): Promise<Revision> {
  if (!/^[0-9]{1,15}$/.test(raw)) throw new ProblemError('bad-parameter', `${param} must be a revision number such as 42, not ${JSON.stringify(raw)}`, param)
  const revision = await ctx.reader.revision(Number(raw))
  if (revision === null) {
    throw new ProblemError('not-found', `no revision ${raw}: it never existed or retention pruned it`, param === 'rev' ? undefined : param)
  }
  return revision
}

/** The revision of the same file just before `revision`, or `null`. */
async function previousOf(ctx: RouteContext, revision: Revision): Promise<Revision | null> {
  const [previous] = await ctx.reader.revisions({ root: revision.root, path: revision.path, cursor: revision.rev, order: 'desc', limit: 1 })
  return previous ?? null
}

function storageOf(chain: BlobChain): RevisionStorage | null {
  const blob = chain.at(-1)
  if (!blob) return null
  return { kind: blob.baseHash === null ? 'full' : 'delta', encoding: blob.encoding, storedBytes: blob.data.byteLength, baseHash: blob.baseHash, depth: blob.depth }
}

/** The bytes of `revision`'s content, decoded from `chain` (its hash checked). */
function contentOf(revision: Revision, chain: BlobChain): Buffer {
  // A revision whose content is not stored whole is a database fault, not a request's: a 500, logged.
  if (chain.length === 0) throw new Error(`revision ${revision.rev}: content ${revision.contentHash} is not stored`)
  return decodeChain(chain)
}

/** One side of a diff: the file's text at `revision`, or nothing when the file was removed there. */
async function sideOf(ctx: RouteContext, revision: Revision, prefix: 'a' | 'b'): Promise<{ name: string; text: string }> {
  if (revision.change === 'removed' || revision.contentHash === null) return { name: '/dev/null', text: '' }
  const bytes = contentOf(revision, await ctx.reader.blobChain(revision.contentHash))
  if (!isUtf8(bytes)) {
    throw new ProblemError(
      'not-text',
      `revision ${revision.rev} of ${revision.path} is not UTF-8 text, so a line diff of it would be garbage; GET /api/v1/revisions/${revision.rev}/content for its bytes`,
    )
  }
  // toString keeps a byte-order mark, so the diff shows the bytes as they are.
  return { name: `${prefix}/${revision.path}`, text: bytes.toString('utf8') }
}

/** The Content-Type of a file by its name. */
export function contentTypeOf(filePath: string): string {
  const lower = filePath.toLowerCase()
  if (lower.endsWith('.md')) return 'text/markdown; charset=utf-8'
  if (lower.endsWith('.json')) return 'application/json'
  return 'application/octet-stream'
}

/**
 * Whether an Accept-Encoding header takes `coding` (`br` or `gzip`): named
 * (gzip also as x-gzip) with a weight above 0, or covered by `*` above 0 when
 * not named. A weight that is no number counts as 0.
 */
export function acceptsEncoding(header: string | undefined, coding: 'br' | 'gzip'): boolean {
  if (!header) return false
  let named: number | null = null
  let any: number | null = null
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase())
    const weight = params.find((p) => p.startsWith('q='))
    const q = weight === undefined ? 1 : Number(weight.slice(2))
    const quality = weight !== undefined && (weight.slice(2).trim() === '' || !Number.isFinite(q)) ? 0 : q
    if (name === coding || (coding === 'gzip' && name === 'x-gzip')) named = Math.max(named ?? 0, quality)
    else if (name === '*') any = quality
  }
  return (named ?? any ?? 0) > 0
}

function bufferOf(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
}
