/**
 * The research plan (`research-plan.md`): the query, legal domains, critical issues, specialist assignments and refinement log.
 */
import { readResearchPlan } from '../parsers/typed/research-plan.js'
import type { SectionSpec } from '../parsers/typed/research-typed-rows.js'
import type { KindSpec } from './types.js'

/** Where a plan lists its legal domains (a coverage or verification table of domains is not the list). */
export const DOMAIN_SECTION: SectionSpec = {
  aliases: ['legal domains identified', 'legal domains', 'domains identified', 'practice areas', 'legal areas'],
  exclude: ['coverage', 'verification'],
}

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
  shapes: [
    {
      shape: 'table',
      table: 'legal_domains',
      sections: DOMAIN_SECTION,
      columns: {
        ordinal: { labels: ['#', 'no', 'number', 'id', 'rank'] },
        domain: { labels: ['domain', 'legal domain', 'practice area', 'area', 'domain name', 'legal area'] },
        scope: { labels: ['scope for this query', 'scope', 'description', 'focus', 'key issues', 'details', 'notes'] },
        priority: { labels: ['priority', 'importance', 'criticality', 'risk level', 'severity', 'tier'], read: 'severity' },
      },
      requires: [['domain']],
      needs: ['domain'],
    },
  ],
  // The query, critical issues, assignments and the refinement log are too irregular for shapes.
  parse: (input, records) => readResearchPlan(input.markdown!, records),
  fixture: { dir: 'research-plan', path: 's/research-plan.md' },
}
