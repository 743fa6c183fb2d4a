/**
 * A TCP proxy of the test's own between statebridge and PostgreSQL, so a test
 * can cut the database away (every connection reset, new ones refused)
 * without touching the real server.
 */
import net from 'node:net'

export interface TcpProxy {
  /** Port the proxy listens on (127.0.0.1). */
  readonly port: number
  /** Reset every open connection and refuse new ones until `restore()`. */
  cut(): void
  restore(): void
  /** Connections accepted so far. */
  readonly accepted: number
  close(): Promise<void>
}

/** Start a proxy to `targetHost:targetPort`. */
export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const open = new Set<net.Socket>()
  let blocked = false
  let accepted = 0
  const server = net.createServer((client) => {
    if (blocked) {
      client.resetAndDestroy()
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
    restore() {
      blocked = false
    },
    async close() {
      blocked = true
      for (const socket of open) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
