/**
 * The statebridge library: the pure parsers and normalisers, configuration
 * resolution, and the read side of the store. The CLI (`dist/cli.js`) is built
 * on the same modules; this entry re-exports, it holds no logic of its own.
 */

// Parsers: a path and its bytes in, records plus located diagnostics out. Pure.
export { parseAppend, parseFile } from './parsers/parse-file.js'
export { parseDocument, parseJson, decodeText } from './parsers/document.js'
export { parseMarkdown } from './parsers/markdown.js'
export { documentType, documentFormat, type DocumentType } from './parsers/document-type.js'
export { formatDiagnostic } from './parsers/diagnostic.js'
export { parseTyped, type TypedRecords } from './parsers/typed/index.js'
export { parseOrchestratorState } from './parsers/typed/orchestrator-state.js'
export { parseResearchPlan } from './parsers/typed/research-plan.js'
export { parseFactRegistry } from './parsers/typed/fact-registry.js'
export { parseConflictReport } from './parsers/typed/conflict-report.js'
export { parseCoverageGaps } from './parsers/typed/coverage-gaps.js'
export { parseRiskSummary } from './parsers/typed/risk-summary.js'
export { parseAgentState, parseSynthesisState } from './parsers/typed/agent-state.js'
export { TYPED_TABLES, TYPED_TABLE_NAMES, type TypedTableName } from './parsers/typed/tables.js'
export type { ColumnValue, NormaliseMiss, SessionFacts, TypedRow } from './parsers/typed/types.js'
export type {
  Diagnostic,
  DocumentFormat,
  FieldRecord,
  MarkdownRecords,
  ParsedAppend,
  ParsedDocument,
  TableRecord,
  TableRowRecord,
} from './parsers/types.js'

// Agent SDK JSON Lines (hook audit logs, transcripts): read whole or from a checkpoint, priced by a table. Pure.
export { readAgentLines } from './parsers/agent/read-lines.js'
export { costOf, priceOf, validatePricing } from './parsers/agent/pricing.js'
export { reportSessionOf } from './parsers/agent/report-links.js'
export type { AppendCheckpoint, LinesRead, ModelPrice, PricingTable } from './parsers/agent/types.js'

// Normalisers: one cell's text in, a typed value (or null) out. Pure.
export * from './parsers/normalize/index.js'

// Configuration: options plus environment, resolved once into a frozen configuration.
export { DEFAULT_SQLITE_FILE, checkSchemaName, resolveConfig, resolveDatabase, resolveSettings } from './config.js'
export type { Config, DatabaseTarget, Settings, StatebridgeOptions } from './config.js'
export { OPTIONS, COMMANDS, type Command, type OptionSpec } from './options.js'
export { StatebridgeError, type StatebridgeErrorCode } from './errors.js'

// The store, read side: open a database and ask what it holds.
export { openStore, type OpenStoreOptions } from './store/open-store.js'
export type { SessionDetail, Store, StoreStatus, SyncRunSummary } from './store/types.js'
