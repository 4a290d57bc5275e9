import t from 'tap'
import { ConfigError, ConfigSchema, DEFAULT_PORT, loadConfig, processLogger, usage } from '../src/config.js'

t.test('defaults', async (t) => {
  t.same(loadConfig({}), { help: false, version: false, port: DEFAULT_PORT, host: '127.0.0.1', logLevel: 'info', fixtures: undefined, auth: 'permissive', syncDurationMs: 0, stateFile: undefined, adminToken: undefined, journalSize: 1000, allowedOrigins: [], allowedHosts: [], shutdownGraceMs: 10_000 })
})

t.test('every setting comes from its variable', async (t) => {
  t.same(loadConfig({
    PORT: '0', HOST: '0.0.0.0', LOG_LEVEL: 'warn', MRS_EMULATOR_FIXTURES: '/f.json', MRS_EMULATOR_AUTH: 'off', MRS_EMULATOR_SYNC_DURATION_MS: '250',
    MRS_EMULATOR_STATE_FILE: '/s.json', MRS_EMULATOR_ADMIN_TOKEN: 'secret', MRS_EMULATOR_JOURNAL_SIZE: '10', MRS_EMULATOR_SHUTDOWN_GRACE_MS: '50',
    MRS_EMULATOR_ALLOWED_ORIGINS: 'http://localhost:3000, https://ui.test', MRS_EMULATOR_ALLOWED_HOSTS: 'emulator.test', UNRELATED: 'x'
  }), { help: false, version: false, port: 0, host: '0.0.0.0', logLevel: 'warn', fixtures: '/f.json', auth: 'off', syncDurationMs: 250, stateFile: '/s.json', adminToken: 'secret', journalSize: 10, allowedOrigins: ['http://localhost:3000', 'https://ui.test'], allowedHosts: ['emulator.test'], shutdownGraceMs: 50 })
})

t.test('flags win over variables', async (t) => {
  const config = loadConfig({ PORT: '1000', MRS_EMULATOR_AUTH: 'off' },
    ['--port', '2000', '--host=::1', '--log-level', 'debug', '--fixtures', 'x.json', '--auth', 'permissive', '--sync-duration-ms', '5',
      '--state-file', 's.json', '--admin-token', 't', '--journal-size', '0', '--shutdown-grace-ms', '0', '--allowed-origins', 'http://a.test', '--allowed-hosts', 'b.test,c.test'])
  t.same(config, { help: false, version: false, port: 2000, host: '::1', logLevel: 'debug', fixtures: 'x.json', auth: 'permissive', syncDurationMs: 5, stateFile: 's.json', adminToken: 't', journalSize: 0, allowedOrigins: ['http://a.test'], allowedHosts: ['b.test', 'c.test'], shutdownGraceMs: 0 })
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
    [{ PORT: 'abc' }, [], 'Invalid PORT: "abc" must be integer'],
    [{ PORT: '70000' }, [], 'Invalid PORT: "70000" must be <= 65535'],
    [{}, ['--port=-1'], 'Invalid --port: "-1" must be >= 0'],
    [{}, ['--port', '-1'], 'Invalid --port: "-1" must be >= 0'],
    [{}, ['--journal-size', '-5', '--port', '1'], 'Invalid --journal-size: "-5" must be >= 0'],
    [{ MRS_EMULATOR_AUTH: 'maybe' }, [], 'Invalid MRS_EMULATOR_AUTH: "maybe" must be one of permissive, strict, off'],
    [{ LOG_LEVEL: 'loud' }, [], 'Invalid LOG_LEVEL: "loud" must be one of fatal, error, warn, info, debug, trace, silent'],
    [{ MRS_EMULATOR_SYNC_DURATION_MS: '1.5' }, [], 'Invalid MRS_EMULATOR_SYNC_DURATION_MS: "1.5" must be integer'],
    [{}, ['--bogus'], "Unknown option '--bogus'"],
    [{}, ['--admin-token', ''], 'Invalid --admin-token: "" must not be empty'],
    [{}, ['--allowed-origins', 'localhost:3000'], 'Invalid --allowed-origins: "localhost:3000" must be comma-separated origins such as http://localhost:3000'],
    [{ MRS_EMULATOR_ALLOWED_HOSTS: 'a.test/x' }, [], 'Invalid MRS_EMULATOR_ALLOWED_HOSTS: "a.test/x" must be comma-separated host names such as emulator.test'],
    [{}, ['stray'], '']
  ]
  for (const [env, argv, message] of cases) {
    t.throws(() => loadConfig(env, argv), { name: 'ConfigError', message: new RegExp('^' + message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }, message)
  }
  t.throws(() => loadConfig({}, ['--port']), ConfigError, 'a flag without its value')
})

t.test('errors are one line', async (t) => {
  t.throws(() => loadConfig({}, ['--port', '-1']), { message: /^[^\n]+$/ })
})

t.test('--help and --version', async (t) => {
  t.match(loadConfig({}, ['--help']), { help: true, version: false })
  t.match(loadConfig({}, ['--version']), { help: false, version: true })
})

t.test('the usage lists every flag with its variable and default', async (t) => {
  const text = usage()
  for (const variable of Object.keys(ConfigSchema.properties)) t.match(text, variable)
  t.match(text, /--port <value> +PORT +TCP port to listen on \(0: any free port\)\. Default: 9336\./)
  t.match(text, /--fixtures <value> +MRS_EMULATOR_FIXTURES +Fixture file to load\. Default: the bundled fixtures\/default\.json\.\n/)
  t.equal(text.split('the bundled fixtures/default.json').length, 2, 'the default is said once')
  t.match(text, /--state-file <value> .* Default: none\./)
  t.match(text, /--help +Print this help\./)
})

t.test('logs are JSON, and pretty only on a terminal', async (t) => {
  t.same(processLogger('warn', false), { level: 'warn' })
  t.match(processLogger('info', true), { level: 'info', transport: { target: 'pino-pretty' } })
})
