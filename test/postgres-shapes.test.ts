/**
 * PostgreSQL's per-file statements name only the record sets the file has
 * (src/store/postgres-sql.ts): every parameter they take is used, in order,
 * and files of one shape share one prepared statement. (The rows they write
 * are checked against SQLite's by test/integration/cross-dialect.test.ts.)
 */
import { describe, expect, it } from 'vitest'
import { TYPED_TABLE_NAMES } from '../src/parsers/typed/tables.js'
import { deleteSummariesStatement, insertRecordsStatement } from '../src/store/postgres-sql.js'

/** Records as encodeSnapshot makes them: root, session, fields, one set per typed table, facts, kind. */
function records(sets: { fields?: string; facts?: string; typed?: Record<string, string>; kind?: string | null }): unknown[] {
  return ['/r', 's1', sets.fields ?? '[]', ...TYPED_TABLE_NAMES.map((t) => sets.typed?.[t] ?? '[]'), sets.facts ?? '[]', sets.kind ?? null]
}

/** The parameter numbers a statement text refers to. */
function params(text: string): number[] {
  return [...new Set([...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])))].sort((a, b) => a - b)
}

describe('insertRecordsStatement', () => {
  const [first, second] = TYPED_TABLE_NAMES as [string, string]

  type Sets = Parameters<typeof records>[0]
  it.each<[string, Sets, string[]]>([
    ['nothing', {}, []],
    ['fields only', { fields: '[{"key":"a"}]' }, ['i_fields']],
    ['one typed table', { typed: { [second]: '[{"line":1}]' }, kind: 'k' }, [`i_${second}`]],
    ['everything named', { fields: '[1]', facts: '[2]', typed: { [first]: '[3]', [second]: '[4]' } }, ['i_fields', `i_${first}`, `i_${second}`, 'i_facts']],
  ])('%s: inserts only into the sets given, and uses every parameter once in order', (_label, sets, ctes) => {
    const statement = insertRecordsStatement(42, records(sets))
    expect([...statement.text.matchAll(/\b(i_\w+) AS \(/g)].map((m) => m[1])).toEqual(ctes)
    expect(params(statement.text)).toEqual(statement.values.map((_, i) => i + 1))
    expect(statement.values[0]).toBe(42)
    expect(statement.values.at(-1)).toBe(sets.kind ?? null)
    expect(statement.text).toMatch(/UPDATE documents SET typed_kind = \$\d+::text WHERE id = \$1$/)
  })

  it('gives files of one shape one name and text, and other shapes other names', () => {
    const a = insertRecordsStatement(1, records({ fields: '[1]', typed: { [first]: '[1]' } }))
    const b = insertRecordsStatement(2, records({ fields: '[2, 3]', typed: { [first]: '[9]' }, kind: 'x' }))
    const c = insertRecordsStatement(3, records({ typed: { [first]: '[1]' } }))
    expect(b.name).toBe(a.name)
    expect(b.text).toBe(a.text)
    expect(c.name).not.toBe(a.name)
    expect(a.name.length).toBeLessThanOrEqual(63)
  })
})

describe('deleteSummariesStatement', () => {
  it('deletes from the named typed tables only, and is no statement when none is named', () => {
    const [first, second] = TYPED_TABLE_NAMES as [string, string]
    const statement = deleteSummariesStatement(7, [second, 'not_a_table', first])!
    expect([...statement.text.matchAll(/DELETE FROM (\w+)/g)].map((m) => m[1])).toEqual([first, second])
    expect(statement.values).toEqual([7])
    expect(params(statement.text)).toEqual([1])
    expect(deleteSummariesStatement(7, [])).toBeNull()
    expect(deleteSummariesStatement(7, ['not_a_table'])).toBeNull()
  })
})
