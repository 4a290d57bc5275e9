import { isIP } from 'node:net'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import type { SecureContextOptions } from 'node:tls'
import type { webcrypto } from 'node:crypto'
import type { Settings } from '../config.js'
import { ConfigError } from '../config.js'

/** The files `--tls auto` keeps in its folder: the CA's certificate, and its key (the owner's only). */
export const CA_FILE = 'ca.pem'
export const CA_KEY_FILE = 'ca-key.pem'

/** What the certificate always covers: loopback by name and address. */
const LOOPBACK = ['localhost', '127.0.0.1', '::1']

/** The host names Huawei's SDKs use for a region (and IAM's global one), which `auto` covers. */
export const regionNames = (region: string) => [`mrs.${region}.myhuaweicloud.com`, `iam.${region}.myhuaweicloud.com`]
export const GLOBAL_IAM = 'iam.myhuaweicloud.com'

/**
 * Where `auto` keeps its CA when --tls-dir is not given: beside the state file, else the user's
 * data folder (XDG_DATA_HOME, ~/Library/Application Support, %LOCALAPPDATA%), so that a CA once
 * trusted stays trusted across restarts.
 */
export function defaultTlsDir (stateFile: string | undefined, env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (stateFile !== undefined) return join(dirname(stateFile), 'mrs-emulator-ca')
  const data = platform === 'win32'
    ? env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local')
    : platform === 'darwin' ? join(homedir(), 'Library', 'Application Support') : env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share')
  return join(data, 'mrs-emulator', 'ca')
}

type X509 = typeof import('@peculiar/x509')

/**
 * @peculiar/x509 for the X.509 work: maintained, typed, and it signs with Node's own WebCrypto
 * (ECDSA P-256: a key pair and a certificate in milliseconds, where node-forge makes RSA keys in
 * JavaScript). Loaded only with --tls auto, with its ASN.1 modules (bench/RESULTS.md, HTTPS:
 * start-up within the noise). Its dependency injection wants the Reflect metadata polyfill
 * loaded first.
 */
async function x509 (): Promise<X509> {
  await import('reflect-metadata')
  const lib = await import('@peculiar/x509')
  lib.cryptoProvider.set(globalThis.crypto)
  return lib
}

const SIGNING = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const
const DAY = 86_400_000

/** A certificate authority: its certificate (PEM) and its private key. */
interface Ca { pem: string, key: webcrypto.CryptoKey, cert: InstanceType<X509['X509Certificate']> }

/**
 * The TLS material the server presents: the user's files (`files`), or a certificate that a local
 * CA signs for the names the emulator answers to (`auto`), made again when those names change
 * (a world with a new region), so that no restart is needed.
 */
export class TlsMaterial {
  /** The CA's certificate (PEM) and where it is kept: `auto` only. */
  readonly caPem?: string
  readonly caPath?: string
  #issued: { key: string, names: readonly string[], options: SecureContextOptions } | undefined
  #issuing: Promise<SecureContextOptions> | undefined

  private constructor (readonly mode: 'auto' | 'files', private readonly files: SecureContextOptions | undefined, private readonly ca: Ca | undefined, private readonly lib: X509 | undefined, caPath?: string) {
    this.caPem = ca?.pem
    this.caPath = caPath
  }

  /** The material for the settings, or undefined with TLS off. A ConfigError names what is wrong. */
  static async open (settings: Pick<Settings, 'tls' | 'tlsCert' | 'tlsKey' | 'tlsDir' | 'stateFile'>): Promise<TlsMaterial | undefined> {
    if (settings.tls === 'off') return undefined
    if (settings.tls === 'files') {
      const read = async (path: string, flag: string) => {
        try {
          return await readFile(path, 'utf8')
        } catch (err) {
          throw new ConfigError(`Invalid ${flag}: ${(err as Error).message}`)
        }
      }
      const options = { cert: await read(settings.tlsCert!, '--tls-cert'), key: await read(settings.tlsKey!, '--tls-key') }
      try {
        // Checked now, not at the first handshake: a key that does not match its certificate stops
        // the start. OpenSSL compares a key only with a certificate of its own type (an RSA key
        // beside an EC certificate would be kept as another pair): the pair is compared too.
        const { createSecureContext } = await import('node:tls')
        const { createPrivateKey, X509Certificate } = await import('node:crypto')
        createSecureContext(options)
        if (!new X509Certificate(options.cert).checkPrivateKey(createPrivateKey(options.key))) throw new Error('the key is not the certificate\'s')
      } catch (err) {
        throw new ConfigError(`Invalid --tls-cert/--tls-key: ${(err as Error).message}`)
      }
      return new TlsMaterial('files', options, undefined, undefined)
    }
    const dir = settings.tlsDir ?? defaultTlsDir(settings.stateFile)
    const lib = await x509()
    const ca = await loadOrMakeCa(lib, dir)
    return new TlsMaterial('auto', undefined, ca, lib, join(dir, CA_FILE))
  }

