/**
 * Block splitting must not change what remark reads.
 * - Hand-written cases: records parsed block by block (both readers share the
 *   split) equal remark's records for the whole file read as one block.
 * - Generated documents: splitting after a heading that opens a block gives
 *   each reader the records it gives with the split without that rule. (Against the whole file,
 *   generated documents with BOMs, carriage returns and link definitions differ
 *   with or without the rule; the fast-path test holds both readers to one split.)
 *
 * Each reader is a module instance of markdown.ts with its own block cache;
 * the reference instances see a mocked splitBlocks.
 */
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import type * as MarkdownModule from '../src/parsers/markdown.js'
import * as blocks from '../src/parsers/markdown-blocks.js'
import { gfmDocument } from './helpers/gfm-arbitrary.js'

type Blocks = typeof import('../src/parsers/markdown-blocks.js')
const { splitBlocks } = blocks
const ATX_LINE = /^#{1,6}(?:[ \t][^\n]*|)\n$/

/** splitBlocks without its heading rule: a one-line heading block joins the block after it. */
function splitWithoutHeadingRule(text: string): blocks.Block[] {
  const joined: blocks.Block[] = []
  let pending: blocks.Block | null = null
  for (const block of splitBlocks(text)) {
    const current: blocks.Block = pending ? { ...pending, end: block.end } : block
    pending = ATX_LINE.test(text.slice(block.start, block.end)) ? current : null
    if (!pending) joined.push(current)
  }
  if (pending) joined.push(pending)
  return joined
}

async function markdownWith(split: (text: string) => blocks.Block[], everyBlock = false): Promise<typeof MarkdownModule> {
  vi.resetModules()
  vi.doMock('../src/parsers/markdown-blocks.js', async (importOriginal) => ({
    ...(await importOriginal<Blocks>()),
    splitBlocks: split,
    ...(everyBlock ? { mayHoldRecords: () => true } : {}),
  }))
  const module: typeof MarkdownModule = await import('../src/parsers/markdown.js')
  vi.doUnmock('../src/parsers/markdown-blocks.js')
  return module
}

vi.resetModules()
const splitModule: typeof MarkdownModule = await import('../src/parsers/markdown.js')
const wholeModule = await markdownWith((text) => [{ start: 0, end: text.length, line: 1 }], true)
const unruledModule = await markdownWith(splitWithoutHeadingRule)
const unfilteredModule = await markdownWith(splitBlocks, true)

const bySplit = (text: string) => splitModule.parseMarkdown(text, { parser: 'fast' })
const byRemarkSplit = (text: string) => splitModule.parseMarkdown(text, { parser: 'remark' })
const whole = (text: string) => wholeModule.parseMarkdown(text, { parser: 'remark' })
const unruled = (text: string, parser: 'fast' | 'remark') => unruledModule.parseMarkdown(text, { parser })
const unfiltered = (text: string) => unfilteredModule.parseMarkdown(text, { parser: 'remark' })

const blockTexts = (text: string): string[] => splitBlocks(text).map((b) => text.slice(b.start, b.end))

describe('splitBlocks', () => {
  it('makes an ATX heading that opens a block a block of its own', () => {
    expect(blockTexts('### Risks\n- **Exposure:** $40M\n- **Probability:** 30%\n\nText\n')).toEqual([
      '### Risks\n',
      '- **Exposure:** $40M\n- **Probability:** 30%\n\n',
      'Text\n',
    ])
    expect(blockTexts('# A\n## B\n| x | y |\n|---|---|\n| 1 | 2 |\n')).toEqual(['# A\n', '## B\n', '| x | y |\n|---|---|\n| 1 | 2 |\n'])
  })

  it('leaves a heading inside a block, an indented one, or one in a fence where it is', () => {
    expect(blockTexts('Intro\n# H\n- a\n')).toEqual(['Intro\n# H\n- a\n'])
    expect(blockTexts('- item\n  # H\n  text\n')).toEqual(['- item\n  # H\n  text\n'])
    expect(blockTexts('```\n# not a heading\n- x\n```\n')).toEqual(['```\n# not a heading\n- x\n```\n'])
    expect(blockTexts('#hashtag\n- a\n')).toEqual(['#hashtag\n- a\n'])
    // A lone carriage return ends a line: the heading's "line" holds more lines.
    expect(blockTexts('# H\r\rtext\n[^1]\n===\n')).toEqual(['# H\r\rtext\n[^1]\n===\n'])
    expect(blockTexts('# H\r\n- a\r\n')).toEqual(['# H\r\n', '- a\r\n'])
  })

  it('gives remark the records of the whole file for heading-led blocks', () => {
    const cases = [
      '#### Results (10,000 Iterations):\n- **P10:** $1.9B\n- **P50:** $2.6B\n',
      '# Title\n---\ntext\n',
      '# Title\n===\n',
      '# Title\n    indented code | a | b |\n',
      '## Table\n| a | b |\n|---|---|\n| 1 | 2 |\n\n## Next\n> quote | x |\n> |---|\n',
      '# A\n- item\n  | a | b |\n  |---|---|\n  | 1 | 2 |\n# B\ntext\n',
      '# A\n<div>\n# inside html\n</div>\n\n# B\n',
      '# A\n[^1]: note\n\ntext[^1]\n',
      '# A\n```\n# in fence\n\n# still\n```\n# B\n',
      '# $40-60M\r\r| &amp; |\r\n[^1]\n===\n\n\n**Status:** **\n',
      '# `a\\|b`\n- # [text](https://example.com)\n\n**Status:** x\n',
      '# A\n> Quoted\n> ===\n\n# B\n1. item\n   - [^1]: nested note\n',
      '# Title\n# another\n\ufeff- # $40-60M\n# Status\n',
    ]
    for (const text of cases) {
      expect(bySplit(text), text).toEqual(whole(text))
      expect(byRemarkSplit(text), text).toEqual(whole(text))
    }
  })
})

