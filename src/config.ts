import { parseArgs } from 'node:util'
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/** The default port: fixed and uncommon, so a local emulator is always at the same URL. */
export const DEFAULT_PORT = 9336

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export const AUTH_MODES = ['permissive', 'strict', 'off'] as const
export type AuthMode = typeof AUTH_MODES[number]

const oneOf = <T extends string>(values: readonly T[], options: object) =>
  Type.Union(values.map((value) => Type.Literal(value)), options) as unknown as TUnsafe<T>

/** Every setting: one environment variable each, and the flag that overrides it. */
export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: DEFAULT_PORT, description: 'TCP port to listen on (0: any free port).' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Address to listen on.' }),
  LOG_LEVEL: oneOf(LOG_LEVELS, { default: 'info', description: `Log level: ${LOG_LEVELS.join(', ')}.` }),
  MRS_EMULATOR_FIXTURES: Type.Optional(Type.String({ minLength: 1, description: 'Fixture file to load.' })),
  MRS_EMULATOR_AUTH: oneOf(AUTH_MODES, { default: 'permissive', description: `Authentication mode: ${AUTH_MODES.join(', ')}.` }),
  MRS_EMULATOR_SYNC_DURATION_MS: Type.Integer({ minimum: 0, maximum: 86_400_000, default: 0, description: 'How long a sync task runs, in ms (0: done before the 202 is sent).' }),
  MRS_EMULATOR_STATE_FILE: Type.Optional(Type.String({ minLength: 1, description: 'State file: loaded at start (the fixtures when absent), written after every change.' })),
  MRS_EMULATOR_ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 1, description: 'Bearer token the control plane requires (health and ready excepted).' })),
  MRS_EMULATOR_JOURNAL_SIZE: Type.Integer({ minimum: 0, maximum: 100_000, default: 1000, description: 'How many requests the journal keeps (0: none).' }),
  MRS_EMULATOR_ALLOWED_ORIGINS: Type.Optional(Type.String({ pattern: '^https?://[^/\\s,]+(,\\s*https?://[^/\\s,]+)*$', expected: 'comma-separated origins such as http://localhost:3000', description: 'Comma-separated origins (e.g. http://localhost:3000) whose pages may use the control plane, besides the emulator\'s own.' })),
  MRS_EMULATOR_ALLOWED_HOSTS: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9.:\\[\\]-]+(,\\s*[A-Za-z0-9.:\\[\\]-]+)*$', expected: 'comma-separated host names such as emulator.test', description: 'Comma-separated host names the control plane answers for while listening on loopback, besides loopback names and the listening address.' })),
  MRS_EMULATOR_SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 10_000, description: 'After SIGTERM or SIGINT, how long in-flight requests may take before the process exits 1, in ms (0: at once).' })
})
type Env = Static<typeof ConfigSchema>

