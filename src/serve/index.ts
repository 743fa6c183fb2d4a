/**
 * The HTTP API's entry: the CLI imports this module only when `--listen` is given.
 */
export { startApiServer, type ApiServer, type ApiServerOptions } from './server.js'
export { isLoopbackHost } from './auth.js'
export { buildOpenApi } from './openapi.js'
export { isPublic, type StreamRoute } from './stream-route.js'
export { ProblemError } from './problem.js'
