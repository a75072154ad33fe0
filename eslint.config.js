import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The simulator is a peer on the wire: it may import the shared codecs (src/wire), the
 * clock, the logger, the database kits (src/sqlite, src/pg) and the web kit (src/web: pages, sign-in, assets), never the account's code. One block per folder depth, since a
 * relative path leaves src/simulator after as many `../` as the file is deep.
 */
const SIMULATOR_MAY_IMPORT = '(?!wire/|clock/|sqlite/|pg/|web/|log/logger\\.ts$)';
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
              'the simulator talks to the account only over HTTP: import only src/wire, src/clock, src/sqlite, src/pg, src/web and src/log/logger.ts from outside src/simulator',
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

/** The web kit is shared with the simulator, so it imports nothing outside src/web. */
const webImports = {
  files: ['src/web/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: '^\\.\\./',
            message:
              'src/web is shared by the account and the simulator: it imports nothing outside it',
          },
        ],
      },
    ],
  },
};

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
  webImports,
);
