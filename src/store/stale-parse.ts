/**
 * How the stores' list of known files marks a document an older parser
 * version read (src/parsers/version.ts): no content hash and no size, so the
 * sync reads and applies the file again, as if it had changed, even when it
 * trusts sizes and mtimes. Both dialects select these expressions.
 */
import { PARSER_VERSION } from '../parsers/version.js'

export const STALE_PARSE = {
  sizeBytes: `CASE WHEN parser_version < ${PARSER_VERSION} THEN -1 ELSE size_bytes END`,
  contentHash: `CASE WHEN parser_version < ${PARSER_VERSION} THEN NULL ELSE content_hash END`,
} as const
