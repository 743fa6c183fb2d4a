/**
 * What a remediation agent wrote for its task (`remediation-outputs/W2-001-escrow.md`):
 * one `remediation_outputs` row saying whether the file reports its task complete,
 * the evidence a plan task's derived status rests on (src/store/remediation-evidence.ts).
 */
import { emptyTyped, pushRows } from '../parsers/typed/types.js'
import { newRow } from '../parsers/typed/research-typed-rows.js'
import type { KindSpec } from './types.js'

/** The typed tables this kind owns. A function, so the catalogue can be read while modules are still loading. */
export function remediationOutputsTables() {
  return {
    remediation_outputs: {
      output_name: 'text',
      reports_complete: 'integer',
      statement: 'text',
      completed_at: 'text',
    },
  } as const
}

/** A statement of completion: `REMEDIATION COMPLETE: W2-001`, `STATUS: SUCCESS`, `Status: ✅ COMPLETE`. */
const DONE = /\b(?:complete|completed|success|successful|done|finished)\b/i
/** Words that take the completion back: `DELIVERABLES COMPLETE - Awaiting Manual Execution`, `Manual execution required`. */
const NOT_DONE = /\b(?:not|incomplete|pending|awaiting|partial(?:ly)?|required|blocked|fail(?:ed|ure)?|in progress)\b/i
/** A heading that states a status: the title `REMEDIATION COMPLETE: ...`, or `STATUS: ...`, `Task Completion Status: ...`. */
const STATUS_HEADING = /^(?:remediation\s+(?:complete|incomplete|failed|blocked)\b|(?:task\s+)?(?:completion\s+)?status\s*:)/i
const COMPLETED_AT = new Set(['date completed', 'completed', 'completed at', 'completion date'])

export const remediationOutputs: KindSpec = {
  kind: 'remediation_output',
  documentType: 'remediation_output',
  // Task outputs are named after their task (`W2-002-escrow-provisions.md`); scripts' notes and indexes are not tasks.
  accepts: (name) => /^[a-z][a-z0-9]*-[a-z0-9]+/.test(name) && /\d/.test(name.split('-').slice(0, 2).join('-')),
  format: 'markdown',
  state: false,
  sections: [],
  tables: remediationOutputsTables(),
  parse: (input) => {
    const records = emptyTyped('remediation_output')
    const markdown = input.markdown!
    // The first statement decides: a status heading, or a `Status:` field, in document order.
    const statements = [
      ...markdown.headings.map((h) => ({ line: h.line, text: h.path[h.path.length - 1] ?? '' })).filter((h) => STATUS_HEADING.test(h.text)),
      ...markdown.fields.filter((f) => /^(?:task\s+)?status$/i.test(f.key) && f.value !== '').map((f) => ({ line: f.line, text: `${f.key}: ${f.value}` })),
    ].sort((a, b) => a.line - b.line)
    const first = statements[0]
    const complete = first === undefined ? null : DONE.test(first.text) && !NOT_DONE.test(first.text) ? 1 : 0
    const completedAt = markdown.fields.find((f) => COMPLETED_AT.has(f.key.toLowerCase()) && f.value !== '')?.value ?? null
    const values = { output_name: input.name.replace(/\.md$/, ''), reports_complete: complete, statement: first?.text ?? null, completed_at: completedAt }
    pushRows(records, 'remediation_outputs', [newRow('remediation_outputs', first?.line ?? 1, values, null, first?.text ?? null)])
    return records
  },
  fixture: { dir: 'remediation-output', path: 's/remediation-outputs/*' },
}
