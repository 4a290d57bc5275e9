import { Type } from '@sinclair/typebox'
import { ErrorBodySchema } from '../../src/core/api-schema.js'

export const CONTROL_TAG = 'Emulator control plane'

export const ControlErrorSchema = Type.Omit(ErrorBodySchema, ['request_id'])

/** The errors every control-plane route can answer with. */
export const controlErrors = { 400: ControlErrorSchema, 401: ControlErrorSchema, 403: ControlErrorSchema, 404: ControlErrorSchema, 413: ControlErrorSchema, 500: ControlErrorSchema, 503: ControlErrorSchema }
