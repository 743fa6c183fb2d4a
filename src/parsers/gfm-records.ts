/**
 * The GFM that records need, as one unified plugin: tables, footnotes,
 * strikethrough and task lists, without autolink literals.
 *
 * Why not remark-gfm: its autolink-literal extension walks every text node to
 * turn bare URLs into links, whose plain text is the URL as written, so it
 * costs time (7% of a corpus sync) and changes no record. And the extensions
 * are combined here once, at import, not by every processor that uses them.
 * test/gfm-records.test.ts checks that records stay those of remark-gfm.
 */
import { gfmFootnoteFromMarkdown } from 'mdast-util-gfm-footnote'
import { gfmStrikethroughFromMarkdown } from 'mdast-util-gfm-strikethrough'
import { gfmTableFromMarkdown } from 'mdast-util-gfm-table'
import { gfmTaskListItemFromMarkdown } from 'mdast-util-gfm-task-list-item'
import { gfmFootnote } from 'micromark-extension-gfm-footnote'
import { gfmStrikethrough } from 'micromark-extension-gfm-strikethrough'
import { gfmTable } from 'micromark-extension-gfm-table'
import { gfmTaskListItem } from 'micromark-extension-gfm-task-list-item'
import { combineExtensions } from 'micromark-util-combine-extensions'
import type {} from 'remark-parse'
import type { Processor } from 'unified'

const syntax = combineExtensions([gfmFootnote(), gfmStrikethrough(), gfmTable(), gfmTaskListItem()])
const trees = [gfmFootnoteFromMarkdown(), gfmStrikethroughFromMarkdown(), gfmTableFromMarkdown(), gfmTaskListItemFromMarkdown()]

/** Add GFM tables, footnotes, strikethrough and task lists to remark-parse. */
export function gfmRecords(this: Processor): undefined {
  const data = this.data()
  ;(data.micromarkExtensions ??= []).push(syntax)
  ;(data.fromMarkdownExtensions ??= []).push(trees)
}
