/**
 * What the sync would apply for a file, without a sync: the parse and the
 * identity a store needs, for tests that drive a store file by file.
 */
import { documentFormat, documentType } from '../../src/parsers/document-type.js'
import { parseFile } from '../../src/parsers/parse-file.js'
import type { FileSnapshot, Store } from '../../src/store/types.js'
import { sessionCreatedAt } from '../../src/sync/paths.js'

/** The snapshot of `text` as `<session>/<relPath>` under `root`. */
export function snapshotOf(root: string, session: string, relPath: string, text: string): FileSnapshot {
  const full = `${session}/${relPath}`
  const parsed = parseFile(full, Buffer.from(text))
  return {
    root,
    path: full,
    sessionId: session,
    sessionCreatedAt: sessionCreatedAt(session),
    documentType: documentType(relPath),
    format: documentFormat(full),
    sizeBytes: text.length,
    mtimeMs: 1000,
    instance: 'test',
    contentHash: `h-${full}-${text.length}`,
    parsed,
    jsonText: parsed.format === 'json' && parsed.json !== undefined ? JSON.stringify(parsed.json) : null,
  }
}

/** Apply `text` as `<session>/<relPath>` under `root`, as the sync would. */
export async function applyText(store: Store, root: string, session: string, relPath: string, text: string): Promise<void> {
  await store.applyFileSnapshot(snapshotOf(root, session, relPath, text))
}
