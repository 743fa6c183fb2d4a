/**
 * Renderer input from a parse: what a file's own typed records say, as the
 * renderer takes it. Used to check a render (parse what was written, compare
 * with what it was written from) and by the tests.
 */
import { parseFile } from '../parsers/parse-file.js'
import type { TypedTableName } from '../parsers/typed/tables.js'
import type { TypedRecords } from '../parsers/typed/types.js'
import type { RenderInput, RenderKind, RenderRow } from './types.js'

/** The typed tables each kind writes, in the order its parser fills them. */
export const KIND_TABLES: Readonly<Record<RenderKind, readonly TypedTableName[]>> = {
  'orchestrator-state': [
    'session_phases',
    'session_iterations',
    'deal_blocking_warnings',
    'expected_sections',
    'extracted_facts',
    'execution_inventory',
    'quantified_exposures',
  ],
  'research-plan': ['research_plans', 'legal_domains', 'critical_issues', 'specialist_assignments', 'refinement_log'],
}

/** The renderer input a typed parse amounts to (copies; `line` left out). */
export function renderInputFromTyped(typed: TypedRecords): RenderInput {
  const rows: RenderInput['rows'] = {}
  for (const [table, list] of Object.entries(typed.rows) as Array<[TypedTableName, TypedRecords['rows'][TypedTableName]]>) {
    rows[table] = (list ?? []).map(
      (row): RenderRow => ({
        values: { ...row.values },
        extra: row.extra === null ? null : { ...row.extra },
        raw: row.raw === null || typeof row.raw === 'string' ? row.raw : { ...row.raw },
      }),
    )
  }
  const session = typed.session === null ? null : { values: { ...typed.session.values }, metadata: { ...typed.session.metadata } }
  return { session, rows }
}

/**
 * Parse `text` as the `kind` file of a session and return what it says, or
 * null when the parse failed (an error diagnostic) or gave no typed records.
 */
export function parseRenderInput(kind: RenderKind, text: string): RenderInput | null {
  const parsed = parseFile(`session/${kind}.md`, new TextEncoder().encode(text))
  if (parsed.typed === undefined || parsed.diagnostics.some((d) => d.severity === 'error')) return null
  return renderInputFromTyped(parsed.typed)
}
