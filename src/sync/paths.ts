/**
 * What a path under the root means: ignored or not, which session it belongs to.
 */

// Editor swap and backup files, temp files (including atomic-write temps such
// as `plan.md.tmp.4242.1738200293`), lock files: never state.
const IGNORED_NAME = /(^\.|\.sw[a-p]$|~$|\.tmp$|\.tmp\.\d[\d.]*$|^#.*#$)/i

/** Whether a root-relative path (posix separators) is ignored: dotfiles, dot-directories, editor and temp files. */
export function isIgnoredPath(relPath: string): boolean {
  if (relPath === '') return false
  for (const segment of relPath.split('/')) if (IGNORED_NAME.test(segment)) return true
  return false
}

/**
 * The folder of a reports root that holds the agent SDK's own sessions
 * (`sessions/<sdk-session-id>/session-audit.log`), not a report session.
 */
export const AGENT_SESSIONS_DIR = 'sessions'

/**
 * What a root holds: `reports`, a reports tree whose first-level directories
 * are report sessions; `transcripts`, an agent SDK's transcripts directory
 * (`~/.claude/projects`), whose folders are projects, not report sessions.
 */
export type RootKind = 'reports' | 'transcripts'

/** How messages name a root of this kind. */
export function rootLabel(kind: RootKind = 'reports'): string {
  return kind === 'transcripts' ? 'transcripts directory' : 'reports directory'
}

/** Whether a directory directly under a reports root is a report session. */
export function isReportSessionDir(name: string): boolean {
  return name !== AGENT_SESSIONS_DIR
}

/**
 * The report session a root-relative file belongs to: its first directory;
 * `null` for files at the root and under `sessions/` (agent sessions).
 */
export function sessionIdOf(relPath: string): string | null {
  const slash = relPath.indexOf('/')
  if (slash === -1) return null
  const first = relPath.slice(0, slash)
  return isReportSessionDir(first) ? first : null
}

// Unix seconds between 2001 and 2286 are exactly ten digits; thirteen digits are
// milliseconds. Only a whole dash- or underscore-delimited part counts, so the
// hex groups of a UUID do not pass for a timestamp.
const UNIX_TIME = /(?:^|[-_])(\d{13}|\d{10})(?=$|[-_])/

// A leading calendar date, `2025-12-23-…`.
const DATE_PREFIX = /^(\d{4})-(\d{2})-(\d{2})(?=$|[-_T])/

/**
 * ISO creation time from a session directory name, or `null`: its unix
 * timestamp, unless the name also starts with a calendar date the timestamp
 * does not fall on (within a day either way, for time zones). Agents often write the epoch wrong (a year off, say) but
 * the date they spell out right, so then the date wins, at midnight UTC; a
 * name with only a date (`2025-01-19-test`) gives that date.
 */
export function sessionCreatedAt(sessionId: string): string | null {
  const date = DATE_PREFIX.exec(sessionId)
  const day = date === null ? null : dayOf(date)
  const match = UNIX_TIME.exec(sessionId)
  if (!match) return day
  const digits = match[1]!
  const ms = digits.length === 13 ? Number(digits) : Number(digits) * 1000
  const stamp = new Date(ms).toISOString()
  // A day either way is the writer's time zone, not a wrong epoch.
  return day !== null && Math.abs(ms - Date.parse(day)) > 2 * DAY_MS ? day : stamp
}

const DAY_MS = 86_400_000

function dayOf(match: RegExpExecArray): string | null {
  const [, year, month, day] = match
  const time = Date.UTC(Number(year), Number(month) - 1, Number(day))
  const iso = new Date(time).toISOString()
  // 2025-02-30 is no date.
  return iso.startsWith(`${year}-${month}-${day}`) ? iso : null
}

/** Root-relative posix path of an absolute path, or `null` when it is not under the root. */
export function relativeToRoot(rootAbs: string, absPath: string): string | null {
  if (absPath === rootAbs) return ''
  const prefix = rootAbs.endsWith('/') ? rootAbs : `${rootAbs}/`
  if (!absPath.startsWith(prefix)) return null
  return absPath.slice(prefix.length)
}

// A name statebridge shows in escaped form: `\x` and two upper-case hex digits.
const ESCAPED_BYTE = /\\x([0-9A-F]{2})/g
// Without the global flag, so a test keeps no position between calls.
const ESCAPED_BYTE_ONE = /\\x[0-9A-F]{2}/
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true })

/** Whether `bytes` are well-formed UTF-8 (no overlong forms, no surrogates). */
export function isUtf8(bytes: Uint8Array): boolean {
  try {
    STRICT_UTF8.decode(bytes)
    return true
  } catch {
    return false
  }
}

/**
 * The text of one directory entry's raw name. A valid UTF-8 name is itself. Any
 * other name is shown with each byte that is not part of a valid character as
 * `\xHH`, and each backslash as `\x5C`, so that two different names never share
 * one text (decoding U+FFFD in their place, as `readdir` does, would merge them).
 */
export function nameFromBytes(bytes: Uint8Array): { text: string; valid: boolean } {
  if (isUtf8(bytes)) return { text: Buffer.from(bytes).toString('utf8'), valid: true }
  let text = ''
  let i = 0
  while (i < bytes.length) {
    const length = sequenceLength(bytes[i]!)
    const sequence = bytes.subarray(i, i + length)
    if (length > 0 && sequence.length === length && isUtf8(sequence)) {
      const char = Buffer.from(sequence).toString('utf8')
      text += char === '\\' ? '\\x5C' : char
      i += length
    } else {
      text += `\\x${bytes[i]!.toString(16).toUpperCase().padStart(2, '0')}`
      i++
    }
  }
  return { text, valid: false }
}

/**
 * Whether a root-relative path holds the escaped form of `nameFromBytes`. Such
 * a path is never read as a file: it stands for a name that is not UTF-8, or
 * for a real name that cannot be told apart from one.
 */
export function hasEscapedBytes(relPath: string): boolean {
  return ESCAPED_BYTE_ONE.test(relPath)
}

/** The raw bytes a path in escaped form stands for (the inverse of `nameFromBytes`). */
export function pathBytes(relPath: string): Buffer {
  const parts: Buffer[] = []
  let last = 0
  for (const match of relPath.matchAll(ESCAPED_BYTE)) {
    parts.push(Buffer.from(relPath.slice(last, match.index), 'utf8'), Buffer.from([Number.parseInt(match[1]!, 16)]))
    last = match.index + match[0].length
  }
  parts.push(Buffer.from(relPath.slice(last), 'utf8'))
  return Buffer.concat(parts)
}

// The length a UTF-8 lead byte announces; 0 for a byte that cannot start a character.
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1
  if (lead >= 0xc2 && lead <= 0xdf) return 2
  if (lead >= 0xe0 && lead <= 0xef) return 3
  if (lead >= 0xf0 && lead <= 0xf4) return 4
  return 0
}
