/**
 * A small Server-Sent Events client over node:http for the feed tests: it
 * parses the stream as it arrives and keeps every event and comment.
 */
import http from 'node:http'

export interface SseEvent {
  id: string | null
  event: string
  data: string
}

export interface SseClient {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly events: SseEvent[]
  readonly comments: string[]
  /** Resolves when the server ended or broke the stream. */
  readonly closed: Promise<void>
  /** Events named `change`, their data parsed. */
  changes(): Array<Record<string, any>>
  close(): void
}

/** Open `url` as an event stream; resolves once the response headers are in. */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } })
    req.on('error', reject)
    req.on('response', (res) => {
      const events: SseEvent[] = []
      const comments: string[] = []
      let buffer = ''
      let closedResolve!: () => void
      const closed = new Promise<void>((r) => (closedResolve = r))
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        buffer += chunk
        const end = buffer.lastIndexOf('\n\n')
        if (end < 0) return
        // Split once per chunk: a flood of events must not cost a copy of the buffer per event.
        const blocks = buffer.slice(0, end).split('\n\n')
        buffer = buffer.slice(end + 2)
        for (const block of blocks) {
          let id: string | null = null
          let event = 'message'
          const data: string[] = []
          let isEvent = false
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim())
            else if (line.startsWith('id: ')) (id = line.slice(4)), (isEvent = true)
            else if (line.startsWith('event: ')) (event = line.slice(7)), (isEvent = true)
            else if (line.startsWith('data: ')) data.push(line.slice(6)), (isEvent = true)
          }
          if (isEvent) events.push({ id, event, data: data.join('\n') })
        }
      })
      res.on('close', () => closedResolve())
      res.on('error', () => closedResolve())
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        comments,
        closed,
        changes: () => events.filter((e) => e.event === 'change').map((e) => JSON.parse(e.data) as Record<string, any>),
        close: () => req.destroy(),
      })
    })
  })
}

/** An SSE client in its own process, as a real remote client: it reads at its own pace, not when the server's loop lets it. */
export interface SseChildClient {
  /** Change events so far, their last seq, and whether a reset came. */
  readonly state: { changes: number; lastSeq: number; ordered: boolean; resets: number; ended: boolean }
  close(): void
}

const CHILD_SOURCE = `
const http = require('node:http')
const state = { changes: 0, lastSeq: 0, ordered: true, resets: 0, ended: false }
const report = () => process.stdout.write(JSON.stringify(state) + '\\n')
http.get(process.argv[1], { headers: { accept: 'text/event-stream' } }, (res) => {
  let buffer = ''
  res.setEncoding('utf8')
  res.on('data', (chunk) => {
    buffer += chunk
    const end = buffer.lastIndexOf('\\n\\n')
    if (end < 0) return
    for (const block of buffer.slice(0, end).split('\\n\\n')) {
      if (block.includes('event: reset')) state.resets++
      const id = /^id: (\\d+)$/m.exec(block)
      if (block.includes('event: change') && id) {
        const seq = Number(id[1])
        if (seq <= state.lastSeq) state.ordered = false
        state.lastSeq = seq
        state.changes++
      }
    }
    buffer = buffer.slice(end + 2)
  })
  res.on('close', () => { state.ended = true; report() })
  report()
})
setInterval(report, 100)
`

/** Start an SSE client in a child process; resolves once it has its response. */
export async function spawnSseClient(url: string): Promise<SseChildClient> {
  const { spawn } = await import('node:child_process')
  const child = spawn(process.execPath, ['-e', CHILD_SOURCE, url], { stdio: ['ignore', 'pipe', 'inherit'] })
  const client = {
    state: { changes: 0, lastSeq: 0, ordered: true, resets: 0, ended: false },
    close: () => child.kill(),
  }
  let pending = ''
  let started!: () => void
  const ready = new Promise<void>((resolve) => (started = resolve))
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    pending += chunk
    const lines = pending.split('\n')
    pending = lines.pop()!
    for (const line of lines) if (line !== '') client.state = JSON.parse(line)
    started()
  })
  await ready
  return client
}
