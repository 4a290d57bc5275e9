import { Type } from '@sinclair/typebox'
import { ErrorBodySchema } from './api-schema.js'

/** The control plane's OpenAPI tag: every route under `/_emulator/` has it. */
export const CONTROL_TAG = 'Emulator control plane'

/** The control plane's error body: the emulator's code and message, no gateway request id. */
export const ControlErrorSchema = Type.Omit(ErrorBodySchema, ['request_id'])

/** The errors every control-plane route behind the admin gate can answer with. */
export const CONTROL_ERRORS = { 400: ControlErrorSchema, 401: ControlErrorSchema, 403: ControlErrorSchema, 404: ControlErrorSchema, 413: ControlErrorSchema, 429: ControlErrorSchema, 500: ControlErrorSchema, 503: ControlErrorSchema }
