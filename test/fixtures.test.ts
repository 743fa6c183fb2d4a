/**
 * Input/expected fixture pairs (house style point 4): every directory under
 * `fixtures/` is a kind, every input file in it a case, `<case>.json` beside it
 * the expected output. Inputs are any file not ending in `.json`, plus
 * `<case>.input.json` for JSON inputs. A missing expected file is written on
 * first run; `UPDATE=1` rewrites them all. Review what it writes like code.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { KINDS } from '../src/kinds/registry.js'
import type { KindSpec } from '../src/kinds/types.js'
import { validatePricing } from '../src/parsers/agent/pricing.js'
import { parseDocument } from '../src/parsers/document.js'
import { parseFile } from '../src/parsers/parse-file.js'

// JSON Lines kinds are read with the shipped prices, so costs show in their expectations.
const PRICING = validatePricing(JSON.parse(fs.readFileSync(new URL('../pricing/models.json', import.meta.url), 'utf8')))
if (typeof PRICING === 'string') throw new Error(`pricing/models.json: ${PRICING}`)

/** How each kind of fixture is parsed: generic documents, then every kind of the registry by its fixture path. */
const parsers: Record<string, (fileName: string, bytes: Uint8Array) => unknown> = {
  document: (fileName, bytes) => parseDocument(fileName, bytes),
  ...Object.fromEntries(
    KINDS.map((kind) => [
      kind.fixture.dir,
      // A `*` stands for the case's file name (agent states are named after their agent).
      (fileName: string, bytes: Uint8Array) => typedOf(kind, kind.fixture.path.replace('*', fileName.replace(/\.input\.json$/, '.json')), bytes),
    ]),
  ),
}

function typedOf(kind: KindSpec, relPath: string, bytes: Uint8Array): unknown {
  const parsed = parseFile(relPath, bytes, { pricing: PRICING as Exclude<typeof PRICING, string> })
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error')
  if (errors.length > 0) return { errors }
  // A JSON Lines file's bad lines are warnings beside its rows, and where the read stopped is part of the result.
  if (kind.format === 'jsonl') return { typed: parsed.typed ?? null, diagnostics: parsed.diagnostics, append: parsed.append ?? null }
  return parsed.typed ?? null
}

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))
const UPDATE = process.env.UPDATE === '1'
const INPUT_JSON = '.input.json'

interface FixtureCase {
  kind: string
  name: string
  inputFile: string
  expectedFile: string
}

function discover(): { cases: FixtureCase[]; problems: string[] } {
  const cases: FixtureCase[] = []
  const problems: string[] = []
  const kinds = fs
    .readdirSync(FIXTURES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
  for (const kind of kinds) {
    if (!(kind in parsers)) problems.push(`fixtures/${kind}/ has no parser in test/fixtures.test.ts`)
    const files = fs.readdirSync(path.join(FIXTURES, kind)).sort()
    const inputs = new Map<string, string>()
    for (const file of files) {
      let name: string
      if (file.endsWith(INPUT_JSON)) name = file.slice(0, -INPUT_JSON.length)
      else if (file.endsWith('.json')) continue
      else name = file.includes('.') ? file.slice(0, file.lastIndexOf('.')) : file
      const other = inputs.get(name)
      if (other !== undefined) problems.push(`fixtures/${kind}/: ${other} and ${file} are both case "${name}"`)
      inputs.set(name, file)
    }
    // An expected file whose input is gone would never be checked again.
    for (const file of files) {
      if (!file.endsWith('.json') || file.endsWith(INPUT_JSON)) continue
      if (!inputs.has(file.slice(0, -'.json'.length))) problems.push(`fixtures/${kind}/${file} has no input file`)
    }
    for (const [name, inputFile] of inputs) {
      cases.push({
        kind,
        name,
        inputFile: path.join(FIXTURES, kind, inputFile),
        expectedFile: path.join(FIXTURES, kind, `${name}.json`),
      })
    }
  }
  return { cases, problems }
}

const { cases, problems } = discover()

describe('fixtures', () => {
  it('are well formed (a parser per kind, one input per case, no orphaned expectations)', () => {
    expect(problems).toEqual([])
    expect(cases.length).toBeGreaterThan(0)
  })

  it.each(cases.map((c) => [`${c.kind}/${path.basename(c.inputFile)}`, c] as const))('%s', (_label, c) => {
    const parse = parsers[c.kind]
    if (!parse) throw new Error(`no parser for fixture kind ${c.kind}`)
    // Compare the JSON form: it is what the store writes and what the expected file holds.
    const actual: unknown = JSON.parse(JSON.stringify(parse(path.basename(c.inputFile), fs.readFileSync(c.inputFile))))
    const relExpected = path.relative(path.dirname(FIXTURES), c.expectedFile)
    if (UPDATE || !fs.existsSync(c.expectedFile)) {
      fs.writeFileSync(c.expectedFile, `${JSON.stringify(actual, null, 2)}\n`)
      console.log(`fixtures: wrote ${relExpected}; review it before committing`)
      return
    }
    const expected: unknown = JSON.parse(fs.readFileSync(c.expectedFile, 'utf8'))
    expect(actual, relExpected).toEqual(expected)
  })
})
