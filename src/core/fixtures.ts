import { readFile } from 'node:fs/promises'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { FixtureSchema, type ClusterBody, type Fixture } from './fixture-schema.js'

/** A fixture that cannot be used: names the source, the JSON path and the reason. */
export class FixtureError extends Error {
  constructor (source: string, path: string, reason: string) {
    super(`${source}: ${path === '' ? '/' : path}: ${reason}`)
    this.name = 'FixtureError'
  }
}

const checkFixture = TypeCompiler.Compile(FixtureSchema)

/** Validates a parsed fixture: its schema, then what a schema cannot say (unique ids, known groups). */
export function validateFixture (value: unknown, source: string): Fixture {
  const error = checkFixture.Errors(value).First()
  if (error !== undefined) throw new FixtureError(source, error.path, error.message)
  const fixture = value as Fixture
  const projects = new Set<string>()
  fixture.projects.forEach((project, p) => {
    const at = `/projects/${p}`
    unique(projects, project.project_id, source, `${at}/project_id`, 'project_id')
    const groups = new Set(project.iam.groups)
    const users = new Set<string>()
    project.iam.users.forEach((user, u) => {
      unique(users, user.name, source, `${at}/iam/users/${u}/name`, 'user name')
      user.groups.forEach((group, g) => {
        if (!groups.has(group)) {
          throw new FixtureError(source, `${at}/iam/users/${u}/groups/${g}`, `group '${group}' is not listed in iam.groups`)
        }
      })
    })
    const clusters = new Set<string>()
    project.clusters.forEach((cluster, c) => {
      unique(clusters, cluster.cluster_id, source, `${at}/clusters/${c}/cluster_id`, 'cluster_id')
      const problem = clusterProblem(cluster)
      if (problem !== undefined) throw new FixtureError(source, `${at}/clusters/${c}/${problem.path}`, problem.reason)
    })
  })
  return fixture
}

/** What a schema cannot say of a cluster: its task must end at a real date. */
export function clusterProblem (cluster: ClusterBody): { path: string, reason: string } | undefined {
  const endsAt = cluster.sync_task?.ends_at
  if (endsAt !== undefined && Number.isNaN(Date.parse(endsAt))) return { path: 'sync_task/ends_at', reason: `not a real date: '${endsAt}'` }
  return undefined
}

function unique (seen: Set<string>, value: string, source: string, path: string, what: string): void {
  if (seen.has(value)) throw new FixtureError(source, path, `duplicate ${what} '${value}'`)
  seen.add(value)
}

/** Parses and validates fixture text; `source` names it in errors. */
export function parseFixture (text: string, source: string): Fixture {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new FixtureError(source, '', `invalid JSON: ${(err as Error).message}`)
  }
  return validateFixture(value, source)
}

export async function loadFixtureFile (file: string): Promise<Fixture> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new FixtureError(file, '', `cannot read the file: ${(err as NodeJS.ErrnoException).code}`)
  }
  return parseFixture(text, file)
}
