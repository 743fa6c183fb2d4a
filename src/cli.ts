#!/usr/bin/env node
/**
 * The `statebridge` executable. It only loads the command (`main.ts`), so that
 * a failure to load it, such as running out of file descriptors under a tiny
 * `ulimit -n` before any statebridge code runs, still ends in one line.
 */
try {
  // Before anything starts a parse worker, which takes the heap flags of its birth.
  const { tuneHeap } = await import('./heap-tuning.js')
  tuneHeap()
  await import('./main.js')
} catch (error) {
  const reason = await loadFailureReason(error)
  if (reason === null) throw error
  process.stderr.write(
    `statebridge: too many open files (${reason}) while loading statebridge itself; raise the limit with \`ulimit -n\` (1024 or more)\n`,
  )
  process.exitCode = 1
}

/**
 * Why loading failed, when it was for want of file descriptors: the code, or
 * what Node's resolver reported as not found although it is there. Without a
 * descriptor it can read neither a module nor a package's package.json, and
 * then looks for the package's index.js, which is no file. `null` for any
 * other failure, such as a package really missing from a broken install,
 * which keeps its stack.
 */
async function loadFailureReason(error: unknown): Promise<string | null> {
  const code = (error as NodeJS.ErrnoException | null)?.code
  if (code === 'EMFILE' || code === 'ENFILE') return code
  if (code !== 'ERR_MODULE_NOT_FOUND') return null
  const named = /Cannot find (?:package|module) '([^']+)'/.exec(error instanceof Error ? error.message : '')?.[1]
  if (!named?.startsWith('/')) return null
  const [{ existsSync, readFileSync }, path] = await Promise.all([import('node:fs'), import('node:path')])
  if (existsSync(named)) return `${named} is there but could not be read`
  const dir = path.dirname(named)
  try {
    const { main } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { main?: unknown }
    return typeof main === 'string' && existsSync(path.resolve(dir, main)) ? `the package.json of ${dir} could not be read` : null
  } catch (failure) {
    const why = (failure as NodeJS.ErrnoException).code
    return why === 'EMFILE' || why === 'ENFILE' ? why : null
  }
}
