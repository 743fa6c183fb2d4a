/**
 * The agent SDK's JSON Lines files (hook audit logs, transcripts): the line
 * splitter's edge cases, report-session links, the pricing table, the usage
 * and cost of the transcript fixtures checked by hand, and the invariant that
 * reading a file in pieces from its checkpoints gives what one whole read gives.
 */
import fs from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AppendOffsetError, readJsonLines } from '../src/parsers/agent/json-lines.js'
import { costOf, priceOf, validatePricing } from '../src/parsers/agent/pricing.js'
import { readAgentLines, type AgentLinesKind } from '../src/parsers/agent/read-lines.js'
import { reportSessionOf, reportSessionsIn } from '../src/parsers/agent/report-links.js'
import type { AppendCheckpoint, LinesRead, PricingTable } from '../src/parsers/agent/types.js'
import { parseAppend, parseFile } from '../src/parsers/parse-file.js'
import type { TypedRow } from '../src/parsers/typed/types.js'

const bytesOf = (text: string) => new TextEncoder().encode(text)
const concatBytes = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

const shipped = validatePricing(JSON.parse(fs.readFileSync(new URL('../pricing/models.json', import.meta.url), 'utf8')))
if (typeof shipped === 'string') throw new Error(`pricing/models.json: ${shipped}`)
const PRICING: PricingTable = shipped

describe('readJsonLines', () => {
  it('reads complete lines, drops a CR before the newline, counts blank lines and gives nothing for them', () => {
    const read = readJsonLines(bytesOf('{"a":1}\r\n\n   \n{"b":2}\n'), 0, 1)
    expect(read.lines.map((l) => [l.line, l.value, l.text])).toEqual([
      [1, { a: 1 }, '{"a":1}'],
      [4, { b: 2 }, '{"b":2}'],
    ])
    expect(read.count).toBe(4)
    expect(read.offset).toBe(22)
    expect(read.diagnostics).toEqual([])
  })

  it('reads a last line without newline only when it is already a whole object', () => {
    const whole = readJsonLines(bytesOf('{"a":1}\n{"b":2}'), 0, 1)
    expect(whole.lines.map((l) => l.value)).toEqual([{ a: 1 }, { b: 2 }])
    expect([whole.offset, whole.count]).toEqual([15, 2])
    for (const tail of ['{"b":', '12', '"text"', '[1,2]', 'nul']) {
      const half = readJsonLines(bytesOf(`{"a":1}\n${tail}`), 0, 1)
      expect([half.lines.length, half.offset, half.count, half.diagnostics], tail).toEqual([1, 8, 1, []])
    }
  })

  it('makes a warning of each bad line, located, and still counts it', () => {
    const text = concatBytes(
      bytesOf('{"ok":1}\n{"cut":\n[1,2]\n"str"\n'),
      new Uint8Array([0x7b, 0x22, 0x78, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d, 0x0a]), // {"x":"\xff"}
      bytesOf('{"nul":"a\u0000b"}\n{"ok":2}\n'),
    )
    const read = readJsonLines(text, 0, 1)
    expect(read.lines.map((l) => [l.line, l.value])).toEqual([
      [1, { ok: 1 }],
      [7, { ok: 2 }],
    ])
    expect(read.count).toBe(7)
    expect(read.diagnostics.map((d) => [d.line, d.column, d.severity])).toEqual([
      [2, null, 'warning'],
      [3, null, 'warning'],
      [4, null, 'warning'],
      [5, null, 'warning'],
      [6, null, 'warning'],
    ])
    expect(read.diagnostics.map((d) => d.reason)).toEqual([
      'invalid JSON at column 8: expected a value, found end of input; the line is not read',
      'a JSON array, not an object; the line is not read',
      'a JSON string, not an object; the line is not read',
      'invalid UTF-8; the line is not read',
      'binary content: NUL byte at column 10; the line is not read',
    ])
  })

  it('counts offsets in bytes, and starts at the offset and line it is given without reading what lies before', () => {
    const first = '{"name":"Zoë ✓"}\n'
    const bytes = concatBytes(new Uint8Array([0xff, 0x00, 0x0a]), bytesOf(first), bytesOf('{"n":2}\n'))
    const read = readJsonLines(bytes, 3, 10)
    expect(read.lines.map((l) => [l.line, l.value])).toEqual([
      [10, { name: 'Zoë ✓' }],
      [11, { n: 2 }],
    ])
    expect(read.offset).toBe(bytes.length)
    expect(read.diagnostics).toEqual([])
  })

  it('skips the rest of a line read whole at the end of the file: whitespace silently, other text with a warning', () => {
    const grown = bytesOf('{"a":1}\r\n{"b":2}\n')
    const first = readJsonLines(grown.subarray(0, 7), 0, 1)
    expect([first.offset, first.count]).toEqual([7, 1])
    const rest = readJsonLines(grown, 7, 2)
    expect(rest.lines.map((l) => [l.line, l.value])).toEqual([[2, { b: 2 }]])
    expect(rest.diagnostics).toEqual([])
    // Only the CR has come so far: consumed, still inside line 1.
    const cr = readJsonLines(grown.subarray(0, 8), 7, 2)
    expect([cr.offset, cr.count, cr.lines.length]).toEqual([8, 0, 0])

    const garbled = readJsonLines(bytesOf('{"a":1} trailing\n{"b":2}\n'), 7, 2)
    expect(garbled.lines.map((l) => l.line)).toEqual([2])
    expect(garbled.diagnostics.map((d) => d.line)).toEqual([1])
  })

  it('refuses an offset past the end: the file shrank and must be read whole', () => {
    expect(() => readJsonLines(bytesOf('{}\n'), 9, 1)).toThrow(AppendOffsetError)
  })
})

