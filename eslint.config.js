// ESLint: typescript-eslint's strict type-checked rules over src, test, bench and scripts; formatting is
// Prettier's (eslint-config-prettier turns off the rules that would fight it).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'fixtures/app/', 'test-results/', 'reports/', 'playwright-report/', 'test/fixtures/', '.dependency-cruiser.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  prettier,
  {
    languageOptions: { parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Numbers in messages are the norm here ("RTO 2355 ms"), and so is saying that a value is missing
      // ("exit null", "primary undefined" in a failed assertion); objects and arrays still must be formatted.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true, allowAny: false, allowRegExp: false, allowNever: false }],
      // `x!` after a check the compiler cannot follow (array index, map get after has) is how this code base says "known present".
      '@typescript-eslint/no-non-null-assertion': 'off',
      // drill looks for control characters in untrusted input on purpose (binary junk in a drill file, in a report).
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // The report reads result.json files from disk (any drill version, possibly damaged): its types say what
    // a result should hold, and its checks are there because a file may not.
    files: ['src/report/**/*.ts'],
    rules: { '@typescript-eslint/no-unnecessary-condition': 'off', '@typescript-eslint/no-unnecessary-type-conversion': 'off', '@typescript-eslint/no-base-to-string': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      // Tests read the CLI's JSON output (JSON.parse gives any) and assert on its shape; a wrong guess fails the test.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Tests set and restore environment variables by name.
      '@typescript-eslint/no-dynamic-delete': 'off',
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
