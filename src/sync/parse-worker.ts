/**
 * Worker-thread entry: answers read requests one at a time so the main
 * thread (watcher, queue, database) never waits on a slow markdown parse.
 *
 * It says `ready` once it can read and hash, and loads the parser stack
 * (about a quarter of a second) after that: reads of unchanged files are
 * answered meanwhile, and a file to parse waits for the load. `loaded` tells
 * the pool the load is done, so it starts the next worker only then (module
 * loading opens many files at once; see `ParsePool.startWorkers`).
 */
import { parentPort, workerData } from 'node:worker_threads'
import { readContent, type ReadRequest, type ReadResult } from './read-content.js'
import type { MarkdownParser } from '../parsers/markdown.js'
import type { PricingTable } from '../parsers/agent/types.js'
import type { WorkerMessage, WorkerReply } from './parse-pool.js'

// Content that blew its budget on any worker; the pool sends each new hash to
// every worker, and a fresh worker starts with the pool's whole list.
const overBudget = new Set<string>((workerData as { overBudget?: string[] } | null)?.overBudget ?? [])
const limit = (workerData as { overBudgetLimit?: number } | null)?.overBudgetLimit ?? 4096
const parser = (workerData as { parser?: MarkdownParser } | null)?.parser ?? 'fast'
const pricing = (workerData as { pricing?: PricingTable | null } | null)?.pricing ?? null

const post = (reply: WorkerReply): void => parentPort?.postMessage(reply)

const parsing = import('./read-file.js')
parsing.then(
  () => post({ loaded: true }),
  (error: Error & { code?: string }) => post({ loadFailed: { code: error.code ?? 'EWORKER', message: error.message } }),
)

parentPort?.on('message', (message: WorkerMessage) => {
  if ('overBudget' in message) {
    overBudget.add(message.overBudget)
    if (overBudget.size > limit) overBudget.delete(overBudget.values().next().value!)
    return
  }
  void answer(message.id, message.request)
})

async function answer(id: number, request: ReadRequest): Promise<void> {
  let result: ReadResult
  try {
    const read = readContent(request, { overBudget })
    if (read.kind === 'content') {
      let module: Awaited<typeof parsing>
      try {
        module = await parsing
      } catch {
        // `loadFailed` went to the pool, which replaces this worker and sends the file to another.
        return
      }
      // The hash goes to the pool before parsing starts, so a parse cut off by the budget names its content.
      result = module.parseContent(request, read, { overBudget, parser, pricing, onParse: (hash) => post({ id, parsing: hash }) })
    } else {
      result = read
    }
  } catch (error) {
    // A bug outside the parser must not kill the worker: report it as this file's failure.
    result = { kind: 'unreadable', code: 'EPARSE', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }
  }
  post({ id, result })
}

// The pool starts a file's time budget only once the worker can read; a first
// parse may still wait for the parser stack within it.
post({ ready: true, loading: true })
