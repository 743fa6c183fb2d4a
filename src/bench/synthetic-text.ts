/**
 * Synthetic content shaped like the session corpus (headings, GFM tables,
 * bold text, footnotes, JSON state, logs, scripts), built from an invented
 * vocabulary. Pure: a generator and a size in, text out.
 */
import type { Rng } from './prng.js'

const WORDS = [
  'analysis', 'exposure', 'counterparty', 'schedule', 'threshold', 'obligation', 'estimate', 'baseline',
  'review', 'finding', 'measure', 'provision', 'allocation', 'escrow', 'covenant', 'disclosure',
  'facility', 'permit', 'filing', 'assessment', 'reserve', 'liability', 'indemnity', 'milestone',
  'the', 'of', 'and', 'to', 'in', 'for', 'with', 'under', 'against', 'within', 'across', 'per',
  'a', 'an', 'is', 'was', 'remains', 'requires', 'supports', 'limits', 'exceeds', 'reflects',
  'material', 'pending', 'annual', 'quarterly', 'regional', 'contingent', 'deferred', 'projected',
  'model', 'source', 'ledger', 'tranche', 'variance', 'scenario', 'audit', 'register', 'claim',
  'vendor', 'operator', 'segment', 'portfolio', 'agency', 'region', 'program', 'contract',
] as const

const TOPICS = [
  'supply-chain', 'data-privacy', 'tax-structure', 'pension-liability', 'export-controls',
  'antitrust-clearance', 'real-estate', 'insurance-coverage', 'labor-relations', 'debt-covenants',
  'environmental-permits', 'intellectual-property', 'customer-contracts', 'cyber-incidents',
  'product-warranty', 'regulatory-capital', 'grid-interconnect', 'water-allocation', 'franchise-terms',
  'securities-disclosure',
] as const

const AGENTS = ['orchestrator', 'planner', 'specialist', 'synthesiser', 'reviewer', 'qa-checker', 'remediator'] as const
const STATUSES = ['COMPLETE', 'IN_PROGRESS', 'PENDING', 'BLOCKED', 'VERIFIED', 'NEEDS_REVIEW'] as const
const LEVELS = ['HIGH', 'MEDIUM', 'LOW'] as const

/** The topic slugs sessions draw their report names from. */
export const TOPIC_SLUGS: readonly string[] = TOPICS

/** How much of each block kind a markdown document carries (relative weights). */
export interface MarkdownMix {
  prose: number
  fieldTable: number
  dataTable: number
  list: number
}

/** What one synthetic markdown document looks like. */
export interface MarkdownSpec {
  title: string
  /** Approximate size in bytes (the document stops at the first block past it). */
  targetBytes: number
  mix: MarkdownMix
  /** Chance that a sentence carries a footnote reference. */
  footnoteRate: number
  /** ISO time the revision history starts at. */
  startedAt: Date
}

/** Columns of the revision history every markdown document ends with; edits append rows to it. */
export const REVISION_COLUMNS = ['Rev', 'Timestamp', 'Agent', 'Change'] as const

/** A markdown document: title, sections of prose and tables, footnote definitions, a trailing revision table. */
export function markdownDocument(rng: Rng, spec: MarkdownSpec): string {
  const out: string[] = [`# ${spec.title}\n\n`, fieldTable(rng, 6), '\n---\n\n']
  let size = out.reduce((n, s) => n + s.length, 0)
  const footnotes: string[] = []
  const total = spec.mix.prose + spec.mix.fieldTable + spec.mix.dataTable + spec.mix.list
  let section = 0
  let afterHeading = false
  while (size < spec.targetBytes) {
    let block: string
    const roll = rng.next() * total
    if (section === 0 || (!afterHeading && rng.chance(0.1))) {
      section++
      block = `## ${section}. ${titleCase(phrase(rng, 2, 5))}\n`
    } else if (!afterHeading && rng.chance(0.1)) {
      block = `### ${titleCase(phrase(rng, 2, 6))}\n`
    } else if (roll < spec.mix.prose) {
      block = paragraph(rng, spec.footnoteRate, footnotes)
    } else if (roll < spec.mix.prose + spec.mix.fieldTable) {
      block = fieldTable(rng, rng.int(4, 12))
    } else if (roll < spec.mix.prose + spec.mix.fieldTable + spec.mix.dataTable) {
      block = dataTable(rng, rng.int(3, 6), rng.int(5, 40))
    } else {
      block = bulletList(rng)
    }
    afterHeading = block.startsWith('#')
    out.push(block, '\n')
    size += block.length + 1
  }
  if (footnotes.length > 0) out.push('---\n\n', footnotes.join(''), '\n')
  out.push(revisionTable(rng, spec.startedAt, rng.int(2, 5)))
  return out.join('')
}

