import { runTogether } from './together.js'

await runTogether(new URL('./core/', import.meta.url))
