// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '.scratch*/**',
      '**/node_modules/**',
      '**/dist/**',
      '.data/**',
      'bench/results/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through the platform config module.',
        },
      ],
    },
  },
  {
    files: [
      'packages/platform/src/config/**',
      'packages/platform/src/testing.ts',
      'bench/**',
      '**/*.test.ts',
      'vitest.config.ts',
      'e2e/**',
      '**/cli.ts',
      '**/scripts/**',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
);
