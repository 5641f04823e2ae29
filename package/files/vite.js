// rustpy's Vite plugin: `import rustpy from "rustpy/vite"`, then `plugins: [rustpy()]`.
//
// Vite bundles rustpy's worker and rewrites the wasm module's URL by itself (rustpy.js
// writes both as `new URL("./x", import.meta.url)`). What it cannot do is the lazy stdlib:
// a folder of files fetched by name at run time. In a build, this plugin copies that
// folder (`library/`) next to the output file that holds rustpy's loader, where the
// loader looks for it. In `vite dev` it keeps rustpy out of the dependency pre-bundling,
// which would move rustpy.js away from its files.
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";

const LIBRARY = fileURLToPath(new URL("./library/", import.meta.url));
const LOADER = fileURLToPath(new URL("./rustpy.js", import.meta.url));

/** The files under `dir`, as paths relative to it (with `/`). */
async function filesUnder(dir, prefix = "") {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const relative = prefix + entry.name;
    if (entry.isDirectory()) found.push(...(await filesUnder(path.join(dir, entry.name), relative + "/")));
    else if (!/\.(br|gz)$/.test(entry.name)) found.push(relative);
  }
  return found;
}

/** Whether two module ids name the same file (ids may carry a query). */
const sameFile = (id, file) => path.resolve(id.split("?")[0]) === file;

export default function rustpy() {
  return {
    name: "rustpy",
    config: () => ({ optimizeDeps: { exclude: ["rustpy"] } }),
    async generateBundle(_options, bundle) {
      const holders = Object.values(bundle).filter(
        (file) => file.type === "chunk" && (file.moduleIds ?? Object.keys(file.modules ?? {})).some((id) => sameFile(id, LOADER)),
      );
      if (holders.length === 0) return; // this build (a worker's) does not hold the loader
      const names = await filesUnder(LIBRARY);
      for (const folder of new Set(holders.map((chunk) => path.posix.dirname(chunk.fileName)))) {
        for (const name of names) {
          this.emitFile({
            type: "asset",
            fileName: path.posix.join(folder, "library", name),
            source: await readFile(path.join(LIBRARY, name)),
          });
        }
      }
    },
  };
}