describe('report sessions', () => {
  it.each([
    ['/Users/x/proj/reports/2026-01-21-1737490800/research-plan.md', '2026-01-21-1737490800'],
    ['/tmp/reports/2025-12-23-1734984000/section-280e-tax-analysis.md', '2025-12-23-1734984000'],
    ['reports/2031-04-02-1964505600/specialist-reports/tax-report.md', '2031-04-02-1964505600'],
    ['C:\\work\\reports\\2031-04-02-1964505600\\plan.md', '2031-04-02-1964505600'],
    ['/srv/reports/app/reports/2031-04-02-1964505600/x.md', '2031-04-02-1964505600'],
    ['/home/dev/acme/reports/2031-04-02-1964505600/', '2031-04-02-1964505600'],
    ['/home/dev/acme/reports/sessions/3f6d2c1a/session-audit.log', null],
    ['/home/dev/acme/reports/index.md', null],
    ['/home/dev/acme/reports/2031-04-02-1964505600', null],
    ['/home/dev/acme/myreports/2031-04-02-1964505600/x.md', null],
    ['/home/dev/acme/reports/../etc/passwd', null],
    ['', null],
  ])('%s → %s', (path, expected) => {
    expect(reportSessionOf(path)).toBe(expected)
  })

  it('finds the report sessions a text names, each once', () => {
    expect(reportSessionsIn('save to reports/2031-04-02-1964505600/plan.md, then reports/2031-04-02-1964505600/x and (reports/2031-04-03-1964592000/)')).toEqual([
      '2031-04-02-1964505600',
      '2031-04-03-1964592000',
    ])
    expect(reportSessionsIn('see reports/sessions/abc/ and myreports/2031/x and reports/ alone')).toEqual([])
  })
})

