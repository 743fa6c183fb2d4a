/**
 * Parse one file's bytes into its generic records: decode, refuse binary,
 * then markdown tables or JSON. Pure: no file system, no database, no logger.
 */
import { documentFormat } from './document-type.js'
import { locateJsonError } from './json-error.js'
import { parseMarkdown, type MarkdownOptions } from './markdown.js'
import type { Diagnostic, ParsedDocument } from './types.js'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Parse the content of the file at `relPath` (used only to pick the format). */
export function parseDocument(relPath: string, content: Uint8Array, options: MarkdownOptions = {}): ParsedDocument {
  const format = documentFormat(relPath)
  // JSON Lines are decoded line by line (src/parsers/agent/json-lines.ts): a bad line is a warning, not the file's failure.
  if (format === 'other' || format === 'jsonl') return { format, markdown: null, json: null, diagnostics: [] }

  // TextDecoder drops a leading BOM, an encoding artefact rather than content.
  const text = decodeText(content)
  if (typeof text !== 'string') return { format, markdown: null, json: null, diagnostics: [text] }

  if (format === 'json') {
    const result = parseJson(text)
    return { format, markdown: null, json: result.value, diagnostics: result.diagnostics }
  }
  const { records, diagnostics } = parseMarkdown(text, options)
  return { format, markdown: records, json: null, diagnostics }
}

/** Decode strict UTF-8, or say where the bytes stop being text. */
export function decodeText(content: Uint8Array): string | Diagnostic {
  const nul = content.indexOf(0)
  if (nul !== -1) {
    return errorAt(content, nul, `binary content: NUL byte at offset ${nul}; only UTF-8 text is parsed`)
  }
  try {
    return utf8.decode(content)
  } catch {
    const offset = firstInvalidUtf8(content)
    return errorAt(content, offset, `invalid UTF-8 at byte offset ${offset}`)
  }
}

function errorAt(content: Uint8Array, offset: number, reason: string): Diagnostic {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset; i++) {
    if (content[i] === 0x0a) {
      line++
      lineStart = i + 1
    }
  }
  return { line, column: offset - lineStart + 1, reason, severity: 'error' }
}

// TextDecoder does not report where decoding failed; find it by scanning the sequences.
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]!
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0
    if (length === 0 || i + length > bytes.length) return i
    for (let k = 1; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i
    // Overlong forms, UTF-16 surrogates and code points above U+10FFFF are
    // rejected by the decoder too; they show in the second byte (RFC 3629).
    const second = bytes[i + 1]!
    if (
      (b === 0xe0 && second < 0xa0) ||
      (b === 0xed && second > 0x9f) ||
      (b === 0xf0 && second < 0x90) ||
      (b === 0xf4 && second > 0x8f)
    ) {
      return i
    }
    i += length
  }
  return bytes.length
}

/** Parse JSON, locating a syntax error by line and column. */
export function parseJson(text: string): { value: unknown; diagnostics: Diagnostic[] } {
  try {
    return { value: JSON.parse(text), diagnostics: [] }
  } catch (error) {
    if (text.trim() === '') {
      return { value: null, diagnostics: [{ line: 1, column: 1, reason: 'invalid JSON: the file is empty', severity: 'error' }] }
    }
    const located = locateJsonError(text)
    if (!located) throw error // JSON.parse and the locator disagree: a bug worth surfacing
    const before = text.slice(0, located.offset)
    const line = before.split('\n').length
    const column = located.offset - before.lastIndexOf('\n')
    return {
      value: null,
      diagnostics: [{ line, column, reason: `invalid JSON at line ${line} column ${column}: ${located.reason}`, severity: 'error' }],
    }
  }
}
