/**
 * What a PostgreSQL error means for the sync loop: wait and retry, give up on
 * this one file, or stop and tell the operator.
 */
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

/** Classify an error thrown by the pg driver or the server. */
export function classifyPostgresError(error: unknown): StoreErrorKind {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : ''
  if (TRANSIENT_ERRNO.has(code)) return 'transient'
  if (/^[0-9A-Z]{5}$/.test(code)) return classifySqlState(code)
  if (error instanceof Error && TRANSIENT_MESSAGE.test(error.message)) return 'transient'
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
  const code = (error as { code?: string })?.code ?? ''
  if (code.startsWith('28')) return 'check the user and password in the URL or PGUSER/PGPASSWORD'
  if (code === '3D000') return 'the database does not exist; create it or fix the URL'
  if (code === '3F000' || code === '42P01') return 'the schema or its tables are missing; run `statebridge migrate`'
  if (code === '42501') return 'the user lacks a privilege on the statebridge schema'
  return 'see the error code in the PostgreSQL documentation'
}
