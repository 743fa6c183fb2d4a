/**
 * `sync` under a low open-file limit (`ulimit -n`): it finishes with every
 * file stored, or stops with one line naming the limit. It never spins, and
 * never dies with a stack. (Runs the built CLI: `npm run build` first.)
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CLI, cleanEnv } from '../helpers/cli.js'
import { dumpSqlite } from '../helpers/dump.js'
import { cleanup, tempDir, writeTree } from '../helpers/tree.js'

const FILES = 300

let dir: string
let root: string

beforeEach(() => {
  dir = tempDir()
  root = path.join(dir, 'reports')
  const files: Record<string, string> = {}
  for (let i = 0; i < FILES; i++) files[`2026-02-${String(3 + (i % 20)).padStart(2, '0')}-s${i % 20}/f${i}.md`] = `| a | b |\n|---|---|\n| ${i} | x |\n`
  writeTree(root, files)
})
afterEach(() => cleanup(dir))

function syncUnder(limit: number): { code: number | null; stderr: string; db: string } {
  const db = path.join(dir, `fd-${limit}.db`)
  const result = spawnSync('bash', ['-c', `ulimit -n ${limit} && exec "$0" "$@"`, process.execPath, CLI, 'sync', root, '--db', db], {
    env: cleanEnv(),
    encoding: 'utf8',
    // Bounded: a spinning run is killed and fails below.
    timeout: 90_000,
  })
  return { code: result.status, stderr: result.stderr, db }
}

describe('sync under a low open-file limit', () => {
  // 64 is enough once workers start one at a time; at 56 on this machine a
  // worker cannot load the parser, so the run stops and names the limit.
  for (const limit of [64, 56]) {
    it(`ulimit -n ${limit}: every file stored, or exit 1 naming ulimit -n`, () => {
      const { code, stderr, db } = syncUnder(limit)
      expect(stderr).not.toMatch(/^\s+at /m)
      if (code === 0) {
        const documents = dumpSqlite(db).documents
        expect(documents.filter((d) => d.status === 'ok')).toHaveLength(FILES)
      } else {
        expect(code).toBe(1)
        expect(stderr.trim().split('\n').at(-1)).toMatch(/too many open files.*`ulimit -n`/)
      }
    }, 120_000)
  }

  // Below about 50 the CLI cannot even load its own modules (node's module
  // loader reads them in parallel); the thin entry in src/cli.ts says so in one line.
  for (const limit of [40, 30]) {
    it(`ulimit -n ${limit}: exit 1 naming ulimit -n, without a stack`, () => {
      const { code, stderr } = syncUnder(limit)
      expect(code).toBe(1)
      expect(stderr).not.toMatch(/^\s+at /m)
      expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/too many open files.*`ulimit -n`/)])
    }, 120_000)
  }
})

// Out of descriptors, Node's resolver can read no package.json and reports the
// package as not found (naming its index.js). A resolve hook plays that failure
// deterministically: for a package that is there, the same one line; for one
// really missing (a broken install), the stack stays.
describe('a package the loader reports as not found', () => {
  function syncWithMissing(named: string): { code: number | null; stderr: string } {
    const hook = path.join(dir, 'hook.mjs')
    fs.writeFileSync(
      hook,
      `import { register } from 'node:module'\n` +
        `register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(
          `export async function resolve(specifier, context, next) {
            if (specifier !== 'better-sqlite3') return next(specifier, context)
            const error = new Error("Cannot find package '${named}' imported from " + context.parentURL)
            error.code = 'ERR_MODULE_NOT_FOUND'
            throw error
          }`,
        )}))\n`,
    )
    const result = spawnSync(process.execPath, ['--import', hook, CLI, 'sync', root, '--db', path.join(dir, 'hook.db')], {
      env: cleanEnv(),
      encoding: 'utf8',
      timeout: 90_000,
    })
    return { code: result.status, stderr: result.stderr }
  }

  it('that is installed: exit 1 naming ulimit -n, without a stack', () => {
    const installed = path.join(path.dirname(CLI), '..', 'node_modules', 'better-sqlite3', 'index.js')
    const { code, stderr } = syncWithMissing(path.resolve(installed))
    expect(code).toBe(1)
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/too many open files \(the package\.json of .*better-sqlite3 could not be read\).*`ulimit -n`/)])
  }, 120_000)

  it('that is missing: the error and its stack, not a word about descriptors', () => {
    const { code, stderr } = syncWithMissing(path.join(dir, 'node_modules', 'no-such-package', 'index.js'))
    expect(code).toBe(1)
    expect(stderr).toMatch(/Cannot find package '.*no-such-package/)
    expect(stderr).toMatch(/^\s+at /m)
    expect(stderr).not.toMatch(/ulimit/)
  }, 120_000)
})
