// Lint for `npm test`: typescript-eslint's recommended rules (syntactic only;
// docs/dependencies.md has the measured reasons) and import cycles, which
// keep the layers one-way.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { noImportCycle } from './scripts/lint/no-import-cycle.js';

/** An `eslint-disable…` comment must give its reason on the same line: `// eslint-disable-line rule -- why`. */
const disableNeedsReason = {
  meta: { type: 'suggestion', schema: [], messages: { why: 'say why on the same line: eslint-disable… rule -- reason' } },
  create(context) {
    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          if (/^\s*eslint-disable/.test(comment.value) && !/\s--\s+\S/.test(comment.value)) context.report({ loc: comment.loc, messageId: 'why' });
        }
      },
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'dist-check/**', 'coverage/**', '.tap/**', 'node_modules/**'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    plugins: { sif: { rules: { 'disable-needs-reason': disableNeedsReason, 'no-import-cycle': noImportCycle } } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'sif/no-import-cycle': 'error',
      'sif/disable-needs-reason': 'error',
      // `_name` marks a value left out on purpose (a destructured field dropped, a callback argument).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `[line, rest] = f(rest)` reassigns one of the two; splitting it would only add a name.
      'prefer-const': ['error', { destructuring: 'all' }],
      // Tests match column-aligned output as it is printed; `/a  b/` reads better than `/a {2}b/`.
      'no-regex-spaces': 'off',
    },
  },
);
