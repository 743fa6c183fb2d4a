/**
 * Naming a PostgreSQL target: the schema must be a plain identifier (it goes
 * unquoted into search_path), and a description for logs never shows a password.
 */
import { describe, expect, it } from 'vitest'
import { StatebridgeError } from '../src/errors.js'
import { checkSchemaName } from '../src/config.js'
import { connectionOptions, describeTarget } from '../src/store/postgres-connection.js'

describe('checkSchemaName', () => {
  it.each(['public', 'tenant_a', '_x1', 'a', '_', 'statebridge_2026', `a${'b'.repeat(62)}`])('accepts %j', (schema) => {
    expect(checkSchemaName(schema)).toBe(schema)
  })

  it.each([
    'Public',
    'TENANT',
    'a-b',
    '1abc',
    'a;drop',
    'a b',
    'public.x',
    '"public"',
    'tenänt',
    '',
    ' public',
    `a${'b'.repeat(63)}`, // 64 characters
  ])('refuses %j with SB_CONFIG naming the source', (schema) => {
    for (const source of [undefined, 'STATEBRIDGE_SCHEMA']) {
      let caught: unknown
      try {
        checkSchemaName(schema, source)
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(StatebridgeError)
      const error = caught as StatebridgeError
      expect(error.code).toBe('SB_CONFIG')
      expect(error.message).toBe(
        `${source ?? '--schema'} must be a lower-case identifier (letters, digits, _; at most 63), not ${JSON.stringify(schema)}`,
      )
    }
  })
})

describe('describeTarget', () => {
  it.each([
    [
      'postgres://user:s3cret@db.example:6543/agents?sslmode=require',
      'public',
      'postgres://user@db.example:6543/agents (schema public)',
    ],
    ['postgresql://sb:s3cret@10.0.0.5/state', 'tenant_a', 'postgres://sb@10.0.0.5:5432/state (schema tenant_a)'],
    // Percent-encoded user and database are shown decoded; the encoded password not at all.
    ['postgres://app%40corp:p%40ss%2Fw0rd@db:5432/my%20db', 'public', 'postgres://app@corp@db:5432/my db (schema public)'],
    // No database: node-postgres uses the user name.
    ['postgres://sb:s3cret@db:5432', 'public', 'postgres://sb@db:5432/sb (schema public)'],
    ['postgres://db.example/state', 'public', 'postgres://db.example:5432/state (schema public)'],
    ['postgres://:s3cret@db.example/state', 'public', 'postgres://db.example:5432/state (schema public)'],
    // Unescaped '#' or '/' in a password: URL would read part of it as the port or path.
    ['postgres://admin:1234#s3cret@db/agents', 'public', 'postgres (unparsable URL), schema public'],
    ['postgres://admin:12/s3cret@db/agents', 'public', 'postgres (unparsable URL), schema public'],
  ])('describes %s without its password', (url, schema, expected) => {
    const description = describeTarget({ url, schema }, {})
    expect(description).toBe(expected)
    expect(description).not.toMatch(/s3cret|p%40ss|p@ss/)
  })

  it('fills what the URL leaves out from PG* variables, and never reads PGPASSWORD', () => {
    const env = { PGHOST: 'pg.env', PGPORT: '7000', PGDATABASE: 'envdb', PGUSER: 'envuser', PGPASSWORD: 'env-s3cret' }
    expect(describeTarget({ url: 'postgres://db.example/state', schema: 'public' }, env)).toBe(
      'postgres://envuser@db.example:7000/state (schema public)',
    )
    expect(describeTarget({ url: 'postgres://sb:s3cret@db.example:6543/agents', schema: 'public' }, env)).toBe(
      'postgres://sb@db.example:6543/agents (schema public)',
    )
  })

  it.each([
    [
      { PGHOST: 'pg.internal', PGPORT: '6432', PGDATABASE: 'agents', PGUSER: 'sb', PGPASSWORD: 'env-s3cret' },
      'tenant_a',
      'postgres://sb@pg.internal:6432/agents (schema tenant_a)',
    ],
    [{ PGHOST: 'pg.internal', PGPASSWORD: 'env-s3cret' }, 'public', 'postgres://pg.internal:5432/? (schema public)'],
    [{ PGDATABASE: 'agents', PGPASSWORD: 'env-s3cret' }, 'public', 'postgres://localhost:5432/agents (schema public)'],
    [{ PGUSER: 'sb', PGPASSWORD: 'env-s3cret' }, 'public', 'postgres://sb@localhost:5432/sb (schema public)'],
    [{}, 'public', 'postgres://localhost:5432/? (schema public)'],
  ])('with url null reads the PG* environment %j', (env, schema, expected) => {
    const description = describeTarget({ url: null, schema }, env)
    expect(description).toBe(expected)
    expect(description).not.toContain('env-s3cret')
  })

  it.each([
    'postgres://user:s3cret@db.example:notaport/agents',
    'postgres://user:s3cret@db.example:99999/agents',
    'postgres://us%ZZer:s3cret@db.example/agents',
    'not a url s3cret',
  ])('names an unparsable URL without repeating it: %s', (url) => {
    const description = describeTarget({ url, schema: 'tenant_a' }, {})
    expect(description).toBe('postgres (unparsable URL), schema tenant_a')
    expect(description).not.toContain('s3cret')
  })
})

describe('connectionOptions', () => {
  const target = (url: string | null) => ({ url, schema: 'tenant_a' })

  it('sets the schema alone when nothing else is given', () => {
    expect(connectionOptions(target('postgres://u@db:5432/agents'), {})).toEqual({
      url: 'postgres://u@db:5432/agents',
      options: '-c search_path=tenant_a',
    })
    expect(connectionOptions(target(null), {})).toEqual({ url: null, options: '-c search_path=tenant_a' })
  })

  it("keeps the URL's and PGOPTIONS' server options and sets the schema after them, where it wins", () => {
    const url = 'postgres://u:p%40ss@db:5432/agents?sslmode=disable&options=-c%20statement_timeout%3D5000%20-c%20search_path%3Dother'
    const merged = connectionOptions(target(url), { PGOPTIONS: '-c work_mem=8MB' })
    expect(merged.options).toBe('-c work_mem=8MB -c statement_timeout=5000 -c search_path=other -c search_path=tenant_a')
    // The options leave the URL: node-postgres would take them over the ones given beside it.
    expect(merged.url).toBe('postgres://u:p%40ss@db:5432/agents?sslmode=disable')
  })

  it('refuses a URL whose options it cannot read, instead of losing the schema', () => {
    expect(() => connectionOptions(target('postgres://u:p#ss@db/agents?options=-c%20x%3D1'), {})).toThrow(StatebridgeError)
  })
})
