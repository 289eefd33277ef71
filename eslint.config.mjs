// ESLint for the TypeScript of the frontend (src/), the Node side (kernel/) and the UI tests.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'lib/',
      'dist/',
      'labextension/',
      'lab/build/',
      'lab/node_modules/',
      'lab/static/',
      '.cache/',
      'models/**/work/',
      'ui-tests/artifacts/'
    ]
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-namespace': 'off',
      eqeqeq: ['error', 'smart'],
      'prefer-const': 'error'
    }
  },
  {
    // kernel/runtime/onnxruntime.ts is the one door to ONNX Runtime (it turns telemetry off before it starts)
    files: ['kernel/**/*.ts'],
    ignores: ['kernel/runtime/onnxruntime.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          name: 'onnxruntime-node',
          message:
            'Import { ort } from kernel/runtime/onnxruntime.ts (it sets what must hold before ONNX Runtime starts).'
        }
      ]
    }
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly'
      }
    },
    rules: {
      '@typescript-eslint/no-require-imports': 'off'
    }
  }
);
