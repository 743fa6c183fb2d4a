/**
 * BatchInsert: rows written by multi-row statements arrive whole, in order,
 * across batch boundaries, and a discarded batch leaves nothing behind.
 */
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BatchInsert } from '../src/store/sqlite-batch.js'

let db: Database.Database
let batch: BatchInsert
beforeEach(() => {
  db = new Database(':memory:')
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b TEXT)')
  batch = new BatchInsert(db, 'INSERT INTO t (a, b)', 2)
})
afterEach(() => db.close())

const rows = (): Array<{ a: number; b: string | null }> => db.prepare('SELECT a, b FROM t ORDER BY id').all() as Array<{ a: number; b: string | null }>

describe('BatchInsert', () => {
  it.each([0, 1, 31, 32, 33, 70])('writes %i rows in the order added', (n) => {
    const expected = Array.from({ length: n }, (_, i) => ({ a: i, b: i % 3 === 0 ? null : `row ${i}` }))
    for (const row of expected) batch.add(row.a, row.b)
    batch.flush()
    expect(rows()).toEqual(expected)
  })

  it('writes nothing of rows discarded before their batch was full', () => {
    batch.add(1, 'kept')
    batch.flush()
    batch.add(2, 'dropped')
    batch.discard()
    batch.add(3, 'next')
    batch.flush()
    expect(rows()).toEqual([{ a: 1, b: 'kept' }, { a: 3, b: 'next' }])
  })

  it('refuses a row with the wrong number of values', () => {
    expect(() => batch.add(1)).toThrow('1 values for 2 columns')
  })

  it('fails the statement of a batch holding a bad row, as one INSERT would', () => {
    for (let i = 0; i < 5; i++) batch.add(i, 'ok')
    batch.add(null, 'no a')
    expect(() => batch.flush()).toThrow(/NOT NULL/)
    batch.discard()
    expect(rows()).toEqual([])
  })
})
