#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI itself is TypeScript, compiled to dist/ by `npm run build`.
const { main } = require('../dist/cli/main.js');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`jupyterlab-seed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
);
