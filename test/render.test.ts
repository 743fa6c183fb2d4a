/**
 * The render direction: typed rows → orchestrator-state.md / research-plan.md
 * → the same typed rows. The parser is the reference: every test parses what
 * was rendered and compares typed values, `extra` and deal facts (never lines).
 */
import { saysNothing } from '../src/parsers/typed/boilerplate.js'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { factKey, valueKey } from '../src/parsers/typed/fact-merge.js'
import { normalizeLabel } from '../src/parsers/typed/labels.js'
import { textValue } from '../src/parsers/typed/research-typed-rows.js'
import {
  KIND_TABLES,
  RenderError,
  checkRender,
  compareRenderInputs,
  parseRenderInput,
  renderDocument,
  renderSessionDocument,
  type RenderInput,
  type RenderKind,
  type RenderRow,
} from '../src/render/index.js'
import { openReader } from '../src/store/open-reader.js'
import type { StoreReader } from '../src/store/read-types.js'
import { runCli } from './helpers/cli.js'
import { cleanup, tempDir, writeTree } from './helpers/tree.js'

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))
const KINDS: RenderKind[] = ['orchestrator-state', 'research-plan']

function fixtureFiles(kind: RenderKind): string[] {
  return fs
    .readdirSync(path.join(FIXTURES, kind))
    .filter((file) => file.endsWith('.md'))
    .sort()
}

function parsed(kind: RenderKind, text: string): RenderInput {
  const input = parseRenderInput(kind, text)
  if (input === null) throw new Error(`no typed records from:\n${text}`)
  return input
}

/** Differences between what `input` says and what its rendering parses back to. */
function roundTrip(kind: RenderKind, input: RenderInput): { text: string; back: RenderInput; problems: string[] } {
  const text = renderDocument(kind, input)
  const back = parsed(kind, text)
  return { text, back, problems: compareRenderInputs(input, back, { tables: KIND_TABLES[kind] }) }
}

describe('render: every fixture round-trips', () => {
  for (const kind of KINDS) {
    for (const file of fixtureFiles(kind)) {
      it(`${kind}/${file}`, () => {
        const input = parsed(kind, fs.readFileSync(path.join(FIXTURES, kind, file), 'utf8'))
        const { text, back, problems } = roundTrip(kind, input)
        expect(problems).toEqual([])
        expect(checkRender(kind, input, text)).toEqual([])
        // Each row is written from its source, so the source comes back too:
        // a file rewritten from its own rows keeps the agent's wording. Not
        // for a record the file told twice: it is written once, from its values
        // with the other telling's cells as `also:` columns (see README).
        for (const table of KIND_TABLES[kind]) {
          if ((input.rows[table] ?? []).some((row) => Number(row.values.occurrences ?? 1) > 1)) continue
          expect((back.rows[table] ?? []).map((row) => row.raw), table).toEqual((input.rows[table] ?? []).map((row) => row.raw))
        }
        // Idempotent: rendering what the rendered file says gives the same file.
        expect(renderDocument(kind, back)).toBe(text)
      })
    }
  }

  it('the fixtures hold every table each kind writes, so every table is exercised', () => {
    for (const kind of KINDS) {
      const seen = new Set<string>()
      for (const file of fixtureFiles(kind)) {
        const input = parsed(kind, fs.readFileSync(path.join(FIXTURES, kind, file), 'utf8'))
        for (const [table, rows] of Object.entries(input.rows)) if ((rows ?? []).length > 0) seen.add(table)
      }
      expect([...seen].sort()).toEqual([...KIND_TABLES[kind]].sort())
    }
  })
})

