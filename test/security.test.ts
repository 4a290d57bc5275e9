import { runTogether } from './together.js'

await runTogether(new URL('./security/', import.meta.url))
