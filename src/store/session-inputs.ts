/**
 * Which files can change what a session row derives (`deriveSession`), so
 * the stores refresh a session only after a change to one of them. On a sync
 * of PostgreSQL the refresh (two statements, a dozen subqueries) is a large
 * part of each file's cost, and a third of a tree's files (section reports,
 * executive summaries, scripts, backups, untyped QA and remediation notes)
 * feed none of its inputs.
 *
 * The refresh reads, per session: session facts, synthesis states, open
 * phases, specialist assignments, the execution inventory, agent states,
 * remediation tasks and outputs (all typed records, which only a file a kind
 * takes can have); state files in error; final memoranda; certificates (by
 * path); the `created_at` claims of JSON state files and risk summaries; and
 * specialist reports with their Field/Value tables. Every one of these is
 * decided by the file's path alone (its document type, its format and the
 * kind that takes it), never by its content, so a path that answers `false`
 * here has never fed its session and never will.
 */
import { kindOf, STATE_DOCUMENT_TYPES } from '../kinds/registry.js'
import { documentFormat, documentType, type DocumentType } from '../parsers/document-type.js'

/**
 * The status reason of a session row no refresh has derived yet (`ensureSession`):
 * the first file applied to a session refreshes it, whatever the file.
 */
export const NOT_DERIVED_REASON = 'no file applied yet'

/** Marks in a lower-cased path that may make a file a certificate; the SQL pre-filters on them with LIKE. */
export const CERTIFICATE_PATH_MARKS = ['certific', 'final-qa', 'delivery-decision'] as const

/** Document types the refresh reads besides the state types, by type. */
const READ_TYPES: ReadonlySet<DocumentType> = new Set<DocumentType>(['final_memorandum', 'specialist_report', 'state_file', 'risk_summary', ...STATE_DOCUMENT_TYPES])

/** Whether a change to the file at `relPath` (root-relative, as parsed) can change its session's derived row. */
export function shapesSession(relPath: string): boolean {
  const type = documentType(relPath)
  if (READ_TYPES.has(type)) return true
  const lower = relPath.toLowerCase()
  if (CERTIFICATE_PATH_MARKS.some((mark) => lower.includes(mark))) return true
  const format = documentFormat(relPath)
  if (format === 'other') return false
  const name = lower.slice(lower.lastIndexOf('/') + 1)
  return kindOf(type, format, name, relPath) !== null
}

/** The SQL condition on a lower-cased path column that pre-selects certificates, for both dialects. */
export function certificatePathSql(column: string): string {
  return `(${CERTIFICATE_PATH_MARKS.map((mark) => `${column} LIKE '%${mark}%'`).join(' OR ')})`
}
