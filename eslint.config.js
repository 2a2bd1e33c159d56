// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const services = readdirSync(join(import.meta.dirname, 'services'));

/**
 * Service boundaries: a service reaches another only through its package entry (`@emporium/<name>`),
 * never by a relative path into its folder nor by a deep import; production code never imports a sandbox.
 */
const boundaries = {
  plugins: { 'import-x': importX },
  settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.js'] } } },
  rules: {
    'import-x/no-restricted-paths': [
      'error',
      {
        zones: services.map((name) => ({
          target: `./services/${name}`,
          from: './services',
          except: [`./${name}`],
          message: 'Import another service through its package entry (@emporium/<name>), not its files.',
        })),
      },
    ],
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: '^@emporium/(?!platform/testing$)[^/]+/.+',
            message: 'Import a package through its entry, not a file inside it.',
          },
        ],
      },
    ],
  },
};

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
  { files: ['services/**/*.ts', 'apps/**/*.ts', 'packages/**/*.ts'], ...boundaries },
  {
    files: ['services/**/*.ts', 'apps/**/*.ts', 'packages/**/*.ts'],
    ignores: ['**/*.test.ts', '**/testing/**', '**/scripts/**', '**/*test-support*', '**/test-harness.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^@emporium/(?!platform/testing$)[^/]+/.+',
              message: 'Import a package through its entry, not a file inside it.',
            },
            { regex: '^@emporium/sandbox-', message: 'Production code never imports a sandbox.' },
            { regex: '^@emporium/platform/testing$', message: 'Test support stays out of production code.' },
          ],
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
