/**
 * Run the built CLI (dist/cli.js) as a user would.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { pino, type Logger } from 'pino'

export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js')

/** Environment without the variables that would redirect the database. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra }
  for (const key of ['SESSION_STORAGE_TYPE', 'SESSION_DB_PATH', 'DATABASE_URL', 'LOG_LEVEL']) {
    if (!(key in extra)) delete env[key]
  }
  return env
}

/** Run the CLI to completion. */
export function runCli(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { env: cleanEnv(env), encoding: 'utf8', timeout: 120_000 })
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr }
}

/** Start the CLI in the background, collecting its output lines. */
export function startCli(args: string[], env: Record<string, string> = {}): { child: ChildProcess; lines: string[] } {
  const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
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
  return { child, lines }
}

/** Wait until `predicate` holds, polling. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** A logger whose JSON lines are collected in memory. */
export function memoryLogger(level = process.env.STATEBRIDGE_DEBUG ? 'trace' : 'debug'): { logger: Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = []
  const logger = pino({ level }, { write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) })
  return { logger, records }
}
