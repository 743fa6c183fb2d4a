/**
 * Render a session's state file from what the store holds: its typed rows
 * (`StoreReader.document`) and its deal facts (`StoreReader.session`). Reads
 * only; writing the file is the caller's.
 *
 * The store keeps one merged session row per session, not each document's
 * share of it: a rendered file states the merged deal facts. Merging prefers
 * the orchestrator's facts, so an orchestrator-state.md rendered this way
 * gives the same merged row when read back; a research-plan.md writes its
 * value, type and complexity from its own research_plans row instead.
 */
import { SESSION_COLUMN_NAMES, TYPED_TABLES, type TypedTableName } from '../parsers/typed/tables.js'
import type { ColumnValue } from '../parsers/typed/types.js'
import type { DocumentDetail, StoreReader } from '../store/read-types.js'
import type { SessionDetail } from '../store/types.js'
import { KIND_FILES, PLAN_OWN_SESSION_COLUMNS, checkRender, renderDocument } from './document.js'
import type { RenderInput, RenderKind, RenderRow } from './types.js'

/** Stable codes of what keeps a document from being rendered. */
export type RenderErrorCode =
  | 'SB_RENDER_AMBIGUOUS' // several roots hold the session's document: name one
  | 'SB_RENDER_TRUNCATED' // the store answered with a capped list: the document has more rows than one read returns

/** Why a stored document cannot be rendered. */
export class RenderError extends Error {
  override readonly name = 'RenderError'
  constructor(
    readonly code: RenderErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** A rendered state file and where it belongs. */
export interface RenderedDocument {
  /** The root (as stored) whose session this is. */
  root: string
  /** Path of the file relative to the root (`<session>/orchestrator-state.md`). */
  path: string
  /** The file's new content. */
  text: string
  /**
   * What reading `text` back would change in the store, one sentence each;
   * empty when it gives the same rows. Writing a file with problems loses them.
   */
  problems: string[]
}

/**
 * The `kind` file of `sessionId` rendered from the store, or null when no root
 * (or not `root`) holds that document. Throws `RenderError`
 * (`SB_RENDER_AMBIGUOUS` when several roots hold it and `root` is not given,
 * `SB_RENDER_TRUNCATED` when a table has more rows than the reader returns),
 * and whatever the reader throws.
 */
export async function renderSessionDocument(
  reader: StoreReader,
  kind: RenderKind,
  sessionId: string,
  root?: string,
): Promise<RenderedDocument | null> {
  const path = `${sessionId}/${KIND_FILES[kind]}`
  const documents = await reader.document(path, root)
  if (documents.length === 0) return null
  if (documents.length > 1) {
    const roots = documents.map((document) => document.root).join(', ')
    throw new RenderError('SB_RENDER_AMBIGUOUS', `${path} is stored under ${documents.length} roots (${roots}); name the root to render it from`)
  }
  const document = documents[0]!
  if (document.truncated) {
    throw new RenderError(
      'SB_RENDER_TRUNCATED',
      `${path} under ${document.root} has more typed rows than one read returns; rendering it would drop rows, so it is not rendered`,
    )
  }
  const session = (await reader.session(sessionId)).find((detail) => detail.root === document.root) ?? null
  const input = renderInputFromStore(document, session)
  const text = renderDocument(kind, input)
  const skipSessionColumns = kind === 'research-plan' ? PLAN_OWN_SESSION_COLUMNS : []
  return { root: document.root, path, text, problems: checkRender(kind, input, text, { skipSessionColumns }) }
}

/**
 * The renderer input of a stored document and its session: typed columns as
 * the catalogue types them, `extra` as an object, `raw` decoded (the store
 * keeps a row's cells as JSON text and a field's line as it is).
 */
export function renderInputFromStore(document: DocumentDetail, session: SessionDetail | null): RenderInput {
  const rows: RenderInput['rows'] = {}
  for (const [table, stored] of Object.entries(document.typed)) {
    if (!(table in TYPED_TABLES)) continue
    const name = table as TypedTableName
    rows[name] = stored.map((row) => storedRow(name, row))
  }
  for (const plan of rows.research_plans ?? []) {
    const targets = plan.values.output_targets
    if (Array.isArray(targets)) plan.values.output_targets = targets.map((target) => inDocumentOrder(target, document.tables.map((t) => t.headers)))
  }
  return { session: session === null ? null : storedSession(session), rows }
}

// What the plan parser names the two parts of a `- **Deliverable:** target` line.
const FIELD_TARGET_KEYS = ['Deliverable', 'Target']

/**
 * An output target with its keys in the order of the table it came from. Both
 * readers answer JSON with keys in jsonb order (shortest first), which would
 * reorder the table's columns; the document's tables keep their headers in order.
 */
function inDocumentOrder(target: unknown, tableHeaders: readonly string[][]): unknown {
  if (target === null || typeof target !== 'object' || Array.isArray(target)) return target
  const record = target as Record<string, unknown>
  const keys = Object.keys(record)
  const same = (headers: readonly string[]): boolean => headers.length === keys.length && headers.every((header) => header in record)
  const order = tableHeaders.find(same) ?? (same(FIELD_TARGET_KEYS) ? FIELD_TARGET_KEYS : keys)
  return Object.fromEntries(order.map((key) => [key, record[key]]))
}

function storedRow(table: TypedTableName, row: Record<string, unknown>): RenderRow {
  const values: Record<string, ColumnValue> = {}
  for (const [column, type] of Object.entries(TYPED_TABLES[table])) {
    const value = row[column]
    if (value === null || value === undefined) values[column] = null
    else if ((type === 'integer' || type === 'real') && typeof value === 'string') values[column] = Number(value)
    else if (type === 'json' && typeof value === 'string') values[column] = parseJson(value) as ColumnValue
    else values[column] = value as ColumnValue
  }
  const extra = typeof row.extra === 'string' ? parseJson(row.extra) : row.extra
  return { values, extra: isStringRecord(extra) ? extra : null, raw: storedRaw(row.raw) }
}

/** A row's stored source: a field line as it is, a row's cells from their JSON text. */
function storedRaw(raw: unknown): Record<string, string> | string | null {
  if (typeof raw !== 'string') return isStringRecord(raw) ? raw : null
  // A field line opens with `**`, `__`, a bullet or a number, never `{`.
  if (!raw.startsWith('{')) return raw
  const parsed = parseJson(raw)
  return isStringRecord(parsed) ? parsed : raw
}

function storedSession(session: SessionDetail): RenderInput['session'] {
  const values: Record<string, ColumnValue> = {}
  for (const column of SESSION_COLUMN_NAMES) {
    const value = session.deal[column]
    values[column] = value === undefined ? null : (value as ColumnValue)
  }
  const empty = Object.values(values).every((value) => value === null) && Object.keys(session.metadata).length === 0
  return empty ? null : { values, metadata: { ...session.metadata } }
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string')
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    // Not JSON after all: the text itself is the value.
    return text
  }
}
