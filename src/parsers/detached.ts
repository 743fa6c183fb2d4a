/**
 * Strings that outlive one parse (cache keys and values) must not keep the
 * file they were cut from: V8 represents `text.slice(a, b)` as a view on
 * `text`, so a cache keyed by a heading cut from a 1.5 MB memorandum keeps
 * the whole memorandum alive. On the corpus such caches held 30 MB of file
 * text per parse worker.
 */

/** A copy of `text` that refers to no other string. */
export function detached(text: string): string {
  // V8 copies strings shorter than 13 characters instead of slicing them.
  return text.length < 13 ? text : (JSON.parse(JSON.stringify(text)) as string)
}
