/**
 * `statebridge health`: one GET of <base>/readyz, for container health checks
 * (Docker HEALTHCHECK, Kubernetes exec probes). Exit status 0 when it answers
 * 200, 1 otherwise, with the reasons on stderr.
 */
import { StatebridgeError } from '../errors.js'
import { OPTIONS } from '../options.js'

/** Where `health` asks when neither --url nor --listen is given. */
export const DEFAULT_HEALTH_URL = 'http://127.0.0.1:8787'

/** How long the whole request may take, ms: a hung daemon is an unhealthy one. */
export const HEALTH_TIMEOUT_MS = 10_000

/**
 * The base URL `health` asks: `--url`, else `http://` + `--listen` (a
 * wildcard address asked on loopback), else `DEFAULT_HEALTH_URL`.
 */
export function healthBaseUrl(url: string | undefined, listen: string | null): string {
  if (url !== undefined) {
    const problem = OPTIONS.url.check(url)
    if (problem) throw new StatebridgeError('SB_CONFIG', problem)
    return url.replace(/\/+$/, '')
  }
  if (listen === null) return DEFAULT_HEALTH_URL
  const colon = listen.lastIndexOf(':')
  const host = listen.slice(0, colon)
  // Listening on every address means loopback answers too; the wildcard itself is no destination.
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host
  return `http://${reachable}${listen.slice(colon)}`
}

/** Ask `<base>/readyz`; 0 when it answers 200, else 1 with the reasons written to `stderr`. */
export async function checkHealth(base: string, stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  const target = `${base}/readyz`
  let response: Response
  try {
    response = await fetch(target, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS), headers: { accept: 'application/json' } })
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    stderr.write(`statebridge health: ${target} did not answer: ${cause?.code ?? cause?.message ?? (error as Error).message}\n`)
    return 1
  }
  const text = await response.text().catch(() => '')
  if (response.status === 200) return 0
  let reasons: string[] = []
  try {
    const body = JSON.parse(text) as { reasons?: unknown; detail?: unknown }
    if (Array.isArray(body.reasons)) reasons = body.reasons.map(String)
    else if (typeof body.detail === 'string') reasons = [body.detail]
  } catch {
    // Not statebridge's JSON (a proxy's error page): the status alone says it.
  }
  stderr.write(`statebridge health: ${target} answered ${response.status}${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}\n`)
  return 1
}
