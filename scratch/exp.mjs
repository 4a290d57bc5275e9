import { TypeCompiler } from '@sinclair/typebox/compiler'
import { FixtureSchema } from '/work/main/dist/src/core/fixture-schema.js'
import { FaultRuleSchema } from '/work/main/dist/src/core/fault-schema.js'
const c = TypeCompiler.Compile(FixtureSchema)
const v = { projects: [{ project_id: 'p1', iam: { users: [{name:'u'}], groups: [] }, extra: 1, clusters: [{ cluster_id: 'c', state: 'runing', synced_users: [], synced_groups: [] }] }], credentials: [{ token: 'x' }] }
for (const e of c.Errors(v)) console.log(e.type, e.path, e.message, e.errors?.length)
const f = TypeCompiler.Compile(FaultRuleSchema)
for (const e of f.Errors({ action: { status: 500, error_code: 'x', error_msg: 'y', stray: 1 }, match: { operation: 'CancelSyncIamUsr' } })) console.log(e.type, e.path, e.message, e.errors?.length, [...(e.errors?.[0] ?? [])].map(x=>x.path+':'+x.message))
