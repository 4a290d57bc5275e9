import { parseArgs } from 'node:util'
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { problemsOf } from './core/problems.js'
import { LIMITS } from './core/limits.js'
import { AUTH_MODES } from './core/auth.js'

export { AUTH_MODES, type AuthMode } from './core/auth.js'

/** The default port: fixed and uncommon, so a local emulator is always at the same URL. */
export const DEFAULT_PORT = 9336

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export const TLS_MODES = ['off', 'auto', 'files'] as const

const oneOf = <T extends string>(values: readonly T[], options: object) =>
  Type.Union(values.map((value) => Type.Literal(value)), options) as unknown as TUnsafe<T>

/**
 * Every setting, written once: its in-process option name (the key; the flag is the key in
 * kebab case), its environment variable (`env`), type, default and meaning. The flags, the
 * variables, `--help`, the `Settings` type and the in-process options' checks all come from here.
 */
export const SettingsSchema = Type.Object({
  port: Type.Integer({ env: 'PORT', minimum: 0, maximum: 65535, default: DEFAULT_PORT, description: 'TCP port to listen on (0: any free port; startEmulator\'s default).' }),
  host: Type.String({ env: 'HOST', minLength: 1, default: '127.0.0.1', description: 'Address to listen on.' }),
  logLevel: oneOf(LOG_LEVELS, { env: 'LOG_LEVEL', default: 'info', description: `Log level: ${LOG_LEVELS.join(', ')}.` }),
  fixtures: Type.Optional(Type.String({ env: 'MRS_EMULATOR_FIXTURES', minLength: 1, defaultText: 'the bundled fixtures/default.json', description: 'Fixture file to load.' })),
  auth: oneOf(AUTH_MODES, { env: 'MRS_EMULATOR_AUTH', default: 'permissive', description: `Authentication mode: ${AUTH_MODES.join(', ')}.` }),
  syncDurationMs: Type.Integer({ env: 'MRS_EMULATOR_SYNC_DURATION_MS', minimum: 0, maximum: LIMITS.syncDuration.value, default: 0, description: 'How long a sync task runs, in ms (0: done before the 202 is sent).' }),
  stateFile: Type.Optional(Type.String({ env: 'MRS_EMULATOR_STATE_FILE', minLength: 1, description: 'State file: loaded at start (the fixtures when absent), written after every change.' })),
  // An empty variable counts as set here: MRS_EMULATOR_ADMIN_TOKEN= would otherwise leave the
  // control plane open to someone who meant to close it. The token must be what a header can
  // carry and a client can type: printable ASCII, no space.
  adminToken: Type.Optional(Type.String({ env: 'MRS_EMULATOR_ADMIN_TOKEN', emptyRefused: true, minLength: 1, pattern: '^[\\x21-\\x7e]+$', 'x-expected': 'printable ASCII characters without spaces', description: 'Bearer token the control plane requires (health, ready and the dashboard\'s files excepted).' })),
  journalSize: Type.Integer({ env: 'MRS_EMULATOR_JOURNAL_SIZE', minimum: 0, maximum: LIMITS.journalEntries.value, default: 1000, description: 'How many requests the journal keeps (0: none).' }),
  allowedOrigins: Type.Array(Type.String({ pattern: '^https?://[^/\\s,]+$', 'x-expected': 'an origin such as http://localhost:3000' }), {
    env: 'MRS_EMULATOR_ALLOWED_ORIGINS', default: [], description: 'Comma-separated origins (e.g. http://localhost:3000) whose pages may use the control plane, besides the emulator\'s own.'
  }),
  allowedHosts: Type.Array(Type.String({ pattern: '^[A-Za-z0-9.:\\[\\]-]+$', 'x-expected': 'a host name such as emulator.test' }), {
    env: 'MRS_EMULATOR_ALLOWED_HOSTS', default: [], description: 'Comma-separated host names the control plane answers for while listening on loopback, besides loopback names and the listening address.'
  }),
  tls: oneOf(TLS_MODES, { env: 'MRS_EMULATOR_TLS', default: 'off', description: 'HTTPS on the same port as HTTP: off; auto (a local CA, made once and kept in --tls-dir, signs a certificate for loopback, the listening address, --tls-names and the world\'s regions); files (--tls-cert and --tls-key).' }),
  tlsCert: Type.Optional(Type.String({ env: 'MRS_EMULATOR_TLS_CERT', minLength: 1, description: 'With --tls files: the certificate (PEM, with its chain).' })),
  tlsKey: Type.Optional(Type.String({ env: 'MRS_EMULATOR_TLS_KEY', minLength: 1, description: 'With --tls files: its private key (PEM).' })),
  tlsDir: Type.Optional(Type.String({ env: 'MRS_EMULATOR_TLS_DIR', minLength: 1, defaultText: 'beside the state file, else the user\'s data folder', description: 'Where --tls auto keeps the local CA and its key.' })),
  tlsNames: Type.Array(Type.String({ pattern: '^(?=.{1,253}$)(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$', 'x-expected': 'a DNS name such as emulator.test' }), {
    env: 'MRS_EMULATOR_TLS_NAMES', default: [], description: 'Comma-separated DNS names that the certificate of --tls auto covers too.'
  }),
  shutdownGraceMs: Type.Integer({ env: 'MRS_EMULATOR_SHUTDOWN_GRACE_MS', minimum: 0, maximum: LIMITS.shutdownGrace.value, default: 10_000, description: 'After SIGTERM or SIGINT, how long in-flight requests may take before the process exits 1, in ms (0: at once).' })
})

