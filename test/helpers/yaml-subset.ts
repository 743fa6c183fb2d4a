/**
 * A parser for the small YAML subset the deploy files are written in, so the
 * tests can check their structure without a YAML dependency: block maps and
 * lists by indentation (spaces only), `- key: value` list items, flow lists
 * of scalars (`["a", "b"]`), plain, single- and double-quoted scalars, and
 * comments. Anchors, aliases, block scalars (`|`, `>`), flow maps and
 * multi-document files are refused with the line, so a deploy file that
 * outgrows the subset fails its test loudly instead of parsing wrongly.
 */

/** A parsed value: scalars stay text, as the tests compare text. */
export type YamlValue = string | null | YamlValue[] | { [key: string]: YamlValue }

interface Line {
  indent: number
  text: string
  number: number
}

/** Parse `source`; throws with the line number on anything outside the subset. */
export function parseYamlSubset(source: string): YamlValue {
  const lines: Line[] = []
  source.split('\n').forEach((raw, index) => {
    const text = stripComment(raw).trimEnd()
    if (text.trim() === '') return
    if (raw.includes('\t')) throw new Error(`line ${index + 1}: tabs are outside the subset`)
    if (text.trim() === '---' || text.trim() === '...') throw new Error(`line ${index + 1}: multi-document files are outside the subset`)
    lines.push({ indent: text.length - text.trimStart().length, text: text.trim(), number: index + 1 })
  })
  if (lines.length === 0) return null
  const [value, next] = parseBlock(lines, 0, lines[0]!.indent)
  if (next !== lines.length) throw new Error(`line ${lines[next]!.number}: unexpected indentation`)
  return value
}

function parseBlock(lines: Line[], start: number, indent: number): [YamlValue, number] {
  return lines[start]!.text.startsWith('- ') || lines[start]!.text === '-' ? parseList(lines, start, indent) : parseMap(lines, start, indent)
}

function parseList(lines: Line[], start: number, indent: number): [YamlValue[], number] {
  const list: YamlValue[] = []
  let i = start
  while (i < lines.length && lines[i]!.indent === indent && (lines[i]!.text.startsWith('- ') || lines[i]!.text === '-')) {
    const line = lines[i]!
    const rest = line.text.slice(1).trimStart()
    if (rest === '') {
      const [value, next] = nested(lines, i + 1, indent)
      list.push(value)
      i = next
    } else if (keyOf(rest) !== null) {
      // `- key: value` opens a map whose further keys sit under `key`.
      const inner = indent + (line.text.length - rest.length)
      const shifted: Line[] = [{ indent: inner, text: rest, number: line.number }]
      let j = i + 1
      while (j < lines.length && lines[j]!.indent > indent) shifted.push(lines[j++]!)
      const [value, used] = parseMap(shifted, 0, inner)
      if (used !== shifted.length) throw new Error(`line ${shifted[used]!.number}: unexpected indentation`)
      list.push(value)
      i = j
    } else {
      list.push(scalar(rest, line.number))
      i++
    }
  }
  return [list, i]
}

function parseMap(lines: Line[], start: number, indent: number): [{ [key: string]: YamlValue }, number] {
  const map: { [key: string]: YamlValue } = {}
  let i = start
  while (i < lines.length && lines[i]!.indent === indent) {
    const line = lines[i]!
    const key = keyOf(line.text)
    if (key === null) throw new Error(`line ${line.number}: expected "key: value", got ${JSON.stringify(line.text)}`)
    if (Object.hasOwn(map, key.key)) throw new Error(`line ${line.number}: duplicate key ${key.key}`)
    if (key.rest === '') {
      const [value, next] = nested(lines, i + 1, indent)
      map[key.key] = value
      i = next
    } else {
      map[key.key] = scalar(key.rest, line.number)
      i++
    }
  }
  return [map, i]
}

/** The block under a `key:` or `-` line: deeper lines, or a list at the same indentation under a key (YAML allows it). */
function nested(lines: Line[], start: number, indent: number): [YamlValue, number] {
  const next = lines[start]
  if (next === undefined || next.indent < indent || (next.indent === indent && !next.text.startsWith('- '))) return [null, start]
  return parseBlock(lines, start, next.indent)
}

/** `key: rest` with a plain or quoted key, or null when the text is no map entry. */
function keyOf(text: string): { key: string; rest: string } | null {
  const match = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^\s"'#\[\]{},:][^:#]*?)\s*:(?:\s+(.*))?$/.exec(text)
  if (match === null) return null
  return { key: String(scalar(match[1]!, 0)), rest: match[2] ?? '' }
}

function scalar(text: string, line: number): YamlValue {
  if (/^[&*!|>{]/.test(text)) throw new Error(`line ${line}: ${JSON.stringify(text)} is outside the subset (anchor, alias, tag, block scalar or flow map)`)
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) throw new Error(`line ${line}: a flow list must close on its line`)
    const inner = text.slice(1, -1).trim()
    if (inner === '') return []
    return splitFlow(inner).map((item) => scalar(item.trim(), line))
  }
  if (text.startsWith('"')) return JSON.parse(text) as string
  if (text.startsWith("'")) {
    if (!text.endsWith("'")) throw new Error(`line ${line}: unterminated quote`)
    return text.slice(1, -1).replace(/''/g, "'")
  }
  return text === '~' || text === 'null' ? null : text
}

/** Split a flow list's items on commas outside quotes. */
function splitFlow(inner: string): string[] {
  const items: string[] = []
  let quote: string | null = null
  let current = ''
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!
    if (quote !== null) {
      if (c === '\\' && quote === '"') {
        current += c + inner[++i]
        continue
      }
      if (c === quote) quote = null
    } else if (c === '"' || c === "'") quote = c
    else if (c === ',') {
      items.push(current)
      current = ''
      continue
    }
    current += c
  }
  items.push(current)
  return items
}

/** Drop a comment: `#` at the start or after a space, outside quotes. */
function stripComment(line: string): string {
  let quote: string | null = null
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote !== null) {
      if (c === '\\' && quote === '"') i++
      else if (c === quote) quote = null
    } else if (c === '"' || c === "'") {
      // A quote opens a string only where a scalar starts, not inside a plain one (it's, don't).
      if (i === 0 || /[\s\[,:-]/.test(line[i - 1]!)) quote = c
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i)
  }
  return line
}
