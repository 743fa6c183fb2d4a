/**
 * Turning file content into stored blobs and back. Encoding runs in the parse
 * workers (gzip and delta search are CPU work the main thread must not do);
 * decoding runs wherever content is read back (restore, diff, the API).
 */
import { createHash } from 'node:crypto'
import { gunzipSync, gzipSync } from 'node:zlib'
import { applyDelta, encodeDelta } from './delta.js'
import { MAX_DELTA_DEPTH, type BlobChain, type EncodedBlob } from './types.js'

// zlib's level 3, not its default 6: on the real corpus it compresses in 56 %
// of the time for 10 % more bytes (29.3 MB against 26.7 MB of 89.5 MB), and
// compression was the parse workers' largest cost once the fast path landed.
const GZIP = { level: 3 }

/** The full copy of `content`: gzip at or above `threshold` bytes (when it is smaller), else as it is. */
export function encodeFull(content: Uint8Array, contentHash: string, threshold: number): EncodedBlob {
  const full: EncodedBlob = { contentHash, sizeBytes: content.length, encoding: 'identity', baseHash: null, depth: 0, data: content }
  if (content.length < threshold) return full
  const gzipped = gzipSync(content, GZIP)
  return gzipped.length < content.length ? { ...full, encoding: 'gzip', data: gzipped } : full
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
    const gzipped = gzipSync(data, GZIP)
    if (gzipped.length < data.length) {
      data = gzipped
      encoding = 'gzip'
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
  return blob.encoding === 'gzip' ? gunzipSync(data) : data
}