describe('pricing', () => {
  it('accepts the shipped table, with its source', () => {
    expect(PRICING.version).toBe('anthropic-2026-11-30')
    expect(PRICING.models['claude-sonnet-4-5']).toEqual({ input: 3, output: 15, cache_read: 0.3, cache_creation: 3.75 })
  })

  it.each([
    [null, 'a pricing table is a JSON object with "version" and "models"'],
    [{ models: {} }, '"version" must be a non-empty string'],
    [{ version: 'v', models: [] }, '"models" must be an object: model name → prices'],
    [{ version: 'v', models: {}, note: 1 }, 'unknown key "note" in the pricing table (allowed: version, models, source, $comment)'],
    [{ version: 'v', models: { m: { input: 1, output: 1, cache_read: 1 } } }, '"models.m.cache_creation" must be a non-negative number of US dollars per million tokens'],
    [{ version: 'v', models: { m: { input: -1, output: 1, cache_read: 1, cache_creation: 1 } } }, '"models.m.input" must be a non-negative number of US dollars per million tokens'],
    [{ version: 'v', models: { m: { input: 1, output: 1, cache_read: 1, cache_creation: 1, batch: 1 } } }, 'unknown key "batch" in "models.m" (allowed: input, output, cache_read, cache_creation)'],
  ])('refuses %j with one line', (json, reason) => {
    expect(validatePricing(json)).toBe(reason)
  })

  it('prices a model by its own name, else by the longest key its name extends with a dash', () => {
    expect(priceOf(PRICING, 'claude-opus-4-5')?.input).toBe(5)
    expect(priceOf(PRICING, 'claude-opus-4-5-20251101')?.input).toBe(5)
    expect(priceOf(PRICING, 'claude-opus-4-20250514')?.input).toBe(15)
    expect(priceOf(PRICING, 'claude-opus-4-1-20250805')?.input).toBe(15)
    expect(priceOf(PRICING, 'claude-haiku-4-5-20251001')?.output).toBe(5)
    expect(priceOf(PRICING, 'claude-3-5-haiku-20241022')?.input).toBe(0.8)
    expect(priceOf(PRICING, 'claude-sonnet-45')).toBeNull()
    expect(priceOf(PRICING, '<synthetic>')).toBeNull()
    expect(priceOf(PRICING, 'claude')).toBeNull()
  })

  it('costs tokens at per-million prices', () => {
    // 1,000,000 input at $3 + 2,000 output at $15 + 10,000 cache reads at $0.30 + 4,000 cache writes at $3.75
    // = 3 + 0.03 + 0.003 + 0.015 = $3.048
    expect(costOf({ input: 1_000_000, output: 2000, cache_read: 10_000, cache_creation: 4000 }, PRICING.models['claude-sonnet-4-5']!)).toBeCloseTo(3.048, 12)
  })
})

/** Per model, the tokens and cost of the first line of each usage key, as the store's view counts them. */
function dedupedByModel(rows: readonly TypedRow[]) {
  const seen = new Set<string>()
  const totals: Record<string, { input: number; output: number; cache_read: number; cache_creation: number; cost: number; lines: number }> = {}
  for (const { values } of rows) {
    if (values.input_tokens === null) continue
    const key = values.usage_key as string | null
    if (key !== null) {
      if (seen.has(key)) continue
      seen.add(key)
    }
    const total = (totals[values.model as string] ??= { input: 0, output: 0, cache_read: 0, cache_creation: 0, cost: 0, lines: 0 })
    total.input += values.input_tokens as number
    total.output += values.output_tokens as number
    total.cache_read += values.cache_read_tokens as number
    total.cache_creation += values.cache_creation_tokens as number
    total.cost += (values.cost_usd as number | null) ?? 0
    total.lines++
  }
  return totals
}

