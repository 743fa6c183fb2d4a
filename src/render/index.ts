/**
 * The render direction: typed rows (from a parse or from the store) back to
 * the markdown state file they came from, such that parsing the result gives
 * the same rows. Re-exports only.
 */
export type { RenderInput, RenderKind, RenderRow, RenderSession } from './types.js'
export { renderOrchestratorState } from './orchestrator-state.js'
export { renderResearchPlan } from './research-plan.js'
export { KIND_FILES, PLAN_OWN_SESSION_COLUMNS, checkRender, renderDocument, type CheckOptions } from './document.js'
export { compareRenderInputs, compareRows, type CompareOptions } from './compare.js'
export { KIND_TABLES, parseRenderInput, renderInputFromTyped } from './typed-input.js'
export { RenderError, renderInputFromStore, renderSessionDocument, type RenderErrorCode, type RenderedDocument } from './from-reader.js'
