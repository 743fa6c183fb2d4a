/**
 * The option table drives the README's configuration table, the usage text
 * and the resolution: the README block is regenerated from it (UPDATE=1
 * rewrites it) and must match it verbatim.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { resolveConfig, resolveSettings } from '../src/config.js'
import { OPTION_SPECS, OPTIONS, optionsMarkdownTable, usageText } from '../src/options.js'

const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../README.md')
const START = '<!-- options:start: generated from src/options.ts by test/options.test.ts; UPDATE=1 npx vitest run test/options.test.ts rewrites it -->'
const END = '<!-- options:end -->'

describe('README configuration table', () => {
  it('is the table generated from src/options.ts', () => {
    const readme = fs.readFileSync(README, 'utf8')
    const block = `${START}\n${optionsMarkdownTable()}\n${END}`
    const start = readme.indexOf(START)
    const end = readme.indexOf(END)
    expect(start, `README.md lacks the marker ${START}`).toBeGreaterThanOrEqual(0)
    expect(end).toBeGreaterThan(start)
    if (process.env.UPDATE) {
      fs.writeFileSync(README, readme.slice(0, start) + block + readme.slice(end + END.length))
      return
    }
    expect(readme).toContain(block)
  })
})

describe('option table', () => {
  it('gives every option a flag or a variable, help, and commands that exist', () => {
    for (const [key, spec] of OPTION_SPECS) {
      expect(spec.flag !== null || (spec.env?.length ?? 0) > 0, key).toBe(true)
      expect(spec.help.length, key).toBeGreaterThan(0)
      if (spec.type === 'integer' && typeof spec.default === 'number') {
        expect(spec.default, key).toBeGreaterThanOrEqual(spec.min)
        expect(spec.default, key).toBeLessThanOrEqual(spec.max)
      }
    }
  })

  it('lists every flag in the usage text', () => {
    const usage = usageText()
    for (const [, spec] of OPTION_SPECS) if (spec.flag !== null) expect(usage).toContain(`--${spec.flag}`)
    for (const variable of ['SESSION_STORAGE_TYPE', 'SESSION_DB_PATH', 'DATABASE_URL', 'STATEBRIDGE_SCHEMA', 'LOG_LEVEL', 'STATEBRIDGE_INSTANCE', 'STATEBRIDGE_ROOT_ID']) {
      expect(usage).toContain(variable)
    }
  })

  it('resolves every table option the same way for commands with and without a root', () => {
    const withRoot = resolveConfig({ root: '/r', debounceMs: 20, logLevel: 'warn' }, {})
    const { root, ...settings } = withRoot
    expect(root).toBe('/r')
    expect(resolveSettings({ debounceMs: 20, logLevel: 'warn' }, {})).toEqual(settings)
    for (const [key, spec] of OPTION_SPECS) {
      if (spec.resolve === 'table') expect(Object.hasOwn(settings, key), key).toBe(true)
    }
  })

  it('takes LOG_LEVEL from the environment, the option over it, and refuses an unknown level naming its source', () => {
    expect(resolveSettings({}, { LOG_LEVEL: 'debug' }).logLevel).toBe('debug')
    expect(resolveSettings({ logLevel: 'error' }, { LOG_LEVEL: 'debug' }).logLevel).toBe('error')
    expect(resolveSettings({}, { LOG_LEVEL: '' }).logLevel).toBe('info')
    expect(() => resolveSettings({}, { LOG_LEVEL: 'loud' })).toThrow('LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, not loud')
    expect(() => resolveSettings({ logLevel: 'loud' }, {})).toThrow('--log-level must be one of trace, debug, info, warn, error, fatal, silent, not loud')
  })

  it('treats an empty STATEBRIDGE_INSTANCE as unset', () => {
    expect(resolveSettings({}, { STATEBRIDGE_INSTANCE: '' }).instance).toBe(OPTIONS.instance.default())
  })
})