describe('transcript fixtures, checked by hand', () => {
  const read = (name: string) => parseFile(`projects/-home-dev-acme/${name}`, fs.readFileSync(new URL(`../fixtures/agent-transcript/${name}`, import.meta.url)), { pricing: PRICING })

  it('main session: streaming duplicates count once, a stated cost wins, <synthetic> has no price', () => {
    const parsed = read('main-session.jsonl')
    const messages = parsed.typed!.rows.agent_messages!
    // 15 lines, one malformed (line 14): 14 rows.
    expect(messages).toHaveLength(14)
    expect(parsed.diagnostics.map((d) => d.line)).toEqual([14])
    expect(messages.filter((r) => r.values.usage_key === 'msg_01HeronPlan:req_01HeronPlan').map((r) => r.line)).toEqual([4, 5, 6])
    const synthetic = messages.find((r) => r.values.model === '<synthetic>')!
    expect([synthetic.values.usage_key, synthetic.values.cost_usd, synthetic.values.cost_source]).toEqual([null, null, null])
    expect(messages.find((r) => r.values.message_id === 'msg_03HeronSum')!.values).toMatchObject({ cost_usd: 0.0421, cost_source: 'stated', pricing_version: null })

    const totals = dedupedByModel(messages)
    // Sonnet 4.5 ($3 in, $15 out, $0.30 cache read, $3.75 cache write per MTok), three messages:
    //   msg_01 (lines 4-6, counted once): 12 in, 480 out, 20,000 read, 3,000 written
    //     = (12×3 + 480×15 + 20,000×0.3 + 3,000×3.75) / 1e6 = (36 + 7,200 + 6,000 + 11,250) / 1e6 = $0.024486
    //   msg_03: 5 in, 200 out, 24,000 read, 0 written; its stated costUSD $0.0421 wins (the table would say $0.010215)
    //   msg_05: 3 in, 90 out, 1,000 read, 6,000 written = (9 + 1,350 + 300 + 22,500) / 1e6 = $0.024159
    //   tokens: 20 in, 770 out, 45,000 read, 9,000 written; cost 0.024486 + 0.0421 + 0.024159 = $0.090745
    expect(totals['claude-sonnet-4-5-20250929']).toMatchObject({ input: 20, output: 770, cache_read: 45_000, cache_creation: 9000, lines: 3 })
    expect(totals['claude-sonnet-4-5-20250929']!.cost).toBeCloseTo(0.090745, 12)
    // Haiku 4.5 ($1, $5, $0.10, $1.25): msg_02, 800 in, 150 out, 0 read, 1,200 written
    //   = (800 + 750 + 0 + 1,500) / 1e6 = $0.00305
    expect(totals['claude-haiku-4-5-20251001']).toMatchObject({ input: 800, output: 150, cache_read: 0, cache_creation: 1200, lines: 1 })
    expect(totals['claude-haiku-4-5-20251001']!.cost).toBeCloseTo(0.00305, 12)
    // The undeduplicated sum would count msg_01 three times: 36 input tokens for Sonnet, not 20.
    expect(messages.filter((r) => r.values.model === 'claude-sonnet-4-5-20250929').reduce((n, r) => n + (r.values.input_tokens as number), 0)).toBe(44)

    const summary = parsed.typed!.rows.agent_sessions![0]!.values
    expect(summary).toMatchObject({
      sdk_session_id: '5b2e8f14-9c3d-4a7e-b1f0-2d6c8a9e4f37',
      source: 'transcript',
      agent_id: null,
      lines: 15,
      compactions: 1,
      tool_calls: 3,
      tool_failures: 1,
      subagents: 1,
      reports_saved: 1,
      models: ['claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001'],
      // The meta line before it is no prompt.
      first_prompt_preview: 'Draft the research plan for Project Heron and save it as reports/2031-04-02-1964505600/research-plan.md',
      first_prompt_length: 103,
    })
  })

  it('sub-agent file: its own sidechain prompt, its agent id, its report links', () => {
    const parsed = read('agent-7c1e9a20.jsonl')
    const totals = dedupedByModel(parsed.typed!.rows.agent_messages!)
    // Haiku 4.5: msg_11 (lines 2-3, once) 400 in, 60 out, 2,000 read, 500 written = (400 + 300 + 200 + 625) / 1e6 = $0.001525
    //            msg_12 50 in, 120 out, 2,500 read = (50 + 600 + 250) / 1e6 = $0.0009
    //   tokens: 450 in, 180 out, 4,500 read, 500 written; cost $0.002425
    expect(totals['claude-haiku-4-5-20251001']).toMatchObject({ input: 450, output: 180, cache_read: 4500, cache_creation: 500, lines: 2 })
    expect(totals['claude-haiku-4-5-20251001']!.cost).toBeCloseTo(0.002425, 12)
    expect(parsed.typed!.rows.agent_sessions![0]!.values).toMatchObject({ agent_id: '7c1e9a20', first_prompt_length: 95, reports_saved: 1, subagents: 0 })
    expect(parsed.typed!.rows.agent_session_links!.map((r) => [r.line, r.values.evidence, r.values.report_session_id])).toEqual([
      [1, 'prompt', '2031-04-02-1964505600'],
      [1, 'cwd', '2031-04-02-1964505600'],
      [3, 'tool_write', '2031-04-02-1964505600'],
    ])
  })

  it('stores no message content', () => {
    const parsed = read('main-session.jsonl')
    const stored = JSON.stringify(parsed.typed!.rows.agent_messages)
    for (const text of ['I will draft the plan first.', '# Research plan (invented)', 'No such file or directory', 'Analyse the tax exposure.']) {
      expect(stored).not.toContain(text)
    }
    expect(parsed.typed!.rows.agent_messages!.every((r) => r.raw === null)).toBe(true)
  })
})