/** Documents in shapes the fixtures do not show, each a way the renderer must keep meaning. */
const AWKWARD: Array<{ name: string; kind: RenderKind; text: string }> = [
  {
    name: 'a gate named by its heading, a short row, escaped pipes, repeated issue fields, split categories, a total line',
    kind: 'orchestrator-state',
    text: `# ORCHESTRATOR STATE — Project Tern

## Gate Iterations

### Research Review Gate
- **Iterations:** 2/3

### QA
- qa loop iterations: 1 (max 4)

## PHASE STATUS

| Phase | Status | Started | Duration | Notes |
|-------|--------|---------|----------|-------|
| P0 | ✅ DONE | 2026-01-02 | 1h 5m | uses a\\|b pipes and \`code\` |
| P1 | 🔄 |
| P2 | ⏳ PENDING | — | — | *italic* note |

## DEAL-BLOCKING ISSUES

### ⚠️ Issue #1: Consent
**Severity:** HIGH
**Finding:** first
**Finding:** second
**Status:** Open
**Status:** reopened

### Summary
**Status:** not an issue

## EXTRACTED_FACTS

| Category | Fact | Value |
|---|---|---|
| Financial | Revenue | $10M |

### Date Facts

| Fact | Value |
|---|---|
| Signing | 2026-02-01 |

## EXTRACTED_FACTS (cont.)

| Fact | Value |
|---|---|
| Loose | 42 |

## QUANTIFIED_EXPOSURES

### 1. Tax Exposures (T2)

|  | Finding | Gross | Weighted |
|---|---|---|---|
| T-1 | Transfer pricing | $2M-$4M | $1M |
| **TOTAL** | | $2M-$4M | $1M |`,
  },
  {
    name: 'a header with a unit label, numbered domain fields, a specialist section with repeated fields, dated log fields',
    kind: 'research-plan',
    text: [
      '# RESEARCH PLAN — PROJECT TERN\n**Query:** Review the acquisition of Tern Ltd by Gull plc\n**Created:** March 3, 2026\n**Transaction Value ($M):** 250',
      '## LEGAL DOMAINS IDENTIFIED',
      '1. **Tax**: transfer pricing\n2. **Employment**: TUPE',
      '## SPECIALIST ASSIGNMENTS',
      '### T1 (tax-analyst)',
      '- **Report:** tax.md\n- **Report:** tax-appendix.md\n- **Status:** ✅ COMPLETE\n- **Status:** re-run',
      '### Coordination Notes',
      '- **Note:** run T1 first',
      '## REFINEMENT LOG',
      '**2026-03-04T10:00:00Z:** Added T2\n**Iteration 2:** dropped T3',
    ].join('\n\n'),
  },
]

describe('render: awkward documents round-trip', () => {
  for (const { name, kind, text: source } of AWKWARD) {
    it(name, () => {
      const input = parsed(kind, `${source}\n`)
      const { text, back, problems } = roundTrip(kind, input)
      expect(problems).toEqual([])
      expect(renderDocument(kind, back)).toBe(text)
    })
  }

  it('keeps the numbers these documents are about', () => {
    const plan = parsed('research-plan', `${AWKWARD[1]!.text}\n`)
    const back = parsed('research-plan', renderDocument('research-plan', plan))
    expect(back.rows.research_plans?.[0]?.values.transaction_value).toBe(250_000_000)
    expect(back.rows.specialist_assignments?.[0]?.extra).toEqual({ Report: 'tax.md\ntax-appendix.md', Status: 're-run' })
    const state = parsed('orchestrator-state', `${AWKWARD[0]!.text}\n`)
    const again = parsed('orchestrator-state', renderDocument('orchestrator-state', state))
    expect(again.rows.session_iterations?.map((row) => row.values.gate_name)).toEqual(['Research Review Gate', 'qa loop'])
    // A column with an empty header stays one (kept under its stand-in name), and the total line stays out.
    expect(again.rows.quantified_exposures?.map((row) => row.extra)).toEqual([{ column_1: 'T-1' }])
    expect(renderDocument('orchestrator-state', state)).toContain('|  | Finding | Gross | Weighted |')
  })
})