/** One revision-history row (the edit the watch bench makes). */
export function revisionRow(rev: number, at: Date, agent: string, change: string): string {
  return `| ${rev} | ${at.toISOString()} | ${agent} | ${change} |\n`
}

/** A phrase of `min`–`max` vocabulary words. */
export function phrase(rng: Rng, min: number, max: number): string {
  const n = rng.int(min, max)
  const words: string[] = []
  for (let i = 0; i < n; i++) words.push(rng.pick(WORDS))
  return words.join(' ')
}

/** A JSON state file of roughly `targetBytes`: phases, agents, checkpoints. */
export function stateJson(rng: Rng, sessionId: string, targetBytes: number, startedAt: Date): string {
  const checkpoints: unknown[] = []
  const doc = {
    version: '1.0',
    session_directory: `reports/${sessionId}/`,
    started_at: startedAt.toISOString(),
    current_phase: `PHASE_${rng.int(1, 6)}_${rng.pick(STATUSES)}`,
    agents: AGENTS.map((agent) => ({ agent, status: rng.pick(STATUSES), invocations: rng.int(1, 40) })),
    blocking_issue: rng.chance(0.3) ? { type: 'FILE_SIZE_LIMIT', note: sentence(rng, 0, []) } : null,
    checkpoints,
  }
  let size = JSON.stringify(doc, null, 2).length
  for (let i = 0; size < targetBytes; i++) {
    const checkpoint = {
      step: i + 1,
      at: new Date(startedAt.getTime() + i * 97_000).toISOString(),
      agent: rng.pick(AGENTS),
      status: rng.pick(STATUSES),
      output: `${rng.pick(TOPICS)}-report.md`,
      words: rng.int(800, 24_000),
      note: sentence(rng, 0, []),
    }
    checkpoints.push(checkpoint)
    size += JSON.stringify(checkpoint, null, 2).length + 6
  }
  return `${JSON.stringify(doc, null, 2)}\n`
}

/** A risk-summary JSON file of roughly `targetBytes`. */
export function riskJson(rng: Rng, targetBytes: number): string {
  const risks: unknown[] = []
  let size = 0
  for (let i = 0; size < targetBytes; i++) {
    const risk = {
      id: `R-${String(i + 1).padStart(3, '0')}`,
      category: rng.pick(TOPICS),
      severity: rng.pick(LEVELS),
      probability: Math.round(rng.next() * 100) / 100,
      exposure_usd: { low: rng.int(1, 50) * 100_000, high: rng.int(51, 400) * 100_000 },
      mitigation: sentence(rng, 0, []),
      sources: [`specialist-reports/${rng.pick(TOPICS)}-report.md`],
    }
    risks.push(risk)
    size += JSON.stringify(risk, null, 2).length + 6
  }
  return `${JSON.stringify({ generated_at: '2026-01-01T00:00:00Z', risk_count: risks.length, risks }, null, 2)}\n`
}

/** An append-only agent log of roughly `targetBytes`. */
export function auditLog(rng: Rng, targetBytes: number, startedAt: Date): string {
  const lines: string[] = []
  let size = 0
  for (let i = 0; size < targetBytes; i++) {
    const at = new Date(startedAt.getTime() + i * 4_300).toISOString()
    const line = `${at} [${rng.pick(AGENTS)}] ${rng.pick(STATUSES).toLowerCase()} ${phrase(rng, 4, 14)}\n`
    lines.push(line)
    size += line.length
  }
  return lines.join('')
}

