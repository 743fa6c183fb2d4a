/**
 * A byte delta between two versions of a file: copies of ranges of the base
 * and inserted bytes. Agents mostly append, or rewrite a file with a few
 * changed lines, so a common prefix and suffix plus line matching in between
 * already win big; no general-purpose diff is needed here.
 *
 * Stream format (documented in the README, so a row can be decoded by hand):
 * one line of JSON, an array of operations, then `\n`, then the inserted
 * bytes concatenated. `[offset, length]` copies `length` bytes of the base
 * from `offset`; a bare number `n` inserts the next `n` bytes after the line.
 */

/** Copy runs shorter than this are inserted instead: a copy costs ~12 bytes of JSON. */
const MIN_COPY = 32

type Op = [offset: number, length: number] | number

/** The delta that turns `base` into `target`. */
export function encodeDelta(base: Uint8Array, target: Uint8Array): Buffer {
  let prefix = 0
  const max = Math.min(base.length, target.length)
  while (prefix < max && base[prefix] === target[prefix]) prefix++
  let suffix = 0
  while (suffix < max - prefix && base[base.length - 1 - suffix] === target[target.length - 1 - suffix]) suffix++

  const ops: Op[] = []
  const inserts: Uint8Array[] = []
  const copy = (offset: number, length: number): void => {
    if (length === 0) return
    const last = ops.at(-1)
    // Adjacent copies merge, so a run of matched lines is one operation.
    if (Array.isArray(last) && last[0] + last[1] === offset) last[1] += length
    else ops.push([offset, length])
  }
  const insert = (from: number, to: number): void => {
    if (to <= from) return
    const last = ops.at(-1)
    if (typeof last === 'number') ops[ops.length - 1] = last + (to - from)
    else ops.push(to - from)
    inserts.push(target.subarray(from, to))
  }

  copy(0, prefix)
  matchMiddle(base, prefix, base.length - suffix, target, prefix, target.length - suffix, copy, insert)
  copy(base.length - suffix, suffix)
  return Buffer.concat([Buffer.from(`${JSON.stringify(ops)}\n`), ...inserts])
}

/**
 * Cover `target[tFrom, tTo)` with copies of whole lines of `base[bFrom, bTo)`
 * where they match, inserting the rest: greedy, linear in the size of both.
 */
function matchMiddle(
  base: Uint8Array,
  bFrom: number,
  bTo: number,
  target: Uint8Array,
  tFrom: number,
  tTo: number,
  copy: (offset: number, length: number) => void,
  insert: (from: number, to: number) => void,
): void {
  if (bTo - bFrom < MIN_COPY || tTo - tFrom < MIN_COPY) {
    insert(tFrom, tTo)
    return
  }
  const baseLines = linesOf(base, bFrom, bTo)
  // First position of each line of the base (latin1 keys map bytes one to one).
  const where = new Map<string, number>()
  for (let i = 0; i < baseLines.length - 1; i++) {
    const key = Buffer.from(base.buffer, base.byteOffset + baseLines[i]!, baseLines[i + 1]! - baseLines[i]!).toString('latin1')
    if (!where.has(key)) where.set(key, i)
  }
  const targetLines = linesOf(target, tFrom, tTo)
  let pending = tFrom
  let t = 0
  while (t < targetLines.length - 1) {
    const start = targetLines[t]!
    const key = Buffer.from(target.buffer, target.byteOffset + start, targetLines[t + 1]! - start).toString('latin1')
    const b = where.get(key)
    if (b === undefined) {
      t++
      continue
    }
    // Extend the match line by line, then byte by byte into the next line.
    let bi = b + 1
    let ti = t + 1
    while (bi < baseLines.length - 1 && ti < targetLines.length - 1 && sameLine(base, baseLines, bi, target, targetLines, ti)) {
      bi++
      ti++
    }
    const length = targetLines[ti]! - start
    if (length >= MIN_COPY) {
      insert(pending, start)
      copy(baseLines[b]!, length)
      pending = start + length
    }
    t = ti
  }
  insert(pending, tTo)
}

/** Start offsets of the lines of `bytes[from, to)`, plus `to` as the end. */
function linesOf(bytes: Uint8Array, from: number, to: number): number[] {
  const starts = [from]
  for (let i = bytes.indexOf(10, from); i !== -1 && i < to - 1; i = bytes.indexOf(10, i + 1)) starts.push(i + 1)
  starts.push(to)
  return starts
}

function sameLine(a: Uint8Array, aLines: number[], ai: number, b: Uint8Array, bLines: number[], bi: number): boolean {
  const aStart = aLines[ai]!
  const bStart = bLines[bi]!
  const length = aLines[ai + 1]! - aStart
  if (bLines[bi + 1]! - bStart !== length) return false
  for (let k = 0; k < length; k++) if (a[aStart + k] !== b[bStart + k]) return false
  return true
}

/** The target a delta stream rebuilds from `base`; throws on a stream that does not fit the base. */
export function applyDelta(base: Uint8Array, delta: Uint8Array): Buffer {
  const newline = delta.indexOf(10)
  if (newline === -1) throw new Error('delta stream has no operation line')
  const ops = JSON.parse(Buffer.from(delta.buffer, delta.byteOffset, newline).toString('utf8')) as Op[]
  const parts: Uint8Array[] = []
  let at = newline + 1
  for (const op of ops) {
    if (typeof op === 'number') {
      if (at + op > delta.length) throw new Error('delta stream ends inside an insert')
      parts.push(delta.subarray(at, at + op))
      at += op
    } else {
      const [offset, length] = op
      if (offset + length > base.length) throw new Error(`delta copies bytes ${offset}..${offset + length} of a ${base.length}-byte base`)
      parts.push(base.subarray(offset, offset + length))
    }
  }
  if (at !== delta.length) throw new Error('delta stream has bytes no operation uses')
  return Buffer.concat(parts)
}