describe('render: rows without source are written from their values', () => {
  const stripRaw = (input: RenderInput): RenderInput => ({
    session: input.session,
    rows: Object.fromEntries(Object.entries(input.rows).map(([table, rows]) => [table, (rows ?? []).map((row) => ({ ...row, raw: null }))])),
  })
  for (const kind of KINDS) {
    for (const file of fixtureFiles(kind)) {
      it(`${kind}/${file} without raw`, () => {
        const input = stripRaw(parsed(kind, fs.readFileSync(path.join(FIXTURES, kind, file), 'utf8')))
        const { text, back, problems } = roundTrip(kind, input)
        expect(problems).toEqual([])
        // The second render writes from the source the first one wrote: the same text.
        expect(renderDocument(kind, back)).toBe(text)
      })
    }
  }

  it('writes a bare deal value under the unit its amount was read with', () => {
    const input = parsed('orchestrator-state', '# ORCHESTRATOR STATE\n\n## DEAL_METADATA\n\n| Field | Value |\n|---|---|\n| Deal Value ($M) | 640 |\n')
    expect(input.session?.values.deal_value).toBe(640_000_000)
    const { text, problems } = roundTrip('orchestrator-state', input)
    expect(problems).toEqual([])
    expect(text).toContain('| Deal Value ($M) | 640 |')
  })

  it('reports what cannot come back instead of hiding it', () => {
    // A fact whose first cell reads as a total line is left to the generic table by the parser.
    const input: RenderInput = {
      session: null,
      rows: { extracted_facts: [{ values: { fact: 'Total debt', value: '$40M' } }] },
    }
    const text = renderDocument('orchestrator-state', input)
    expect(checkRender('orchestrator-state', input, text)).toEqual(['extracted_facts: 1 rows expected, 0 read back'])
  })
})

// ---- property: random rows → render → parse → the same values ----

// Fragments agents put in cells: markup, table pipes, escapes, entities, emoji, links, HTML.
const FRAGMENTS = [
  'Alpha', 'beta', 'Gamma-7', 'IV.B', 'a|b', '|', '**bold**', '*', '_x_', 'snake_case', '`code`', '[link](http://x.y)', '[^1]',
  '<br>', '&amp;', '&#124;', '\\', '\\|', '🚀', '✅', '⚠️', '#1', '#', '50%', '$3M', '~x~', '~~gone~~', '(aside)', ':', 'é', '中文',
  '"q"', "'s", 'www.example.com', 'http://a.b/c_d', '> q', '- item', '1.', '---', '[ ]', '!', '\t',
]
const WORDS = ['Alpha', 'Beta', 'Gamma', 'Delta', 'Lessor', 'Consent', 'Permit', 'Review', 'Water', 'Rights']

/**
 * A cell's text as the parser gives it: trimmed, single-spaced, no placeholder,
 * no total line, nothing that says there is nothing (`--- ---`: such rows are boilerplate, not records).
 */
const cellText = fc
  .tuple(fc.boolean(), fc.array(fc.constantFrom(...FRAGMENTS, ...WORDS), { minLength: 1, maxLength: 5 }))
  .map(([lead, parts]) => `${lead ? 'Item ' : ''}${parts.join(' ')}`.replace(/\s+/g, ' ').trim())
  .filter((text) => textValue(text) === text && !saysNothing(text) && !/^(?:grand |sub|net )?totals?\b/.test(normalizeLabel(text)))
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arb, { nil: null, freq: 3 })
const plainWords = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 4 }).map((words) => words.join(' '))
const instant = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString())
const money = fc.constantFrom('$3M', '$1.5M-$2M', '$900K-$2.1M', '€40M', 'about 18 million', '$0.4B', 'TBD-ish', 'Deal-blocking')
const percent = fc.constantFrom('40%', '25-35%', '70 percent', 'Captured in L1')
const statusText = fc.constantFrom('✅ COMPLETE', '🔄 IN PROGRESS', '⏳ PENDING', '⏳', 'Not started', 'blocked', 'FAILED', 'done')
const severity = fc.constantFrom('critical', 'high', 'medium', 'low')
const rows = <T>(arb: fc.Arbitrary<T>, max = 4): fc.Arbitrary<T[]> => fc.array(arb, { minLength: 0, maxLength: max })
const row = (values: Record<string, unknown>, extra: Record<string, string> | null = null): RenderRow => ({ values: values as RenderRow['values'], extra })
const extraCells = maybe(fc.dictionary(fc.constantFrom('Notes', 'Owner', 'Remarks?', 'Exec Summary'), cellText, { minKeys: 1, maxKeys: 2 }))

