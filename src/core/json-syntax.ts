/*
 * Where JSON text stops being JSON, worded the same on every Node.js line.
 */

/**
 * The offset of the first JSON syntax error in `text`, or -1 when there is none. V8 names a
 * position for some errors only, and each Node.js line words them differently: this names the
 * same place on every line.
 */
export function syntaxErrorOffset (text: string): number {
  let i = 0
  const fail = (): never => { throw new SyntaxAt(i) }
  const space = () => { while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++ }
  const expect = (char: string) => { if (text[i] !== char) fail(); i++ }
  const word = (literal: string) => {
    for (const char of literal) expect(char)
  }
  const string = () => {
    i++
    for (;;) {
      const char = text[i]
      if (char === undefined || char < ' ') fail()
      i++
      if (char === '"') return
      if (char === '\\') {
        if (text[i] === 'u') {
          i++
          for (let n = 0; n < 4; n++) { if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail(); i++ }
        } else {
          if (!'"\\/bfnrt'.includes(text[i] ?? '!')) fail()
          i++
        }
      }
    }
  }
  const number = () => {
    NUMBER.lastIndex = i
    if (!NUMBER.test(text)) fail()
    i = NUMBER.lastIndex
  }
  const items = (close: string, item: () => void) => {
    i++
    space()
    if (text[i] === close) { i++; return }
    for (;;) {
      item()
      space()
      if (text[i] === ',') { i++; space(); continue }
      expect(close)
      return
    }
  }
  const value = (): void => {
    space()
    const char = text[i]
    if (char === '{') {
      items('}', () => {
        if (text[i] !== '"') fail()
        string()
        space()
        expect(':')
        value()
      })
    } else if (char === '[') items(']', value)
    else if (char === '"') string()
    else if (char === 't') word('true')
    else if (char === 'f') word('false')
    else if (char === 'n') word('null')
    else number()
  }
  try {
    value()
    space()
    if (i < text.length) fail()
    return -1
  } catch (err) {
    if (err instanceof SyntaxAt) return err.offset
    return -1 // nested past the stack's depth: let V8's message stand
  }
}

const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y

class SyntaxAt {
  constructor (readonly offset: number) {}
}

/**
 * Where a JSON syntax error is and what is there, as `line L, column C: unexpected ','`
 * (1-based), the same on every Node.js line; V8's own message when the place cannot be found.
 */
export function jsonSyntaxMessage (text: string, err: Error): string {
  const offset = syntaxErrorOffset(text)
  if (offset === -1) return err.message.split('\n')[0]!
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  const column = offset - before.lastIndexOf('\n')
  const found = offset >= text.length ? 'unexpected end of the text' : `unexpected ${JSON.stringify(text[offset])}`
  return `line ${line}, column ${column}: ${found}`
}
