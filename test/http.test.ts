import { runTogether } from './together.js'

await runTogether(new URL('./http/', import.meta.url))
