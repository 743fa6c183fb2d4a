import type { Diagnostic } from './types.js'

/** `line 12, column 3: reason`, the way a located diagnostic is stored and logged. */
export function formatDiagnostic(diagnostic: Pick<Diagnostic, 'line' | 'column' | 'reason'>): string {
  if (diagnostic.line === null) return diagnostic.reason
  const column = diagnostic.column === null ? '' : `, column ${diagnostic.column}`
  return `line ${diagnostic.line}${column}: ${diagnostic.reason}`
}
