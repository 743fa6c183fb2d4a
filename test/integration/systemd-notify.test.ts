/**
 * `Type=notify` readiness through the built CLI: a fake `systemd-notify` first
 * on PATH records its arguments and, at the moment it runs, how many documents
 * the database holds. READY must come after the start-up reconcile, STOPPING
 * at SIGTERM, and nothing without NOTIFY_SOCKET.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { notifyArguments } from '../../src/systemd-notify.js'
import { CLI, cleanEnv, waitFor } from '../helpers/cli.js'
import { cleanup, sampleTree, tempDir, writeTree } from '../helpers/tree.js'

const BETTER_SQLITE3 = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../node_modules/better-sqlite3')
// sampleTree() holds nine files statebridge keeps as documents (the watch tests count the same).
const DOCUMENTS = 9

let dir: string
let root: string
let dbFile: string
let bin: string
let record: string
let child: ChildProcess | null

beforeEach(() => {
  dir = tempDir('statebridge-notify-')
  root = path.join(dir, 'reports')
  dbFile = path.join(dir, 'db.sqlite')
  bin = path.join(dir, 'bin')
  record = path.join(dir, 'notify.log')
  writeTree(root, sampleTree())
  fs.mkdirSync(bin)
  // Counts the documents as the daemon sees them right now: proof of what was applied before the notice.
  const counter = path.join(dir, 'count.cjs')
  fs.writeFileSync(
    counter,
    `const Database = require(${JSON.stringify(BETTER_SQLITE3)})\n` +
      `const db = new Database(${JSON.stringify(dbFile)}, { readonly: true, fileMustExist: true })\n` +
      `process.stdout.write(String(db.prepare('SELECT count(*) AS n FROM documents').get().n))\n`,
  )
  const fake = path.join(bin, 'systemd-notify')
  fs.writeFileSync(
    fake,
    [
      '#!/bin/sh',
      `documents=$(${JSON.stringify(process.execPath)} ${JSON.stringify(counter)} 2>&1)`,
      `printf '%s|%s|%s\\n' "$NOTIFY_SOCKET" "$documents" "$*" >> ${JSON.stringify(record)}`,
      '',
    ].join('\n'),
  )
  fs.chmodSync(fake, 0o755)
  child = null
})

afterEach(async () => {
  if (child !== null && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL')
    await new Promise((resolve) => child!.once('exit', resolve))
  }
  cleanup(dir)
})

/** Start `statebridge watch` with `env` on top of a clean environment; `NOTIFY_SOCKET` only when given. */
function startWatch(env: Record<string, string>): { lines: string[]; exited: Promise<number | null> } {
  const full = cleanEnv({ LOG_LEVEL: 'debug', ...env })
  if (!('NOTIFY_SOCKET' in env)) delete full.NOTIFY_SOCKET
  child = spawn(process.execPath, [CLI, 'watch', root, '--db', `sqlite:${dbFile}`, '--reconcile-interval-ms', '0', '--workers', '1'], {
    env: full,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  let buffer = ''
  const collect = (chunk: Buffer): void => {
    buffer += chunk.toString('utf8')
    const parts = buffer.split('\n')
    buffer = parts.pop() ?? ''
    lines.push(...parts)
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)))
  return { lines, exited }
}

const logged = (lines: string[], msg: string): boolean => lines.some((line) => line.includes(`"msg":"${msg}"`))
const notices = (): string[] => (fs.existsSync(record) ? fs.readFileSync(record, 'utf8').split('\n').filter(Boolean) : [])

describe('systemd notify through the built CLI', () => {
  it('sends READY with a status after the start-up reconcile, and STOPPING at SIGTERM', async () => {
    const { lines, exited } = startWatch({ NOTIFY_SOCKET: '@statebridge-test', PATH: `${bin}:${process.env.PATH ?? ''}` })
    await waitFor(() => notices().length >= 1, 30_000, 'READY=1')
    const [ready] = notices()
    const [socket, documents, args] = ready!.split('|')
    expect(socket).toBe('@statebridge-test')
    // Every file of the tree was in the database when systemd heard "ready".
    expect(documents).toBe(String(DOCUMENTS))
    expect(args).toBe(`--ready --status=reconciled; watching ${root}`)
    await waitFor(() => logged(lines, 'watching'), 10_000, 'the watching line')
    await waitFor(() => logged(lines, 'systemd notified'), 10_000, 'the debug line of the notice')

    child!.kill('SIGTERM')
    expect(await exited).toBe(0)
    const all = notices()
    expect(all).toHaveLength(2)
    expect(all[1]!.split('|')[2]).toBe('--status=shutting down: finishing the applies in flight STOPPING=1')
  })

  it('sends nothing without NOTIFY_SOCKET', async () => {
    const { lines, exited } = startWatch({ PATH: `${bin}:${process.env.PATH ?? ''}` })
    await waitFor(() => logged(lines, 'watching'), 30_000, 'the watching line')
    child!.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(fs.existsSync(record)).toBe(false)
  })

  it('warns and keeps running when systemd-notify is missing', async () => {
    const empty = path.join(dir, 'empty-bin')
    fs.mkdirSync(empty)
    const { lines, exited } = startWatch({ NOTIFY_SOCKET: '@statebridge-test', PATH: empty })
    await waitFor(() => lines.some((line) => line.includes('systemd-notify is not on PATH')), 30_000, 'the warning')
    expect(logged(lines, 'watching')).toBe(true)
    child!.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(fs.existsSync(record)).toBe(false)
  })
})

describe('notifyArguments', () => {
  it('spells each notice as systemd-notify 252 takes it', () => {
    expect(notifyArguments({})).toEqual([])
    expect(notifyArguments({ ready: true })).toEqual(['--ready'])
    expect(notifyArguments({ ready: true, status: 'a\nb' })).toEqual(['--ready', '--status=a b'])
    expect(notifyArguments({ stopping: true })).toEqual(['STOPPING=1'])
  })
})
