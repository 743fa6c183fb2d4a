/**
 * The research plan (`research-plan.md`): the query, legal domains, critical issues, specialist assignments and refinement log.
 */
import { parseResearchPlan } from '../parsers/typed/research-plan.js'
import type { KindSpec } from './types.js'

/** The typed tables this kind owns. A function, so the catalogue can be read while modules are still loading. */
export function researchPlanTables() {
  return {
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
  } as const
}

export const researchPlan: KindSpec = {
  kind: 'research_plan',
  documentType: 'research_plan',
  fileNames: [/^research-plan\.md$/],
  format: 'markdown',
  state: true,
  sections: ['legal domains identified', 'legal domains', 'critical issues checklist', 'critical issues', 'specialist assignments', 'refinement log', 'output targets'],
  tables: researchPlanTables(),
  parse: (input) => parseResearchPlan(input.markdown!),
  fixture: { dir: 'research-plan', path: 's/research-plan.md' },
}
