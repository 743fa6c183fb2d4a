/**
 * Worker-thread entry: answers read requests one at a time so the main
 * thread (watcher, queue, database) never waits on a slow markdown parse.
 */
import os from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { readAndParse, type ReadRequest, type ReadResult } from './read-file.js'
import type { MarkdownParser } from '../parsers/markdown.js'
import type { PricingTable } from '../parsers/agent/types.js'
import type { WorkerMessage, WorkerReply } from './parse-pool.js'

// Content that blew its budget on any worker; the pool sends each new hash to
// every worker, and a fresh worker starts with the pool's whole list.
const overBudget = new Set<string>((workerData as { overBudget?: string[] } | null)?.overBudget ?? [])
const limit = (workerData as { overBudgetLimit?: number } | null)?.overBudgetLimit ?? 4096
const parser = (workerData as { parser?: MarkdownParser } | null)?.parser ?? 'fast'
const pricing = (workerData as { pricing?: PricingTable | null } | null)?.pricing ?? null
const nice = (workerData as { nice?: number } | null)?.nice ?? 0

// Process 0 is the calling thread on Linux, whose nice value is per thread: only this worker yields.
// Where the value is per process (elsewhere), or may not be raised, the worker runs as it is.
if (nice > 0 && process.platform === 'linux') {
  try {
    os.setPriority(0, nice)
  } catch {
    // A sandbox that forbids setpriority: parsing at the process's priority is still correct.
  }
}

const post = (reply: WorkerReply): void => parentPort?.postMessage(reply)

parentPort?.on('message', (message: WorkerMessage) => {
  if ('overBudget' in message) {
    overBudget.add(message.overBudget)
    if (overBudget.size > limit) overBudget.delete(overBudget.values().next().value!)
    return
  }
  let result: ReadResult
  try {
    // The hash goes to the pool before parsing starts, so a parse cut off by the budget names its content.
    result = readAndParse(message.request, { overBudget, parser, pricing, onParse: (hash) => post({ id: message.id, parsing: hash }) })
  } catch (error) {
    // A bug outside the parser must not kill the worker: report it as this file's failure.
    result = { kind: 'unreadable', code: 'EPARSE', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }
  }
  post({ id: message.id, result })
})

// The pool starts a file's time budget only once the worker has loaded its modules.
post({ ready: true })
