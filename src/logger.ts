/**
 * The one root logger (pino). Modules take a child: `logger.child({ module: 'sync' })`.
 */
import { pino, type Logger } from 'pino'
import pretty from 'pino-pretty'

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
    return pino(base, pretty({ destination: fd, sync: true }))
  }
  return pino(base, pino.destination({ fd, sync: false }))
}

/** A logger that writes nothing, for tests and embedding. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
