/**
 * A TCP proxy of the test's own between statebridge and PostgreSQL, so a test
 * can cut the database away (every connection reset, new ones refused) or
 * partition it silently, without touching the real server.
 */
import net from 'node:net'

export interface TcpProxy {
  /** Port the proxy listens on (127.0.0.1). */
  readonly port: number
  /** Reset every open connection and refuse new ones until `restore()`. */
  cut(): void
  /**
   * A silent partition until `restore()`: open connections stay open but carry
   * nothing more, and new ones are accepted and then left without an answer.
   */
  blackhole(): void
  /** Forward again; connections held by `blackhole()` are reset, as a healed network's peers would. */
  restore(): void
  /** Connections accepted so far. */
  readonly accepted: number
  close(): Promise<void>
}

/** Start a proxy to `targetHost:targetPort`. */
export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const open = new Set<net.Socket>()
  const held = new Set<net.Socket>()
  let blocked = false
  let silent = false
  let accepted = 0
  const hold = (socket: net.Socket): void => {
    socket.unpipe()
    socket.pause()
    socket.on('error', () => socket.destroy())
    held.add(socket)
  }
  const server = net.createServer((client) => {
    if (blocked) {
      client.resetAndDestroy()
      return
    }
    if (silent) {
      hold(client)
      return
    }
    accepted++
    const upstream = net.connect(targetPort, targetHost)
    open.add(client)
    open.add(upstream)
    const drop = (): void => {
      client.destroy()
      upstream.destroy()
      open.delete(client)
      open.delete(upstream)
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    get accepted() {
      return accepted
    },
    cut() {
      blocked = true
      for (const socket of open) socket.resetAndDestroy()
      open.clear()
    },
    blackhole() {
      silent = true
      for (const socket of open) hold(socket)
      open.clear()
    },
    restore() {
      blocked = false
      silent = false
      for (const socket of held) socket.resetAndDestroy()
      held.clear()
    },
    async close() {
      blocked = true
      for (const socket of [...open, ...held]) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
