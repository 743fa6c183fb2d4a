/**
 * Typed records of `fact-registry.md`. (Skeleton: being implemented.)
 */
import type { MarkdownRecords } from '../types.js'
import { emptyTyped, type TypedRecords } from './types.js'

/** Typed records of a fact-registry document. */
export function parseFactRegistry(markdown: MarkdownRecords): TypedRecords {
  void markdown
  return emptyTyped('fact_registry')
}
