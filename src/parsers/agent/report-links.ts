/**
 * Which report session a path or a text names: agents write their reports
 * under `reports/<session-id>/`, so a path there ties the SDK session that
 * wrote it to that report session. `reports/sessions/` holds the SDK's own
 * session folders, never a report session.
 */

// `reports/<id>/` inside prose, not part of a longer word (`myreports/` names nothing).
const MENTION = /(?:^|[^\w.-])reports[/\\]([^/\\\s"'`<>|]+)[/\\]/g

/**
 * The report session of `path`: the segment after a `reports` segment, when
 * a further segment follows it (a file directly under `reports/` is no
 * session's). Absolute or relative, `/` or `\`. The last such `reports`
 * segment wins (`/srv/reports/app/reports/<id>/x.md`). Null otherwise.
 */
export function reportSessionOf(path: string): string | null {
  const parts = path.split(/[/\\]/)
  for (let i = parts.length - 3; i >= 0; i--) {
    if (parts[i] !== 'reports') continue
    const id = parts[i + 1]!
    if (isSessionName(id)) return id
  }
  return null
}

/** Report sessions a free text names as `reports/<id>/`, each once, in order of first mention. */
export function reportSessionsIn(text: string): string[] {
  const found: string[] = []
  for (const match of text.matchAll(MENTION)) {
    const id = match[1]!
    if (isSessionName(id) && !found.includes(id)) found.push(id)
  }
  return found
}

function isSessionName(id: string): boolean {
  return id !== '' && id !== 'sessions' && !id.startsWith('.')
}
