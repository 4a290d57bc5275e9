import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { startEmulator } from '../../src/start.js'
import { PACKAGE_ROOT } from '../../src/package-info.js'
import { plainEnv, runCommand } from './process.js'

/*
 * Every JavaScript example of the documentation (README.md, then docs/*.md) runs as pasted:
 * each ```js block is written to a file
 * of its own and run by Node as an ES module, against an emulator of its own whose address
 * replaces `127.0.0.1:9336` (the examples' default port may be taken here). A
 * `console.log(…) // text` line asserts that the example prints that text.
 */

interface Example { line: string, code: string }

/** README.md, then every file of docs/, in name order. */
async function documents (): Promise<string[]> {
  const docs = (await readdir(join(PACKAGE_ROOT, 'docs'))).filter((name) => name.endsWith('.md')).sort()
  return ['README.md', ...docs.map((name) => `docs/${name}`)]
}

async function examples (fence = '```js'): Promise<Example[]> {
  const found: Example[] = []
  for (const document of await documents()) {
    const lines = (await readFile(join(PACKAGE_ROOT, document), 'utf8')).split('\n')
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] !== fence) continue
      const end = lines.indexOf('```', i + 1)
      found.push({ line: `${document} line ${i + 1}`, code: lines.slice(i + 1, end).join('\n') })
      i = end
    }
  }
  return found
}

t.test('every JavaScript example of the documentation runs as pasted', async (t) => {
  const found = await examples()
  t.ok(found.length >= 4, `${found.length} examples`)
  // Inside the package, so that `import … from 'mrs-emulator'` resolves to it, as in a project that installed it.
  const dir = join(PACKAGE_ROOT, 'dist', 'readme-examples')
  await mkdir(dir, { recursive: true })

  for (const { line, code } of found) {
    await t.test(line, async (t) => {
      const emulator = await startEmulator()
      t.teardown(() => emulator.close())
      const file = join(dir, `${line.replace(/\W+/g, '-')}.mjs`)
      await writeFile(file, code.replaceAll('http://127.0.0.1:9336', emulator.url))
      // Not the package's code: no coverage of its own (tap would count the example's branches).
      const { code: exitCode, stdout, stderr } = await runCommand(process.execPath, [file], { ...plainEnv, HOME: dir, _TAPJS_PROCESSINFO_COVERAGE_: '0' })
      t.equal(exitCode, 0, `exits 0${exitCode === 0 ? '' : `:\n${stdout}\n${stderr}`}`)
      t.notMatch(stdout, /^not ok/m, 'its tests pass')
      const printed = [...code.matchAll(/console\.log\(.*\) \/\/ (.+)$/gm)].map((m) => m[1]!.trim())
      t.same(stdout.split('\n').filter((l) => !l.startsWith('#') && !/^\s*(ok|not ok|TAP|1\.\.)/.test(l) && l.trim() !== '').slice(0, printed.length), printed, 'prints what its comments say')
    })
  }
})

/*
 * The ```bash blocks are scripts too (the ```sh ones are single commands to adapt): run in order,
 * as one bash script with `set -e`, against a strict-mode emulator. A `# …` line that follows a
 * command is what it prints (`…` standing for any text).
 */
t.test('every bash script of the documentation runs as pasted against a strict-mode emulator', async (t) => {
  const found = await examples('```bash')
  t.ok(found.length >= 2, `${found.length} scripts`)
  const emulator = await startEmulator({ auth: 'strict' })
  t.teardown(() => emulator.close())
  const script = found.map(({ code }) => code).join('\n').replaceAll('http://127.0.0.1:9336', emulator.url)
  const { code: exitCode, stdout, stderr } = await runCommand('bash', ['-e', '-c', script], plainEnv)
  t.equal(exitCode, 0, `exits 0${exitCode === 0 ? '' : `:\n${stdout}\n${stderr}`}`)
  const printed = script.split('\n').filter((line) => line.startsWith('# ')).map((line) => line.slice(2))
  const pattern = new RegExp(printed.map((line) => line.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')).join('\\s*'))
  t.match(stdout, pattern, 'prints what its comments say')
})
