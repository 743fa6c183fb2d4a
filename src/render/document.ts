/**
 * One entry for both kinds: render a document, and check what a rendered
 * text would do to the rows if the daemon read it back.
 */
import { compareRenderInputs } from './compare.js'
import { renderOrchestratorState } from './orchestrator-state.js'
import { renderResearchPlan } from './research-plan.js'
import { KIND_TABLES, parseRenderInput } from './typed-input.js'
import type { RenderInput, RenderKind } from './types.js'

/** The file a kind is written to, relative to its session directory. */
export const KIND_FILES: Readonly<Record<RenderKind, string>> = {
  'orchestrator-state': 'orchestrator-state.md',
  'research-plan': 'research-plan.md',
}

/**
 * Session columns a research plan writes from its research_plans row rather
 * than from the session: compared through that row.
 */
export const PLAN_OWN_SESSION_COLUMNS: readonly string[] = [
  'deal_value',
  'deal_value_low',
  'deal_value_high',
  'deal_value_raw',
  'transaction_type',
  'complexity',
]

/** The `kind` document of `input`'s rows. Pure. */
export function renderDocument(kind: RenderKind, input: RenderInput): string {
  return kind === 'orchestrator-state' ? renderOrchestratorState(input) : renderResearchPlan(input)
}

/** What to check. */
export interface CheckOptions {
  /** Session columns not to compare (default none). */
  skipSessionColumns?: readonly string[]
}

/**
 * What reading `text` back as a `kind` file would change: one sentence per
 * typed value, `extra` or deal fact that would differ from `input`, empty when
 * none would. Lines and `raw` source are not compared (see compare.ts).
 */
export function checkRender(kind: RenderKind, input: RenderInput, text: string, options: CheckOptions = {}): string[] {
  const back = parseRenderInput(kind, text)
  if (back === null) return [`the rendered ${KIND_FILES[kind]} does not parse as one`]
  return compareRenderInputs(input, back, { tables: KIND_TABLES[kind], skipSessionColumns: options.skipSessionColumns ?? [] })
}
