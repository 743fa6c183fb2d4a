/**
 * Reading a file's bytes with and without a reused buffer: the same content,
 * the same verdicts, and a view that the next read replaces.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readContent, verifyUnchanged } from '../src/sync/read-content.js'
import { cleanup, tempDir } from './helpers/tree.js'

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

describe('readContent', () => {
  let dir: string
  let realRoot: string

  beforeEach(() => {
    dir = tempDir()
    realRoot = fs.realpathSync(dir)
  })
  afterEach(() => cleanup(dir))

  const write = (name: string, content: string | Buffer): string => {
    const file = path.join(dir, name)
    fs.writeFileSync(file, content)
    return file
  }

  it('reads into the buffer a file that fits, and on its own a file that does not, with the same bytes', () => {
    const small = write('small.md', '# Plan\n\n| Task | Status |\n|---|---|\n| T1 | ⏳ PENDING |\n')
    const large = write('large.md', Buffer.alloc(300, 'x'))
    const scratch = Buffer.alloc(64)

    const first = readContent({ absPath: small, realRoot, maxFileBytes: 1_000 }, scratch)
    expect(first.kind).toBe('read')
    const content = (first as { content: Buffer }).content
    expect(content.equals(fs.readFileSync(small))).toBe(true)
    expect(content.buffer).toBe(scratch.buffer)

    const second = readContent({ absPath: large, realRoot, maxFileBytes: 1_000 }, scratch)
    expect(second.kind).toBe('read')
    expect((second as { content: Buffer }).content.equals(fs.readFileSync(large))).toBe(true)
    expect((second as { content: Buffer }).content.buffer).not.toBe(scratch.buffer)

    // A file exactly the buffer's size leaves no room for the byte past its stat: read on its own.
    const exact = write('exact.md', Buffer.alloc(64, 'y'))
    const third = readContent({ absPath: exact, realRoot, maxFileBytes: 1_000 }, scratch)
    expect((third as { content: Buffer }).content.equals(fs.readFileSync(exact))).toBe(true)
  })

  it('calls a file holding more than its stat says unstable, with the buffer or without', () => {
    // procfs reports size 0 for files that hold bytes: what a file that grew after its stat looks like.
    const request = { absPath: '/proc/self/status', maxFileBytes: 1_000_000 }
    expect(fs.statSync(request.absPath).size).toBe(0)
    expect(readContent(request).kind).toBe('unstable')
    expect(readContent(request, Buffer.alloc(4096)).kind).toBe('unstable')
  })

  it('verifies many files in turn through the shared buffer, each against its own hash', () => {
    const files = Array.from({ length: 20 }, (_, i) => write(`f${i}.md`, `# File ${i}\n\n${'line\n'.repeat(i * 7)}`))
    const hashes = files.map((file) => sha(fs.readFileSync(file)))
    for (const [i, file] of files.entries()) {
      expect(verifyUnchanged({ absPath: file, realRoot, maxFileBytes: 1_000_000 }, hashes[i]!)?.hash).toBe(hashes[i])
      expect(verifyUnchanged({ absPath: file, realRoot, maxFileBytes: 1_000_000 }, hashes[(i + 1) % files.length]!)).toBeNull()
    }
  })
})
