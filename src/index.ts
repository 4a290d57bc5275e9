/** The package's public API. */
export { buildApp, BODY_LIMIT, type BuildOptions, type Emulator } from './app.js'
export { startEmulator, type RunningEmulator, type StartOptions } from './start.js'
export { AUTH_MODES, type AuthMode } from './config.js'
export { FixtureSchema, type Fixture } from './core/fixture-schema.js'
export { FaultRuleSchema, type FaultRule } from './core/fault-schema.js'
export { signRequest, type SignableRequest, type SigningKey } from './core/signature.js'
