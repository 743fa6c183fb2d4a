/**
 * The pricing table transcripts' costs are computed with: the file `--pricing`
 * names, else the one shipped in `pricing/models.json`. Read once at start; a
 * file that is missing or malformed stops the start with a message naming it.
 */
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { StatebridgeError } from './errors.js'
import { validatePricing } from './parsers/agent/pricing.js'
import type { PricingTable } from './parsers/agent/types.js'

/** The shipped table, beside dist/ and src/. */
export const SHIPPED_PRICING = fileURLToPath(new URL('../pricing/models.json', import.meta.url))

/** The table in `file` (default the shipped one), or `SB_CONFIG` saying what is wrong with it. */
export function loadPricing(file: string | null): PricingTable {
  const at = file ?? SHIPPED_PRICING
  let json: unknown
  try {
    json = JSON.parse(fs.readFileSync(at, 'utf8'))
  } catch (error) {
    throw new StatebridgeError('SB_CONFIG', `--pricing ${at}: ${error instanceof Error ? error.message : String(error)}`)
  }
  const table = validatePricing(json)
  if (typeof table === 'string') throw new StatebridgeError('SB_CONFIG', `--pricing ${at}: ${table}`)
  return table
}
