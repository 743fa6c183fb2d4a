/**
 * JSON Schemas (draft 2020-12, as OpenAPI 3.1 uses them) of every API
 * response. `/openapi.json` publishes them and the tests validate real
 * responses against them, so a response that drifts from its type fails a
 * test. The typed-row schemas are derived from the typed table catalogue.
 */
import { SESSION_COLUMN_NAMES, SESSION_COLUMNS, TYPED_TABLE_NAMES, TYPED_TABLES, type ColumnType } from '../parsers/typed/tables.js'
import { SESSION_STATUSES } from '../store/read-types.js'

type Schema = Record<string, unknown>

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` })
const nullable = (type: string): Schema => ({ type: [type, 'null'] })
const instant: Schema = { type: 'string', format: 'date-time' }
const nullableInstant: Schema = { type: ['string', 'null'], format: 'date-time' }
const anyJson: Schema = {}

/** A closed object: every listed property required, nothing else allowed. */
function record(properties: Record<string, Schema>): Schema {
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false }
}

function list(item: Schema, extra: Record<string, Schema> = { truncated: { type: 'boolean' } }): Schema {
  return record({ items: { type: 'array', items: item }, ...extra })
}

const COLUMN_SCHEMA: Record<ColumnType, Schema> = {
  text: nullable('string'),
  integer: nullable('integer'),
  real: nullable('number'),
  json: anyJson,
}

const pendingSpecialist = record({
  task_id: nullable('string'),
  specialist_type: nullable('string'),
  status: { ...nullable('string'), description: 'Derived from evidence; for a pending specialist, the plan\'s own.' },
  plan_status: { ...nullable('string'), description: "The plan's status, normalised." },
  plan_mark: { ...nullable('string'), description: "The plan's mark as written (such as ⏳)." },
  priority: nullable('string'),
})

const specialistStatus = record({
  task_id: nullable('string'),
  specialist_type: nullable('string'),
  plan_status: nullable('string'),
  plan_mark: nullable('string'),
  status: { ...nullable('string'), description: 'Derived from evidence: the plan, a report, the execution inventory, an agent state, or the session being complete.' },
  evidence: { type: ['string', 'null'], enum: ['plan', 'report', 'inventory', 'agent_state', 'session', null] },
  evidence_path: nullable('string'),
})

const sessionStatus: Schema = { type: 'string', enum: [...SESSION_STATUSES] }
const statusReason: Schema = {
  ...nullable('string'),
  description: 'Why the session has its status: the evidence for complete, the files in error for degraded, what is missing for active.',
}
const createdAtSource: Schema = { ...nullable('string'), description: '`content:<path>` (the file that states the creation time) or `name`.' }


const syncRun = record({
  root: { type: 'string' },
  instance: { type: 'string' },
  mode: { type: 'string', enum: ['sync', 'watch'] },
  startedAt: instant,
  finishedAt: instant,
  filesSeen: { type: 'integer' },
  filesApplied: { type: 'integer' },
  filesUnchanged: { type: 'integer' },
  filesRemoved: { type: 'integer' },
  filesFailed: { type: 'integer' },
})

const qaAssessment = record({
  path: { type: 'string' },
  assessment_type: { type: ['string', 'null'], enum: ['section_review', 'diagnostic', 'certification', null] },
  pass: nullable('integer'),
  overall_score: nullable('number'),
  max_score: nullable('number'),
  status: { ...nullable('string'), description: 'The assessment\'s own status, normalised (`passed`, `blocked`, `remediate`, ...).' },
  certification: { type: ['string', 'null'], enum: ['CERTIFIED', 'CONDITIONAL', 'NOT CERTIFIED', null] },
  assessed_at: nullable('string'),
  issue_count: nullable('integer'),
})

const remediationTask = record({
  path: { type: 'string' },
  task_id: nullable('string'),
  wave: nullable('integer'),
  plan_status: nullable('string'),
  plan_mark: nullable('string'),
  status: { ...nullable('string'), description: 'Derived from evidence: the plan, an output file named after the task that reports completion, or the session being certified.' },
  evidence: { type: ['string', 'null'], enum: ['plan', 'output', 'session', null] },
  evidence_path: nullable('string'),
})

const sessionUsage = record({
  ...Object.fromEntries(['files', 'records'].map((c) => [c, { type: 'integer' }])),
  ...Object.fromEntries(
    ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'total_tokens', 'turns', 'tool_calls', 'duration_ms'].map((c) => [c, nullable('integer')]),
  ),
  cost_usd: nullable('number'),
})

const sessionDetail = record({
  root: { type: 'string' },
  sessionId: { type: 'string' },
  createdAt: nullableInstant,
  createdAtSource,
  createdAtFromName: nullableInstant,
  status: sessionStatus,
  statusReason,
  errorFiles: { type: 'array', items: record({ path: { type: 'string' }, line: nullable('integer'), error: nullable('string') }) },
  deal: record(Object.fromEntries(SESSION_COLUMN_NAMES.map((c) => [c, COLUMN_SCHEMA[SESSION_COLUMNS[c as keyof typeof SESSION_COLUMNS]]]))),
  metadata: { type: 'object', additionalProperties: { type: 'string' } },
  documents: record({ ok: { type: 'integer' }, error: { type: 'integer' } }),
  phases: {
    type: 'array',
    items: record({ phase: nullable('string'), status: nullable('string'), start_time: nullable('string'), end_time: nullable('string') }),
  },
  iterations: {
    type: 'array',
    items: record({ gate_name: nullable('string'), current_iteration: nullable('integer'), max_iterations: nullable('integer') }),
  },
  pendingSpecialists: { type: 'array', items: pendingSpecialist },
  specialists: { type: 'array', items: specialistStatus },
  factCount: { type: 'integer' },
  synthesis: {
    oneOf: [
      { type: 'null' },
      record({
        current_phase: nullable('string'),
        status: nullable('string'),
        last_completed_step: nullable('string'),
        next_action: nullable('string'),
        critical_context: nullable('string'),
        blocking_issue: nullable('string'),
        last_updated: nullable('string'),
        sections_completed: anyJson,
        sections_pending: anyJson,
      }),
    ],
  },
  agents: {
    type: 'array',
    items: record({ agent: nullable('string'), status: nullable('string'), current_phase: nullable('string'), last_updated: nullable('string') }),
  },
  qaAssessments: { type: 'array', items: qaAssessment },
  remediationTasks: { type: 'array', items: remediationTask },
  usage: { oneOf: [{ type: 'null' }, sessionUsage] },
  agentSessions: { type: 'array', items: ref('AgentSession'), description: 'The agent SDK sessions linked to this session, the most recently active first.' },
  agentUsage: { oneOf: [{ type: 'null' }, ref('AgentUsageRollup')], description: 'Their usage summed; null when none is linked.' },
  resume: record({
    where: { type: 'string', description: 'The stage the latest evidence shows.' },
    next: { type: 'string', description: 'What resumes next: `nothing` for a complete session, or the human review a QA rejection asks for.' },
    supersededNextAction: { ...nullable('string'), description: "The synthesis state's own next action when the session's completion supersedes it." },
  }),
})

const typedRows = Object.fromEntries(
  TYPED_TABLE_NAMES.map((table) => [
    table,
    {
      type: 'array',
      items: record({
        line: nullable('integer'),
        ...Object.fromEntries(Object.entries(TYPED_TABLES[table]).map(([column, type]) => [column, COLUMN_SCHEMA[type]])),
        extra: { type: ['object', 'null'] },
        raw: nullable('string'),
      }),
    },
  ]),
)

const stringArray: Schema = { type: 'array', items: { type: 'string' } }

const count = (description: string): Schema => ({ type: 'integer', minimum: 0, description })
const statedCount = (description: string): Schema => ({ type: ['integer', 'null'], minimum: 0, description })
const cost = (description: string): Schema => ({ type: ['number', 'null'], minimum: 0, description })
const tokens = {
  inputTokens: count('Input tokens.'),
  outputTokens: count('Output tokens.'),
  cacheReadTokens: count('Tokens read from the prompt cache.'),
  cacheCreationTokens: count('Tokens written to the prompt cache.'),
}

const agentModelUsage = record({
  model: nullable('string'),
  requests: count('Assistant requests with usage, each streamed message once.'),
  ...tokens,
  costUsd: cost('Summed over the priced requests; null when none is priced.'),
  pricedRequests: count('Requests whose cost is known.'),
  pricingVersion: { ...nullable('string'), description: "The pricing table's version the costs come from." },
})

const agentSession = record({
  sdkSessionId: { type: 'string' },
  startedAt: { ...nullable('string'), description: 'The earliest start any of its files gives.' },
  endedAt: { ...nullable('string'), description: 'The latest end any of its files gives.' },
  durationMs: statedCount('Wall time from startedAt to endedAt.'),
  status: { ...nullable('string'), description: "`stopped` when any file says so, else what the main session's last file says (`active`, `compacted`)." },
  cwd: nullable('string'),
  transcriptPath: nullable('string'),
  version: { ...nullable('string'), description: 'The SDK version.' },
  firstPrompt: { oneOf: [{ type: 'null' }, record({ length: nullable('integer'), preview: nullable('string') })] },
  counts: record({
    toolCalls: statedCount('Tool calls: the larger of what the audit logs and the transcripts count.'),
    toolFailures: statedCount('Tool calls that failed (same rule).'),
    subagents: statedCount('Sub-agents launched (same rule).'),
    compactions: statedCount('Context compactions (same rule).'),
    reportsSaved: statedCount('Reports written into a report session (same rule).'),
  }),
  usage: record({
    ...tokens,
    totalTokens: count('Input, output and both cache counts.'),
    turns: count('Assistant requests.'),
    costUsd: cost('Null when no request is priced; with pricedTurns < turns it covers only the priced ones.'),
    pricedTurns: count('Requests whose cost is known.'),
    models: { type: 'array', items: agentModelUsage },
  }),
  links: {
    type: 'array',
    description: 'Report sessions it worked on, by id.',
    items: record({
      reportSessionId: { type: 'string' },
      occurrences: count('Lines that link them, any evidence.'),
      firstAt: nullable('string'),
      lastAt: nullable('string'),
      evidence: {
        type: 'array',
        items: record({
          kind: { type: 'string', description: '`report_saved`, `tool_write`, `prompt` or `cwd`.' },
          occurrences: count('Lines that say so.'),
          detail: { ...nullable('string'), description: 'The path or text that names the report session.' },
          firstAt: nullable('string'),
          lastAt: nullable('string'),
        }),
      },
    }),
  },
  sources: {
    type: 'array',
    description: 'Its files (audit log, main and sub-agent transcripts), by root then path.',
    items: record({
      root: { type: 'string' },
      path: { type: 'string' },
      source: { type: ['string', 'null'], description: '`audit_log` or `transcript`.' },
      agentId: { ...nullable('string'), description: "A sub-agent transcript's agent id; null for the main session." },
      startedAt: nullable('string'),
      endedAt: nullable('string'),
      status: nullable('string'),
      version: nullable('string'),
      lines: statedCount('JSON lines read.'),
    }),
  },
})

const agentEvent = record({
  root: { type: 'string' },
  path: { type: 'string' },
  line: nullable('integer'),
  at: nullable('string'),
  event: { ...nullable('string'), description: 'The hook event (`pre_tool_use`, `tool_failure`, `report_saved`, `agent_stop`, ...).' },
  tool: nullable('string'),
  toolType: nullable('string'),
  mcpServer: nullable('string'),
  mcpAction: nullable('string'),
  agentType: nullable('string'),
  agentId: nullable('string'),
  toolUseId: nullable('string'),
  durationMs: nullable('integer'),
  success: { type: ['boolean', 'null'] },
  error: nullable('string'),
  filePath: nullable('string'),
})

const agentUsageRollup = record({
  sessions: count('Agent SDK sessions linked.'),
  ...tokens,
  totalTokens: count('Input, output and both cache counts.'),
  turns: count('Assistant requests.'),
  toolCalls: statedCount('Summed; null when no session states it.'),
  toolFailures: statedCount('Summed; null when no session states it.'),
  subagents: statedCount('Summed; null when no session states it.'),
  compactions: statedCount('Summed; null when no session states it.'),
  durationMs: statedCount("Each session's wall time, summed (sessions that ran side by side count twice)."),
  costUsd: cost('Null when no request is priced.'),
  pricedTurns: count('Requests whose cost is known.'),
})

const revisionFields: Record<string, Schema> = {
  rev: { type: 'integer', minimum: 1, description: 'Position in the history; increases with every revision, never reused.' },
  root: { type: 'string' },
  path: { type: 'string', description: 'Relative to the root, `/`-separated.' },
  sessionId: nullable('string'),
  change: { type: 'string', enum: ['created', 'updated', 'removed', 'restored'] },
  contentHash: { type: ['string', 'null'], description: 'sha256 (hex) of the content; for a removal, of the content the file last had.' },
  sizeBytes: nullable('integer'),
  status: { type: ['string', 'null'], enum: ['ok', 'error', null], description: 'Whether the content parsed; null for a removal.' },
  at: instant,
  instance: { type: 'string', description: 'The sidecar (or command) that recorded it.' },
}

/** Every schema under `components.schemas`, by name. */
export const SCHEMAS: Record<string, Schema> = {
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details.',
    properties: {
      type: { type: 'string', description: 'A URN naming the kind of problem.' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      param: { type: 'string', description: 'The request parameter at fault (400, 409, and a 404 or 422 that a parameter caused).' },
    },
    required: ['type', 'title', 'status', 'detail'],
    additionalProperties: false,
  },
  Health: record({ status: { type: 'string', const: 'ok' } }),
  SessionListItem: record({
    root: { type: 'string' },
    sessionId: { type: 'string' },
    status: sessionStatus,
    statusReason,
    matterName: nullable('string'),
    dealValue: nullable('number'),
    closingDate: nullable('string'),
    createdAt: nullableInstant,
    createdAtSource,
    firstSeenAt: instant,
    updatedAt: instant,
  }),
  SessionPage: list(ref('SessionListItem'), {
    nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last page.' },
  }),
  ActiveSession: record({
    root: { type: 'string' },
    sessionId: { type: 'string' },
    status: sessionStatus,
    statusReason,
    matterName: nullable('string'),
    updatedAt: instant,
    resume: record({
      synthesis: {
        oneOf: [
          { type: 'null' },
          record({
            current_phase: nullable('string'),
            status: nullable('string'),
            last_completed_step: nullable('string'),
            next_action: nullable('string'),
            blocking_issue: nullable('string'),
          }),
        ],
      },
      openPhase: { oneOf: [{ type: 'null' }, record({ phase: nullable('string'), status: nullable('string') })] },
      where: { type: 'string', description: 'The stage the latest evidence shows (the session object’s resume.where).' },
      next: { type: 'string', description: 'What resumes next, weighing every signal (the session object’s resume.next; what show prints).' },
    }),
    pendingSpecialists: { type: 'array', items: pendingSpecialist },
  }),
  ActiveSessions: list(ref('ActiveSession')),
  Stats: record({
    sessions: record({ total: { type: 'integer' }, byStatus: { type: 'object', additionalProperties: { type: 'integer' } } }),
    documents: record({ ok: { type: 'integer' }, error: { type: 'integer' } }),
    lastRun: { oneOf: [{ type: 'null' }, ref('SyncRun')] },
  }),
  SyncRun: syncRun,
  SessionDetail: sessionDetail,
  SessionDetails: { type: 'array', items: ref('SessionDetail'), minItems: 1, description: 'One per root that has the session.' },
  DocumentListItem: record({
    root: { type: 'string' },
    path: { type: 'string' },
    documentType: { type: 'string' },
    format: { type: 'string' },
    status: { type: 'string', enum: ['ok', 'error'] },
    error: nullable('string'),
    errorLine: nullable('integer'),
    sizeBytes: { type: 'integer' },
    appliedAt: nullableInstant,
    checkedAt: instant,
  }),
  DocumentList: list(ref('DocumentListItem')),
  DocumentDetail: record({
    root: { type: 'string' },
    path: { type: 'string' },
    sessionId: nullable('string'),
    documentType: { type: 'string' },
    typedKind: nullable('string'),
    format: { type: 'string' },
    status: { type: 'string', enum: ['ok', 'error'] },
    error: nullable('string'),
    errorLine: nullable('integer'),
    sizeBytes: { type: 'integer' },
    mtimeMs: { type: 'number' },
    contentHash: nullable('string'),
    parsedHash: nullable('string'),
    wordCount: nullable('integer'),
    footnoteCount: nullable('integer'),
    tableCount: nullable('integer'),
    appliedAt: nullableInstant,
    checkedAt: instant,
    json: anyJson,
    diagnostics: { type: 'array' },
    typed: { type: 'object', properties: typedRows, additionalProperties: false },
    tables: {
      type: 'array',
      items: record({
        ordinal: { type: 'integer' },
        headingPath: stringArray,
        headers: stringArray,
        rawHeaders: stringArray,
        line: { type: 'integer' },
        endLine: { type: 'integer' },
        rowCount: { type: 'integer' },
        rows: {
          type: 'array',
          items: record({
            rowIndex: { type: 'integer' },
            cells: { type: 'object', additionalProperties: { type: 'string' } },
            rawCells: stringArray,
            line: { type: 'integer' },
          }),
        },
      }),
    },
    fields: {
      type: 'array',
      items: record({
        headingPath: stringArray,
        key: { type: 'string' },
        value: { type: 'string' },
        raw: { type: 'string' },
        style: { type: 'string' },
        line: { type: 'integer' },
      }),
    },
    truncated: { type: 'boolean' },
  }),
  ErrorItem: record({
    root: { type: 'string' },
    path: { type: 'string' },
    sessionId: nullable('string'),
    documentType: { type: 'string' },
    error: nullable('string'),
    errorLine: nullable('integer'),
    checkedAt: instant,
  }),
  ErrorList: list(ref('ErrorItem')),
  AgentSession: agentSession,
  AgentSessionPage: record({
    items: { type: 'array', items: ref('AgentSession') },
    nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last page.' },
  }),
  AgentEvent: agentEvent,
  AgentSessionDetail: {
    ...agentSession,
    properties: {
      ...(agentSession.properties as Record<string, Schema>),
      events: record({
        items: { type: 'array', items: ref('AgentEvent') },
        nextCursor: { type: ['string', 'null'], description: 'Pass as `events_cursor` for the next page; null on the last page.' },
        total: count('Events the session has in all.'),
      }),
    },
    required: [...(agentSession.required as string[]), 'events'],
  },
  AgentUsageRollup: agentUsageRollup,
  Revision: record(revisionFields),
  RevisionPage: list(ref('Revision'), {
    nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last page.' },
  }),
  RevisionDetail: record({
    ...revisionFields,
    storage: {
      oneOf: [
        { type: 'null' },
        record({
          kind: { type: 'string', enum: ['full', 'delta'], description: 'A copy of the file, or changes against baseHash.' },
          encoding: { type: 'string', enum: ['br', 'gzip', 'identity'], description: 'How the stored bytes are compressed; gzip for contents stored before schema version 14.' },
          storedBytes: { type: 'integer', description: 'Bytes stored for this content, not counting its base.' },
          baseHash: nullable('string'),
          depth: { type: 'integer', description: 'Deltas between this content and its full copy; 0 for a full copy.' },
        }),
      ],
    },
    previousRev: { type: ['integer', 'null'], description: "The file's revision before this one; null for its first kept revision." },
  }),
}
