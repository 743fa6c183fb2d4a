/**
 * Aggregate parse results into the `statebridge check` report: per file kind,
 * files parsed or failed, tables typed or left generic, rows mapped, the
 * values that did not normalise, and what was dropped or recovered (see
 * dropped.ts). Pure.
 */
import { KNOWN_SECTIONS } from '../kinds/registry.js'
import { labelMatches } from '../parsers/typed/labels.js'
import type { ParsedDocument } from '../parsers/types.js'
import { addDropped, emptyDropped, formatDropped, type DroppedReport } from './dropped.js'

/** Per document type; what its files held that no record took is in {@link DroppedReport}. */
export interface KindReport extends DroppedReport {
  files: number
  failed: number
  typedFiles: number
  tables: number
  typedTables: number
  /** Tables under a known section heading that no typed parser took. */
  genericKnown: Array<{ path: string; line: number; headingPath: string[] }>
  rowsMapped: Record<string, number>
  misses: Array<{ path: string; table: string; column: string; raw: string; line: number | null }>
  errors: Array<{ path: string; error: string }>
}

/** The whole report. */
export interface CheckReport {
  root: string
  files: number
  failed: number
  kinds: Record<string, KindReport>
}

/** An empty report for `root`. */
export function emptyReport(root: string): CheckReport {
  return { root, files: 0, failed: 0, kinds: {} }
}

function kindOf(report: CheckReport, type: string): KindReport {
  report.kinds[type] ??= { files: 0, failed: 0, typedFiles: 0, tables: 0, typedTables: 0, genericKnown: [], rowsMapped: {}, misses: [], errors: [], ...emptyDropped() }
  return report.kinds[type]!
}

/** Count one file that could not be read or parsed. */
export function addFailure(report: CheckReport, type: string, path: string, error: string): void {
  const kind = kindOf(report, type)
  report.files++
  report.failed++
  kind.files++
  kind.failed++
  kind.errors.push({ path, error })
}

/** Count one parsed file. */
export function addParsed(report: CheckReport, type: string, path: string, parsed: ParsedDocument): void {
  const kind = kindOf(report, type)
  report.files++
  kind.files++
  const tables = parsed.markdown?.tables ?? []
  const typed = parsed.typed
  const typedOrdinals = new Set(typed?.typedTables ?? [])
  kind.tables += tables.length
  kind.typedTables += typedOrdinals.size
  if (typed) {
    kind.typedFiles++
    for (const [table, rows] of Object.entries(typed.rows)) kind.rowsMapped[table] = (kind.rowsMapped[table] ?? 0) + (rows?.length ?? 0)
    for (const miss of typed.misses) kind.misses.push({ path, ...miss })
  }
  // Only state files are held to their kind's section list; reports quote such headings freely.
  const known = typed ? KNOWN_SECTIONS[typed.kind] : undefined
  addDropped(kind, path, parsed, known)
  if (!typed || !known) return
  for (const table of tables) {
    if (typedOrdinals.has(table.ordinal)) continue
    if (table.headingPath.some((heading) => labelMatches(heading, known))) {
      kind.genericKnown.push({ path, line: table.line, headingPath: table.headingPath })
    }
  }
}

/** The report as aligned text. */
export function formatCheckReport(report: CheckReport, detail = 10): string {
  const lines = [`${report.root}: ${report.files} files, ${report.failed} failed`, '']
  lines.push('kind                  files  failed  typed  tables  typed-tables  generic-known  misses  recovered  not-table  in-code  empty-sections')
  const kinds = Object.entries(report.kinds).sort(([a], [b]) => a.localeCompare(b))
  for (const [name, k] of kinds) {
    lines.push(
      `${name.padEnd(20)} ${pad(k.files, 6)} ${pad(k.failed, 7)} ${pad(k.typedFiles, 6)} ${pad(k.tables, 7)} ${pad(k.typedTables, 13)} ${pad(k.genericKnown.length, 14)} ${pad(k.misses.length, 7)} ${pad(k.recoveredTables.length, 10)} ${pad(k.pipeRuns.length, 10)} ${pad(k.pipeRunsInCode.length, 8)} ${pad(k.emptySections.length, 15)}`,
    )
  }
  for (const [name, k] of kinds) {
    const details: string[] = []
    for (const g of k.genericKnown.slice(0, detail)) details.push(`  generic: ${g.path}:${g.line} ${g.headingPath.join(' > ')}`)
    if (k.genericKnown.length > detail) details.push(`  … ${k.genericKnown.length - detail} more generic tables`)
    for (const m of k.misses.slice(0, detail)) details.push(`  not normalised: ${m.path}:${m.line ?? '-'} ${m.table}.${m.column} = ${JSON.stringify(m.raw)}`)
    if (k.misses.length > detail) details.push(`  … ${k.misses.length - detail} more values not normalised`)
    for (const e of k.errors.slice(0, detail)) details.push(`  failed: ${e.path}: ${e.error}`)
    details.push(...formatDropped(k, detail))
    // Every kind with details gets a title line, so no detail reads as the previous kind's.
    const mapped = Object.entries(k.rowsMapped)
    if (mapped.length > 0) lines.push('', `${name}: rows mapped: ${mapped.map(([t, n]) => `${t} ${n}`).join(', ')}`)
    else if (details.length > 0) lines.push('', `${name}:`)
    lines.push(...details)
  }
  return `${lines.join('\n')}\n`
}

function pad(n: number, width: number): string {
  return String(n).padStart(width)
}
