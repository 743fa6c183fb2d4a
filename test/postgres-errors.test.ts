/**
 * How PostgreSQL and node-postgres errors steer the sync loop: retry
 * (`transient`), fail the one file (`file`), or tell the operator (`fatal`).
 */
import { describe, expect, it } from 'vitest'
import { classifyPostgresError, fatalHint } from '../src/store/postgres-errors.js'
import type { StoreErrorKind } from '../src/store/types.js'

/** An error as node-postgres or the socket layer throws it: a message and a `code`. */
const coded = (code: string, message = `error ${code}`) => Object.assign(new Error(message), { code })

describe('classifyPostgresError', () => {
  it.each([
    // errno codes of a lost or unreachable server
    ['ECONNREFUSED', 'transient'],
    ['ECONNRESET', 'transient'],
    ['ETIMEDOUT', 'transient'],
    ['ENOTFOUND', 'transient'],
    ['EPIPE', 'transient'],
    ['EHOSTUNREACH', 'transient'],
    ['EAI_AGAIN', 'transient'],
    // SQLSTATE: connection exception, shutdown, resources, serialization
    ['08006', 'transient'], // connection_failure
    ['08001', 'transient'], // sqlclient_unable_to_establish_sqlconnection
    ['08P01', 'transient'], // protocol_violation
    ['57P01', 'transient'], // admin_shutdown
    ['57P03', 'transient'], // cannot_connect_now
    ['53300', 'transient'], // too_many_connections
    ['53100', 'transient'], // disk_full
    ['40001', 'transient'], // serialization_failure
    ['40P01', 'transient'], // deadlock_detected
    ['55P03', 'transient'], // lock_not_available
    ['58030', 'transient'], // io_error
    // SQLSTATE: this file's records
    ['22P02', 'file'], // invalid_text_representation
    ['22021', 'file'], // character_not_in_repertoire
    ['22001', 'file'], // string_data_right_truncation
    ['23505', 'file'], // unique_violation
    ['23502', 'file'], // not_null_violation
    ['54000', 'file'], // program_limit_exceeded
    // SQLSTATE: configuration or schema
    ['28P01', 'fatal'], // invalid_password
    ['28000', 'fatal'], // invalid_authorization_specification
    ['3D000', 'fatal'], // invalid_catalog_name
    ['3F000', 'fatal'], // invalid_schema_name
    ['42P01', 'fatal'], // undefined_table
    ['42703', 'fatal'], // undefined_column
    ['42501', 'fatal'], // insufficient_privilege
    ['55000', 'fatal'], // object_not_in_prerequisite_state: only 55P03 is a lock wait
    ['57014', 'fatal'], // query_canceled: not a 57P0x shutdown
  ] satisfies Array<[string, StoreErrorKind]>)('code %s → %s', (code, expected) => {
    expect(classifyPostgresError(coded(code))).toBe(expected)
    // The code decides, whatever the message and whether or not it is an Error.
    expect(classifyPostgresError({ code, message: 'Connection terminated unexpectedly' })).toBe(expected)
  })

  it.each([
    ['Connection terminated unexpectedly', 'transient'],
    ['Connection terminated due to connection timeout', 'transient'],
    ['timeout exceeded when trying to connect', 'transient'],
    ['Query read timeout', 'transient'],
    ['Client was closed and is not queryable', 'transient'],
    ['Client has encountered a connection error and is not queryable', 'transient'],
    ['server closed the connection unexpectedly', 'transient'],
    ['Cannot read properties of undefined (reading "rows")', 'file'],
    ['bind message supplies 3 parameters, but prepared statement requires 4', 'file'],
  ] satisfies Array<[string, StoreErrorKind]>)('message-only error %j → %s', (message, expected) => {
    expect(classifyPostgresError(new Error(message))).toBe(expected)
  })

  it('treats a bug of ours (TypeError, RangeError) as a failure of the file, not of the daemon', () => {
    expect(classifyPostgresError(new TypeError('value.toISOString is not a function'))).toBe('file')
    expect(classifyPostgresError(new RangeError('Invalid time value'))).toBe('file')
  })

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'Connection terminated unexpectedly'],
    ['a number', 42],
    ['an object without code', { message: 'Connection terminated unexpectedly' }],
    ['a numeric code', { code: 40001 }],
    ['an empty code', coded('')],
    ['a lower-case code', coded('08p01')],
  ])('classifies %s without throwing, as a file failure', (_, value) => {
    expect(classifyPostgresError(value)).toBe('file')
  })

  it.each([
    ['a host errno that is not a network failure', coded('ENOENT')],
    ['EPERM, five letters like a SQLSTATE', coded('EPERM')],
    ['an expired TLS certificate', coded('CERT_HAS_EXPIRED')],
    ['a self-signed certificate', coded('SELF_SIGNED_CERT_IN_CHAIN')],
    ['a password the driver cannot use', new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string')],
  ])('classifies %s as fatal: configuration, not this file', (_, value) => {
    expect(classifyPostgresError(value)).toBe('fatal')
  })
})

describe('fatalHint', () => {
  it.each([
    ['28P01', /PGUSER\/PGPASSWORD/],
    ['28000', /PGUSER\/PGPASSWORD/],
    ['3D000', /database does not exist/],
    ['3F000', /`statebridge migrate`/],
    ['42P01', /`statebridge migrate`/],
    ['42501', /lacks a privilege/],
    ['42703', /see the error code in the PostgreSQL documentation/],
  ])('%s → %s', (code, hint) => {
    expect(fatalHint(coded(code))).toMatch(hint)
  })

  it('gives only one hint per code', () => {
    expect(fatalHint(coded('28P01'))).not.toMatch(/migrate/)
    expect(fatalHint(coded('42P01'))).not.toMatch(/PGPASSWORD/)
  })

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'boom'],
    ['an Error without code', new Error('boom')],
  ])('falls back to the generic hint for %s', (_, value) => {
    expect(fatalHint(value)).toBe('see the error code in the PostgreSQL documentation')
  })
})
