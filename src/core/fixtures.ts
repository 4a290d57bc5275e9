import { readFile } from 'node:fs/promises'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { faultRuleProblem } from './fault-schema.js'
import { FixtureSchema, type ClusterBody, type Fixture } from './fixture-schema.js'
import { describeFsError } from './fs-errors.js'
import { jsonSyntaxMessage } from './json-syntax.js'
import { LIMITS } from './limits.js'
import { formatProblems, MAX_PROBLEMS, problemsOf, type Problem } from './problems.js'
import { bodyNames, worldLimit } from './world.js'

/** A fixture that cannot be used: names the source, and each problem's JSON path and reason. */
export class FixtureError extends Error {
  /** The problems, without the source. */
  readonly detail: string
  constructor (source: string, problems: readonly Problem[], more = 0) {
    const detail = formatProblems(problems, more)
    super(`${source}: ${detail}`)
    this.name = 'FixtureError'
    this.detail = detail
  }
}

const checkFixture = TypeCompiler.Compile(FixtureSchema)

/**
 * Validates a parsed fixture: its schema, then what a schema cannot say (unique ids, known
 * groups, real dates). Every problem is listed, up to MAX_PROBLEMS.
 */
export function validateFixture (value: unknown, source: string): Fixture {
  if (!checkFixture.Check(value)) {
    const { problems, more } = problemsOf(checkFixture.Errors(value))
    throw new FixtureError(source, problems, more)
  }
  const problems: Problem[] = []
  const problem = (path: string, message: string) => { problems.push({ path, message }) }
  const unique = (seen: Set<string>, name: string, path: string, what: string) => {
    if (seen.has(name)) problem(path, `duplicate ${what} '${name}'`)
    seen.add(name)
  }
  const projects = new Set<string>()
  const names = new Set<string>()
  let held = 0
  let clusterCount = 0
  value.projects.forEach((project, p) => {
    const at = `/projects/${p}`
    // IAM finds a project by its name (the SDKs by region): one project per name (a duplicate id is told once).
    if (!projects.has(project.project_id)) unique(names, project.name ?? project.project_id, `${at}/name`, 'project name')
    unique(projects, project.project_id, `${at}/project_id`, 'project_id')
    const groups = new Set(project.iam.groups)
    const users = new Set<string>()
    held += project.iam.groups.length
    project.iam.users.forEach((user, u) => {
      held += 1 + user.groups.length
      unique(users, user.name, `${at}/iam/users/${u}/name`, 'user name')
      user.groups.forEach((group, g) => {
        if (!groups.has(group)) problem(`${at}/iam/users/${u}/groups/${g}`, `group '${group}' is not listed in iam.groups`)
      })
    })
    const clusters = new Set<string>()
    clusterCount += project.clusters.length
    project.clusters.forEach((cluster, c) => {
      held += bodyNames(cluster)
      unique(clusters, cluster.cluster_id, `${at}/clusters/${c}/cluster_id`, 'cluster_id')
      const wrong = clusterProblem(cluster)
      if (wrong !== undefined) problem(`${at}/clusters/${c}/${wrong.path}`, wrong.reason)
    })
  })
  // The world's limits, as every later change is held to them (world-store.ts).
  if (value.projects.length > LIMITS.projects.value) problem('/projects', `more than ${worldLimit('projects')}`)
  if (clusterCount > LIMITS.clusters.value) problem('/projects', `more than ${worldLimit('clusters')}`)
  if (held > LIMITS.worldNames.value) problem('/projects', `more than ${worldLimit('worldNames')} (${held.toLocaleString('en-US')})`)
  value.credentials?.forEach((credential, c) => {
    for (const field of ['expires_at', 'issued_at'] as const) {
      const time = credential[field]
      if (time !== undefined && Number.isNaN(Date.parse(time))) problem(`/credentials/${c}/${field}`, `not a real date: '${time}'`)
    }
  })
  const faultIds = new Set<string>()
  value.faults?.forEach((rule, f) => {
    unique(faultIds, rule.id ?? `fixture-${f + 1}`, `/faults/${f}${rule.id === undefined ? '' : '/id'}`, 'fault id')
    const wrong = faultRuleProblem(rule)
    if (wrong !== undefined) problem(`/faults/${f}/${wrong.path}`, wrong.reason)
  })
  if (problems.length > 0) throw new FixtureError(source, problems.slice(0, MAX_PROBLEMS), Math.max(0, problems.length - MAX_PROBLEMS))
  return value
}

/** What a schema cannot say of a cluster: its task must end at a real date. */
export function clusterProblem (cluster: ClusterBody): { path: string, reason: string } | undefined {
  const endsAt = cluster.sync_task?.ends_at
  if (endsAt !== undefined && Number.isNaN(Date.parse(endsAt))) return { path: 'sync_task/ends_at', reason: `not a real date: '${endsAt}'` }
  return undefined
}

/** Parses and validates fixture text; `source` names it in errors. */
export function parseFixture (text: string, source: string): Fixture {
  // A byte order mark, as some Windows editors write: not part of the JSON.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new FixtureError(source, [{ path: '', message: `invalid JSON at ${jsonSyntaxMessage(text, err as Error)}` }])
  }
  return validateFixture(value, source)
}

export async function loadFixtureFile (file: string): Promise<Fixture> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new FixtureError(file, [{ path: '', message: `cannot read the file: ${describeFsError(err)}` }])
  }
  return parseFixture(text, file)
}
