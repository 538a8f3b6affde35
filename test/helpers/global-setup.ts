/**
 * vitest global setup: the notebooks import the library's build (dist/, `./ep-lab/<module>`), so build it first
 * when it is missing or older than src/ — the same check `npm start` and `npm run labs` make.
 */
import { ensureLibraryBuilt } from "../../src/jupyter/build";

export default function setup(): void {
  ensureLibraryBuilt(undefined, { log: (l) => console.log(`[global setup] ${l}`) });
}