// A heading line straight over any other block shape, among generated documents.
const follower = fc.constantFrom(
  '- **Key:** value',
  '1. item | a |',
  '  - nested',
  '    indented code',
  '> quote',
  '---',
  '===',
  '| a | b |\n|---|---|\n| 1 | 2 |',
  'a | b\n--|--',
  '```\n# fenced\n```',
  '<div>\n# in html',
  '<!--\n# in comment\n\n# still\n-->',
  '[^n]: definition',
  '# another',
  'plain text',
  '',
)
const headingLed = fc
  .tuple(fc.constantFrom('#', '##', '######', '#######'), fc.constantFrom(' Title', '', ' A | B', ' *x*'), fc.array(follower, { minLength: 1, maxLength: 4 }))
  .map(([marks, title, rest]) => [`${marks}${title}`, ...rest].join('\n'))
const document = fc.array(fc.oneof(headingLed, gfmDocument), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('\n'))

describe('the heading rule changes no record', () => {
  it('rejoins what it split, for the reference', () => {
    const text = '# A\n## B\n- x\n\n# C\n\ntext\n'
    expect(splitWithoutHeadingRule(text).map((b) => text.slice(b.start, b.end))).toEqual(['# A\n## B\n- x\n\n', '# C\n\n', 'text\n'])
  })

  it('on generated documents with heading-led blocks', () => {
    fc.assert(
      fc.property(document, (text) => {
        // Each reader against itself: the fast path's agreement with remark is test/markdown-fast-path.test.ts's.
        expect(byRemarkSplit(text)).toEqual(unruled(text, 'remark'))
        expect(bySplit(text)).toEqual(unruled(text, 'fast'))
      }),
      { numRuns: Number(process.env.STATEBRIDGE_FUZZ_RUNS ?? 300) },
    )
  }, 600_000)
})

// Pipes where agents write them: in prose, list items, quotes and code, with
// and without a delimiter row or a second pipe line, in every line ending.
const pipeLine = fc.constantFrom(
  '- Validated: 5 | Invalidated: 0 | Unvalidated: 0',
  '**Assumption Validation Status:**',
  'Total | 12',
  '| a | b |',
  '| 1 | 2 |',
  '|---|---|',
  '--|--',
  ':-- | --:',
  '- |---|',
  '  |---|---|',
  '> | a |',
  '> |---|',
  '1. x | y',
  '   | a |',
  '    | code |',
  '```',
  '- item',
  '---',
  'text',
  '',
)
const pipeDocument = fc
  .tuple(fc.array(pipeLine, { minLength: 1, maxLength: 8 }), fc.constantFrom('\n', '\r\n', '\r'))
  .map(([lines, eol]) => lines.join(eol) + eol)

describe('blocks left unread hold no record', () => {
  it('on hand cases: a pipe alone in prose or a list item, and every shape that does make a record', () => {
    const cases = [
      '**Assumption Validation Status:**\n- Assumptions: 5\n- Validated: 5 | Invalidated: 0 | Unvalidated: 0\n',
      'Total | 12\nMore | 3\n',
      '- item\n  | a | b |\n  |---|---|\n  | 1 | 2 |\n',
      '> | a |\n> |---|\n> | 1 |\n',
      'a | b\n--|--\n1 | 2\n',
      '| a | b | c |\n|---|---|\n| 1 | 2 | 3 |\n',
      '| a |\n| b |\n',
      '```\n| a | b |\n|---|---|\n```x\n',
      '| a | b |\r\n|---|---|\r\n| 1 | 2 |\r\n',
      '| a |\r| b |\r',
      // remark drops a byte order mark where a block starts.
      '\ufeff[^1]: `a\\|b`\r\n\r\n| ** | ✅ |\r\n| --- | --- |\r\n\n# Title\n- **Key:** value',
      '\ufeff# Title\n\n\ufeff| a |\n| b |\n',
    ]
    for (const text of cases) expect(byRemarkSplit(text), text).toEqual(unfiltered(text))
  })

  it('on generated documents', () => {
    fc.assert(
      fc.property(fc.oneof(pipeDocument, document), (text) => {
        expect(byRemarkSplit(text)).toEqual(unfiltered(text))
      }),
      { numRuns: Number(process.env.STATEBRIDGE_FUZZ_RUNS ?? 300) * 10 },
    )
  }, 600_000)
})
