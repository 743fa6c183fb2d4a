/**
 * A unified diff between two contents of a file, as `git diff` shows text:
 * contents that are not UTF-8 are reported as differing binaries instead.
 */
import { createTwoFilesPatch } from 'diff'
import { isUtf8 } from '../sync/paths.js'

/** One side of a diff: its label (`a/plan.md@12`) and bytes. */
export interface DiffSide {
  label: string
  content: Uint8Array
}

/** The unified diff from `a` to `b`; empty when the contents are equal. */
export function unifiedDiff(a: DiffSide, b: DiffSide, context = 3): string {
  if (Buffer.from(a.content).equals(Buffer.from(b.content))) return ''
  if (!isUtf8(a.content) || !isUtf8(b.content)) return `Binary files ${a.label} and ${b.label} differ\n`
  const decode = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8')
  return createTwoFilesPatch(a.label, b.label, decode(a.content), decode(b.content), undefined, undefined, { context })
}
