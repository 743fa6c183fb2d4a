/**
 * Temporary report trees for integration tests.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** A fresh temporary directory; removed by `cleanup`. */
export function tempDir(prefix = 'statebridge-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

/** Write `files` (relative path → content) under `root`, creating folders. */
export function writeTree(root: string, files: Record<string, string | Uint8Array>): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel)
    fs.mkdirSync(path.dirname(abs), { recursive: true })
    fs.writeFileSync(abs, content)
  }
}

/** Remove a temporary directory tree. */
export function cleanup(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true })
}

/** A small but realistic session tree: state files, reports, a script, an invalid JSON. */
export function sampleTree(): Record<string, string> {
  return {
    'README.md': '# Reports\n\nOne folder per session.\n',
    '2026-02-03-1770076800/orchestrator-state.md': [
      '# ORCHESTRATOR STATE',
      '',
      '## DEAL_METADATA',
      '',
      '| Field | Value |',
      '|-------|-------|',
      '| Matter Name | Project Kestrel |',
      '| Deal Value | $1.2B |',
      '| Closing Date | 2026-Q3 |',
      '',
      '## SESSION_METRICS',
      '',
      '| Phase | Start | End | Duration | Status |',
      '|---|---|---|---|---|',
      '| session-initialization | 2026-02-03T10:00:00Z | 2026-02-03T10:05:00Z | 5m | ✅ COMPLETE |',
      '| specialist-research | 2026-02-03T10:05:00Z | | | ⏳ PENDING |',
      '',
    ].join('\n'),
    '2026-02-03-1770076800/synthesis-state.json': JSON.stringify({ current_phase: 'section-writing', status: 'in_progress' }, null, 2),
    '2026-02-03-1770076800/review-outputs/fact-registry.md': '## Key Dates\n\n| Fact | Canonical Value | Source |\n|---|---|---|\n| Signing | 2026-01-15 | T1 |\n',
    '2026-02-03-1770076800/specialist-reports/tax-report.md': '# Tax\n\nText with a note.[^1]\n\n[^1]: A footnote.\n',
    '2026-02-03-1770076800/assemble.sh': '#!/bin/sh\necho assemble\n',
    '2026-02-04-1770163200/research-plan.md': '# Research Plan\n\n## SPECIALIST ASSIGNMENTS\n\n| Task | Specialist | Status |\n|---|---|---|\n| T1 | tax | pending |\n',
    '2026-02-04-1770163200/broken-state.json': '{"status": "running",\n  "phase": }\n',
    'empty-session/notes.txt': 'nothing to parse\n',
  }
}
