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
  const code = (error as NodeJS.ErrnoException).code
  if (code !== 'EMFILE' && code !== 'ENFILE') throw error
  process.stderr.write(
    `statebridge: too many open files (${code}) while loading statebridge itself; raise the limit with \`ulimit -n\` (1024 or more)\n`,
  )
  process.exitCode = 1
}
