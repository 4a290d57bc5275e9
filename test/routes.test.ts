import { runTogether } from './together.js'

await runTogether(new URL('./routes/', import.meta.url))
