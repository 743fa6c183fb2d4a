/**
 * Worker-thread entry: answers read requests one at a time so the main
 * thread (watcher, queue, database) never waits on a slow markdown parse.
 */
import { parentPort } from 'node:worker_threads'
import { readAndParse, type ReadRequest } from './read-file.js'

parentPort?.on('message', (message: { id: number; request: ReadRequest }) => {
  let result
  try {
    result = readAndParse(message.request)
  } catch (error) {
    // A parser bug must not kill the worker: report it as this file's failure.
    result = { kind: 'unreadable', code: 'EPARSE', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }
  }
  parentPort?.postMessage({ id: message.id, result })
})

// The pool starts a file's time budget only once the worker has loaded its modules.
parentPort?.postMessage({ ready: true })
