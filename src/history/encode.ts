/**
 * Turning file content into stored blobs and back. Encoding runs in the parse
 * workers (compression and delta search are CPU work the main thread must not do);
 * decoding runs wherever content is read back (restore, diff, the API).
 */
import { createHash } from 'node:crypto'
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync } from 'node:zlib'
import { applyDelta, encodeDelta } from './delta.js'
import { MAX_DELTA_DEPTH, type BlobChain, type EncodedBlob } from './types.js'

// Brotli at quality 1, not gzip: compression was the parse workers' largest
// single cost once the fast path landed. On the real corpus (the files of at
// least 1 KB, 81 MB) quality 1 takes 0.39 s for 29.1 MB, gzip's level 3 0.91 s
// for 29.4 MB and its default level 6 more still; quality 2 saves 7 % of the
// bytes for 1.7 times the time. Decoding is as fast as gzip's.
const BROTLI_QUALITY = 1

/** `data` Brotli-compressed at `BROTLI_QUALITY`. */
function compress(data: Uint8Array): Buffer {
  return brotliCompressSync(data, {
    params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  })
}

/** The full copy of `content`: compressed at or above `threshold` bytes (when that is smaller), else as it is. */
export function encodeFull(content: Uint8Array, contentHash: string, threshold: number): EncodedBlob {
  const full: EncodedBlob = { contentHash, sizeBytes: content.length, encoding: 'identity', baseHash: null, depth: 0, data: content }
  if (content.length < threshold) return full
  const compressed = compress(content)
  return compressed.length < content.length ? { ...full, encoding: 'br', data: compressed } : full
}

/**
 * A delta of `content` against the last content of `chain`, when it is at most
 * half the size of `full` and the chain is not already `MAX_DELTA_DEPTH` long;
 * otherwise `full`.
 */
export function encodeAgainst(content: Uint8Array, full: EncodedBlob, chain: BlobChain, threshold: number): EncodedBlob {
  const base = chain.at(-1)
  if (!base || base.depth + 1 > MAX_DELTA_DEPTH) return full
  const baseContent = decodeChain(chain)
  let data: Uint8Array = encodeDelta(baseContent, content)
  let encoding: EncodedBlob['encoding'] = 'identity'
  if (data.length >= threshold) {
    const compressed = compress(data)
    if (compressed.length < data.length) {
      data = compressed
      encoding = 'br'
    }
  }
  if (data.length * 2 > full.data.length) return full
  return { contentHash: full.contentHash, sizeBytes: content.length, encoding, baseHash: base.contentHash, depth: base.depth + 1, data }
}

/** The content of the last blob of `chain` (a full copy, then the deltas on it, in order), checked against its hash. */
export function decodeChain(chain: BlobChain): Buffer {
  const first = chain[0]
  if (!first) throw new Error('no stored content to decode')
  if (first.baseHash !== null) throw new Error(`content ${first.contentHash} is a delta against ${first.baseHash}, which is not stored`)
  let content = unpack(first)
  for (let i = 1; i < chain.length; i++) {
    const blob = chain[i]!
    if (blob.baseHash !== chain[i - 1]!.contentHash) throw new Error(`content ${blob.contentHash} does not follow ${chain[i - 1]!.contentHash}`)
    content = applyDelta(content, unpack(blob))
  }
  const last = chain[chain.length - 1]!
  const hash = createHash('sha256').update(content).digest('hex')
  if (hash !== last.contentHash) throw new Error(`stored content ${last.contentHash} decodes to bytes with hash ${hash}`)
  return content
}

function unpack(blob: EncodedBlob): Buffer {
  const data = Buffer.from(blob.data.buffer, blob.data.byteOffset, blob.data.byteLength)
  switch (blob.encoding) {
    case 'br':
      return brotliDecompressSync(data)
    case 'gzip':
      return gunzipSync(data)
    case 'identity':
      return data
    default:
      // An archive from a later release may name a coding this one does not know.
      throw new Error(`content ${blob.contentHash} is stored as '${String(blob.encoding)}', which this statebridge cannot decode`)
  }
}