/** The settings, defaults filled in. */
export type Settings = Static<typeof SettingsSchema>

export interface Config extends Settings {
  /** --help: print the usage and exit. */
  help: boolean
  /** --version: print the version and exit. */
  version: boolean
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

type SettingName = keyof Settings
const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)
export const SETTINGS = Object.entries(SettingsSchema.properties).map(([name, schema]: [string, TSchema]) =>
  ({ name: name as SettingName, flag: kebab(name), variable: schema.env as string, schema }))

/** A setting's value from its text (a flag or a variable): numbers, names in any case, lists. */
function fromText (schema: TSchema, text: string): unknown {
  // Whole numbers only: "1.5" must not become 1.
  if (schema.type === 'integer') return /^-?\d+$/.test(text) ? Number(text) : text
  // Names of levels and modes in any case: LOG_LEVEL=INFO.
  if ('anyOf' in schema) return text.toLowerCase()
  if (schema.type === 'array') return text.split(',').map((item) => item.trim())
  return text
}

/**
 * `Invalid <name>: <value> <what it must be>`, or undefined when the value is valid. For a list,
 * the value shown is the first bad item. One message for flags, variables and in-process options.
 */
function invalid (name: string, schema: TSchema, value: unknown, text?: string): string | undefined {
  if (Value.Check(schema, value)) return undefined
  const [problem] = problemsOf(Value.Errors(schema, value)).problems
  const item = /^\/(\d+)$/.exec(problem!.path)
  const shown = item === null ? text ?? value : (value as unknown[])[Number(item[1])]
  // NaN and Infinity are not JSON: shown as themselves, not as null.
  return `Invalid ${name}: ${typeof shown === 'number' && !Number.isFinite(shown) ? String(shown) : JSON.stringify(shown)} ${problem!.message}`
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

/**
 * Reads the settings from the environment and the command line; flags win. Throws a one-line
 * `ConfigError` naming every bad setting.
 *
 * TypeBox's Value (converted from the strings, defaults filled, then checked) rather than
 * env-schema: Ajv's import and compile cost ~60 ms of a ~330 ms cold start (--cpu-prof), and
 * TypeBox is loaded anyway.
 */
export function loadConfig (env: Record<string, string | undefined>, argv: string[] = []): Config {
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
    throw new ConfigError(`${(err as Error).message.split('\n')[0]!}; see mrs-emulator --help`)
  }
  const given: Record<string, unknown> = {}
  const problems: string[] = []
  for (const { name, flag, variable, schema } of SETTINGS) {
    // An empty variable counts as unset (PORT= would otherwise coerce to port 0), unless the
    // setting says otherwise.
    const fromEnv = env[variable] === '' && schema.emptyRefused !== true ? undefined : env[variable]
    const text = (flags[flag] as string | undefined) ?? fromEnv
    if (text === undefined) continue
    given[name] = fromText(schema, text)
    const problem = invalid(flags[flag] === undefined ? variable : `--${flag}`, schema, given[name], text)
    if (problem !== undefined) problems.push(problem)
  }
  if (problems.length > 0) throw new ConfigError(problems.join('; '))
  const settings = Value.Default(SettingsSchema, given) as Settings
  checkTogether(settings, (name) => `--${kebab(name)}`)
  return { ...settings, help: flags.help === true, version: flags.version === true }
}