/** A helper script (shell or Python) of roughly `targetBytes`. */
export function script(rng: Rng, kind: 'sh' | 'py', targetBytes: number): string {
  const lines: string[] = kind === 'sh' ? ['#!/usr/bin/env bash', 'set -euo pipefail', ''] : ['#!/usr/bin/env python3', 'import json', 'import pathlib', '']
  let size = 0
  for (let i = 0; size < targetBytes; i++) {
    const name = `${rng.pick(TOPICS)}-report.md`
    const line =
      kind === 'sh'
        ? `test -f "section-reports/${name}" && cat "section-reports/${name}" >> final-memorandum.md  # step ${i + 1}`
        : `SECTIONS.append(pathlib.Path("section-reports/${name}"))  # ${phrase(rng, 2, 6)}`
    lines.push(line)
    size += line.length + 1
  }
  return `${lines.join('\n')}\n`
}

function paragraph(rng: Rng, footnoteRate: number, footnotes: string[]): string {
  const sentences: string[] = []
  const n = rng.int(2, 7)
  for (let i = 0; i < n; i++) sentences.push(sentence(rng, footnoteRate, footnotes))
  return `${sentences.join(' ')}\n`
}

function sentence(rng: Rng, footnoteRate: number, footnotes: string[]): string {
  let text = phrase(rng, 8, 26)
  if (rng.chance(0.35)) {
    const words = text.split(' ')
    const at = rng.int(0, words.length - 1)
    words[at] = `**${words[at]!}**`
    text = words.join(' ')
  }
  if (rng.chance(0.2)) text += ` of $${rng.int(1, 900)}.${rng.int(0, 9)}M`
  let out = `${text.charAt(0).toUpperCase()}${text.slice(1)}.`
  if (rng.chance(footnoteRate)) {
    const n = footnotes.length + 1
    footnotes.push(`[^${n}]: ${titleCase(phrase(rng, 3, 8))}, ${rng.pick(TOPICS)} register, item ${rng.int(1, 400)}.\n`)
    out += `[^${n}]`
  }
  return out
}

function fieldTable(rng: Rng, rows: number): string {
  const out = ['| Field | Value |\n', '|-------|-------|\n']
  for (let i = 0; i < rows; i++) {
    const value = rng.chance(0.3) ? `**${rng.pick(STATUSES)}**` : rng.chance(0.7) ? phrase(rng, 3, 16) : String(rng.int(1, 99_999))
    out.push(`| ${titleCase(phrase(rng, 1, 3))} | ${value} |\n`)
  }
  return out.join('')
}

function dataTable(rng: Rng, columns: number, rows: number): string {
  const headers = ['ID', ...Array.from({ length: columns - 1 }, () => titleCase(phrase(rng, 1, 2)))]
  const out = [`| ${headers.join(' | ')} |\n`, `|${headers.map(() => '---').join('|')}|\n`]
  for (let r = 0; r < rows; r++) {
    const cells = [`F-${r + 1}`]
    for (let c = 1; c < columns; c++) {
      const kind = rng.next()
      cells.push(kind < 0.2 ? rng.pick(LEVELS) : kind < 0.35 ? `$${rng.int(1, 999)}K` : kind < 0.45 ? `**${rng.pick(STATUSES)}**` : phrase(rng, 2, 12))
    }
    out.push(`| ${cells.join(' | ')} |\n`)
  }
  return out.join('')
}

function bulletList(rng: Rng): string {
  const out: string[] = []
  const n = rng.int(3, 9)
  for (let i = 0; i < n; i++) {
    const box = rng.chance(0.3) ? (rng.chance(0.5) ? '[x] ' : '[ ] ') : ''
    out.push(`- ${box}${rng.chance(0.3) ? `**${titleCase(phrase(rng, 1, 3))}:** ` : ''}${phrase(rng, 4, 16)}\n`)
  }
  return out.join('')
}

function revisionTable(rng: Rng, startedAt: Date, rows: number): string {
  const out = ['## Revision history\n\n', `| ${REVISION_COLUMNS.join(' | ')} |\n`, `|${REVISION_COLUMNS.map(() => '---').join('|')}|\n`]
  for (let i = 0; i < rows; i++) {
    out.push(revisionRow(i + 1, new Date(startedAt.getTime() + i * 600_000), rng.pick(AGENTS), phrase(rng, 3, 9)))
  }
  return out.join('')
}

function titleCase(text: string): string {
  return text.replace(/\b[a-z]/g, (c) => c.toUpperCase())
}
