/**
 * The command-line side of history: `history`, `diff`, `restore`, `render`,
 * `prune`, `cleanup` and `import`: positionals checked, the database opened,
 * the command run, the database closed.
 */
import { resolveConfig, resolveSettings, type Settings } from '../config.js'
import { StatebridgeError } from '../errors.js'
import { retentionPolicy } from '../history/retention.js'
import { createLogger } from '../logger.js'
import type { OptionValues } from '../options.js'
import { openStore } from '../store/open-store.js'
import type { Store } from '../store/types.js'
import { runDiff, runHistory } from './history.js'
import { parseAge, runCleanup } from './cleanup.js'
import { runImport } from './import.js'
import { runRender } from './render.js'
import { runRestore } from './restore.js'
import { openReader } from '../store/open-reader.js'
import { HISTORY_ARGUMENTS, type HistoryCommand } from './history-names.js'

/** Command-line switches the history commands read. */
export interface HistorySwitches {
  json: boolean
  at?: string
  to?: string
  dryRun: boolean
  force: boolean
  write: boolean
  deleteFiles: boolean
  yes: boolean
  completedOlderThan?: string
  archive?: string
}

/** Run one history command; returns the exit code. */
export async function runHistoryCommand(command: HistoryCommand, args: string[], flags: OptionValues, switches: HistorySwitches): Promise<number> {
  const expected = HISTORY_ARGUMENTS[command]
  if (args.length !== expected.length) {
    throw new StatebridgeError('SB_CONFIG', `${command} takes ${expected.length === 0 ? 'no arguments' : expected.join(' ')}; got ${args.length === 0 ? 'none' : args.join(' ')}`)
  }
  const settings = resolveSettings(flags)
  // Logs go to stderr: stdout carries what the command prints (a restored file with --to -).
  const logger = createLogger({ level: settings.logLevel, fd: 2 })
  const store = await openStore(settings.db, { migrate: settings.migrate, logger, instance: settings.instance, poolSize: settings.poolSize })
  try {
    return await run(command, args, flags, switches, settings, store, logger)
  } finally {
    await store.close()
    logger.flush()
  }
}

async function run(
  command: HistoryCommand,
  args: string[],
  flags: OptionValues,
  switches: HistorySwitches,
  settings: Settings,
  store: Store,
  logger: ReturnType<typeof createLogger>,
): Promise<number> {
  const out = process.stdout
  switch (command) {
    case 'history':
      return runHistory(store, args[0]!, { rootId: settings.rootId, json: switches.json, out })
    case 'diff':
      return runDiff(store, args[0]!, args[1]!, args[2]!, { rootId: settings.rootId, out })
    case 'restore':
      if (switches.at === undefined) throw new StatebridgeError('SB_CONFIG', 'restore needs --at <rev|time>, e.g. --at 42 or --at 2026-11-30T14:00:00Z')
      return runRestore(store, {
        target: args[0]!,
        at: switches.at,
        to: switches.to ?? null,
        dryRun: switches.dryRun,
        force: switches.force,
        rootId: settings.rootId,
        configFor: (rootDir, rootId) => resolveConfig({ ...flags, root: rootDir, ...(rootId !== undefined ? { rootId } : {}) }),
        out,
        logger,
      })
    case 'render': {
      const reader = await openReader(settings.db, { logger })
      try {
        return await runRender(reader, store, {
          kind: args[0]!,
          sessionId: args[1]!,
          write: switches.write,
          force: switches.force,
          rootId: settings.rootId,
          configFor: (rootDir, rootId) => resolveConfig({ ...flags, root: rootDir, ...(rootId !== undefined ? { rootId } : {}) }),
          out,
          err: process.stderr,
          logger,
        })
      } finally {
        await reader.close()
      }
    }
    case 'cleanup': {
      if (switches.completedOlderThan === undefined || switches.archive === undefined) {
        throw new StatebridgeError('SB_CONFIG', 'cleanup needs --completed-older-than <age> (such as 30d) and --archive <dir>')
      }
      const report = await runCleanup({
        config: resolveConfig({ ...flags, root: args[0]! }),
        store,
        archiveDir: switches.archive,
        olderThanMs: parseAge(switches.completedOlderThan),
        deleteFiles: switches.deleteFiles,
        yes: switches.yes,
        json: switches.json,
        logger,
        out,
      })
      return report.exitCode
    }
    case 'import': {
      const report = await runImport({ config: resolveConfig({ ...flags, root: args[0]! }), store, archive: args[1]!, json: switches.json, logger, out })
      return report.exitCode
    }
    case 'prune': {
      const result = await store.pruneHistory(retentionPolicy(settings), { dryRun: switches.dryRun })
      out.write(
        switches.json
          ? `${JSON.stringify(result)}\n`
          : `${switches.dryRun ? 'would delete' : 'deleted'} ${result.revisionsDeleted} revisions and ${result.blobsDeleted} stored contents (${result.bytesFreed} bytes)\n`,
      )
      return 0
    }
  }
}
