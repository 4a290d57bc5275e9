// The house style: neostandard (standard's rules for modern JavaScript and TypeScript), as Fastify uses it.
import neostandard from 'neostandard'

export default [
  { ignores: ['dist/**', 'coverage/**', '.tap/**', 'test/sdk/java/target/**'] },
  ...neostandard({ ts: true }),
  {
    rules: {
      // `void promise` marks a promise deliberately not awaited (a callback API's continuation).
      'no-void': ['error', { allowAsStatement: true }],
      // Loops that wait for another callback to change their condition (`while (running) await …`).
      'no-unmodified-loop-condition': 'off',
      // A TypeBox schema and its Static type share one name; TypeScript itself checks redeclarations.
      '@typescript-eslint/no-redeclare': 'off'
    }
  },
  {
    // The dashboard's modules run in the browser.
    files: ['src/ui/**/*.js'],
    languageOptions: { globals: { Node: 'readonly' } }
  }
]
