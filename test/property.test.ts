import { runTogether } from './together.js'

await runTogether(new URL('./property/', import.meta.url))
