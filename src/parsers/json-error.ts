/**
 * Locate the first syntax error of a JSON text. V8 on Node 20 often reports
 * no position at all, and "Errors carry the file path and line".
 */

const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y

/** Offset and description of the first JSON syntax error, or `null` if the text is valid. */
export function locateJsonError(text: string): { offset: number; reason: string } | null {
  let i = 0

  const fail = (expected: string): never => {
    const found = i >= text.length ? 'end of input' : JSON.stringify(text[i])
    throw new JsonSyntaxError(i, `expected ${expected}, found ${found}`)
  }
  const space = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++
  }
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length
    else fail('a value')
  }
  const string = (): void => {
    i++ // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i)
      if (c === 0x22) {
        i++
        return
      }
      if (c < 0x20) fail('a closing quote (control character in string)')
      if (c === 0x5c) {
        i++
        const e = text[i]
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('four hex digits after \\u')
          i += 5
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++
        else fail('a valid escape')
      } else i++
    }
    fail('a closing quote')
  }
  const number = (): void => {
    // Sticky, so a number of any length is matched in place without slicing the text.
    NUMBER.lastIndex = i
    const match = NUMBER.exec(text)
    if (!match) fail('a value')
    i += match![0].length
  }
  const value = (): void => {
    space()
    const c = text[i]
    if (c === '{') {
      i++
      space()
      if (text[i] === '}') {
        i++
        return
      }
      for (;;) {
        space()
        if (text[i] !== '"') fail('a property name in double quotes')
        string()
        space()
        if (text[i] !== ':') fail("':'")
        i++
        value()
        space()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === '}') {
          i++
          return
        }
        fail("',' or '}'")
      }
    }
    if (c === '[') {
      i++
      space()
      if (text[i] === ']') {
        i++
        return
      }
      for (;;) {
        value()
        space()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === ']') {
          i++
          return
        }
        fail("',' or ']'")
      }
    }
    if (c === '"') return string()
    if (c === 't') return literal('true')
    if (c === 'f') return literal('false')
    if (c === 'n') return literal('null')
    return number()
  }

  try {
    value()
    space()
    if (i < text.length) fail('end of input')
    return null
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { offset: error.offset, reason: error.message }
    // Nesting deeper than this recursive locator's stack: the error is at or beyond
    // this point, and saying so beats crashing the worker.
    if (error instanceof RangeError) return { offset: i, reason: 'nesting too deep to parse' }
    throw error
  }
}

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message)
  }
}
