import { Type } from '@sinclair/typebox'
import { ClusterIdSchema, ProjectIdSchema } from '../../src/core/fixture-schema.js'

export const CONTROL_TAG = 'Emulator control plane'

export const ControlErrorSchema = Type.Object({ error_code: Type.String(), error_msg: Type.String() })

/** The errors every control-plane route can answer with. */
export const controlErrors = { 400: ControlErrorSchema, 401: ControlErrorSchema, 404: ControlErrorSchema }

export const ControlClusterParamsSchema = Type.Object({ project_id: ProjectIdSchema, cluster_id: ClusterIdSchema })
