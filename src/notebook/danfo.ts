/**
 * danfo.js for a notebook, loaded in a fraction of the time: `loadDanfo()` returns the `danfojs-node` module with
 * three of its dependencies deferred until danfo first uses them.
 *
 * `require("danfojs-node")` takes about a second on a 2-core machine, most of it in modules a lab's tables never
 * touch: mathjs (about 900 files; danfo calls it for `median`, `std`, `variance`, `mode`, `describe`), xlsx
 * (Excel files) and request (CSV or JSON from a URL). danfo reads each of them through a property at call time
 * (`mathjs_1.median(…)`, `request_1.default(…)`), so a stand-in whose properties load the real module on first use
 * behaves the same: the first `df.std()` or `readExcel(…)` pays for its module, and everything else never does.
 *
 * This file is not re-exported by `./index`: its declarations refer to danfo's, which are large (they pull in
 * plotly's types), and a notebook type-checks every later cell against all it imported. Import it in the cell that
 * uses danfo: `import { loadDanfo } from "./ep-lab/notebook/danfo"`.
 */
import * as fs from "fs";
import * as path from "path";
import Module = require("module");
import { createRequire } from "module";

/** The `danfojs-node` module (its types). */
export type Danfo = typeof import("danfojs-node");

/**
 * The dependencies of danfo that {@link loadDanfo} defers, with what danfo uses them for and whether the real
 * module marks itself `__esModule` (a stand-in answers that property without loading the module, because
 * TypeScript's `__importDefault` helper reads it while danfo loads).
 */
export const DEFERRED_DANFO_DEPENDENCIES: readonly { name: string; usedFor: string; esModule: boolean }[] = Object.freeze([
  { name: "mathjs", usedFor: "median, mode, std, variance and describe", esModule: true },
  { name: "xlsx", usedFor: "readExcel and toExcel", esModule: false },
  { name: "request", usedFor: "readCSV and readJSON from a URL", esModule: false },
]);

let loaded: Danfo | undefined;

/**
 * Load `danfojs-node` with mathjs, xlsx and request deferred until danfo first uses them (see the module comment).
 * Idempotent: later calls return the same module. When danfo or one of those modules was already loaded, nothing is
 * deferred and this is a plain `require`.
 * @returns the `danfojs-node` module, the same object `import * as dfd from "danfojs-node"` gives
 * @throws {Error} when danfojs-node is not installed (`npm install` in the ep-lab folder)
 * @example
 * const dfd = loadDanfo();
 * new dfd.DataFrame([{ a: 1 }, { a: 3 }]).shape; // [2, 1]
 */
export function loadDanfo(): Danfo {
  if (loaded) return loaded;
  let main: string;
  try {
    main = require.resolve("danfojs-node");
  } catch {
    throw new Error("danfojs-node is not installed: run `npm install` in the ep-lab folder, then restart the kernel");
  }
  if (require.cache[main] === undefined) {
    const fromDanfo = createRequire(main);
    for (const dep of DEFERRED_DANFO_DEPENDENCIES) {
      let file: string;
      try {
        file = fromDanfo.resolve(dep.name);
      } catch {
        continue; // not installed: danfo's own require reports it
      }
      if (require.cache[file] === undefined && fs.existsSync(file)) installDeferred(file, dep.esModule);
    }
  }
  loaded = require(main) as Danfo;
  return loaded;
}

/**
 * Put a stand-in for the CommonJS module `file` into Node's module cache: an object whose every use (reading,
 * listing or testing a property, calling it, `new`) first loads the real module, then forwards to it.
 * @param file absolute path of the module's main file
 * @param esModule what the stand-in answers for `__esModule` without loading the module
 * @returns the stand-in
 * @throws {TypeError} for a non-string or relative `file`; {RangeError} when `file` is already loaded
 * @example
 * const m = installDeferred(require.resolve("xlsx"), false); // nothing loaded yet
 * typeof m.read; // "function": xlsx loads here
 */
export function installDeferred(file: string, esModule: boolean): Record<string | symbol, unknown> {
  if (typeof file !== "string" || !path.isAbsolute(file)) throw new TypeError(`file must be an absolute path, got ${JSON.stringify(file)}`);
  if (typeof esModule !== "boolean") throw new TypeError(`esModule must be true or false, got ${JSON.stringify(esModule)}`);
  if (require.cache[file] !== undefined) throw new RangeError(`file ${file} is already loaded: a stand-in would hide it`);
  let real: Record<string | symbol, unknown> | undefined;
  const load = (): Record<string | symbol, unknown> => {
    if (real === undefined) {
      if (require.cache[file]?.exports === standIn) delete require.cache[file];
      real = require(file) as Record<string | symbol, unknown>;
    }
    return real;
  };
  // An arrow function as the target: callable, and it has no non-configurable own properties to keep in sync.
  const target = (() => undefined) as unknown as Record<string | symbol, unknown>;
  const standIn = new Proxy(target, {
    get: (_t, key) => (key === "__esModule" && real === undefined ? esModule : Reflect.get(load(), key)),
    has: (_t, key) => key in load(),
    ownKeys: () => Reflect.ownKeys(load()),
    getOwnPropertyDescriptor: (_t, key) => {
      const d = Reflect.getOwnPropertyDescriptor(load(), key);
      return d && { ...d, configurable: true };
    },
    set: (_t, key, value) => Reflect.set(load(), key, value),
    apply: (_t, self, args) => Reflect.apply(load() as unknown as (...a: unknown[]) => unknown, self, args),
    construct: (_t, args) => Reflect.construct(load() as unknown as new (...a: unknown[]) => object, args),
  });
  const m = new Module(file);
  m.filename = file;
  m.loaded = true;
  m.exports = standIn;
  require.cache[file] = m;
  return standIn;
}
