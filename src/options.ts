/**
 * The one table of statebridge's options. The command-line parser, the usage
 * text, the defaults, the validation, the option types and the README's
 * configuration table are all derived from it: adding an option is adding one
 * entry here (and, when it needs more than a range check, a line where it is
 * used). Nothing here reads the environment or the command line.
 */
import os from 'node:os'

/** The commands of `statebridge`, in the order the usage text lists them. */
export const COMMANDS = {
  sync: { synopsis: 'sync <reports-dir> [--json]', summary: 'scan, reconcile, apply, exit' },
  watch: { synopsis: 'watch <reports-dir>', summary: 'reconcile, then follow changes until SIGINT/SIGTERM' },
  status: { synopsis: 'status [--json]', summary: 'what the database holds' },
  check: { synopsis: 'check <reports-dir> [--json]', summary: 'parse without a database; report typed vs generic, misses' },
  show: { synopsis: 'show <session-id> [--json]', summary: 'one session from the database: deal, phases, pending work' },
  migrate: { synopsis: 'migrate', summary: 'apply pending schema migrations to --db and exit' },
  serve: { synopsis: 'serve --listen <host:port>', summary: 'serve the HTTP API from --db, without watching' },
  health: { synopsis: 'health [--url <base>]', summary: 'exit 0 when <base>/readyz answers 200, else 1 (container health checks)' },
  history: { synopsis: 'history <path|session-id> [--json]', summary: 'the revisions of a file or of a session: time, size, change, instance' },
  diff: { synopsis: 'diff <path> <rev-a> <rev-b>', summary: 'unified diff between two revisions of a file' },
  restore: {
    synopsis: 'restore <path|session-id> --at <rev|time>',
    summary: 'write a file (or a whole session) back as it was at a revision or time',
  },
  render: { synopsis: 'render <kind> <session-id> [--write]', summary: 'regenerate orchestrator-state.md or research-plan.md from the rows' },
  prune: { synopsis: 'prune [--dry-run]', summary: 'apply history retention now (watch does it hourly)' },
  cleanup: {
    synopsis: 'cleanup <reports-dir> --completed-older-than <30d> --archive <dir>',
    summary: 'archive finished sessions to tar.gz, then drop their rows (dry run unless --yes)',
  },
  import: { synopsis: 'import <reports-dir> <archive.tar.gz>', summary: 'bring an archived session back: its files, rows and history' },
} as const

/** A command name. */
export type Command = keyof typeof COMMANDS

/** Commands that mirror a tree into the database. */
const DAEMON = ['sync', 'watch'] as const
/** Commands that open the database. */
const DATABASE = ['sync', 'watch', 'status', 'show', 'migrate', 'serve', 'history', 'diff', 'restore', 'render', 'prune', 'cleanup', 'import'] as const
/** Commands that keep or trim history. */
const RETAINING = ['watch', 'prune'] as const
/** Commands that write files into a root and apply them. */
const WRITING = ['restore', 'render', 'import'] as const
/** Commands that can serve the HTTP API. */
const SERVING = ['watch', 'serve'] as const
/** Commands that parse files. */
const PARSING = ['sync', 'watch', 'check'] as const

/** The resolved values a computed default may depend on. */
export type ResolvedValue = (key: string) => unknown

/** What every option declares. */
interface BaseSpec {
  /** The flag without its dashes, or `null` for an environment-only setting. */
  readonly flag: string | null
  /** The placeholder of the flag's value in the usage text, such as `<n>`. */
  readonly value?: string
  /** Environment variables read when the flag is absent (first non-empty wins). */
  readonly env?: readonly string[]
  /** Commands the option has an effect on; giving it to another command is warned about. */
  readonly commands: readonly Command[]
  /** One line for the usage text. */
  readonly help: string
  /** The README's "meaning" cell (markdown); default `help`. */
  readonly doc?: string
  /** How the default reads in the usage text and README (markdown code allowed), for computed or explained defaults. */
  readonly defaultText?: string
  /**
   * `table`: resolved generically from this entry; `custom`: documented here,
   * resolved by its own code in config.ts (the database target); `cli`: a
   * switch of the command line, not part of the configuration.
   */
  readonly resolve: 'table' | 'custom' | 'cli'
  /** Refused unless the database is PostgreSQL. */
  readonly postgresOnly?: boolean
}

