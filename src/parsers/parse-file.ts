/**
 * The whole parse of one file: generic records (tables, fields, JSON) plus the
 * typed records of its kind. Pure; runs inside a parse worker.
 */
import { parseDocument } from './document.js'
import { documentType } from './document-type.js'
import { parseTyped } from './typed/index.js'
import type { ParsedDocument } from './types.js'

/** Parse `content` as the file at `relPath` (root- or session-relative) says it is. */
export function parseFile(relPath: string, content: Uint8Array): ParsedDocument {
  const parsed = parseDocument(relPath, content)
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return parsed
  const typed = parseTyped(documentType(relPath), relPath, parsed)
  return typed ? { ...parsed, typed } : parsed
}