const session = maybe(
  fc.record({
    values: fc.record({
      // Not prose with money or parties: the parser fills a missing deal value or party from the matter's
      // prose, so `$3M` as the name of a deal without a value would come back with one (no parse makes that).
      matter_name: maybe(plainWords),
      deal_value_raw: maybe(money),
      closing_date_raw: maybe(fc.constantFrom('2026-09-30', 'Q3 2026', 'March 31, 2027 (after sign-off)', 'H2 2026')),
      acquirer: maybe(cellText),
      target: maybe(cellText),
      transaction_type: maybe(cellText),
      complexity: maybe(fc.constantFrom('complex', 'moderate', 'Very complex multi-jurisdiction deal')),
    }),
    metadata: fc.dictionary(cellText.map((label) => `Meta ${label}`), cellText, { maxKeys: 4 }),
  }),
)

function toldOnce(facts: RenderRow[]): boolean {
  const keys = facts.map((f) => `${factKey(String(f.values.fact))}\u0000${valueKey(String(f.values.value))}`)
  return new Set(keys).size === keys.length
}

const orchestratorInput: fc.Arbitrary<RenderInput> = fc.record({
  session,
  rows: fc.record({
    session_phases: rows(
      fc.record({ phase: cellText, status_raw: maybe(statusText), start_time: maybe(instant), end_time: maybe(instant), duration_ms: maybe(fc.nat({ max: 90_000_000 })), agent: maybe(cellText), notes: maybe(cellText) }).map((v) => row(v)),
    ),
    session_iterations: rows(
      fc.record({ gate_name: fc.constantFrom('research-review-gate', 'section-review-gate', 'qa gate', 'Remediation loop'), current_iteration: fc.nat({ max: 9 }), max_iterations: maybe(fc.nat({ max: 9 })) }).map((v) => row(v)),
    ),
    deal_blocking_warnings: rows(fc.tuple(fc.record({ warning: cellText, severity: maybe(severity), status: maybe(cellText) }), extraCells).map(([v, extra]) => row(v, extra))),
    expected_sections: rows(
      fc.record({ section_id: cellText, section_name: maybe(cellText), primary_report: maybe(cellText), secondary_reports: maybe(cellText), coverage: maybe(fc.constantFrom('✅ Full', '⚠️ Partial', '❌ Missing')) }).map((v) => row(v)),
    ),
    // A fact told twice with one value is one row by design (mergeRestated): each is told once here.
    extracted_facts: rows(
      fc.tuple(fc.record({ category: maybe(cellText), fact: cellText, value: fc.oneof(cellText, money, percent), source_report: maybe(cellText), section: maybe(cellText) }), extraCells).map(([v, extra]) => row(v, extra)),
    ).filter(toldOnce),
    execution_inventory: rows(
      fc.record({ specialist_id: cellText, report_file: maybe(cellText), word_count_raw: maybe(fc.constantFrom('~14,200', '9800', 'about 2k')), complete: maybe(fc.constantFrom('complete', 'YES', 'partial')), domains: maybe(cellText), gaps: maybe(cellText) }).map((v) => row(v)),
    ),
    quantified_exposures: rows(
      fc.tuple(fc.record({ category: maybe(cellText), exposure_id: maybe(cellText), finding: cellText, gross_exposure_raw: maybe(money), probability_raw: maybe(percent), weighted_raw: maybe(money), method: maybe(cellText), source_report: maybe(cellText), timeline: maybe(cellText) }), extraCells).map(([v, extra]) => row(v, extra)),
    ),
  }),
})