/** A whole number within a range. */
export interface IntegerSpec extends BaseSpec {
  readonly type: 'integer'
  readonly default: number | ((get: ResolvedValue) => number)
  readonly min: number
  readonly max: number
  /** Further validation; returns the message of the refusal, or null. */
  readonly check?: (value: number) => string | null
}

/** A switch. `negated` flags (`--no-migrate`) set the value to `false`. */
export interface BooleanSpec extends BaseSpec {
  readonly type: 'boolean'
  readonly default: boolean
  readonly negated?: boolean
}

/** A string, optionally from a fixed set. A `null` default means "unset". */
export interface StringSpec extends BaseSpec {
  readonly type: 'string'
  readonly default: string | null | ((get: ResolvedValue) => string)
  readonly choices?: readonly string[]
  /** Further validation; returns the message of the refusal, or null. */
  readonly check?: (value: string) => string | null
}

/** One option. */
export type OptionSpec = IntegerSpec | BooleanSpec | StringSpec

/** Log levels of pino, in the order the usage text lists them. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const

/**
 * Every option, keyed by its name in `StatebridgeOptions` and `Config`. The
 * order is the order of the usage text and the README table.
 */
export const OPTIONS = {
  /** `sqlite:<path>`, a bare file path, or `postgres://...`; default `sqlite:./data/statebridge.db`. */
  db: {
    flag: 'db',
    value: '<url>',
    type: 'string',
    default: 'sqlite:./data/statebridge.db',
    env: ['SESSION_STORAGE_TYPE', 'SESSION_DB_PATH', 'DATABASE_URL'],
    commands: DATABASE,
    resolve: 'custom',
    help: 'sqlite:<path>, a file path, or postgres://...',
    doc: '`sqlite:<path>`, a bare file path, or `postgres://…`',
  },
  /** PostgreSQL schema of every table; default `public`. */
  schema: {
    flag: 'schema',
    value: '<name>',
    type: 'string',
    default: 'public',
    env: ['STATEBRIDGE_SCHEMA'],
    commands: DATABASE,
    resolve: 'custom',
    postgresOnly: true,
    help: 'PostgreSQL schema of every table',
    doc: 'PostgreSQL schema of every table (a lower-case identifier), so several deployments can share one database',
  },
  /** Apply pending schema migrations at start (default); `false` only checks the schema is current. */
  migrate: {
    flag: 'no-migrate',
    type: 'boolean',
    negated: true,
    default: true,
    commands: ['sync', 'watch', 'status', 'show'],
    resolve: 'table',
    defaultText: 'off',
    help: 'do not migrate at start; fail unless the schema is current',
    doc: 'do not apply migrations at start; stop with a message unless the schema is already current',
  },
  /** First wait before retrying an unreachable database, ms; default 1000. Doubles per attempt, with jitter. */
  retryBaseMs: {
    flag: 'retry-base-ms',
    value: '<n>',
    type: 'integer',
    default: 1_000,
    min: 10,
    max: 600_000,
    commands: DAEMON,
    resolve: 'table',
    help: 'first wait before retrying an unreachable database',
    doc: 'first wait before retrying an unreachable database; doubles per attempt, with jitter',
  },
  /** Longest wait between retries, ms; default 30000. */
  retryMaxMs: {
    flag: 'retry-max-ms',
    value: '<n>',
    type: 'integer',
    default: 30_000,
    min: 10,
    max: 3_600_000,
    commands: DAEMON,
    resolve: 'table',
    help: 'longest wait between retries',
  },
  /** PostgreSQL connections of this sidecar; default 2 × max(1, workers) + 2 (one per apply in flight, plus reconcile and probe). */
  poolSize: {
    flag: 'pool-size',
    value: '<n>',
    type: 'integer',
    // The file queue applies two files per worker at once; each holds one connection for its transaction.
    default: (get) => Math.max(2, (get('workers') as number) * 2) + 2,
    defaultText: '2 × max(1, workers) + 2',
    min: 1,
    max: 1_000,
    commands: DAEMON,
    resolve: 'table',
    postgresOnly: true,
    help: 'PostgreSQL connections of this sidecar',
    doc: 'PostgreSQL connections of this sidecar; refused with SQLite',
  },
  /** Name of this sidecar, recorded with every file it applies; default the host name. */
  instance: {
    flag: 'instance',
    value: '<name>',
    type: 'string',
    default: () => os.hostname(),
    defaultText: 'host name',
    env: ['STATEBRIDGE_INSTANCE'],
    commands: [...DAEMON, ...WRITING, 'cleanup'],
    resolve: 'table',
    help: 'name of this sidecar, recorded with every file it applies',
  },
  /**
   * Name stored as `root` on every row; default (`null`) the real path of the
   * root. Sidecars that mount one shared volume at different paths give it the same name.
   */
  rootId: {
    flag: 'root-id',
    value: '<name>',
    type: 'string',
    default: null,
    defaultText: "the root's real path",
    env: ['STATEBRIDGE_ROOT_ID'],
    commands: [...DAEMON, ...WRITING, 'history', 'diff', 'cleanup'],
    resolve: 'table',
    check: (value) =>
      value.trim() === '' || value !== value.trim() ? `--root-id must be a non-empty name without surrounding spaces, not ${JSON.stringify(value)}` : null,
    help: 'name stored as the root of every row (same name for sidecars sharing one volume)',
    doc: "name stored as `root` on every row; sidecars that mount one shared volume at different paths give it the same name",
  },
  /** pino level: `trace`, `debug`, `info`, `warn`, `error`, `fatal` or `silent`; default `info`. */
  logLevel: {
    flag: 'log-level',
    value: '<level>',
    type: 'string',
    default: 'info',
    choices: LOG_LEVELS,
    env: ['LOG_LEVEL'],
    commands: ['sync', 'watch', 'migrate', 'serve'],
    resolve: 'table',
    help: 'how much to log',
    doc: 'how much to log: `sync` and `migrate` log to stderr, `watch` and `serve` to stdout',
  },
  /** Quiet time after the last event on a file before it is synced, ms; default 150. */
  debounceMs: {
    flag: 'debounce-ms',
    value: '<n>',
    type: 'integer',
    default: 150,
    min: 0,
    max: 60_000,
    commands: ['watch'],
    resolve: 'table',
    help: 'quiet time after the last event on a file before it is synced',
  },
  /** Full stat-based reconcile while watching, ms; default 60000 (1 minute); 0 disables. */
  reconcileIntervalMs: {
    flag: 'reconcile-interval-ms',
    value: '<n>',
    type: 'integer',
    default: 60_000,
    min: 0,
    max: 86_400_000,
    commands: ['watch'],
    resolve: 'table',
    help: 'periodic full reconcile while watching (`0` turns it off)',
  },
  /**
   * Every file is read and hashed again at least once per this window while
   * watching, a slice at each periodic reconcile, ms; default 600000 (10 minutes);
   * 0 disables. Catches edits that kept size and mtime (`touch -r`).
   */
  rehashWindowMs: {
    flag: 'rehash-window-ms',
    value: '<n>',
    type: 'integer',
    default: 600_000,
    min: 0,
    max: 604_800_000,
    commands: ['watch'],
    resolve: 'table',
    help: 'while watching, every file is read and hashed again within this window (`0` turns it off)',
    doc:
      'while watching, every file is read and hashed again within this window: each periodic reconcile reads a slice of the files ' +
      'whose stat did not move (`0` turns it off)',
  },
  /**
   * Start-up reconcile trusts size and mtime instead of reading and hashing every
   * file; default `false`. For huge trees where a full read at start costs too much.
   */
  trustStat: {
    flag: 'trust-stat',
    type: 'boolean',
    default: false,
    commands: DAEMON,
    resolve: 'table',
    defaultText: 'off',
    help: 'the start-up reconcile trusts size and mtime instead of hashing every file',
    doc:
      'the start-up reconcile trusts size and mtime instead of reading and hashing every file (for huge trees; an edit that kept ' +
      'both is then found by the rolling re-hash only)',
  },
  /** Grace period for the applies in flight at SIGTERM/SIGINT before the process exits anyway, ms; default 10000; 0 waits without limit. */
  shutdownTimeoutMs: {
    flag: 'shutdown-timeout-ms',
    value: '<n>',
    type: 'integer',
    default: 10_000,
    min: 0,
    max: 3_600_000,
    commands: ['watch'],
    resolve: 'table',
    help: 'on SIGTERM/SIGINT, wait this long for the applies in flight, then exit anyway (`0`: no limit)',
    doc: 'on SIGTERM/SIGINT, how long the applies in flight may take before statebridge exits anyway (`0`: no limit)',
  },
  /** Files larger than this are registered with an error and not read, bytes; default 25 MB. */
  maxFileBytes: {
    flag: 'max-file-bytes',
    value: '<n>',
    type: 'integer',
    default: 25 * 1024 * 1024,
    defaultText: '`26214400` (25 MB)',
    min: 1,
    max: 2 ** 31 - 1,
    commands: [...PARSING, ...WRITING],
    resolve: 'table',
    help: 'larger files get an error status and are not read',
    doc: 'larger files are registered with an error status and not read',
  },
  /** Time budget to read and parse one file, ms; default 10000; 0 means no budget (required with `workers: 0`). */
  parseTimeoutMs: {
    flag: 'parse-timeout-ms',
    value: '<n>',
    type: 'integer',
    default: 10_000,
    min: 0,
    max: 3_600_000,
    check: (value) => (value > 0 && value < 100 ? `--parse-timeout-ms must be 0 (no budget) or from 100 to 3600000, not ${value}` : null),
    commands: [...PARSING, ...WRITING],
    resolve: 'table',
    help: 'time budget to parse one file (`0`: none, needed with --workers 0)',
    doc: 'time budget to read and parse one file; over budget is an error status. `0` means no budget',
  },
  /** Parse worker threads; default min(2, CPUs); 0 parses on the main thread, where no budget can be enforced. */
  workers: {
    flag: 'workers',
    value: '<n>',
    type: 'integer',
    default: () => Math.min(2, os.availableParallelism()),
    defaultText: 'min(2, CPUs)',
    min: 0,
    max: 64,
    commands: [...PARSING, ...WRITING],
    resolve: 'table',
    help: 'parse worker threads (`0` parses on the main thread)',
    doc: 'parse worker threads; `0` parses on the main thread, where no budget can be enforced, so it needs `--parse-timeout-ms 0`',
  },
  /** Which markdown reader parses: `fast` (line scanner, remark where unsure) or `remark` (remark for every block); default `fast`. */
  parser: {
    flag: 'parser',
    value: '<reader>',
    type: 'string',
    default: 'fast',
    choices: ['fast', 'remark'],
    env: ['STATEBRIDGE_PARSER'],
    commands: [...PARSING, ...WRITING],
    resolve: 'table',
    help: 'markdown reader: the fast scanner, or remark for every block',
    doc: '`fast` reads the common shapes (top-level pipe tables, headings, footnote definitions) with a line scanner and sends every block it is not certain of to remark; `remark` reads every block with remark, the authority: for comparison, and as an escape hatch. Both give the same records',
  },
  /**
   * Agent SDK transcript directories (`~/.claude/projects`), each watched as a
   * second kind of root: repeat the flag, or list them with `:` in the variable.
   */
  transcripts: {
    flag: 'transcripts',
    value: '<dir>',
    type: 'string',
    default: null,
    env: ['STATEBRIDGE_TRANSCRIPTS'],
    commands: DAEMON,
    resolve: 'table',
    help: 'agent SDK transcripts directory to mirror too (repeatable; `:`-separated in the variable)',
    doc: "an agent SDK's transcripts directory (`~/.claude/projects`, or `~/.config/claude/projects`), mirrored like the reports root into `agent_sessions` and `agent_messages`; repeat the flag for several (the variable takes a `:`-separated list)",
  },
  /** The pricing table transcripts' costs are computed with; default the shipped pricing/models.json. */
  pricing: {
    flag: 'pricing',
    value: '<file>',
    type: 'string',
    default: null,
    defaultText: 'the shipped `pricing/models.json`',
    env: ['STATEBRIDGE_PRICING'],
    commands: [...PARSING, ...WRITING],
    resolve: 'table',
    help: 'JSON pricing table for agent token costs',
    doc: 'JSON pricing table (`{"version": …, "models": {"<model or prefix>": {"input", "output", "cache_read", "cache_creation"}}}`, US dollars per million tokens) that prices transcript usage; a line that states its own cost keeps it. Each priced line records the table\'s version',
  },
  /** Heap limit of each parse worker, MB; default 96. */
  workerHeapMb: {
    flag: 'worker-heap-mb',
    value: '<n>',
    type: 'integer',
    default: 96,
    min: 16,
    max: 16_384,
    commands: [...PARSING, ...WRITING],
    resolve: 'table',
    help: 'heap limit of each parse worker',
    doc: 'heap limit of each parse worker; a file whose parse needs more gets an error status',
  },
  /**
   * Nice value of each parse worker thread (Linux keeps one per thread): the
   * apply path and the API thread go first when the cores are busy, and so
   * does the pipeline the sidecar serves.
   */
  workerNice: {
    flag: 'worker-nice',
    value: '<n>',
    type: 'integer',
    default: 5,
    min: 0,
    max: 19,
    commands: [...PARSING, ...WRITING],
    resolve: 'table',
    help: 'nice value of each parse worker thread (0 to 19)',
    doc: 'nice value of each parse worker thread (Linux keeps one per thread; elsewhere it is not applied): on busy cores the main thread, which applies, the API thread and other processes go first, and the workers still take every idle cycle. `0` runs them at the process priority',
  },
  /** Address of the read-only HTTP API, `host:port`; default (`null`) no API. */
  listen: {
    flag: 'listen',
    value: '<host:port>',
    type: 'string',
    default: null,
    defaultText: 'no API',
    // `health` asks the API at this address unless --url is given.
    commands: [...SERVING, 'health'],
    resolve: 'table',
    check: (value) =>
      /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/.test(value) && Number(value.slice(value.lastIndexOf(':') + 1)) <= 65535
        ? null
        : `--listen must be host:port, such as 127.0.0.1:8787, not ${JSON.stringify(value)}`,
    help: 'serve the read-only HTTP API on this address (anything but loopback needs STATEBRIDGE_API_TOKEN)',
    doc: 'serve the read-only HTTP API on `host:port`, such as `127.0.0.1:8787`; any address but loopback is refused unless an API token is set. `health` asks this address unless `--url` is given',
  },
  /** Bearer token of the HTTP API (environment only; `STATEBRIDGE_API_TOKEN_FILE` names a file holding it). */
  apiToken: {
    flag: null,
    type: 'string',
    default: null,
    defaultText: 'none',
    env: ['STATEBRIDGE_API_TOKEN'],
    commands: SERVING,
    resolve: 'custom',
    help: 'bearer token every API route but /healthz and /readyz requires',
    doc: 'bearer token that every API route but `/healthz` and `/readyz` requires (`Authorization: Bearer …`); `STATEBRIDGE_API_TOKEN_FILE` names a file that holds it instead',
  },
  /** Serve /metrics without the token; default `false`. */
  metricsPublic: {
    flag: 'metrics-public',
    type: 'boolean',
    default: false,
    defaultText: 'off',
    commands: SERVING,
    resolve: 'table',
    help: 'serve /metrics without the API token',
  },
  /** Base URL whose /readyz `health` asks (command line only); default from `--listen`, else `http://127.0.0.1:8787`. */
  url: {
    flag: 'url',
    value: '<base>',
    type: 'string',
    default: null,
    defaultText: '`http://` + `--listen`, else `http://127.0.0.1:8787`',
    commands: ['health'],
    resolve: 'cli',
    check: (value) => (/^https?:\/\/[^/\s]+/.test(value) ? null : `--url must be an http:// or https:// base URL, such as http://127.0.0.1:8787, not ${JSON.stringify(value)}`),
    help: 'base URL of the API whose /readyz health asks',
    doc: 'base URL of the API whose `/readyz` `health` asks, such as `http://127.0.0.1:8787`',
  },
  /** Days the change log keeps a change (the feed's resume window); default 7; 0 keeps it forever. Pruned at start and hourly by `watch`. */
  changeLogKeepDays: {
    flag: 'change-log-keep-days',
    value: '<n>',
    type: 'integer',
    default: 7,
    min: 0,
    max: 36_500,
    commands: ['watch'],
    resolve: 'table',
    help: 'days the change log keeps a change, for feed clients that resume (`0`: forever)',
    doc: 'days the change log keeps a change: a feed client away longer gets `event: reset`; `watch` prunes at start and hourly (`0`: keep forever)',
  },
  /**
   * Keep a revision of every applied content (default). `--no-history` keeps
   * none: a database about a quarter smaller and a faster sync, with nothing to
   * restore, diff or rewind. Revisions kept before stay until retention prunes them.
   */
  history: {
    flag: 'no-history',
    type: 'boolean',
    negated: true,
    default: true,
    defaultText: 'off',
    env: ['STATEBRIDGE_NO_HISTORY'],
    // restore, render and import always record what they write and what they overwrite.
    commands: ['sync', 'watch'],
    resolve: 'table',
    help: 'keep no revisions of applied contents (smaller database; nothing to restore or diff)',
    doc:
      'keep no revision of what `sync` and `watch` apply: the database is about a quarter smaller and a sync faster, but `history`, `diff`, ' +
      '`restore` and the history routes have nothing new to show; revisions kept before stay until retention prunes them. ' +
      '`restore`, `render` and `import` still record what they write and what they overwrite',
  },
  /** Contents of at least this many bytes are stored compressed in history; default 1000. */
  compressThreshold: {
    flag: 'compress-threshold',
    value: '<bytes>',
    type: 'integer',
    default: 1000,
    min: 0,
    max: 1_073_741_824,
    env: ['SESSION_COMPRESS_THRESHOLD'],
    commands: ['sync', 'watch', ...WRITING],
    resolve: 'table',
    help: 'history stores contents of at least this many bytes compressed (Brotli)',
  },
  /** Days history keeps a revision; default 30; 0 keeps every revision forever (the per-file cap still applies). */
  historyKeepDays: {
    flag: 'history-keep-days',
    value: '<n>',
    type: 'integer',
    default: 30,
    min: 0,
    max: 36_500,
    env: ['SESSION_CLEANUP_DAYS'],
    commands: RETAINING,
    resolve: 'table',
    help: 'days history keeps a revision (`0`: forever); the latest revision of a live file always stays',
  },
  /** Revisions kept per file; default 50; 0: no cap. */
  historyKeepRevisions: {
    flag: 'history-keep-revisions',
    value: '<n>',
    type: 'integer',
    default: 50,
    min: 0,
    max: 1_000_000,
    commands: RETAINING,
    resolve: 'table',
    help: 'revisions history keeps per file, newest first (`0`: no cap)',
  },
  /** Of revisions older than 24 h, keep every Nth of a file; default 1 (all). */
  historyCheckpointInterval: {
    flag: 'history-checkpoint-interval',
    value: '<n>',
    type: 'integer',
    default: 1,
    min: 1,
    max: 1_000_000,
    env: ['SESSION_CHECKPOINT_INTERVAL'],
    commands: RETAINING,
    resolve: 'table',
    help: 'of revisions older than 24 h, keep only every Nth of each file (`1`: all)',
  },
  /**
   * Redis of the change feed's mirror (a Redis Stream); default (`null`) none.
   * On with `--redis-url`, or with `SESSION_STORAGE_TYPE=redis-postgres`
   * (then `REDIS_URL`, else `redis://127.0.0.1:6379`). Resolved in config.ts.
   */
  redisUrl: {
    flag: 'redis-url',
    value: '<url>',
    type: 'string',
    default: null,
    defaultText: 'no mirror; `redis://127.0.0.1:6379` with `SESSION_STORAGE_TYPE=redis-postgres`',
    env: ['REDIS_URL'],
    commands: ['watch'],
    resolve: 'custom',
    help: 'mirror the change feed into the Redis Stream statebridge:changes at this URL',
    doc:
      'mirror the change feed into the Redis Stream `statebridge:changes` (`redis://…`); `REDIS_URL` is read only with ' +
      '`SESSION_STORAGE_TYPE=redis-postgres`, which also means PostgreSQL from `DATABASE_URL`',
  },
  /** The revision (number) or instant (ISO-8601) to restore (command line only). */
  at: {
    flag: 'at',
    value: '<rev|time>',
    type: 'string',
    default: null,
    commands: ['restore'],
    resolve: 'cli',
    help: 'revision number, or ISO-8601 time, to restore',
  },
  /** Where `restore` writes one file instead of its path (`-`: stdout; command line only). */
  to: {
    flag: 'to',
    value: '<file|->',
    type: 'string',
    default: null,
    commands: ['restore'],
    resolve: 'cli',
    defaultText: 'the file itself',
    help: 'write the restored content here instead (`-`: standard output); history is not changed',
  },
  /** Say what would happen, change nothing (command line only). */
  dryRun: {
    flag: 'dry-run',
    type: 'boolean',
    default: false,
    commands: ['restore', 'prune'],
    resolve: 'cli',
    defaultText: 'off',
    help: 'say what would be written or deleted; change nothing',
  },
  /** Restore over a file that changed since its latest revision (command line only). */
  force: {
    flag: 'force',
    type: 'boolean',
    default: false,
    commands: ['restore', 'render'],
    resolve: 'cli',
    defaultText: 'off',
    help: 'restore (or render --write) even over a file that changed since its latest revision',
  },
  /** Write the rendered file into the root when it differs (command line only). */
  write: {
    flag: 'write',
    type: 'boolean',
    default: false,
    commands: ['render'],
    resolve: 'cli',
    defaultText: 'off (print)',
    help: 'write the rendered file into the session directory, only when it differs',
  },
  /** Sessions finished for at least this long (`30d`, `12h`; command line only). */
  completedOlderThan: {
    flag: 'completed-older-than',
    value: '<age>',
    type: 'string',
    default: null,
    commands: ['cleanup'],
    resolve: 'cli',
    help: 'sessions complete and unchanged for at least this long (`30d`, `12h`)',
  },
  /** Directory the cleanup archives go to (command line only). */
  archive: {
    flag: 'archive',
    value: '<dir>',
    type: 'string',
    default: null,
    commands: ['cleanup'],
    resolve: 'cli',
    help: 'directory that receives one <root-name>-<session-id>.tar.gz per session',
  },
  /** Also delete the archived session directories from disk (command line only). */
  deleteFiles: {
    flag: 'delete-files',
    type: 'boolean',
    default: false,
    commands: ['cleanup'],
    resolve: 'cli',
    defaultText: 'off',
    help: 'also delete the session directories once archived',
  },
  /** Do it: cleanup is a dry run without it (command line only). */
  yes: {
    flag: 'yes',
    type: 'boolean',
    default: false,
    commands: ['cleanup'],
    resolve: 'cli',
    defaultText: 'off (dry run)',
    help: 'carry the cleanup out; without it, only say what would go',
  },
  /** Machine-readable output (command line only). */
  json: {
    flag: 'json',
    type: 'boolean',
    default: false,
    commands: ['sync', 'status', 'check', 'show', 'history', 'prune', 'cleanup', 'import'],
    resolve: 'cli',
    defaultText: 'off',
    help: 'machine-readable output; also turns off the progress line of sync',
    doc: 'machine-readable output for `sync`, `status`, `check` and `show`; also turns off the progress line of `sync`',
  },
  /** Print the version and exit (command line only). */
  version: {
    flag: 'version',
    type: 'boolean',
    default: false,
    commands: [],
    resolve: 'cli',
    defaultText: '',
    help: 'print `statebridge <version>` and exit',
  },
  /** Print the usage text and exit (command line only). */
  help: {
    flag: 'help',
    type: 'boolean',
    default: false,
    commands: [],
    resolve: 'cli',
    defaultText: '',
    help: 'print this text and exit',
  },
} as const satisfies Record<string, OptionSpec>

