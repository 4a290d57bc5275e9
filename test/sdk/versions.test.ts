import t from 'tap'
import { readPackageFile } from '../helpers.js'

/*
 * The README's "Works with" table, and the install lines of docs/sdks.md's examples, name the versions
 * the SDK suites pin: requirements.txt (Python), go.mod (Go), pom.xml (Java), package-lock.json
 * (Node.js). A pin that moves without the table (or the other way) fails here.
 */

const read = readPackageFile

function pins (text: string, pattern: RegExp): Map<string, string> {
  return new Map([...text.matchAll(pattern)].map((m) => [m[1]!, m[2]!]))
}

t.test("the README's Works with table names the pinned versions", async (t) => {
  const readme = await read('README.md')
  const table = readme.slice(readme.indexOf('### Works with'))
  const guide = await read('docs/sdks.md')
  const row = (start: string) => {
    const line = table.split('\n').find((l) => l.startsWith(`| ${start}`))
    t.ok(line, `a row for ${start}`)
    return line!.split('|').map((cell) => cell.trim())[2]
  }

  const python = pins(await read('test/sdk/python/requirements.txt'), /^(huaweicloudsdk\w+)==(\S+)/gm)
  t.same([...python.keys()].sort(), ['huaweicloudsdkcore', 'huaweicloudsdkiam', 'huaweicloudsdkmrs'])
  t.same(new Set(python.values()), new Set([row('Python')]), 'Python')
  t.match(guide, `pip install huaweicloudsdkmrs==${python.get('huaweicloudsdkmrs')}`)

  const go = pins(await read('test/sdk/go/go.mod'), /^\s*(?:require\s+)?(github\.com\/huaweicloud\/huaweicloud-sdk-go-v3) (\S+)/gm)
  t.equal(go.get('github.com/huaweicloud/huaweicloud-sdk-go-v3'), row('Go'), 'Go')
  t.match(guide, `go get github.com/huaweicloud/huaweicloud-sdk-go-v3@${row('Go')}`)

  const java = /<huaweicloud\.sdk\.version>([^<]+)</.exec(await read('test/sdk/java/pom.xml'))?.[1]
  t.equal(java, row('Java'), 'Java')
  t.match(guide, `com.huaweicloud.sdk:huaweicloud-sdk-mrs:${java}`)

  const lock = JSON.parse(await read('package-lock.json')) as { packages: Record<string, { version: string }> }
  t.equal(lock.packages['node_modules/@huaweicloud/huaweicloud-sdk-core']!.version, row('Node.js `@huaweicloud/huaweicloud-sdk-core`'), 'Node.js core')
  t.equal(lock.packages['node_modules/@huaweicloud/huaweicloud-sdk-iam']!.version, row('Node.js `@huaweicloud/huaweicloud-sdk-iam`'), 'Node.js IAM')
})
