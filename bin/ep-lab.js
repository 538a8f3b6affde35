#!/usr/bin/env node
// Entry point of the `ep-lab` command. The library is TypeScript; tsx compiles it on the fly so
// the command, the notebooks and the tests all run the same live sources in src/.
"use strict";
require("tsx/cjs");
const { main } = require("../src/cli/main.ts");
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err && err.stack ? err.stack : String(err)); process.exitCode = 1; },
);
