/**
 * The contract of JSON Lines kinds (hook audit logs, SDK transcripts): a file
 * is read as a fold over its lines, so a file that only grew is read from
 * where the last read stopped, and the rows of the new lines plus the
 * refreshed summary equal what a read of the whole file gives.
 */
import type { TypedTableName } from '../typed/tables.js'
import type { TypedRow } from '../typed/types.js'
import type { Diagnostic } from '../types.js'

/** Prices of one model, in US dollars per million tokens. */
export interface ModelPrice {
  input: number
  output: number
  cache_read: number
  cache_creation: number
}

/** A pricing table (pricing/models.json, or the file `--pricing` names). */
export interface PricingTable {
  /** Recorded on every priced line (`agent_messages.pricing_version`). */
  version: string
  /** Model name (or the prefix of dated names: `claude-sonnet-4-5` prices `claude-sonnet-4-5-20250929`) → price. */
  models: Record<string, ModelPrice>
}

/** Where the read of a JSON Lines file stopped: what the next read of the grown file continues from. */
export interface AppendCheckpoint {
  /**
   * Bytes read: every complete line, and a last line without its newline
   * only when it parsed (a half-written last line is read once it is whole).
   */
  offset: number
  /** Lines read (the next line is `lines + 1`). */
  lines: number
  /** The kind's fold state after those lines: plain JSON, small (no per-line lists), key order free. */
  state: unknown
}

/** What reading a run of lines gives. */
export interface LinesRead {
  /** Rows of the lines read, for the kind's per-line tables (appended as they are). */
  rows: Partial<Record<TypedTableName, TypedRow[]>>
  /** Rows rebuilt from the state alone (one `agent_sessions` row): they replace the file's earlier ones. */
  summary: Partial<Record<TypedTableName, TypedRow[]>>
  /** One warning per malformed line (located), kept beside the rows. */
  diagnostics: Diagnostic[]
  checkpoint: AppendCheckpoint
}

/** Options every JSON Lines read takes. */
export interface LinesOptions {
  /** Prices for transcripts' usage; without it, only costs the lines state themselves are recorded. */
  pricing?: PricingTable | null
}
