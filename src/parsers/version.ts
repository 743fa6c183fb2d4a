/**
 * The version of what the parsers make of a file. Raise it whenever a release
 * changes the records some unchanged file yields (a new kind, a new column, a
 * reading fixed): each document row keeps the version that parsed it, and a
 * sync reads again every file an older version parsed, so an upgrade does not
 * leave old rows beside new ones until their files happen to change. A
 * sidecar never re-reads what a newer version wrote.
 *
 * 1: every release before the column existed; 2: issue 11 (kinds registry,
 * QA and remediation tables, usage, duplicates, multiples and accounting
 * negatives, JSON `extra`); 3: issue 12, migration 12 (the records are the
 * same, but the sections it derives from stored heading paths have no lines
 * and omit headings no record stands under: reading every file once stores
 * its real sections); 4: issue 13 (hook audit logs and transcripts typed as
 * agent sessions, events, messages and links); 5: headings inside list
 * items and blockquotes (`1. ### Rule`) are read wherever they stand, as
 * remark reads them in the whole file; before, only when the block holding
 * them also held a heading, table or footnote definition at its top level;
 * 6: the fast path's emphasis matching re-resolves the runs inside a matched
 * pair as micromark does (a cell like `*a __,____*x **___,*` was read with
 * delimiters remark drops).
 */
export const PARSER_VERSION = 6
