/**
 * What SQLite's error codes mean for the sync loop, and the message a write
 * to a read-only database gets.
 */
import { describe, expect, it } from 'vitest'
import { classifySqliteError, explainWriteError, readOnlyReason } from '../src/store/sqlite-open.js'
import type { StoreErrorKind } from '../src/store/types.js'

const coded = (code: string, message = `error ${code}`) => Object.assign(new Error(message), { code })

describe('classifySqliteError', () => {
  it.each([
    ['SQLITE_BUSY', 'transient'],
    ['SQLITE_LOCKED', 'transient'],
    ['SQLITE_IOERR_WRITE', 'transient'],
    ['SQLITE_FULL', 'transient'],
    ['SQLITE_CONSTRAINT_UNIQUE', 'file'],
    ['SQLITE_TOOBIG', 'file'],
    // Only the operator can make the file writable: retrying soon will not help.
    ['SQLITE_READONLY', 'fatal'],
    ['SQLITE_READONLY_DIRECTORY', 'fatal'],
    ['SQLITE_READONLY_DBMOVED', 'fatal'],
    ['SQLITE_PERM', 'fatal'],
    ['SQLITE_CANTOPEN', 'fatal'],
    ['SQLITE_CORRUPT', 'fatal'],
  ] satisfies Array<[string, StoreErrorKind]>)('%s → %s', (code, kind) => {
    expect(classifySqliteError(coded(code))).toBe(kind)
  })

  it('treats an error without a code as the file’s', () => {
    expect(classifySqliteError(new TypeError('x is not a function'))).toBe('file')
    expect(classifySqliteError(undefined)).toBe('file')
  })
})

describe('read-only writes', () => {
  it('name the file, the code and what to do, and keep the code', () => {
    const original = coded('SQLITE_READONLY', 'attempt to write a readonly database')
    let thrown: unknown
    try {
      explainWriteError(original, '/data/x.db')
    } catch (error) {
      thrown = error
    }
    expect((thrown as Error).message).toBe(
      'the SQLite database /data/x.db cannot be written (SQLITE_READONLY: attempt to write a readonly database): the file, ' +
        'its -wal and -shm files or its directory are read-only for this user, or on a read-only mount; make them writable, ' +
        'or point --db at a writable path',
    )
    expect((thrown as { code: string }).code).toBe('SQLITE_READONLY')
    expect(classifySqliteError(thrown)).toBe('fatal')
  })

  it('leave every other error as it was', () => {
    const busy = coded('SQLITE_BUSY')
    expect(() => explainWriteError(busy, '/data/x.db')).toThrow(busy)
    expect(readOnlyReason(busy, '/data/x.db')).toBeNull()
  })
})
