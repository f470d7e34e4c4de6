// ESLint: typescript-eslint's recommended rules with type information, over the sources, the tests and the
// bench. Formatting is Prettier's (`npm run format`), not ESLint's.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['lib/', '.bench/', 'dist/', 'node_modules/', 'templates/', 'temp/', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.dev.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // The manifests are untyped JSON: KubeObject's fields beyond metadata are `unknown` or `any` by design
      // (a spec is read field by field with the checks' own guards), so the no-unsafe-* family would flag every
      // read of a parsed manifest (some 2,500 places). They are off rather than warnings: `npm run lint` allows
      // no warning, and a warning nobody can act on hides the ones that matter.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // An async method that implements a Promise-returning interface (a KubeClient, cdk8s's validation plugin)
      // need not await anything; requiring it would mean wrapping values in Promise.resolve by hand.
      '@typescript-eslint/require-await': 'off',
      // A require() inside a function defers a load (apps/names.ts, the client-node bundle, the bench): module
      // level imports are ES imports everywhere, and TypeScript already refuses import = require().
      '@typescript-eslint/no-require-imports': 'off',
      // A ConnectionSet prints itself (`TCP 80,443`) in connection lines, as netpol-analyzer writes them.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allow: [{ from: 'file', name: 'ConnectionSet', path: 'src/traffic/ports.ts' }], allowNumber: true },
      ],
      // `_name` marks a parameter an interface requires but this implementation does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // expect(obj.method).toHaveBeenCalled() and jest's mocks pass methods around unbound on purpose.
      '@typescript-eslint/unbound-method': 'off',
      // Tests strip the ANSI escapes of terminal output.
      'no-control-regex': 'off',
    },
  },
);
