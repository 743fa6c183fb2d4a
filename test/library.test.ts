/**
 * The published entry point: the built dist/index.js (what `import 'statebridge'`
 * loads, per package.json "exports") parses and normalises. Needs `npm run build`,
 * which `npm test` runs first.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
type Library = typeof import('../src/index.js')

describe('dist/index.js', () => {
  it('is what package.json exports', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      main: string
      types: string
      exports: { '.': { import: string; types: string } }
      files: string[]
    }
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', import: './dist/index.js' })
    expect(path.normalize(pkg.main)).toBe(path.normalize(pkg.exports['.'].import))
    expect(pkg.files).toContain('!dist/bench')
    expect(fs.existsSync(path.join(ROOT, 'dist/index.d.ts'))).toBe(true)
  })

  it('parses a file and normalises values', async () => {
    const lib = (await import(pathToFileURL(path.join(ROOT, 'dist/index.js')).href)) as Library
    const markdown = '# ORCHESTRATOR STATE\n\n## SESSION\n\n| Phase | Status |\n|---|---|\n| Research | complete |\n| Synthesis | in progress |\n'
    const parsed = lib.parseFile('2026-03-02-1772409600/orchestrator-state.md', new TextEncoder().encode(markdown))
    expect(parsed.format).toBe('markdown')
    expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    expect(parsed.markdown?.tables[0]).toMatchObject({ headers: ['Phase', 'Status'], rows: [{ cells: { Phase: 'Research', Status: 'complete' } }, {}] })
    expect(lib.documentType('s/orchestrator-state.md')).toBe('orchestrator_state')

    const broken = lib.parseFile('s/synthesis-state.json', new TextEncoder().encode('{\n  "status": \n}'))
    expect(broken.diagnostics[0]).toMatchObject({ severity: 'error', line: 3 })

    expect(lib.parseMoney('$1.2B')).toMatchObject({ value: 1.2e9 })
    expect(lib.parseStatus('✅ Complete')).toMatchObject({ status: 'complete' })
    expect(lib.parseDateValue('2026-03-02')).toMatchObject({ precision: 'day' })
    expect(typeof lib.openStore).toBe('function')
    expect(lib.resolveSettings({}, {}).db).toEqual({ dialect: 'sqlite', file: './data/statebridge.db' })
  })
})
