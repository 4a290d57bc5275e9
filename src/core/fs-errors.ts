/** Words for the errors a disk gives, so that a log line or an answer says what to fix. */
const FS_ERRORS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  EIO: 'input/output error',
  ELOOP: 'too many symbolic links'
}

export function describeFsError (err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code
  if (code === undefined) return String((err as Error).message)
  const words = FS_ERRORS[code]
  return words === undefined ? code : `${code} (${words})`
}
