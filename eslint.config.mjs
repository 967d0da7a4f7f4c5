import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.tap/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', URL: 'readonly', queueMicrotask: 'readonly', structuredClone: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['scripts/**', 'bench/**', 'test/**', '**/*.test.ts', '**/cli/**', '**/sim/main.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // The ops page runs in the browser.
    files: ['control-plane/web/**/*.js'],
    languageOptions: { globals: Object.fromEntries(['window', 'document', 'location', 'localStorage', 'sessionStorage', 'CustomEvent', 'AbortController', 'TextDecoderStream'].map((g) => [g, 'readonly'])) },
  },
);
