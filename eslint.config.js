import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The simulator is a peer on the wire: it may import the shared codecs (src/wire), the
 * clock and the logger, never the account's code. One block per folder depth, since a
 * relative path leaves src/simulator after as many `../` as the file is deep.
 */
const SIMULATOR_MAY_IMPORT = '(?!wire/|clock/|sqlite/|log/logger\\.ts$)';
const simulatorImports = [0, 1, 2, 3].map((depth) => ({
  files: [`src/simulator/${'*/'.repeat(depth)}*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^(\\.\\./){${depth + 1}}${SIMULATOR_MAY_IMPORT}`,
            message:
              'the simulator talks to the account only over HTTP: import only src/wire, src/clock, src/sqlite and src/log/logger.ts from outside src/simulator',
          },
          {
            regex: '^(/|src/)',
            message: 'the simulator imports by relative path, and never the account',
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['node_modules', 'data', 'coverage', 'bench/.tmp'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'no-console': 'off',
    },
  },
  ...simulatorImports,
);
