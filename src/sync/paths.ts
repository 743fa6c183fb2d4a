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

/** The session a root-relative file belongs to: its first directory, `null` for files at the root. */
export function sessionIdOf(relPath: string): string | null {
  const slash = relPath.indexOf('/')
  return slash === -1 ? null : relPath.slice(0, slash)
}

// Unix seconds between 2001 and 2286 are exactly ten digits; thirteen digits are
// milliseconds. Only a whole dash- or underscore-delimited part counts, so the
// hex groups of a UUID do not pass for a timestamp.
const UNIX_TIME = /(?:^|[-_])(\d{13}|\d{10})(?=$|[-_])/

/** ISO creation time from a unix timestamp in a session directory name, or `null`. */
export function sessionCreatedAt(sessionId: string): string | null {
  const match = UNIX_TIME.exec(sessionId)
  if (!match) return null
  const digits = match[1]!
  const ms = digits.length === 13 ? Number(digits) : Number(digits) * 1000
  return new Date(ms).toISOString()
}

/** Root-relative posix path of an absolute path, or `null` when it is not under the root. */
export function relativeToRoot(rootAbs: string, absPath: string): string | null {
  if (absPath === rootAbs) return ''
  const prefix = rootAbs.endsWith('/') ? rootAbs : `${rootAbs}/`
  if (!absPath.startsWith(prefix)) return null
  return absPath.slice(prefix.length)
}
