/**
 * What the daemon's main thread loads. Its parsers run in workers, so the
 * parser stack, pg (SQLite deployments) and pino-pretty (JSON logs) are
 * loaded only where they are used: statically imported, they cost the main
 * thread about 45 MB of RSS. This walks the static imports from the command's
 * entry; a dynamic `import()` is where the walk stops, as loading does.
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = path.resolve(import.meta.dirname, '../src')

// `import … from '…'`, `export … from '…'` and `import '…'`; `import type` and `export type` load nothing.
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm

/** Every package the static import graph from `entry` reaches, with one importer of each. */
function staticPackages(entry: string): Map<string, string> {
  const seen = new Set<string>()
  const packages = new Map<string, string>()
  const visit = (file: string): void => {
    if (seen.has(file)) return
    seen.add(file)
    for (const match of fs.readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const specifier = match[1]!
      if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')))
      else if (!specifier.startsWith('node:') && !packages.has(specifier)) packages.set(specifier, path.relative(SRC, file))
    }
  }
  visit(entry)
  return packages
}

describe('the main thread of the daemon', () => {
  const packages = staticPackages(path.join(SRC, 'cli.ts'))
  const mainPackages = staticPackages(path.join(SRC, 'main.ts'))

  it('reaches the command through a dynamic import only', () => {
    expect([...packages.keys()]).toEqual([])
  })

  it('loads the store, the watcher and the logger', () => {
    expect([...mainPackages.keys()].sort()).toEqual(expect.arrayContaining(['better-sqlite3', 'chokidar', 'pino']))
  })

  it.each(['pg', 'pino-pretty', 'unified', 'remark-parse', 'micromark-extension-gfm-table', 'tar-stream', 'diff'])('does not load %s', (name) => {
    expect(mainPackages.get(name), `${name} is imported by src/${mainPackages.get(name)}`).toBeUndefined()
  })
})