/** The files of `--tls files`. */
const TLS_FILES = ['tlsCert', 'tlsKey'] as const

/**
 * Settings that only make sense together: `--tls files` needs its files, and files given for
 * another mode are a mistake (TLS off, or auto's own certificate, would ignore them). `--tls-dir`
 * and `--tls-names` say where and for what `auto` works, and may be set whatever the mode (the
 * image keeps its CA under /data, for when TLS is turned on).
 */
function checkTogether (settings: Settings, named: (name: SettingName) => string): void {
  const problems: string[] = []
  if (settings.tls === 'files') {
    const missing = TLS_FILES.filter((name) => settings[name] === undefined)
    if (missing.length > 0) problems.push(`Invalid ${named('tls')}: files needs ${missing.map(named).join(' and ')}`)
  } else {
    for (const name of TLS_FILES) if (settings[name] !== undefined) problems.push(`Invalid ${named(name)}: only with ${named('tls')} files`)
  }
  if (problems.length > 0) throw new ConfigError(problems.join('; '))
}

/**
 * Checks in-process options (`buildApp`, `startEmulator`) against the same schema, with the same
 * messages (`Invalid option auth: "nope" must be one of permissive, strict, off`), and answers
 * them with the names of levels and modes in lower case. A `fixtures` object is left to the
 * fixture checks.
 */
export function checkOptions<T extends Partial<Record<SettingName, unknown>>> (options: T): T {
  const checked: Record<string, unknown> = { ...options }
  const problems: string[] = []
  for (const { name, schema } of SETTINGS) {
    let value = checked[name]
    if (value === undefined || (name === 'fixtures' && typeof value === 'object')) continue
    if ('anyOf' in schema && typeof value === 'string') value = checked[name] = value.toLowerCase()
    const problem = invalid(`option ${name}`, schema, value)
    if (problem !== undefined) problems.push(problem)
  }
  if (problems.length > 0) throw new ConfigError(problems.join('; '))
  return checked as T
}

/**
 * In-process options are checked like flags: a name that is none of `known` (a typo such as
 * `prot` or `fixture`) is a ConfigError naming it and the known ones, never silently ignored.
 */
export function checkOptionNames (options: object, known: readonly string[], what = 'option'): void {
  const unknown = Object.keys(options).filter((name) => !known.includes(name))
  if (unknown.length === 0) return
  const names = (list: readonly string[]) => list.map((name) => `'${name}'`).join(', ')
  throw new ConfigError(`Unknown ${what}${unknown.length === 1 ? '' : 's'} ${names(unknown)}: the ${what}s are ${names([...known].sort())}`)
}

/** The settings of in-process options, checked, defaults filled in (a `fixtures` object is not a setting). */
export function settingsOf (options: Partial<Record<SettingName, unknown>>): Settings {
  const checked = checkOptions(options)
  const settings: Record<string, unknown> = {}
  for (const { name } of SETTINGS) if (checked[name] !== undefined) settings[name] = checked[name]
  if (typeof settings.fixtures === 'object') delete settings.fixtures
  const filled = Value.Default(SettingsSchema, settings) as Settings
  checkTogether(filled, (name) => `option ${name}`)
  return filled
}

/** The --help text: every flag with its variable, default and meaning, from the schema. */
export function usage (): string {
  const width = Math.max(...SETTINGS.map(({ flag }) => `${flag} <value>`.length)) + 1
  const rows = SETTINGS.map(({ flag, variable, schema }) => {
    const fallback = schema.defaultText ?? (Array.isArray(schema.default) ? 'none' : schema.default) ?? 'none'
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
  return isTTY ? { level, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true } } } : { level }
}
