/**
 * Model prices for transcripts' usage: check a pricing table (the shipped
 * `pricing/models.json` or the file an operator names), find a model's price
 * and cost a line's tokens. Pure: the caller reads the file.
 */
import type { ModelPrice, PricingTable } from './types.js'

/** Token counts of one usage, as a transcript line states them. */
export interface TokenUsage {
  input: number
  output: number
  cache_read: number
  cache_creation: number
}

const PRICE_KEYS = ['input', 'output', 'cache_read', 'cache_creation'] as const
// `source` says where the prices come from; `$comment` lets a hand-kept table carry a note.
const TABLE_KEYS = new Set(['version', 'models', 'source', '$comment'])

/** The table `json` holds, or the one-line reason it is none. */
export function validatePricing(json: unknown): PricingTable | string {
  if (!isObject(json)) return 'a pricing table is a JSON object with "version" and "models"'
  for (const key of Object.keys(json)) {
    if (!TABLE_KEYS.has(key)) return `unknown key "${key}" in the pricing table (allowed: version, models, source, $comment)`
  }
  if (typeof json.version !== 'string' || json.version.trim() === '') return '"version" must be a non-empty string'
  if (json.source !== undefined && typeof json.source !== 'string') return '"source" must be a string'
  if (!isObject(json.models)) return '"models" must be an object: model name → prices'
  const models: Record<string, ModelPrice> = {}
  for (const [model, price] of Object.entries(json.models)) {
    if (model.trim() === '') return 'a model name in "models" is empty'
    if (!isObject(price)) return `"models.${model}" must be an object with ${PRICE_KEYS.join(', ')}`
    for (const key of Object.keys(price)) {
      if (!(PRICE_KEYS as readonly string[]).includes(key)) return `unknown key "${key}" in "models.${model}" (allowed: ${PRICE_KEYS.join(', ')})`
    }
    for (const key of PRICE_KEYS) {
      const value = price[key]
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        return `"models.${model}.${key}" must be a non-negative number of US dollars per million tokens`
      }
    }
    models[model] = { input: price.input as number, output: price.output as number, cache_read: price.cache_read as number, cache_creation: price.cache_creation as number }
  }
  return { version: json.version, models }
}

/**
 * The price of `model`: its own entry, else the longest key that is a prefix
 * of the name followed by `-` (a dated name, `claude-sonnet-4-5-20250929`);
 * null when none fits (`<synthetic>`, a model the table lacks).
 */
export function priceOf(table: PricingTable, model: string): ModelPrice | null {
  if (Object.hasOwn(table.models, model)) return table.models[model]!
  let best: string | null = null
  for (const key of Object.keys(table.models)) {
    if (model.length > key.length && model.startsWith(key) && model[key.length] === '-' && (best === null || key.length > best.length)) best = key
  }
  return best === null ? null : table.models[best]!
}

/** The cost in US dollars of `usage` at `price` (prices are per million tokens). */
export function costOf(usage: TokenUsage, price: ModelPrice): number {
  return (usage.input * price.input + usage.output * price.output + usage.cache_read * price.cache_read + usage.cache_creation * price.cache_creation) / 1e6
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
