/**
 * The one root logger (pino). Modules take a child: `logger.child({ module: 'sync' })`.
 */
import { createRequire } from 'node:module'
import { pino, type Logger } from 'pino'
import type pretty from 'pino-pretty'

export type { Logger }

/** Logger settings. */
export interface LoggerOptions {
  /** pino level name; default `info`. */
  level?: string
  /** File descriptor to write to: 1 (stdout) or 2 (stderr); default 1. */
  fd?: 1 | 2
  /** Human-readable output; default: when the destination is a TTY. */
  pretty?: boolean
}

/** Create the root logger: JSON lines, or pretty lines on a terminal. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const fd = options.fd ?? 1
  const stream = fd === 1 ? process.stdout : process.stderr
  const base = { level: options.level ?? 'info', base: { pid: process.pid } }
  if (options.pretty ?? stream.isTTY === true) {
    return pino(base, prettyStream({ destination: fd, sync: true }))
  }
  return pino(base, pino.destination({ fd, sync: false }))
}

/** A logger that writes nothing, for tests and embedding. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}

const require = createRequire(import.meta.url)

/** A pino-pretty stream. The module is loaded on first use: a daemon that logs JSON would carry it as about 10 MB of RSS. */
export function prettyStream(options: pretty.PrettyOptions): ReturnType<typeof pretty> {
  return (require('pino-pretty') as typeof pretty)(options)
}
