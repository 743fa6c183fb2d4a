/**
 * The registry of kinds and its engine: what derives from the specs, and how
 * declared shapes read a document.
 */
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { readKind } from '../src/kinds/engine.js'
import { KINDS, KNOWN_SECTIONS, kindOf, kindTables, STATE_DOCUMENT_TYPES } from '../src/kinds/registry.js'
import type { KindSpec } from '../src/kinds/types.js'
import { documentType } from '../src/parsers/document-type.js'
import { parseDocument } from '../src/parsers/document.js'
import { TYPED_TABLE_NAMES } from '../src/parsers/typed/tables.js'

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))

function markdownOf(text: string) {
  const parsed = parseDocument('s/x.md', new TextEncoder().encode(text))
  if (parsed.markdown === null) throw new Error('not markdown')
  return parsed.markdown
}

describe('registry of kinds', () => {
  it('gives every kind a unique name, a fixture folder that exists, and tables no other kind declares', () => {
    const names = KINDS.map((kind) => kind.kind)
    expect(new Set(names).size).toBe(names.length)
    const owners = new Map<string, string>()
    for (const kind of KINDS) {
      expect(fs.existsSync(`${FIXTURES}${kind.fixture.dir}`), `fixtures/${kind.fixture.dir}`).toBe(true)
      for (const table of Object.keys(kind.tables)) {
        expect(owners.get(table), `${table} declared twice`).toBeUndefined()
        owners.set(table, kind.kind)
      }
    }
    expect([...owners.keys()].sort()).toEqual([...TYPED_TABLE_NAMES].sort())
    expect(Object.keys(kindTables())).toEqual(TYPED_TABLE_NAMES)
  })

  it('derives routing, state types and known sections from the specs', () => {
    expect(documentType('s/review-outputs/fact-registry.md')).toBe('fact_registry')
    expect(documentType('s/coverage-gap-analysis-report.md')).toBe('coverage_gaps')
    expect(kindOf('state_file', 'json', 'synthesis_state.cycle2.json', 's/synthesis_state.cycle2.json')?.kind).toBe('synthesis_state')
    expect(kindOf('state_file', 'json', 'fact-validator-state.json', 's/fact-validator-state.json')?.kind).toBe('agent_state')
    expect(kindOf('state_file', 'markdown', 'qa-state.md', 's/qa-state.md')).toBeNull()
    for (const kind of KINDS.filter((k) => k.state)) expect(STATE_DOCUMENT_TYPES).toContain(kind.documentType)
    expect(STATE_DOCUMENT_TYPES).not.toContain('specialist_report')
    expect(KNOWN_SECTIONS.research_plan).toContain('specialist assignments')
  })

  it('routes JSON Lines to the agent kinds, which read lines and split the agent tables between them', () => {
    const audit = kindOf(documentType('sessions/3f6d2c1a/session-audit.log'), 'jsonl', 'session-audit.log', 'sessions/3f6d2c1a/session-audit.log')
    const transcript = kindOf(documentType('p/5b2e8f14.jsonl'), 'jsonl', '5b2e8f14.jsonl', 'p/5b2e8f14.jsonl')
    expect(audit?.kind).toBe('agent_audit_log')
    expect(transcript?.kind).toBe('agent_transcript')
    expect(audit?.lines).toBeDefined()
    expect(transcript?.lines).toBeDefined()
    expect(Object.keys(audit!.tables).sort()).toEqual(['agent_events', 'agent_session_links', 'agent_sessions'])
    expect(Object.keys(transcript!.tables)).toEqual(['agent_messages'])
    // A JSON Lines kind is no markdown or JSON kind.
    expect(kindOf('audit_log', 'json', 'session-audit.log', 'session-audit.log')).toBeNull()
  })
})

describe('engine', () => {
  const spec: KindSpec = {
    kind: 'probe',
    documentType: 'other',
    format: 'markdown',
    state: false,
    sections: [],
    tables: {},
    fixture: { dir: 'document', path: 's/*' },
    shapes: [
      {
        shape: 'table',
        table: 'legal_domains',
        sections: { aliases: ['legal domains'] },
        columns: {
          ordinal: { labels: ['#'] },
          domain: { labels: ['domain', 'area'] },
          scope: { labels: ['scope'] },
          priority: { labels: ['priority'], read: 'severity' },
        },
        requires: [['domain']],
        needs: ['domain'],
      },
      {
        shape: 'heading',
        table: 'coverage_gaps',
        sections: { aliases: ['gaps'] },
        heading: { pattern: /^Gap\s+(\S+?):\s*(.*)$/i, id: 'gap_id', title: 'description' },
        columns: { severity: { labels: ['severity'], read: 'severity' }, status: { labels: ['status'], read: 'status' }, domain: { labels: ['domain'] } },
      },
    ],
  }

  it('reads a table shape by label synonyms and readers, keeps unmapped cells in extra, and skips rows without a name', () => {
    const markdown = markdownOf(
      ['# Plan', '## 2. LEGAL DOMAINS', '', '| # | Area | Priority | Owner |', '|---|---|---|---|', '| 1 | Antitrust | 🔴 HIGH | Ann |', '| 2 | — | low | Bo |', '', '## Other', '| Domain |', '|---|', '| Tax |', ''].join('\n'),
    )
    const records = readKind(spec, { name: 'x.md', relPath: 's/x.md', markdown, json: null })
    expect(records.kind).toBe('probe')
    expect(records.rows.legal_domains).toHaveLength(1)
    const row = records.rows.legal_domains![0]!
    expect(row.line).toBe(6)
    expect(row.values).toMatchObject({ ordinal: '1', domain: 'Antitrust', priority: 'high', scope: null })
    expect(row.extra).toEqual({ Owner: 'Ann' })
    expect(records.typedTables).toEqual([0])
  })

  it('reads a heading per record with its field lines, and none under a heading that says there are none', () => {
    const markdown = markdownOf(
      ['# Report', '## Gaps', '### Gap G-2: Missing tax analysis', '**Severity:** Medium', '**Status:** ✅ Resolved', '**Owner:** tax team', '', '### Gaps: None identified', ''].join('\n'),
    )
    const records = readKind(spec, { name: 'x.md', relPath: 's/x.md', markdown, json: null })
    expect(records.rows.coverage_gaps).toHaveLength(1)
    const row = records.rows.coverage_gaps![0]!
    expect(row.line).toBe(3)
    expect(row.values).toMatchObject({ gap_id: 'G-2', description: 'Missing tax analysis', severity: 'medium', status: 'complete' })
    expect(row.extra).toEqual({ Owner: 'tax team' })
  })
})