describe('audit log status', () => {
  const S = '3f6d2c1a-0b7e-4c59-9a41-5d8e2f7c6b10'
  const line = (event: string, extra = '') => `{"timestamp":"2031-04-02T10:00:00.000Z","event":"${event}","session_id":"${S}"${extra}}\n`
  const statusOf = (text: string) => readAgentLines('audit_log', `sessions/${S}/session-audit.log`, bytesOf(text), null).summary.agent_sessions![0]!.values.status

  it('is stopped after agent_stop, compacted right after pre_compact, active again on a prompt', () => {
    expect(statusOf(line('user_prompt'))).toBe('active')
    expect(statusOf(line('user_prompt') + line('agent_stop'))).toBe('stopped')
    expect(statusOf(line('agent_stop') + line('subagent_stop'))).toBe('stopped')
    expect(statusOf(line('agent_stop') + line('user_prompt'))).toBe('active')
    expect(statusOf(line('pre_compact'))).toBe('compacted')
    expect(statusOf(line('pre_compact') + line('session_start', ',"source":"compact"'))).toBe('active')
  })

  it('gives a summary named after its folder for an empty file', () => {
    const read = readAgentLines('audit_log', `sessions/${S}/session-audit.log`, new Uint8Array(), null)
    expect(read.summary.agent_sessions![0]!.values).toMatchObject({ sdk_session_id: S, lines: 0, status: 'active' })
    expect(read.checkpoint).toMatchObject({ offset: 0, lines: 0 })
  })
})

// --- The append invariant -------------------------------------------------

const REPORT = '2031-04-02-1964505600'
const word = fc.constantFrom('alpha', 'Zoë', '✓ done', 'reports/2031-04-02-1964505600/plan.md', '', 'a"quote', 'tab\there')
const instant = fc.integer({ min: 0, max: 86_400_000 }).map((ms) => new Date(Date.UTC(2031, 3, 2) + ms).toISOString())

const auditLine = fc.oneof(
  fc.record({ timestamp: instant, event: fc.constant('session_start'), session_id: fc.constant('s1'), source: fc.constantFrom('startup', 'compact'), cwd: fc.constantFrom('/w', `/w/reports/${REPORT}`) }),
  fc.record({ timestamp: instant, event: fc.constant('user_prompt'), prompt_length: fc.nat(), prompt_preview: word }),
  fc.record({ timestamp: instant, event: fc.constantFrom('pre_tool_use', 'post_tool_use'), tool: word, success: fc.boolean(), duration_ms: fc.nat() }),
  fc.record({ timestamp: instant, event: fc.constant('tool_failure'), tool: word, error: word }),
  fc.record({ timestamp: instant, event: fc.constantFrom('subagent_start', 'subagent_stop', 'pre_compact', 'agent_stop'), agent_id: word }),
  fc.record({ timestamp: instant, event: fc.constant('report_saved'), file_path: fc.constantFrom(`/w/reports/${REPORT}/x.md`, '/tmp/reports/r2/y.md', '/w/notes.md') }),
  fc.record({ event: fc.constant(null), other: fc.oneof(word, fc.nat()) }),
)