const planInput: fc.Arbitrary<RenderInput> = fc.record({
  session,
  rows: fc.record({
    research_plans: rows(
      fc.record({
        // Header values are read with inline markup stripped and cannot be escaped: plain words only (see research-plan.ts).
        query_text: maybe(plainWords),
        created: maybe(instant),
        complexity: maybe(fc.constantFrom('COMPLEX (9 legal domains)', 'Moderate', 'Simple')),
        transaction_value_raw: maybe(money),
        transaction_type: maybe(cellText),
        output_targets: maybe(fc.array(fc.record({ Deliverable: cellText, Target: cellText }), { minLength: 1, maxLength: 3 })),
      })
        // The parser makes the row only when the plan states something.
        .filter((v) => Object.values(v).some((value) => value !== null))
        .map((v) => row(v)),
      1,
    ),
    legal_domains: rows(fc.record({ ordinal: maybe(fc.constantFrom('1', '2', 'A')), domain: cellText, scope: maybe(cellText), priority: maybe(severity) }).map((v) => row(v))),
    critical_issues: rows(
      fc.record({ ordinal: maybe(fc.constantFrom('1', '2')), issue: cellText, domain: maybe(cellText), why_critical: maybe(cellText), expected_exposure_raw: maybe(money) }).map((v) => row(v)),
    ),
    specialist_assignments: rows(
      fc.tuple(fc.record({ task_id: maybe(fc.constantFrom('T1', 'T2', 'T3a', '4')), specialist_type: cellText, task_description: maybe(cellText), execution_mode: maybe(cellText), priority: maybe(severity), status_raw: maybe(statusText) }), extraCells).map(([v, extra]) => row(v, extra)),
    ),
    refinement_log: rows(fc.record({ entry_time: maybe(instant), entry: cellText, reason: maybe(cellText) }).map((v) => row(v))),
  }),
})

/** Columns whose text the parser keeps as written: what a render must carry through unchanged. */
const KEPT: Record<string, readonly string[]> = {
  session_phases: ['phase', 'status_raw', 'start_time', 'end_time', 'duration_ms', 'agent', 'notes'],
  session_iterations: ['gate_name', 'current_iteration', 'max_iterations'],
  deal_blocking_warnings: ['warning', 'severity', 'status'],
  expected_sections: ['section_id', 'section_name', 'primary_report', 'secondary_reports', 'coverage'],
  extracted_facts: ['category', 'fact', 'value', 'source_report', 'section'],
  execution_inventory: ['specialist_id', 'report_file', 'word_count_raw', 'domains', 'gaps'],
  quantified_exposures: ['category', 'exposure_id', 'finding', 'gross_exposure_raw', 'probability_raw', 'weighted_raw', 'method', 'source_report', 'timeline'],
  research_plans: ['query_text', 'created', 'complexity', 'transaction_value_raw', 'transaction_type', 'output_targets'],
  legal_domains: ['ordinal', 'domain', 'scope', 'priority'],
  critical_issues: ['ordinal', 'issue', 'domain', 'why_critical', 'expected_exposure_raw'],
  specialist_assignments: ['task_id', 'specialist_type', 'task_description', 'execution_mode', 'priority', 'status_raw'],
  refinement_log: ['entry_time', 'entry', 'reason'],
}

function kept(input: RenderInput, kind: RenderKind): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const table of KIND_TABLES[kind]) {
    out[table] = (input.rows[table] ?? []).map((r) => ({
      values: Object.fromEntries(KEPT[table]!.map((column) => [column, r.values[column] ?? null])),
      extra: r.extra ?? null,
    }))
  }
  out.metadata = Object.fromEntries(Object.entries(input.session?.metadata ?? {}).filter(([label]) => label.startsWith('Meta ')))
  return out
}

