/**
 * Split a JSON Lines file into its objects, from a byte offset on, so a file
 * that only grew is read from where the last read stopped. Pure; reads only
 * the bytes from `startOffset` (and the one byte before it, to know whether
 * the last read stopped inside a line), so a read costs what was appended.
 *
 * - A complete line ends in `\n`; blanks before it (a `\r`, spaces) are no part of its text.
 * - A last line without its newline is read only when it parses as a JSON
 *   object: a writer may be half-way through it, and a number or a literal
 *   could still grow. Otherwise it is left for the next read, without a word.
 * - When the last read took such a line, the next read first skips the rest
 *   of that line: whitespace (the `\r\n` still to come) is expected; any other
 *   text is a warning, since the line was already read as whole.
 * - Blank lines count as lines and give nothing.
 * - A line that is not UTF-8, holds a NUL, is no JSON or no JSON object is a
 *   warning at its line; the lines around it still count.
 */
import { locateJsonError } from '../json-error.js'
import type { Diagnostic } from '../types.js'

/** One JSON object line. */
export interface JsonLine {
  /** 1-based line number in the file. */
  line: number
  value: Record<string, unknown>
  /** The line's text, without its line break and the blanks before it. */
  text: string
}

/** What a read from an offset gives. */
export interface JsonLinesChunk {
  lines: JsonLine[]
  diagnostics: Diagnostic[]
  /** Byte offset the next read starts from. */
  offset: number
  /** Lines counted by this read (blank and malformed ones included). */
  count: number
}

const NEWLINE = 0x0a
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Thrown when the offset lies past the end of the bytes: the file shrank, and only a whole read is right. */
export class AppendOffsetError extends RangeError {
  override readonly name = 'AppendOffsetError'
  readonly code = 'APPEND_OFFSET_PAST_END'
}

/**
 * The JSON object lines of `bytes` from byte `startOffset` on; the first line
 * read is numbered `startLine` (1-based).
 */
export function readJsonLines(bytes: Uint8Array, startOffset: number, startLine: number): JsonLinesChunk {
  if (!Number.isInteger(startOffset) || startOffset < 0 || startOffset > bytes.length) {
    throw new AppendOffsetError(
      `a JSON Lines read cannot start at byte ${startOffset} of a ${bytes.length}-byte file: the file shrank or was replaced; read it whole`,
    )
  }
  const lines: JsonLine[] = []
  const diagnostics: Diagnostic[] = []
  let position = startOffset
  let count = 0

  // The last read stopped after a line that had no newline yet: skip what is left of it.
  if (position > 0 && bytes[position - 1] !== NEWLINE) {
    const end = bytes.indexOf(NEWLINE, position)
    const stop = end === -1 ? bytes.length : end
    if (!isBlank(bytes, position, stop)) {
      diagnostics.push(warning(startLine - 1, 'text after the JSON object of the line, which was read as whole when the file ended there; ignored'))
    }
    if (end === -1) return { lines, diagnostics, offset: bytes.length, count }
    position = end + 1
  }

  while (position < bytes.length) {
    const end = bytes.indexOf(NEWLINE, position)
    const lineNumber = startLine + count
    if (end === -1) {
      // A line still being written: read it only when it is already a whole object.
      const read = readLine(bytes, position, bytes.length, lineNumber)
      if (read !== null && 'value' in read) {
        lines.push(read)
        count++
        position = bytes.length
      }
      break
    }
    const read = readLine(bytes, position, end, lineNumber)
    if (read !== null) {
      if ('value' in read) lines.push(read)
      else diagnostics.push(read)
    }
    count++
    position = end + 1
  }
  return { lines, diagnostics, offset: position, count }
}

/** The object of the line `bytes[start, end)`, a warning, or null for a blank line. */
function readLine(bytes: Uint8Array, start: number, end: number, line: number): JsonLine | Diagnostic | null {
  // Trailing blanks (a CR included) are no part of the line's text: a read that met the line
  // before they were written took the same text.
  let stop = end
  while (stop > start && isBlankByte(bytes[stop - 1]!)) stop--
  if (stop === start) return null
  const slice = bytes.subarray(start, stop)
  const nul = slice.indexOf(0)
  if (nul !== -1) return warning(line, `binary content: NUL byte at column ${nul + 1}; the line is not read`)
  let text: string
  try {
    text = utf8.decode(slice)
  } catch {
    return warning(line, 'invalid UTF-8; the line is not read')
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    const located = locateJsonError(text)
    return warning(line, `invalid JSON${located ? ` at column ${located.offset + 1}: ${located.reason}` : ''}; the line is not read`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return warning(line, `a JSON ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}, not an object; the line is not read`)
  }
  return { line, value: value as Record<string, unknown>, text }
}

function isBlank(bytes: Uint8Array, start: number, stop: number): boolean {
  for (let i = start; i < stop; i++) if (!isBlankByte(bytes[i]!)) return false
  return true
}

function isBlankByte(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d
}

function warning(line: number, reason: string): Diagnostic {
  return { line, column: null, reason, severity: 'warning' }
}
