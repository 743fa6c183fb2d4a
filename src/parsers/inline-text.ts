/**
 * The plain text of one line of GFM inline markup, read without a syntax tree,
 * exactly as `plainText` reads remark's tree of it: code spans become their
 * content, matched emphasis and strong delimiters vanish, `<br>` becomes a
 * space, white space collapses.
 *
 * It answers only where it is certain and returns `null` otherwise, so the
 * caller hands the block to remark. Certain: words, numbers, emoji, code
 * spans, `*` and `_` emphasis (micromark's delimiter rules, mirrored below),
 * `<br>`, footnote references, a lone `~`, `&`, `<` or `]`, and brackets that
 * can be no link (no `](` in the text and no link definition in the file).
 * Uncertain: any backslash (escapes), entity references (`&amp;`), other HTML
 * and autolinks, links and images, strikethrough that could pair, tabs and
 * carriage returns.
 */

// Outside code spans, an entity reference or an HTML tag or autolink is a
// construct whose text is not simply its characters.
const ENTITY = /^&(?:#\d{1,7}|#[xX][\da-fA-F]{1,6}|[A-Za-z][A-Za-z\d]{1,31});/
const TAG_OR_AUTOLINK = /^<[A-Za-z/!?]/
const BREAK = /^<br\s*\/?>/i
// A reference whose label holds no delimiter, not the start of a link or a definition.
const FOOTNOTE_REFERENCE = /^\[\^[A-Za-z\d-]+\](?![([:])/

const SPACE = 32
// White space other than single spaces: what collapsing would change.
const MORE_THAN_A_SPACE = /[^\S ]| {2}/
const TILDE = 126
const ASTERISK = 42

/** What micromark's `classifyCharacter` says of the UTF-16 unit before or after a delimiter run. */
const enum CharClass {
  Other = 0,
  Whitespace = 1,
  Punctuation = 2,
}

const WHITESPACE = /\s/
const PUNCTUATION = /\p{P}|\p{S}/u

// micromark reads UTF-16 units: half of an astral emoji is neither white space nor punctuation.
function classify(text: string, index: number): CharClass {
  if (index < 0 || index >= text.length) return CharClass.Whitespace
  const unit = text[index]!
  if (unit.charCodeAt(0) === SPACE || WHITESPACE.test(unit)) return CharClass.Whitespace
  return PUNCTUATION.test(unit) ? CharClass.Punctuation : CharClass.Other
}

/** A run of `*` or `_` that may open or close emphasis. */
interface Run {
  /** Offset of the run's first character in the text. */
  start: number
  marker: string
  /** Characters not yet used by a match; they stay as text. */
  left: number
  open: boolean
  close: boolean
  /** False once a match has wrapped it: it is text inside that emphasis. */
  active: boolean
}

/**
 * The plain text of `text` (one line or a setext heading's lines), or `null`
 * when remark must read it. `references`: the file has link reference
 * definitions, so `[label]` may be a link.
 */
export function inlineText(text: string, references: boolean): string | null {
  // Without definitions a bracket is a link only as `[text](destination)`.
  const bracketsAreText = !references && !text.includes('](')
  // Pieces of output in order; runs are placeholders filled once matches are known.
  const pieces: Array<string | Run> = []
  const runs: Run[] = []
  const tildes: Array<{ length: number; open: boolean; close: boolean }> = []
  let plainFrom = 0
  let index = 0

  const flushPlain = (to: number): void => {
    if (to > plainFrom) pieces.push(text.slice(plainFrom, to))
  }

  while (index < text.length) {
    const char = text[index]!
    if (char === '`') {
      const length = runLength(text, index)
      const close = closingBackticks(text, index + length, length)
      if (close === -1) {
        // No closing run of the same length: the backticks are text.
        index += length
        continue
      }
      flushPlain(index)
      pieces.push(codeContent(text.slice(index + length, close)))
      index = close + length
      plainFrom = index
      continue
    }
    if (char === '*' || char === '_') {
      const length = runLength(text, index)
      flushPlain(index)
      const run = delimiterRun(text, index, length)
      runs.push(run)
      pieces.push(run)
      index += length
      plainFrom = index
      continue
    }
    if (char === '~') {
      const length = runLength(text, index)
      // Three or more tildes are text; one or two are a strikethrough sequence.
      if (length <= 2) {
        const before = classify(text, index - 1)
        const after = classify(text, index + length)
        tildes.push({
          length,
          open: after === CharClass.Other || (after === CharClass.Punctuation && before !== CharClass.Other),
          close: before === CharClass.Other || (before === CharClass.Punctuation && after !== CharClass.Other),
        })
      }
      index += length
      continue
    }
    if (char === '<') {
      const br = BREAK.exec(text.slice(index, index + 8))
      if (br) {
        flushPlain(index)
        pieces.push(' ')
        index += br[0].length
        plainFrom = index
        continue
      }
      if (TAG_OR_AUTOLINK.test(text.slice(index, index + 2))) return null
    }
    if (char === '[') {
      const reference = FOOTNOTE_REFERENCE.exec(text.slice(index, index + 80))
      if (reference && text[index - 1] !== '!') {
        // Kept as written, whether or not the block defines it (see `collectText`).
        index += reference[0].length
        continue
      }
      if (!bracketsAreText) return null
    }
    if (char === '\\' || char === '\t' || char === '\r') return null
    if (char === '&' && ENTITY.test(text.slice(index, index + 40))) return null
    index++
  }
  flushPlain(text.length)

  if (strikethroughMayPair(tildes)) return null
  matchEmphasis(runs)

  let out = ''
  for (const piece of pieces) out += typeof piece === 'string' ? piece : piece.marker.repeat(piece.left)
  return (MORE_THAN_A_SPACE.test(out) ? out.replace(/\s+/g, ' ') : out).trim()
}

function runLength(text: string, start: number): number {
  let end = start
  while (text[end] === text[start]) end++
  return end - start
}

/** Offset of the next backtick run of exactly `length` from `from`, or -1. */
function closingBackticks(text: string, from: number, length: number): number {
  let index = text.indexOf('`', from)
  while (index !== -1) {
    const run = runLength(text, index)
    if (run === length) return index
    index = text.indexOf('`', index + run)
  }
  return -1
}

// CommonMark: line endings become spaces; one space is stripped from each
// side when both sides have one and the content is not all spaces.
function codeContent(raw: string): string {
  const content = raw.replace(/\n/g, ' ')
  return content.length > 2 && content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '' ? content.slice(1, -1) : content
}

// micromark's attention tokenizer: flanking by the character classes around
// the run; `_` may not open or close inside a word; a `~` beside a run counts
// as letting it open or close (strikethrough is an attention marker).
function delimiterRun(text: string, start: number, length: number): Run {
  const marker = text[start]!
  const before = classify(text, start - 1)
  const after = classify(text, start + length)
  const open =
    after === CharClass.Other || (after === CharClass.Punctuation && before !== CharClass.Other) || text.charCodeAt(start + length) === TILDE
  const close =
    before === CharClass.Other || (before === CharClass.Punctuation && after !== CharClass.Other) || text.charCodeAt(start - 1) === TILDE
  const isAsterisk = marker.charCodeAt(0) === ASTERISK
  return {
    start,
    marker,
    left: length,
    open: isAsterisk ? open : open && (before !== CharClass.Other || !close),
    close: isAsterisk ? close : close && (after !== CharClass.Other || !open),
    active: true,
  }
}

// micromark's `resolveAllAttention`: each closer, left to right, takes the
// nearest earlier opener of its marker, unless the rule of three forbids it
// (with the runs' lengths as they are at that moment, not as written);
// two characters are used when both runs have two, else one; a closer with
// characters left looks again. The runs between a matched pair are resolved
// once more among themselves before they become text, as micromark resolves
// the slice inside a new span: a run a match has shortened may pair there
// although it could not at its full length (`*a __,____*x **___,*`).
function matchEmphasis(runs: Run[], from = 0, to = runs.length): void {
  let closer = from
  while (closer < to) {
    const c = runs[closer]!
    if (!c.close || !c.active || c.left === 0) {
      closer++
      continue
    }
    let opener = closer - 1
    for (; opener >= from; opener--) {
      const o = runs[opener]!
      if (!o.open || !o.active || o.left === 0 || o.marker !== c.marker) continue
      if ((o.close || c.open) && c.left % 3 !== 0 && (o.left + c.left) % 3 === 0) continue
      break
    }
    if (opener < from) {
      closer++
      continue
    }
    const o = runs[opener]!
    const use = o.left > 1 && c.left > 1 ? 2 : 1
    o.left -= use
    c.left -= use
    if (closer - opener > 2) matchEmphasis(runs, opener + 1, closer)
    for (let between = opener + 1; between < closer; between++) runs[between]!.active = false
    if (c.left === 0) closer++
  }
}

// Strikethrough pairs a closer with an earlier opener of the same length;
// where one could, the interplay with emphasis is left to remark.
function strikethroughMayPair(tildes: Array<{ length: number; open: boolean; close: boolean }>): boolean {
  const opened = new Set<number>()
  for (const tilde of tildes) {
    if (tilde.close && opened.has(tilde.length)) return true
    if (tilde.open) opened.add(tilde.length)
  }
  return false
}
