/**
 * The orchestrator's state (`orchestrator-state.md`): deal facts, phase progress, gate counters, deal-blocking warnings and the hand-off tables of the validation agents.
 */
import { parseOrchestratorState } from '../parsers/typed/orchestrator-state.js'
import type { KindSpec } from './types.js'

/** The typed tables this kind owns. A function, so the catalogue can be read while modules are still loading. */
export function orchestratorStateTables() {
  return {
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
      /** How many times the file states this fact with this value (1 when once). */
      occurrences: 'integer',
      /** The fact's name as a key (see fact-merge.ts `factKey`); `canonical_facts` groups by it. */
      fact_key: 'text',
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
  } as const
}

export const orchestratorState: KindSpec = {
  kind: 'orchestrator_state',
  documentType: 'orchestrator_state',
  fileNames: [/^orchestrator-state\.md$/],
  format: 'markdown',
  state: true,
  sections: ['deal metadata', 'session metrics', 'phase status', 'expected sections', 'extracted facts', 'execution inventory', 'quantified exposures'],
  tables: orchestratorStateTables(),
  parse: (input) => parseOrchestratorState(input.markdown!),
  fixture: { dir: 'orchestrator-state', path: 's/orchestrator-state.md' },
}