  /**
   * The key and certificate for a handshake: the files, or one signed for `names` (made again
   * only when they change; names of other kinds, such as an empty one, are left out).
   */
  async options (names: readonly string[]): Promise<SecureContextOptions> {
    if (this.files !== undefined) return this.files
    // The same list as last time (the caller keeps it while the world is unchanged): no work.
    if (this.#issued?.names === names) return this.#issued.options
    const wanted = [...new Set([...LOOPBACK, ...names].filter((name) => name !== '' && name !== '0.0.0.0' && name !== '::'))]
    const key = wanted.join(',')
    if (this.#issued?.key === key) {
      this.#issued.names = names
      return this.#issued.options
    }
    // One issue at a time: handshakes that arrive meanwhile wait for it.
    const issuing = this.#issuing ??= this.#issue(wanted).then((options) => {
      this.#issued = { key, names, options }
      return options
    }).finally(() => { this.#issuing = undefined })
    const options = await issuing
    // Names that changed meanwhile: issue again.
    return this.#issued?.key === key ? options : await this.options(names)
  }

  async #issue (names: string[]): Promise<SecureContextOptions> {
    const lib = this.lib!
    const ca = this.ca!
    const keys = await crypto.subtle.generateKey(SIGNING, true, ['sign', 'verify'])
    const now = Date.now()
    const cert = await lib.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: 'CN=mrs-emulator',
      issuer: ca.cert.subject,
      // An hour early for clocks that run behind; 397 days, the most a browser takes.
      notBefore: new Date(now - 3_600_000),
      notAfter: new Date(now + 397 * DAY),
      signingAlgorithm: SIGNING,
      publicKey: keys.publicKey,
      signingKey: ca.key,
      extensions: [
        new lib.BasicConstraintsExtension(false, undefined, true),
        new lib.KeyUsagesExtension(lib.KeyUsageFlags.digitalSignature, true),
        new lib.ExtendedKeyUsageExtension([lib.ExtendedKeyUsage.serverAuth]),
        new lib.SubjectAlternativeNameExtension(names.map((name) => isIP(name) === 0 ? { type: 'dns' as const, value: name } : { type: 'ip' as const, value: name })),
        await lib.AuthorityKeyIdentifierExtension.create(ca.cert)
      ]
    })
    const key = lib.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY')
    return { key, cert: `${cert.toString('pem')}\n${ca.pem}` }
  }
}

/** A random positive serial number of 16 bytes, as RFC 5280 asks (unique per CA, unpredictable). */
function serial (): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  bytes[0]! &= 0x7f
  return Buffer.from(bytes).toString('hex')
}

/**
 * The CA kept in `dir`, or a new one written there: the key readable by its owner only (0600),
 * in a folder of the owner's only (0700); each file written whole (a temporary file renamed).
 */
async function loadOrMakeCa (lib: X509, dir: string): Promise<Ca> {
  const certPath = join(dir, CA_FILE)
  const keyPath = join(dir, CA_KEY_FILE)
  const read = async (path: string) => {
    try {
      return await readFile(path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new ConfigError(`Invalid --tls-dir: ${(err as Error).message}`)
    }
  }
  // A certificate without its key is of no use: a new CA replaces it.
  const pem = await read(certPath)
  const keyPem = pem === undefined ? undefined : await read(keyPath)
  if (pem !== undefined && keyPem !== undefined) {
    try {
      const cert = new lib.X509Certificate(pem)
      const key = await crypto.subtle.importKey('pkcs8', lib.PemConverter.decodeFirst(keyPem), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'])
      return { pem: cert.toString('pem'), key, cert }
    } catch (err) {
      throw new ConfigError(`Invalid --tls-dir: ${certPath} and ${keyPath} are not a CA this emulator made (${(err as Error).message}); remove them to make a new one`)
    }
  }
  const keys = await crypto.subtle.generateKey(SIGNING, true, ['sign', 'verify'])
  const now = Date.now()
  const cert = await lib.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=mrs-emulator local CA, O=mrs-emulator',
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + 3650 * DAY),
    signingAlgorithm: SIGNING,
    keys,
    extensions: [
      new lib.BasicConstraintsExtension(true, 0, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.keyCertSign | lib.KeyUsageFlags.cRLSign, true),
      await lib.SubjectKeyIdentifierExtension.create(keys.publicKey)
    ]
  })
  const certText = cert.toString('pem')
  const keyText = lib.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY')
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const write = async (path: string, text: string, mode: number) => {
      const temporary = `${path}.${process.pid}.tmp`
      await writeFile(temporary, text, { mode })
      await rename(temporary, path)
    }
    // The key first: a folder with a certificate has its key.
    await write(keyPath, keyText, 0o600)
    await write(certPath, certText, 0o644)
  } catch (err) {
    throw new ConfigError(`Invalid --tls-dir: ${(err as Error).message}`)
  }
  return { pem: certText, key: keys.privateKey, cert }
}
