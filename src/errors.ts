/**
 * Errors statebridge itself raises. `code` is stable and meant for machines;
 * the message says what happened, why, and what to do.
 */

/** Stable error codes. */
export type StatebridgeErrorCode =
  | 'SB_CONFIG' // bad flag, env or option value
  | 'SB_DB_OPEN' // the database could not be opened or migrated
  | 'SB_DB_UNAVAILABLE' // the database server cannot be reached (yet): worth retrying
  | 'SB_ROOT' // the reports directory is missing or not a directory
  | 'SB_ABORTED' // stopped by a signal before the work was done
  | 'SB_PARSE_TIMEOUT' // a file exceeded its parse budget
  | 'SB_WORKER' // a parse worker died
  | 'SB_ARCHIVE' // a session archive could not be written, read back or verified, or is not one statebridge wrote
  | 'SB_IMPORT_REFUSED' // import would overwrite different files, or the session is live in the database
  | 'SB_HISTORY' // no such revision, file or session in history, or a time outside the kept range
  | 'SB_RESTORE_REFUSED' // restore would overwrite a file that changed since its latest revision

/** An error with identity. */
export class StatebridgeError extends Error {
  override readonly name = 'StatebridgeError'
  constructor(
    readonly code: StatebridgeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
