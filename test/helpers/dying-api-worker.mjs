// A stand-in for the API thread that speaks its protocol: it listens, and exits
// with code 1 on GET /die. Started again, it answers its generation, so a test
// sees over HTTP that api-thread.ts brought a dead thread back on the same port.
// GET /heap-limit answers the thread's V8 heap limit, in bytes.
import http from 'node:http'
import v8 from 'node:v8'
import { parentPort, workerData } from 'node:worker_threads'

const generation = workerData.port === 0 ? 'first' : 'again'
const server = http.createServer((req, res) => {
  if (req.url === '/die') process.exit(1)
  if (req.url === '/heap-limit') res.end(String(v8.getHeapStatistics().heap_size_limit))
  else res.end(generation)
})
server.listen(workerData.port, workerData.host, () => {
  const { port } = server.address()
  parentPort.postMessage({ type: 'listening', url: `http://${workerData.host}:${port}`, port })
})
parentPort.on('message', (message) => {
  if (message.type === 'close') server.close(() => parentPort.close())
})
