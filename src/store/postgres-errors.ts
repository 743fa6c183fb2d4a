/**
 * What a PostgreSQL error means for the sync loop: wait and retry, give up on
 * this one file, or stop and tell the operator.
 */
import os from 'node:os'
import type { StoreErrorKind } from './types.js'

// Network failures that a reconnect can fix.
const TRANSIENT_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
])

// node-postgres reports a lost or unreachable server with plain messages.
const TRANSIENT_MESSAGE =
  /Connection terminated|connection error|timeout exceeded when trying to connect|Query read timeout|Client was closed|Connection refused|server closed the connection|not queryable/i

// TLS certificate problems and a password the driver cannot use: configuration, not this file.
const FATAL_CODE = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED)/
const FATAL_MESSAGE = /SASL|SCRAM|password|certificate|self.signed|does not support SSL|SSL connection/i

/** Classify an error thrown by the pg driver or the server. */
export function classifyPostgresError(error: unknown): StoreErrorKind {
  const code = errorCode(error)
  if (TRANSIENT_ERRNO.has(code)) return 'transient'
  // Other errno names (EPERM, EACCES, ...) are the host's doing, and five letters long like a SQLSTATE.
  if (code in os.constants.errno) return 'fatal'
  if (/^[0-9A-Z]{5}$/.test(code)) return classifySqlState(code)
  if (FATAL_CODE.test(code)) return 'fatal'
  if (error instanceof Error && TRANSIENT_MESSAGE.test(error.message)) return 'transient'
  if (error instanceof Error && FATAL_MESSAGE.test(error.message)) return 'fatal'
  // Not a database error at all (a bug of ours on this file's records): fail the file, not the daemon.
  return 'file'
}

function classifySqlState(code: string): StoreErrorKind {
  const cls = code.slice(0, 2)
  // 08 connection exception, 57P0x shutdown / cannot connect now, 53 out of resources
  // (too many connections, disk full), 40 serialization failure or deadlock, 55P03 lock not available, 58 system error.
  if (cls === '08' || cls === '53' || cls === '40' || cls === '58' || code.startsWith('57P') || code === '55P03') return 'transient'
  // 22 data exception, 23 constraint violation, 54 program limit (a row too large): this file's records.
  if (cls === '22' || cls === '23' || cls === '54') return 'file'
  // 28 bad credentials, 3D000 no such database, 3F000 no such schema, 42 undefined table or no privilege, and the rest.
  return 'fatal'
}

/** A one-line hint for an error that retrying will not fix. */
export function fatalHint(error: unknown): string {
  const code = errorCode(error)
  if (code.startsWith('28')) return 'check the user and password in the URL or PGUSER/PGPASSWORD'
  if (code === '3D000') return 'the database does not exist; create it or fix the URL'
  if (code === '3F000' || code === '42P01') return 'the schema or its tables are missing; run `statebridge migrate`'
  if (code === '42501') return 'the user lacks a privilege on the statebridge schema'
  return 'see the error code in the PostgreSQL documentation'
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null | undefined)?.code
  return typeof code === 'string' ? code : ''
}