const usage = fc.record({ input_tokens: fc.nat(5000), output_tokens: fc.nat(5000), cache_read_input_tokens: fc.nat(50_000), cache_creation_input_tokens: fc.nat(5000) })
const block = fc.oneof(
  fc.record({ type: fc.constant('text'), text: word }),
  fc.record({ type: fc.constant('tool_use'), id: word, name: fc.constantFrom('Write', 'Edit', 'Task', 'Bash'), input: fc.record({ file_path: fc.constantFrom(`/w/reports/${REPORT}/a.md`, 'b.md') }) }),
  fc.record({ type: fc.constant('tool_result'), tool_use_id: word, is_error: fc.boolean(), content: word }),
)
const transcriptLine = fc.oneof(
  fc.record({
    type: fc.constant('assistant'),
    sessionId: fc.constant('t1'),
    timestamp: instant,
    requestId: fc.constantFrom('req_1', 'req_2'),
    message: fc.record({ id: fc.constantFrom('msg_1', 'msg_2'), model: fc.constantFrom('claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001', '<synthetic>', 'unknown-model'), content: fc.array(block, { maxLength: 3 }), usage }),
  }),
  fc.record(
    { type: fc.constant('assistant'), costUSD: fc.double({ min: 0, max: 2, noNaN: true }), message: fc.record({ id: word, model: fc.constant('claude-opus-4-5'), usage }) },
    { requiredKeys: ['type', 'message'] },
  ),
  fc.record({
    type: fc.constant('user'),
    timestamp: instant,
    isMeta: fc.boolean(),
    isSidechain: fc.boolean(),
    cwd: fc.constantFrom('/w', `/w/reports/${REPORT}`),
    message: fc.record({ role: fc.constant('user'), content: fc.oneof(word, fc.array(block, { maxLength: 3 })) }),
  }),
  fc.record({ type: fc.constant('system'), subtype: fc.constantFrom('compact_boundary', 'info'), timestamp: instant }),
  fc.record({ type: fc.constant('summary'), summary: word, leafUuid: word }),
)

/** A line's bytes: an object (with the line ends and spaces writers leave), or a line no prefix of which is an object. */
function fileLine(object: fc.Arbitrary<object>): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.tuple(object, fc.constantFrom('\n', '\r\n', '  \n')).map(([value, end]) => bytesOf(JSON.stringify(value) + end)) },
    { weight: 1, arbitrary: fc.constantFrom('\n', '   \n', '{"cut":\n', 'not json\n', '[1,2]\n', '42\n', '"s"\n').map(bytesOf) },
    { weight: 1, arbitrary: fc.constantFrom(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x22, 0x7d, 0x0a]), bytesOf('{"a":"\u0000"}\n')) },
  )
}

/** A file of such lines, its last line possibly without its newline. */
function file(object: fc.Arbitrary<object>): fc.Arbitrary<Uint8Array> {
  return fc.tuple(fc.array(fileLine(object), { maxLength: 12 }), fc.option(object)).map(([lines, last]) => concatBytes(...lines, last === null ? new Uint8Array() : bytesOf(JSON.stringify(last))))
}

/** `value` with every object's keys in another order, as PostgreSQL's jsonb may give them back. */
function shuffleKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item, i) => shuffleKeys(item, seed + i))
  if (value === null || typeof value !== 'object') return value
  const entries = Object.entries(value)
  let s = seed
  for (let i = entries.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648
    const j = s % (i + 1)
    ;[entries[i], entries[j]] = [entries[j]!, entries[i]!]
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, shuffleKeys(item, s)]))
}

