/**
 * Route a file to its kind (src/kinds/registry.ts) and read its typed records.
 */
import { readKinds } from '../../kinds/engine.js'
import { alsoKindsOf, kindOf } from '../../kinds/registry.js'
import type { DocumentType } from '../document-type.js'
import type { ParsedDocument } from '../types.js'
import type { TypedRecords } from './types.js'

export type { TypedRecords } from './types.js'

/** Typed records of a parsed file, or `null` when no kind takes it. */
export function parseTyped(type: DocumentType, relPath: string, parsed: ParsedDocument): TypedRecords | null {
  const name = relPath.slice(relPath.lastIndexOf('/') + 1).toLowerCase()
  if (parsed.markdown) {
    const kind = kindOf(type, 'markdown', name, relPath)
    return kind === null ? null : readKinds(kind, alsoKindsOf(kind, name, relPath), { name, relPath, markdown: parsed.markdown, json: null })
  }
  if (parsed.format !== 'json' || parsed.json === null || typeof parsed.json !== 'object') return null
  const kind = kindOf(type, 'json', name, relPath)
  return kind === null ? null : readKinds(kind, alsoKindsOf(kind, name, relPath), { name, relPath, markdown: null, json: parsed.json })
}
