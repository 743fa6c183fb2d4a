/**
 * The canonical fact registry (`fact-registry.md`) a fact validator writes: one row per fact.
 */
import { parseFactRegistry } from '../parsers/typed/fact-registry.js'
import type { KindSpec } from './types.js'

/** The typed tables this kind owns. A function, so the catalogue can be read while modules are still loading. */
export function factRegistryTables() {
  return {
    fact_registry: {
      fact_category: 'text',
      fact_id: 'text',
      fact_name: 'text',
      canonical_value: 'text',
      value_number: 'real',
      value_low: 'real',
      value_high: 'real',
      value_date: 'text',
      value_date_precision: 'text',
      source_reports: 'text',
      source_location: 'text',
      confidence: 'text',
      notes: 'text',
      /** How many times the file states this fact with this value (1 when once). */
      occurrences: 'integer',
      /** The fact's name as a key (see fact-merge.ts `factKey`); `canonical_facts` groups by it. */
      fact_key: 'text',
    },
  } as const
}

export const factRegistry: KindSpec = {
  kind: 'fact_registry',
  documentType: 'fact_registry',
  fileNames: [/^fact-registry\.md$/],
  format: 'markdown',
  state: true,
  sections: ['key dates', 'quantitative facts', 'financial facts', 'entity facts', 'regulatory facts', 'facts'],
  tables: factRegistryTables(),
  parse: (input) => parseFactRegistry(input.markdown!),
  fixture: { dir: 'fact-registry', path: 's/review-outputs/fact-registry.md' },
}