/** Read `bytes` as it grew to each split point, resuming each time from the stored (round-tripped, reordered) checkpoint. */
function readInPieces(kind: AgentLinesKind, relPath: string, bytes: Uint8Array, splits: number[], seed: number) {
  let from: AppendCheckpoint | null = null
  const rows: LinesRead['rows'] = {}
  const diagnostics: LinesRead['diagnostics'] = []
  let last: LinesRead | null = null
  for (const end of [...splits, bytes.length]) {
    const read = readAgentLines(kind, relPath, bytes.subarray(0, end), from, { pricing: PRICING })
    for (const [table, list] of Object.entries(read.rows)) (rows[table as keyof typeof rows] ??= []).push(...list)
    diagnostics.push(...read.diagnostics)
    from = { ...read.checkpoint, state: shuffleKeys(JSON.parse(JSON.stringify(read.checkpoint.state)), seed) }
    last = read
  }
  return { rows, diagnostics, summary: last!.summary, checkpoint: last!.checkpoint }
}

describe('append invariant: a file read in pieces equals the file read whole', () => {
  const runs = Number(process.env.STATEBRIDGE_FUZZ_RUNS ?? 300)
  for (const [kind, relPath, object] of [
    ['audit_log', 'sessions/s1/session-audit.log', auditLine],
    ['transcript', 'projects/-w/t1.jsonl', transcriptLine],
  ] as const) {
    it(`${kind}: same rows, summary, diagnostics and checkpoint for any split points, mid-line ones included`, () => {
      fc.assert(
        fc.property(
          file(object as fc.Arbitrary<object>).chain((bytes) =>
            fc.tuple(fc.constant(bytes), fc.uniqueArray(fc.integer({ min: 0, max: bytes.length }), { maxLength: 3 }).map((s) => s.sort((a, b) => a - b)), fc.nat()),
          ),
          ([bytes, splits, seed]) => {
            const whole = readAgentLines(kind, relPath, bytes, null, { pricing: PRICING })
            const pieces = readInPieces(kind, relPath, bytes, splits, seed)
            expect(pieces.rows).toEqual(whole.rows)
            expect(pieces.summary).toEqual(whole.summary)
            expect(pieces.diagnostics).toEqual(whole.diagnostics)
            expect(pieces.checkpoint.offset).toBe(whole.checkpoint.offset)
            expect(pieces.checkpoint.lines).toBe(whole.checkpoint.lines)
            expect(pieces.checkpoint.state).toEqual(whole.checkpoint.state)
          },
        ),
        { numRuns: runs },
      )
    })
  }

  it('parseAppend continues parseFile: new rows, the summary to replace, new warnings only', () => {
    const bytes = fs.readFileSync(new URL('../fixtures/agent-transcript/main-session.jsonl', import.meta.url))
    const relPath = 'projects/-home-dev-acme/main-session.jsonl'
    const whole = parseFile(relPath, bytes, { pricing: PRICING })
    const cut = bytes.indexOf(0x0a, 3000) + 40 // inside the line after
    const first = parseFile(relPath, bytes.subarray(0, cut), { pricing: PRICING })
    const rest = parseAppend(relPath, bytes, { ...first.append!, state: JSON.parse(JSON.stringify(first.append!.state)) }, { pricing: PRICING })
    expect(rest.summaryTables).toEqual(['agent_sessions'])
    expect([...first.typed!.rows.agent_messages!, ...rest.typed.rows.agent_messages!]).toEqual(whole.typed!.rows.agent_messages)
    expect(rest.typed.rows.agent_sessions).toEqual(whole.typed!.rows.agent_sessions)
    expect([...first.diagnostics, ...rest.diagnostics]).toEqual(whole.diagnostics)
    expect(rest.append).toEqual(whole.append)
    expect(rest.typed.kind).toBe('agent_transcript')
  })
})
