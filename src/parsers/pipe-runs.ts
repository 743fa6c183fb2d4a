/**
 * Runs of pipe lines that GFM did not accept as a table.
 *
 * Agents write tables whose delimiter row has a different number of cells
 * than the header (`| a | b | c |` over `|---|---|`), or leave a cell of it
 * empty. GFM then has no table: remark keeps the lines as a paragraph, and the
 * rows would vanish from the records. This module finds such runs in a
 * paragraph's source and says which can be recovered.
 *
 * The rule, applied to each paragraph remark produced (so code fences, HTML
 * blocks and real GFM tables are never considered):
 * - A pipe run is a maximal run of two or more consecutive lines that start
 *   with `|` once container markers (`>` and indentation) are set aside. A run
 *   may follow prose lines of the same paragraph, as a GFM table may
 *   interrupt a paragraph.
 * - A run is a broken table, and recovered, when its second line is a
 *   delimiter-like row (nothing but `|`, `-`, `:` and white space, with at
 *   least one `-`) and its first line is not. GFM rejected it, so its cell count differs from the
 *   header's or one of its cells is not `-+` with optional colons.
 * - Any other run (no delimiter row, or one further down) is not captured:
 *   its first line would be a guessed header, so it stays prose and is only
 *   reported.
 */

import type { Diagnostic } from './types.js'

/** A pipe run inside a paragraph, with its lines as written minus container markers. */
export interface PipeRun {
  /** 0-based index of the run's first line among the paragraph's lines. */
  first: number
  /** The run's lines, container markers removed, each starting with `|`. */
  lines: string[]
}

/** Why a broken table's delimiter row is not GFM, and how to repair it. */
export interface BrokenDelimiter {
  /** Cells of the header row. */
  headerCells: number
  /** Cells of the delimiter row. */
  delimiterCells: number
  /** The reason for the diagnostic, e.g. `delimiter row has 3 cells, header has 5`. */
  reason: string
  /** A delimiter row with the header's cell count. */
  repaired: string
}

// Container markers before the first pipe: blockquote `>` and indentation.
const CONTAINER_PREFIX = /^[ \t>]*(?=\|)/
const DELIMITER_LIKE = /^[|:\s-]*-[|:\s-]*$/
const DELIMITER_CELL = /^:?-+:?$/

// A line that starts with a pipe, after container markers: cheap to test a whole paragraph for.
const HAS_PIPE_LINE = /(?:^|\n)[ \t>]*\|/

/** The pipe runs of a paragraph's source lines, in order. */
export function findPipeRuns(lines: readonly string[]): PipeRun[] {
  const runs: PipeRun[] = []
  let current: PipeRun | null = null
  lines.forEach((line, index) => {
    const prefix = CONTAINER_PREFIX.exec(line)
    if (prefix) {
      current ??= { first: index, lines: [] }
      current.lines.push(line.slice(prefix[0].length))
      return
    }
    if (current && current.lines.length >= 2) runs.push(current)
    current = null
  })
  if (current !== null && (current as PipeRun).lines.length >= 2) runs.push(current)
  return runs
}

/** Whether a paragraph's source has a line starting with a pipe at all: most prose has none. */
export function mayHavePipeRun(text: string): boolean {
  return HAS_PIPE_LINE.test(text)
}

/** The cells of a pipe line as GFM splits them: on unescaped pipes, outer pipes dropped. */
export function splitCells(line: string): string[] {
  let body = line.trim()
  if (body.startsWith('|')) body = body.slice(1)
  if (body.endsWith('|') && !body.endsWith('\\|')) body = body.slice(0, -1)
  return body.split(/(?<!\\)\|/).map((cell) => cell.trim())
}

/**
 * What is wrong with the run's delimiter row, or `null` when the run has no
 * delimiter-like second line and so is no broken table.
 */
export function brokenDelimiter(run: PipeRun): BrokenDelimiter | null {
  const [header, delimiter] = run.lines
  if (header === undefined || delimiter === undefined || !DELIMITER_LIKE.test(delimiter)) return null
  // Two rule-like lines (`|---|---|` twice) have no header to read.
  if (DELIMITER_LIKE.test(header)) return null
  const headerCells = splitCells(header).length
  const cells = splitCells(delimiter)
  const malformed = cells.filter((cell) => !DELIMITER_CELL.test(cell)).length
  const reason =
    cells.length !== headerCells
      ? `delimiter row has ${cells.length} ${cells.length === 1 ? 'cell' : 'cells'}, header has ${headerCells}`
      : malformed > 0
        ? `delimiter row has ${malformed} malformed ${malformed === 1 ? 'cell' : 'cells'} (each must be dashes with optional colons)`
        : // Same count and well-formed cells: GFM refused it for its place (say, lazy lines of a quote).
          'delimiter row is not accepted by GFM where it stands'
  return { headerCells, delimiterCells: cells.length, reason, repaired: `|${'---|'.repeat(headerCells)}` }
}

// A fence line with text after it: as an opener its text is an info string,
// but it never closes a block, so one written as a closer (```⁶⁹, a footnote
// mark after it) leaves the block open and shifts every later fence.
const FENCE_WITH_TEXT = /^ {0,3}(?:`{3,}|~{3,})[ \t]*[^\s\w+#.-]/

// Tables inside a code block are code, not records: agents quote table
// templates in fences. But a fence line with text after it (```⁶⁹, a footnote
// mark) closes nothing, so the block runs on and swallows every table up to
// the next fence, and the fences after it pair up the wrong way. Only such a
// block is reported, at its start: a plain code sample is not a loss.
/** The warning for a code block (lines `line`..`endLine`) that swallowed tables behind a suspect fence, or `null`. */
export function swallowedTables(value: string, lang: string | null, line: number, endLine: number): Diagnostic | null {
  const { tables, suspectFence } = tablesInCode(value, lang)
  if (tables === 0 || suspectFence === null) return null
  return {
    line,
    column: 1,
    reason: `code block of ${endLine - line + 1} lines holds ${tables} table-shaped pipe ${tables === 1 ? 'run' : 'runs'}, not read as tables; its fence line ${suspectFence} has text after it and closes no block: is a fence unbalanced?`,
    severity: 'warning',
    code: 'pipe-run-in-code',
  }
}

/**
 * What a code block's content says about tables it swallowed: the count of
 * table-shaped runs (a pipe line over a delimiter-like line) and a fence line
 * with text after it that may have left a fence unbalanced, if any. Such
 * lines are never read as tables: a code block is code.
 */
export function tablesInCode(value: string, info: string | null): { tables: number; suspectFence: string | null } {
  if (!value.includes('|')) return { tables: 0, suspectFence: null }
  const lines = value.split('\n')
  let tables = 0
  let suspectFence = info !== null && /^[^\w+#.-]/.test(info) ? `\`\`\`${info}` : null
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (suspectFence === null && FENCE_WITH_TEXT.test(line)) suspectFence = line.trim()
    const next = lines[i + 1]
    if (next !== undefined && CONTAINER_PREFIX.test(line) && !DELIMITER_LIKE.test(line) && DELIMITER_LIKE.test(next) && next.includes('|')) tables++
  }
  return { tables, suspectFence }
}