describe('render: random rows round-trip (property)', () => {
  for (const [kind, input] of [['orchestrator-state', orchestratorInput], ['research-plan', planInput]] as const) {
    it(`${kind}: text is carried through, the rows read back are a fixed point, and render is idempotent`, () => {
      fc.assert(
        fc.property(input, (x) => {
          const first = renderDocument(kind, x)
          const r1 = parsed(kind, first)
          // What was written is what is read: pipes, asterisks, emoji, entities, escapes, empty cells.
          expect(kept(r1, kind)).toEqual(kept(x, kind))
          // Rows as the store holds them come back unchanged, values and deal facts.
          const { text, back: r2, problems } = roundTrip(kind, r1)
          expect(problems).toEqual([])
          expect(renderDocument(kind, r2)).toBe(text)
        }),
        { numRuns: Number(process.env.RENDER_RUNS ?? 60) },
      )
    })
  }
})

// ---- through a real SQLite store ----

describe('render: from a SQLite store', () => {
  let dir: string
  let db: string
  let reader: StoreReader
  const sessions: Array<{ id: string; kind: RenderKind; file: string }> = []

  function sync(root: string): void {
    const result = runCli(['sync', root, '--json', '--db', `sqlite:${db}`, '--log-level', 'silent'])
    expect(result.code, result.stderr).toBe(0)
  }

  beforeAll(() => {
    dir = tempDir('statebridge-render-')
    db = path.join(dir, 'render.db')
    const files: Record<string, string> = {}
    for (const kind of KINDS) {
      for (const file of fixtureFiles(kind)) {
        // One session per fixture, holding only that file: the session row is then that file's own deal facts.
        const id = `2026-01-01-${kind}-${file.replace(/\.md$/, '')}`
        sessions.push({ id, kind, file })
        files[`${id}/${kind}.md`] = fs.readFileSync(path.join(FIXTURES, kind, file), 'utf8')
      }
    }
    writeTree(path.join(dir, 'reports'), files)
    sync(path.join(dir, 'reports'))
  })
  afterAll(async () => {
    await reader?.close()
    cleanup(dir)
  })

  it('renders each stored document back to the rows it was parsed into', async () => {
    reader = await openReader({ dialect: 'sqlite', file: db })
    for (const { id, kind, file } of sessions) {
      const rendered = await renderSessionDocument(reader, kind, id)
      expect(rendered, id).not.toBeNull()
      expect(rendered!.path).toBe(`${id}/${kind}.md`)
      expect(rendered!.problems, id).toEqual([])
      const original = parsed(kind, fs.readFileSync(path.join(FIXTURES, kind, file), 'utf8'))
      expect(compareRenderInputs(original, parsed(kind, rendered!.text), { tables: KIND_TABLES[kind] }), `${kind}/${file}`).toEqual([])
      // What the store gives back is what the file gives: rendering from either is the same text.
      expect(rendered!.text).toBe(renderDocument(kind, original))
    }
    expect(await renderSessionDocument(reader, 'orchestrator-state', 'no-such-session')).toBeNull()
  })

  it('reads its own write without a change: rendered files synced again render the same', async () => {
    const root = path.join(dir, 'reports')
    const before = new Map<string, string>()
    for (const { id, kind } of sessions) {
      const rendered = await renderSessionDocument(reader, kind, id)
      before.set(id, rendered!.text)
      fs.writeFileSync(path.join(root, rendered!.path), rendered!.text)
    }
    sync(root)
    for (const { id, kind } of sessions) {
      const again = await renderSessionDocument(reader, kind, id)
      expect(again!.problems, id).toEqual([])
      expect(again!.text, id).toBe(before.get(id))
    }
  })

  it('asks for a root when two roots hold the session', async () => {
    const other = path.join(dir, 'other')
    const { id, kind, file } = sessions[0]!
    writeTree(other, { [`${id}/${kind}.md`]: fs.readFileSync(path.join(FIXTURES, kind, file), 'utf8') })
    sync(other)
    await expect(renderSessionDocument(reader, kind, id)).rejects.toThrow(RenderError)
    await expect(renderSessionDocument(reader, kind, id)).rejects.toMatchObject({ code: 'SB_RENDER_AMBIGUOUS' })
    const rendered = await renderSessionDocument(reader, kind, id, fs.realpathSync(other))
    expect(rendered?.root).toBe(fs.realpathSync(other))
    expect(rendered?.problems).toEqual([])
  })
})
