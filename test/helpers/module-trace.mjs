// Registered with `node --import`: prints every module URL the process resolves
// to stderr as `LOAD <url>`, so a test can see what a command loads.
import { register } from 'node:module'

register(
  'data:text/javascript,' +
    encodeURIComponent(
      'export async function resolve(specifier, context, next) { const r = await next(specifier, context); process.stderr.write(`LOAD ${r.url}\\n`); return r }',
    ),
)
