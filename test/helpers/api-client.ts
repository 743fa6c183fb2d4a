/**
 * A real HTTP client for the API tests: one GET with its answer parsed, the
 * schemas of the server's own /openapi.json as validators, and the checks a
 * problem answer (RFC 9457) must pass.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import { expect } from 'vitest'

export interface Answer {
  status: number
  headers: Headers
  text: string
  body: any
}

/** GET `route` from `base`; a JSON answer is parsed into `body`. */
export async function get(base: string, route: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${base}${route}`, { headers })
  const text = await res.text()
  const json = /json/.test(res.headers.get('content-type') ?? '') && text !== ''
  return { status: res.status, headers: res.headers, text, body: json ? JSON.parse(text) : null }
}

/** Validators for the component schemas of a server's /openapi.json: `check(name, value)` fails the test with the errors. */
export async function schemaValidator(base: string, token?: string): Promise<(name: string, value: unknown) => void> {
  const doc = (await get(base, '/openapi.json', token ? { authorization: `Bearer ${token}` } : {})).body
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/)
  ajv.addSchema(doc, 'openapi.json')
  const compiled = new Map<string, ValidateFunction>()
  return (name, value) => {
    let validate = compiled.get(name)
    if (!validate) {
      validate = ajv.compile({ $ref: `openapi.json#/components/schemas/${name}` })
      compiled.set(name, validate)
    }
    const ok = validate(value)
    expect(ok ? [] : validate.errors, `${name}: ${JSON.stringify(value).slice(0, 300)}`).toEqual([])
  }
}

/** A problem answer of `status` and kind `type`, valid against the Problem schema, naming `param` when given. */
export function expectProblem(answer: Answer, status: number, type: string, check: (name: string, value: unknown) => void, param?: string): void {
  expect(answer.status, answer.text).toBe(status)
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  check('Problem', answer.body)
  expect(answer.body.type).toBe(`urn:statebridge:problem:${type}`)
  if (param !== undefined) expect(answer.body.param).toBe(param)
}