/** The option table, typed loosely for generic walks. */
export const OPTION_SPECS: ReadonlyArray<readonly [key: string, spec: OptionSpec]> = Object.entries(OPTIONS)

type Specs = typeof OPTIONS
/** Keys of options resolved by the table or by custom code: the configuration, not command-line switches. */
type ConfigKey = { [K in keyof Specs]: Specs[K]['resolve'] extends 'cli' ? never : K }[keyof Specs]
/** Keys resolved generically from the table. */
export type TableKey = { [K in keyof Specs]: Specs[K]['resolve'] extends 'table' ? K : never }[keyof Specs]
/** Keys of command-line switches. */
export type CliKey = Exclude<keyof Specs, ConfigKey>

/** The value type an option spec declares. */
type ValueOf<S> = S extends { type: 'integer' } ? number : S extends { type: 'boolean' } ? boolean : string
/** The resolved value: a string option whose default is `null` stays `null` when unset. */
type ResolvedOf<S> = ValueOf<S> | (S extends { default: null } ? null : never)

/** The options a user may give, derived from the table (every one optional). */
export type OptionValues = { [K in ConfigKey]?: ValueOf<Specs[K]> }
/** The generically resolved part of the configuration. */
export type ResolvedOptions = { readonly [K in TableKey]: ResolvedOf<Specs[K]> }

