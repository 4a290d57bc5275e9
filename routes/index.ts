import { healthRoutes } from './emulator/health.js'
import { iamSyncRoutes } from './iam-sync.js'
import { iamSyncUserRoutes } from './iam-sync-user.js'

/** The emulated API: the five IAM Synchronization operations. Auth applies to these only. */
export const apiRoutes = [iamSyncUserRoutes, iamSyncRoutes]

/** The control plane under /_emulator/: never authenticated as the API is. */
export const emulatorRoutes = [healthRoutes]
