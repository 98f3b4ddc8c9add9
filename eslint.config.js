// ESLint flat config: typescript-eslint's recommended rules, type-aware. The program is
// tsconfig.test.json, which covers src/, test/ and vitest.config.ts (`npm run lint` also
// runs `tsc -p tsconfig.test.json`, so the tests are type-checked as well as linted).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'report/', 'kernel/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Commands and sections implement interfaces whose methods return a Promise; an
      // `async` body without `await` is the deliberate way to turn a throw into a rejection.
      '@typescript-eslint/require-await': 'off',
      // `_name` marks a parameter an interface requires but this implementation ignores.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests read reference values that R and SciPy wrote to test/reference/*.json, and
      // the JSON the CLI prints, as untyped data: the assertions themselves check its shape.
      // Typing every reference file would repeat each test's expectations in a type.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