export interface Config {
  /** --help: print the usage and exit. */
  help: boolean
  /** --version: print the version and exit. */
  version: boolean
  port: number
  host: string
  logLevel: Env['LOG_LEVEL']
  fixtures?: string
  auth: AuthMode
  syncDurationMs: number
  stateFile?: string
  adminToken?: string
  journalSize: number
  allowedOrigins: string[]
  allowedHosts: string[]
  shutdownGraceMs: number
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** The flag of each variable. */
const FLAGS: Record<keyof Env, string> = {
  PORT: 'port',
  HOST: 'host',
  LOG_LEVEL: 'log-level',
  MRS_EMULATOR_FIXTURES: 'fixtures',
  MRS_EMULATOR_AUTH: 'auth',
  MRS_EMULATOR_SYNC_DURATION_MS: 'sync-duration-ms',
  MRS_EMULATOR_STATE_FILE: 'state-file',
  MRS_EMULATOR_ADMIN_TOKEN: 'admin-token',
  MRS_EMULATOR_JOURNAL_SIZE: 'journal-size',
  MRS_EMULATOR_ALLOWED_ORIGINS: 'allowed-origins',
  MRS_EMULATOR_ALLOWED_HOSTS: 'allowed-hosts',
  MRS_EMULATOR_SHUTDOWN_GRACE_MS: 'shutdown-grace-ms'
}
const SETTINGS = Object.entries(FLAGS).map(([variable, flag]) => ({ variable, flag }))

/** What a setting's value must be, in the words of a JSON Schema validator. */
function expectation (schema: TSchema, value: unknown): string {
  if ('anyOf' in schema) return `must be one of ${(schema.anyOf as Array<{ const: string }>).map((s) => s.const).join(', ')}`
  if (value === '') return 'must not be empty'
  if (typeof schema.expected === 'string') return `must be ${schema.expected}`
  if (!Number.isInteger(value)) return 'must be integer'
  return (value as number) < schema.minimum ? `must be >= ${schema.minimum}` : `must be <= ${schema.maximum}`
}

/**
 * `--port -1` as `--port=-1`: parseArgs takes a value that starts with `-` for a flag and calls
 * it ambiguous; the setting's own check then says what is wrong with it.
 */
function joinNegativeValues (argv: string[]): string[] {
  const joined: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const next = argv[i + 1]
    if (arg.startsWith('--') && !arg.includes('=') && SETTINGS.some(({ flag }) => arg === `--${flag}`) && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`)
      i++
    } else {
      joined.push(arg)
    }
  }
  return joined
}

const list = (value: string | undefined) => value === undefined ? [] : value.split(',').map((item) => item.trim())

/** Reads the settings from the environment and the command line; flags win. Throws one-line `ConfigError`s. */
export function loadConfig (env: Record<string, string | undefined>, argv: string[] = []): Config {
  const fromEnv: Record<string, string> = {}
  const fromFlags: Record<string, string> = {}
  let flags: Record<string, unknown>
  try {
    flags = parseArgs({
      args: joinNegativeValues(argv),
      options: {
        ...Object.fromEntries(SETTINGS.map(({ flag }) => [flag, { type: 'string' as const }])),
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' }
      },
      strict: true,
      allowPositionals: false
    }).values
  } catch (err) {
    throw new ConfigError((err as Error).message.split('\n')[0])
  }
  for (const { variable, flag } of SETTINGS) {
    // An empty variable counts as unset (PORT= would otherwise coerce to port 0).
    const value = env[variable]
    if (value !== undefined && value !== '') fromEnv[variable] = value
    if (flags[flag] !== undefined) fromFlags[variable] = flags[flag] as string
  }
  // TypeBox's Value (converted from the strings, defaults filled, then checked) rather than
  // env-schema: Ajv's import and compile cost ~60 ms of a ~330 ms cold start (--cpu-prof),
  // and TypeBox is loaded anyway. One schema still holds every setting, default and doc.
  const given: Record<string, string | number> = { ...fromEnv, ...fromFlags }
  for (const [variable, raw] of Object.entries(given)) {
    const schema = ConfigSchema.properties[variable as keyof Env] as TSchema
    // Whole numbers only: "1.5" must not become 1.
    if (schema.type === 'integer' && /^-?\d+$/.test(raw as string)) given[variable] = Number(raw)
    // Names of levels and modes in any case: LOG_LEVEL=INFO.
    if ('anyOf' in schema) given[variable] = (raw as string).toLowerCase()
  }
  const values = Value.Default(ConfigSchema, given) as Env
  for (const { variable, flag } of SETTINGS) {
    const schema = ConfigSchema.properties[variable as keyof Env] as TSchema
    const value = (values as Record<string, unknown>)[variable]
    if (value === undefined || Value.Check(schema, value)) continue
    const name = variable in fromFlags ? `--${flag}` : variable
    throw new ConfigError(`Invalid ${name}: ${JSON.stringify(fromFlags[variable] ?? fromEnv[variable])} ${expectation(schema, value)}`)
  }
  return {
    help: flags.help === true,
    version: flags.version === true,
    port: values.PORT,
    host: values.HOST,
    logLevel: values.LOG_LEVEL,
    fixtures: values.MRS_EMULATOR_FIXTURES,
    auth: values.MRS_EMULATOR_AUTH,
    syncDurationMs: values.MRS_EMULATOR_SYNC_DURATION_MS,
    stateFile: values.MRS_EMULATOR_STATE_FILE,
    adminToken: values.MRS_EMULATOR_ADMIN_TOKEN,
    journalSize: values.MRS_EMULATOR_JOURNAL_SIZE,
    allowedOrigins: list(values.MRS_EMULATOR_ALLOWED_ORIGINS),
    allowedHosts: list(values.MRS_EMULATOR_ALLOWED_HOSTS),
    shutdownGraceMs: values.MRS_EMULATOR_SHUTDOWN_GRACE_MS
  }
}

/** The --help text: every flag with its variable, default and meaning, from the schema. */
export function usage (): string {
  const width = Math.max(...SETTINGS.map(({ flag }) => `${flag} <value>`.length)) + 1
  const rows = SETTINGS.map(({ variable, flag }) => {
    const schema = ConfigSchema.properties[variable as keyof Env] as { description: string, default?: unknown }
    const fallback = variable === 'MRS_EMULATOR_FIXTURES' ? 'the bundled fixtures/default.json' : schema.default ?? 'none'
    return `  --${`${flag} <value>`.padEnd(width)} ${variable.padEnd(31)} ${schema.description} Default: ${fallback}.`
  })
  return [
    'Usage: mrs-emulator [flags]',
    '',
    'A local emulator of Huawei Cloud MRS API V2 IAM Synchronization.',
    'Each flag has an environment variable; flags win over variables.',
    '',
    ...rows,
    `  ${'-h, --help'.padEnd(width + 2)} Print this help.`,
    `  ${'-v, --version'.padEnd(width + 2)} Print the version.`,
    ''
  ].join('\n')
}

/** pino options for the process: JSON, or pino-pretty when a person reads the terminal. */
export function processLogger (level: Config['logLevel'], isTTY: boolean) {
  return isTTY ? { level, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : { level }
}