/** `--flag` of an option, or its first environment variable for an environment-only one. */
export function optionName(spec: OptionSpec): string {
  return spec.flag !== null ? `--${spec.flag}` : (spec.env?.[0] ?? '?')
}

/** How an option's default reads, for the usage text and the README (markdown). */
export function defaultDescription(spec: OptionSpec): string {
  if (spec.defaultText !== undefined) return spec.defaultText
  if (typeof spec.default === 'function' || spec.default === null) return ''
  return `\`${String(spec.default)}\``
}

/** The values an option accepts, for the README (markdown). */
export function rangeDescription(spec: OptionSpec): string {
  if (spec.type === 'integer') return `${spec.min}–${spec.max}`
  if (spec.type === 'string' && spec.choices) return spec.choices.map((c) => `\`${c}\``).join(', ')
  return ''
}

/** The flag column of the usage text and README: `--db <url>`. */
function flagWithValue(spec: OptionSpec): string {
  return `${optionName(spec)}${spec.value ? ` ${spec.value}` : ''}`
}

/** Markdown code and the README's typography, made plain for a terminal. */
function plainText(markdown: string): string {
  return markdown.replaceAll('`', '').replaceAll('…', '...').replaceAll('×', 'x').replaceAll('–', '-')
}

/** The usage text of `statebridge --help`, derived from the command and option tables. */
export function usageText(): string {
  const commands = Object.values(COMMANDS).map((c) => `  statebridge ${c.synopsis.padEnd(30)} ${c.summary}`)
  const options = OPTION_SPECS.filter(([, spec]) => spec.flag !== null).map(([, spec]) => {
    const fallback = plainText(defaultDescription(spec))
    const choices = spec.type === 'string' && spec.choices ? ` (${spec.choices.join('|')})` : ''
    const suffix = fallback !== '' ? ` (default ${fallback})` : ''
    return `  ${flagWithValue(spec).padEnd(29)} ${plainText(spec.help)}${choices}${suffix}`
  })
  const variables = [...new Set(OPTION_SPECS.flatMap(([, spec]) => spec.env ?? []))]
  return [
    'usage:',
    ...commands,
    '',
    'options:',
    ...options,
    '',
    `environment (flags win): ${variables.join(', ')},`,
    'and the PG* variables of libpq (PGHOST, PGUSER, PGPASSWORD, PGDATABASE, ...)',
  ].join('\n')
}

/** The README's configuration table (markdown), derived from the option table. */
export function optionsMarkdownTable(): string {
  const cell = (text: string): string => text.replaceAll('|', '\\|')
  const rows = OPTION_SPECS.filter(([, spec]) => spec.resolve !== 'cli' || spec.commands.length > 0).map(([, spec]) => {
    const env = (spec.env ?? []).map((name) => `\`${name}\``).join(', ')
    const commands = spec.commands.join(', ')
    return `| ${cell(spec.flag !== null ? `\`${flagWithValue(spec)}\`` : '')} | ${cell(env)} | ${cell(defaultDescription(spec))} | ${cell(rangeDescription(spec))} | ${commands} | ${cell(spec.doc ?? spec.help)} |`
  })
  return ['| flag | environment | default | values | commands | meaning |', '|---|---|---|---|---|---|', ...rows].join('\n')
}
