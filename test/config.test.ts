import t from 'tap'
import { ConfigError, DEFAULT_PORT, loadConfig, processLogger, SETTINGS, settingsOf, usage } from '../src/config.js'

t.test('defaults', async (t) => {
  t.same(loadConfig({}), { help: false, version: false, port: DEFAULT_PORT, host: '127.0.0.1', logLevel: 'info', auth: 'permissive', syncDurationMs: 0, journalSize: 1000, allowedOrigins: [], allowedHosts: [], tls: 'off', tlsNames: [], shutdownGraceMs: 10_000 })
})

t.test('every setting comes from its variable', async (t) => {
  t.same(loadConfig({
    PORT: '0',
    HOST: '0.0.0.0',
    LOG_LEVEL: 'warn',
    MRS_EMULATOR_FIXTURES: '/f.json',
    MRS_EMULATOR_AUTH: 'off',
    MRS_EMULATOR_SYNC_DURATION_MS: '250',
    MRS_EMULATOR_STATE_FILE: '/s.json',
    MRS_EMULATOR_ADMIN_TOKEN: 'secret',
    MRS_EMULATOR_JOURNAL_SIZE: '10',
    MRS_EMULATOR_SHUTDOWN_GRACE_MS: '50',
    MRS_EMULATOR_ALLOWED_ORIGINS: 'http://localhost:3000, https://ui.test',
    MRS_EMULATOR_ALLOWED_HOSTS: 'emulator.test',
    MRS_EMULATOR_TLS: 'auto',
    MRS_EMULATOR_TLS_DIR: '/ca',
    MRS_EMULATOR_TLS_NAMES: 'emulator.test, *.emulator.test',
    UNRELATED: 'x'
  }), { help: false, version: false, port: 0, host: '0.0.0.0', logLevel: 'warn', fixtures: '/f.json', auth: 'off', syncDurationMs: 250, stateFile: '/s.json', adminToken: 'secret', journalSize: 10, allowedOrigins: ['http://localhost:3000', 'https://ui.test'], allowedHosts: ['emulator.test'], tls: 'auto', tlsDir: '/ca', tlsNames: ['emulator.test', '*.emulator.test'], shutdownGraceMs: 50 })
  t.match(loadConfig({ MRS_EMULATOR_TLS: 'files', MRS_EMULATOR_TLS_CERT: '/c.pem', MRS_EMULATOR_TLS_KEY: '/k.pem' }), { tls: 'files', tlsCert: '/c.pem', tlsKey: '/k.pem' })
})

