import { clusterRoutes } from './emulator/clusters.js'
import { faultRoutes } from './emulator/faults.js'
import { healthRoutes } from './emulator/health.js'
import { openapiRoutes } from './emulator/openapi.js'
import { requestRoutes } from './emulator/requests.js'
import { resetRoutes } from './emulator/reset.js'
import { stateRoutes } from './emulator/state.js'
import { timeRoutes } from './emulator/time.js'
import { uiRoutes } from './emulator/ui.js'
import { iamRoutes } from './iam.js'
import { iamSyncRoutes } from './iam-sync.js'
import { iamSyncUserRoutes } from './iam-sync-user.js'

/** The emulated API: the five IAM Synchronization operations, and IAM. Auth and faults apply to these only. */
export const apiRoutes = [iamSyncUserRoutes, iamSyncRoutes, iamRoutes]

/** Liveness, readiness and the dashboard's files: open even when an admin token is set. */
export const probeRoutes = [healthRoutes, uiRoutes]

/** The control plane under /_emulator/: behind the admin token when one is set. */
export const controlRoutes = [resetRoutes, stateRoutes, timeRoutes, clusterRoutes, faultRoutes, requestRoutes, openapiRoutes]
