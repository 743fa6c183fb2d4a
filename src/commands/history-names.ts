/**
 * The history commands' names and positionals, apart from the commands
 * themselves, so the command line can tell one without loading them all.
 */

/** The positionals each history command takes, for its usage error. */
export const HISTORY_ARGUMENTS = {
  history: ['<path|session-id>'],
  diff: ['<path>', '<rev-a>', '<rev-b>'],
  restore: ['<path|session-id>'],
  render: ['<orchestrator-state|research-plan>', '<session-id>'],
  prune: [],
  cleanup: ['<reports-dir>'],
  import: ['<reports-dir>', '<archive.tar.gz>'],
} as const

/** A history command's name. */
export type HistoryCommand = keyof typeof HISTORY_ARGUMENTS

/** Whether `command` is run by `runHistoryCommand`. */
export function isHistoryCommand(command: string): command is HistoryCommand {
  return Object.hasOwn(HISTORY_ARGUMENTS, command)
}
