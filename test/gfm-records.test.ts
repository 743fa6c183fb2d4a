// The trimmed GFM plugin (no autolink literals) must read every heading and
// table cell as remark-gfm does: bare URLs become links in remark-gfm, whose
// plain text is the URL as written, so the records are the same.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Nodes, Parent, Root } from 'mdast'
import remarkGfm from 'remark-gfm'
import remarkParse from 'remark-parse'
import { unified } from 'unified'
import { describe, expect, it } from 'vitest'
import { gfmRecords } from '../src/parsers/gfm-records.js'
import { plainText } from '../src/parsers/markdown.js'

const full = unified().use(remarkParse).use(remarkGfm).freeze()
const trimmed = unified().use(remarkParse).use(gfmRecords).freeze()

/** What records read from a tree: headings, table cells and footnote definitions, with their lines. */
function recordsOf(tree: Root): string[] {
  const out: string[] = []
  const visit = (node: Nodes): void => {
    const line = node.position?.start.line ?? 0
    if (node.type === 'heading') out.push(`${line} h${node.depth} ${plainText(node)}`)
    else if (node.type === 'tableCell') out.push(`${line} | ${plainText(node)}`)
    else if (node.type === 'footnoteDefinition') out.push(`${line} [^${node.identifier}]`)
    if ('children' in node) for (const child of (node as Parent).children) visit(child as Nodes)
  }
  visit(tree)
  return out
}

const markdownFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(dir, name))
    .sort()

describe('gfmRecords reads records as remark-gfm does', () => {
  const files = [...markdownFiles('fixtures'), ...markdownFiles('examples/reports')]

  it('has fixtures to compare', () => {
    expect(files.length).toBeGreaterThan(20)
  })

  it.each(files)('%s', (file) => {
    const text = readFileSync(file, 'utf8')
    expect(recordsOf(trimmed.parse(text))).toEqual(recordsOf(full.parse(text)))
  })

  it('reads bare URLs, emails and www links in cells and headings as their text', () => {
    const text = [
      '# See https://example.test/a_b_c and www.example.test',
      '',
      '| Source | Contact |',
      '|---|---|',
      '| https://example.test/x?y=1&z=2. | counsel@example.test |',
      '| <https://example.test/auto> | ~~old~~ new |',
      '',
      '- [x] done',
      '',
      '[^1]: https://example.test/note',
      '',
    ].join('\n')
    const records = recordsOf(trimmed.parse(text))
    expect(records).toEqual(recordsOf(full.parse(text)))
    expect(records).toContain('5 | https://example.test/x?y=1&z=2.')
    expect(records).toContain('6 | old new')
  })
})
