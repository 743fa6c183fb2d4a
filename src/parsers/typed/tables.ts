/**
 * The typed tables and their columns, shared by the parsers (what they fill)
 * and the stores (what they insert). Every typed table also has the columns
 * `id`, `root`, `session_id`, `document_id`, `line`, `extra` and `raw`.
 *
 * Migration 2 creates these tables from this list. Changing a column later
 * needs a new migration step, not an edit here alone.
 */

/** Storage type of a typed column. */
export type ColumnType = 'text' | 'integer' | 'real' | 'json'

export const TYPED_TABLES = {
  session_phases: {
    phase: 'text',
    status: 'text',
    status_raw: 'text',
    start_time: 'text',
    end_time: 'text',
    duration_ms: 'integer',
    agent: 'text',
    notes: 'text',
  },
  session_iterations: { gate_name: 'text', current_iteration: 'integer', max_iterations: 'integer' },
  deal_blocking_warnings: { warning: 'text', severity: 'text', status: 'text' },
  expected_sections: {
    section_id: 'text',
    section_name: 'text',
    primary_report: 'text',
    secondary_reports: 'text',
    coverage: 'text',
    coverage_status: 'text',
  },
  extracted_facts: {
    category: 'text',
    fact: 'text',
    value: 'text',
    value_number: 'real',
    value_low: 'real',
    value_high: 'real',
    value_date: 'text',
    value_date_precision: 'text',
    source_report: 'text',
    section: 'text',
    confidence: 'text',
  },
  execution_inventory: {
    specialist_id: 'text',
    report_file: 'text',
    word_count: 'integer',
    word_count_raw: 'text',
    complete: 'text',
    domains: 'text',
    gaps: 'text',
  },
  quantified_exposures: {
    category: 'text',
    exposure_id: 'text',
    finding: 'text',
    gross_exposure_raw: 'text',
    gross_low: 'real',
    gross_high: 'real',
    probability_raw: 'text',
    probability_low: 'real',
    probability_high: 'real',
    weighted_raw: 'text',
    weighted_low: 'real',
    weighted_high: 'real',
    method: 'text',
    source_report: 'text',
    timeline: 'text',
  },
  research_plans: {
    query_text: 'text',
    complexity: 'text',
    transaction_value: 'real',
    transaction_value_raw: 'text',
    transaction_type: 'text',
    output_targets: 'json',
    created: 'text',
  },
  legal_domains: { ordinal: 'text', domain: 'text', scope: 'text', priority: 'text' },
  critical_issues: {
    ordinal: 'text',
    issue: 'text',
    domain: 'text',
    why_critical: 'text',
    expected_exposure_raw: 'text',
    exposure_low: 'real',
    exposure_high: 'real',
  },
  specialist_assignments: {
    task_id: 'text',
    specialist_type: 'text',
    task_description: 'text',
    execution_mode: 'text',
    priority: 'text',
    status: 'text',
    status_raw: 'text',
  },
  refinement_log: { entry_time: 'text', entry: 'text', reason: 'text' },
  fact_registry: {
    fact_category: 'text',
    fact_id: 'text',
    fact_name: 'text',
    canonical_value: 'text',
    value_number: 'real',
    value_low: 'real',
    value_high: 'real',
    value_date: 'text',
    value_date_precision: 'text',
    source_reports: 'text',
    source_location: 'text',
    confidence: 'text',
    notes: 'text',
  },
  fact_conflicts: {
    conflict_id: 'text',
    fact_name: 'text',
    conflicting_values: 'text',
    sources: 'text',
    resolution: 'text',
    canonical_value: 'text',
    severity: 'text',
    status: 'text',
  },
  coverage_gaps: {
    gap_id: 'text',
    description: 'text',
    domain: 'text',
    severity: 'text',
    status: 'text',
    recommendation: 'text',
  },
  synthesis_state: {
    current_phase: 'text',
    status: 'text',
    last_completed_step: 'text',
    sections_completed: 'json',
    sections_pending: 'json',
    last_updated: 'text',
    next_action: 'text',
    critical_context: 'text',
    blocking_issue: 'text',
    document: 'json',
  },
  agent_states: {
    agent: 'text',
    version: 'text',
    status: 'text',
    current_phase: 'text',
    started_at: 'text',
    last_updated: 'text',
    compaction_summary: 'text',
    recovery_instructions: 'text',
    phases: 'json',
    document: 'json',
  },
  risk_summary: {
    total_gross_exposure: 'real',
    total_weighted_exposure: 'real',
    risk_count: 'integer',
    highest_severity: 'text',
    recommendation: 'text',
    document: 'json',
  },
  risk_items: {
    risk_id: 'text',
    title: 'text',
    category: 'text',
    severity: 'text',
    probability: 'real',
    gross_exposure: 'real',
    weighted_exposure: 'real',
    source: 'text',
  },
} as const satisfies Record<string, Record<string, ColumnType>>

/** Name of a typed table. */
export type TypedTableName = keyof typeof TYPED_TABLES

/** Every typed table name, in a stable order. */
export const TYPED_TABLE_NAMES = Object.keys(TYPED_TABLES) as TypedTableName[]

/** Columns of the `sessions` table that typed parsers fill (through `SessionFacts`). */
export const SESSION_COLUMNS = {
  matter_name: 'text',
  deal_value: 'real',
  deal_value_low: 'real',
  deal_value_high: 'real',
  deal_value_raw: 'text',
  closing_date: 'text',
  closing_date_precision: 'text',
  closing_date_raw: 'text',
  acquirer: 'text',
  target: 'text',
  transaction_type: 'text',
  complexity: 'text',
} as const satisfies Record<string, ColumnType>

/** The session columns in catalogue order. */
export const SESSION_COLUMN_NAMES: readonly string[] = Object.keys(SESSION_COLUMNS)
