/**
 * How the statebridge process sizes its V8 heaps. Only the executables (the
 * CLI, the bench) call this: a library must not change process-wide flags of
 * the program that embeds it.
 */
import v8 from 'node:v8'

/**
 * How far each heap may grow past its live size before V8 collects it again:
 * 30 % instead of V8's own factor, which reaches 4× on a heap whose collector
 * is fast. The main thread applies a stream of short-lived parse results and
 * each parse worker builds and drops whole files' records, so with V8's own
 * factor every heap grew far past what it kept alive: on the real corpus the
 * sync peaked at 241 MB of RSS, and at 195 MB with 30 %, in the same wall time.
 */
export const HEAP_GROWING_PERCENT = 30

/**
 * Set the growing factor for this process, unless `node` was given its own
 * `--heap-growing-percent`. It must run before the parse workers start: a
 * worker's heap takes the flags of the moment it is created.
 */
export function tuneHeap(): void {
  if (process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent') || arg.startsWith('--heap_growing_percent'))) return
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
}