t.test('flags win over variables', async (t) => {
  const config = loadConfig({ PORT: '1000', MRS_EMULATOR_AUTH: 'off' },
    ['--port', '2000', '--host=::1', '--log-level', 'debug', '--fixtures', 'x.json', '--auth', 'permissive', '--sync-duration-ms', '5',
      '--state-file', 's.json', '--admin-token', 't', '--journal-size', '0', '--shutdown-grace-ms', '0', '--allowed-origins', 'http://a.test', '--allowed-hosts', 'b.test,c.test',
      '--tls', 'files', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'])
  t.same(config, { help: false, version: false, port: 2000, host: '::1', logLevel: 'debug', fixtures: 'x.json', auth: 'permissive', syncDurationMs: 5, stateFile: 's.json', adminToken: 't', journalSize: 0, allowedOrigins: ['http://a.test'], allowedHosts: ['b.test', 'c.test'], tls: 'files', tlsCert: 'c.pem', tlsKey: 'k.pem', tlsNames: [], shutdownGraceMs: 0 })
})

t.test('TLS settings go with their mode: files needs its files, which no other mode takes', async (t) => {
  t.throws(() => loadConfig({}, ['--tls', 'files']), new ConfigError('Invalid --tls: files needs --tls-cert and --tls-key'))
  t.throws(() => loadConfig({}, ['--tls', 'files', '--tls-key', 'k.pem']), new ConfigError('Invalid --tls: files needs --tls-cert'))
  t.throws(() => loadConfig({}, ['--tls-cert', 'c.pem', '--tls-key', 'k.pem']), new ConfigError('Invalid --tls-cert: only with --tls files; Invalid --tls-key: only with --tls files'))
  t.throws(() => loadConfig({}, ['--tls', 'auto', '--tls-cert', 'c.pem']), new ConfigError('Invalid --tls-cert: only with --tls files'))
  t.match(loadConfig({ MRS_EMULATOR_TLS_DIR: '/data/ca' }, ['--tls-names', 'a.test']), { tls: 'off', tlsDir: '/data/ca', tlsNames: ['a.test'] }, "auto's folder and names, for when TLS is turned on")
  t.throws(() => loadConfig({}, ['--tls', 'auto', '--tls-names', 'a.test,bad name']), new ConfigError('Invalid --tls-names: "bad name" must be a DNS name such as emulator.test'))
  t.throws(() => loadConfig({}, ['--tls', 'on']), /^Invalid --tls: "on" must be one of off, auto, files$/)
  t.throws(() => settingsOf({ tls: 'files', tlsCert: 'c.pem' }), new ConfigError('Invalid option tls: files needs option tlsKey'))
  t.same(settingsOf({ tls: 'AUTO', tlsNames: ['a.test'] }).tls, 'auto')
})

t.test('names of levels and modes are case-insensitive', async (t) => {
  t.match(loadConfig({ LOG_LEVEL: 'INFO', MRS_EMULATOR_AUTH: 'Strict' }), { logLevel: 'info', auth: 'strict' })
  t.match(loadConfig({}, ['--auth', 'OFF', '--log-level', 'Warn']), { logLevel: 'warn', auth: 'off' })
})

t.test('an empty variable counts as unset', async (t) => {
  t.equal(loadConfig({ PORT: '' }).port, DEFAULT_PORT)
})

t.test('an invalid value stops the start with one line naming the setting', async (t) => {
  const cases: Array<[Record<string, string>, string[], string]> = [
    [{ PORT: 'abc' }, [], 'Invalid PORT: "abc" must be an integer'],
    [{ PORT: '70000' }, [], 'Invalid PORT: "70000" must be <= 65535'],
    [{}, ['--port=-1'], 'Invalid --port: "-1" must be >= 0'],
    [{}, ['--port', '-1'], 'Invalid --port: "-1" must be >= 0'],
    [{}, ['--journal-size', '-5', '--port', '1'], 'Invalid --journal-size: "-5" must be >= 0'],
    [{ MRS_EMULATOR_AUTH: 'maybe' }, [], 'Invalid MRS_EMULATOR_AUTH: "maybe" must be one of permissive, strict, off'],
    [{ LOG_LEVEL: 'loud' }, [], 'Invalid LOG_LEVEL: "loud" must be one of fatal, error, warn, info, debug, trace, silent'],
    [{ MRS_EMULATOR_SYNC_DURATION_MS: '1.5' }, [], 'Invalid MRS_EMULATOR_SYNC_DURATION_MS: "1.5" must be an integer'],
    [{}, ['--bogus'], "Unknown option '--bogus'"],
    [{}, ['--admin-token', ''], 'Invalid --admin-token: "" must not be empty'],
    // An empty admin token variable is refused, not taken as unset: it would leave the control plane open.
    [{ MRS_EMULATOR_ADMIN_TOKEN: '' }, [], 'Invalid MRS_EMULATOR_ADMIN_TOKEN: "" must not be empty'],
    [{ MRS_EMULATOR_ADMIN_TOKEN: ' ' }, [], 'Invalid MRS_EMULATOR_ADMIN_TOKEN: " " must be printable ASCII characters without spaces'],
    [{}, ['--admin-token', 'tök'], 'Invalid --admin-token: "tök" must be printable ASCII characters without spaces'],
    [{}, ['--allowed-origins', 'localhost:3000'], 'Invalid --allowed-origins: "localhost:3000" must be an origin such as http://localhost:3000'],
    [{}, ['--allowed-origins', 'http://a.test,ftp://b.test'], 'Invalid --allowed-origins: "ftp://b.test" must be an origin such as http://localhost:3000'],
    [{}, ['--allowed-origins', ''], 'Invalid --allowed-origins: "" must not be empty'],
    [{ MRS_EMULATOR_ALLOWED_HOSTS: 'a.test/x' }, [], 'Invalid MRS_EMULATOR_ALLOWED_HOSTS: "a.test/x" must be a host name such as emulator.test'],
    [{ MRS_EMULATOR_AUTH: 'MAYBE' }, [], 'Invalid MRS_EMULATOR_AUTH: "MAYBE" must be one of permissive, strict, off'],
    [{}, ['stray'], '']
  ]
  for (const [env, argv, message] of cases) {
    t.throws(() => loadConfig(env, argv), { name: 'ConfigError', message: new RegExp('^' + message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }, message)
  }
  t.throws(() => loadConfig({}, ['--port']), ConfigError, 'a flag without its value')
})

t.test('errors are one line, naming every bad setting', async (t) => {
  t.throws(() => loadConfig({ PORT: 'x' }, ['--auth', 'nope', '--journal-size', '-1']), {
    message: 'Invalid PORT: "x" must be an integer; Invalid --auth: "nope" must be one of permissive, strict, off; Invalid --journal-size: "-1" must be >= 0'
  })
})

t.test('in-process options: the same schema, the same messages; names in any case; defaults from the schema', async (t) => {
  t.throws(() => settingsOf({ auth: 'nope' }), { name: 'ConfigError', message: 'Invalid option auth: "nope" must be one of permissive, strict, off' })
  t.throws(() => settingsOf({ syncDurationMs: -1, journalSize: 1.5 }), { message: 'Invalid option syncDurationMs: -1 must be >= 0; Invalid option journalSize: 1.5 must be an integer' })
  t.throws(() => settingsOf({ adminToken: '' }), { message: 'Invalid option adminToken: "" must not be empty' })
  t.throws(() => settingsOf({ adminToken: 'two words' }), { message: 'Invalid option adminToken: "two words" must be printable ASCII characters without spaces' })
  t.throws(() => settingsOf({ allowedOrigins: ['http://ok.test', 'nope'] }), { message: 'Invalid option allowedOrigins: "nope" must be an origin such as http://localhost:3000' })
  t.throws(() => settingsOf({ port: '80' }), { message: 'Invalid option port: "80" must be an integer' })
  t.throws(() => settingsOf({ stateFile: 7 }), { message: 'Invalid option stateFile: 7 must be a string' })
  t.throws(() => settingsOf({ syncDurationMs: NaN, journalSize: Infinity }), { message: 'Invalid option syncDurationMs: NaN must be an integer; Invalid option journalSize: Infinity must be an integer' })
  t.throws(() => loadConfig({}, ['--bogus']), { message: "Unknown option '--bogus'; see mrs-emulator --help" })
  t.match(settingsOf({ auth: 'STRICT' as 'strict' }), { auth: 'strict' })
  const { help: _h, version: _v, ...defaults } = loadConfig({})
  t.same(settingsOf({}), defaults, 'the command and the in-process API share their defaults')
  t.same(settingsOf({ fixtures: { projects: [] } as unknown as string }).fixtures, undefined, 'a fixtures object is not a setting')
})

t.test('--help and --version', async (t) => {
  t.match(loadConfig({}, ['--help']), { help: true, version: false })
  t.match(loadConfig({}, ['--version']), { help: false, version: true })
})

t.test('the usage lists every flag with its variable and default', async (t) => {
  const text = usage()
  for (const { flag, variable } of SETTINGS) t.match(text, new RegExp(`--${flag} <value> +${variable} `))
  t.match(text, /--port <value> +PORT +TCP port to listen on \(0: any free port; startEmulator's default\)\. Default: 9336\./)
  t.match(text, /--fixtures <value> +MRS_EMULATOR_FIXTURES +Fixture file to load\. Default: the bundled fixtures\/default\.json\.\n/)
  t.equal(text.split('the bundled fixtures/default.json').length, 2, 'the default is said once')
  t.match(text, /--state-file <value> .* Default: none\./)
  t.match(text, /--help +Print this help\./)
})

t.test('logs are JSON, and pretty only on a terminal', async (t) => {
  t.same(processLogger('warn', false), { level: 'warn' })
  t.match(processLogger('info', true), { level: 'info', transport: { target: 'pino-pretty', options: { singleLine: true } } }, 'a request a line')
})

t.test('startEmulator and buildApp refuse bad options before reading or listening', async (t) => {
  const { startEmulator } = await import('../src/start.js')
  await t.rejects(startEmulator({ auth: 'nope' as 'off' }), { name: 'ConfigError', message: 'Invalid option auth: "nope" must be one of permissive, strict, off' })
  await t.rejects(startEmulator({ syncDurationMs: -1 }), { message: 'Invalid option syncDurationMs: -1 must be >= 0' })
  await t.rejects(startEmulator({ port: 70_000 }), { message: 'Invalid option port: 70000 must be <= 65535' })
  const unknown = startEmulator({ fixture: '/nope.json', prot: 1 } as object)
  await t.rejects(unknown, { name: 'ConfigError', message: /^Unknown options 'fixture', 'prot': the options are 'adminToken', 'allowedHosts', .*'fixtures', .*'host', .*'port', / }, 'typos are never ignored')
  const { buildApp } = await import('../src/app.js')
  await t.rejects(buildApp({ port: 1 } as object), { message: /^Unknown option 'port': the options are / }, 'buildApp does not listen: port is startEmulator\'s')
  await t.rejects(buildApp({ limits: { journalStallMs: 1 } as object }), { message: /^Unknown limit 'journalStallMs': the limits are .*'stallMs'/ })
  const fromNull = await startEmulator(null)
  t.match(fromNull.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'null options are no options')
  await fromNull.close()
})

t.test('the README\'s settings table names every setting with its flag and default', async (t) => {
  const { readFile } = await import('node:fs/promises')
  const { join } = await import('node:path')
  const { PACKAGE_ROOT } = await import('../src/package-info.js')
  const readme = await readFile(join(PACKAGE_ROOT, 'README.md'), 'utf8')
  const rows = new Map([...readme.matchAll(/^\| `([A-Z_]+)` \| `(--[a-z-]+)` \| ([^|]+) \|/gm)].map((m) => [m[1], { flag: m[2], fallback: m[3]!.trim() }]))
  t.equal(rows.size, SETTINGS.length, 'one row per setting')
  for (const { flag, variable, schema } of SETTINGS) {
    const row = rows.get(variable)
    t.equal(row?.flag, `--${flag}`, variable)
    if (schema.default !== undefined && !Array.isArray(schema.default)) t.equal(row?.fallback, `\`${schema.default}\``, `${variable}'s default`)
  }
})
