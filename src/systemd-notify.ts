/**
 * Readiness and shutdown notices for systemd's `Type=notify`.
 *
 * Node has no datagram sockets, so statebridge cannot speak sd_notify on
 * `NOTIFY_SOCKET` itself: it runs `systemd-notify`, which needs
 * `NotifyAccess=all` in the unit because the message comes from a child, not
 * the main PID. Since systemd 246, `systemd-notify` waits until the manager
 * has processed the message (without `--no-block`), so the message is not lost
 * when the helper exits before the manager looks up its cgroup.
 *
 * Without `NOTIFY_SOCKET` (not under systemd, or `Type=simple`) this is a
 * no-op. It never throws: a missing or failing `systemd-notify` is a warning,
 * and the daemon keeps running (systemd then times the start out, which says
 * more than a crash would).
 */
import { spawn } from 'node:child_process'
import type { Logger } from './logger.js'

/** One notice to the service manager. */
export interface SystemdNotice {
  /** Start-up is complete (`READY=1`): sent once the start-up reconcile is done; default off. */
  ready?: boolean
  /** Shutdown has begun (`STOPPING=1`); default off. */
  stopping?: boolean
  /** Free-form text shown by `systemctl status`; default none. */
  status?: string
}

/** Options of `notifySystemd`, for tests and embedding. */
export interface NotifyOptions {
  /** Environment to read `NOTIFY_SOCKET` and `PATH` from; default `process.env`. */
  env?: NodeJS.ProcessEnv
  /** How long `systemd-notify` may take before it is killed; default 5000 ms. */
  timeoutMs?: number
}

/**
 * The `systemd-notify` arguments of a notice. `STOPPING=1` goes as an
 * assignment because `--stopping` only exists from systemd 253 on.
 */
export function notifyArguments(notice: SystemdNotice): string[] {
  const args: string[] = []
  if (notice.ready) args.push('--ready')
  // One line: systemd shows STATUS= as a single line, and a newline would start another assignment.
  if (notice.status !== undefined) args.push(`--status=${notice.status.replace(/[\r\n]+/g, ' ')}`)
  if (notice.stopping) args.push('STOPPING=1')
  return args
}

/**
 * Tell systemd about `notice` when running under `Type=notify`
 * (`NOTIFY_SOCKET` set); resolves once `systemd-notify` has exited or was
 * killed after `timeoutMs`. Never rejects.
 */
export async function notifySystemd(notice: SystemdNotice, logger: Logger, options: NotifyOptions = {}): Promise<void> {
  const env = options.env ?? process.env
  if (!env.NOTIFY_SOCKET) return
  const args = notifyArguments(notice)
  if (args.length === 0) return
  const log = logger.child({ module: 'systemd' })
  const timeoutMs = options.timeoutMs ?? 5000
  await new Promise<void>((resolve) => {
    let stderr = ''
    let settled = false
    const finish = (problem: string | null): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (problem !== null) log.warn({ args }, `systemd-notify ${args.join(' ')}: ${problem}`)
      else log.debug({ args }, 'systemd notified')
      resolve()
    }
    const child = spawn('systemd-notify', args, { env, stdio: ['ignore', 'ignore', 'pipe'] })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      finish(`no answer within ${timeoutMs} ms; killed it (is the service manager busy?)`)
    }, timeoutMs)
    timer.unref()
    child.stderr?.on('data', (chunk: Buffer) => {
      // Only the start of its complaint is kept: enough for the log line.
      if (stderr.length < 1000) stderr += chunk.toString('utf8')
    })
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish(
        error.code === 'ENOENT'
          ? 'systemd-notify is not on PATH, so systemd is not told the service is ready; install systemd or use Type=simple'
          : error.message,
      )
    })
    child.on('close', (code, signal) => {
      if (code === 0) finish(null)
      else finish(`exited with ${code ?? signal}${stderr.trim() ? `: ${stderr.trim()}` : ''}`)
    })
  })
}
