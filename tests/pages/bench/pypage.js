// The page-side-Python benchmark's driver (pypage-*.html): hands `pypage-main.py` its
// setup in `window.pypageSetup`, adds the main-thread script tag (`tag`: its type and
// config), then loads the contender (`load()`: PyScript reads its main scripts' config as
// it loads, so the tag comes first), and publishes what the script reports, within a
// bound.
import { callCount, publish, within } from "./bench.js";

/// Worker→page `sync.add` calls per call of `run(n)`, DOM reads per `dataset_reads(n)`,
/// pings per ping call: the bridge and DOM sections' sizes.
const SIZES = { syncCalls: 2000, domReads: 2000, pings: 500 };

/// Runs `pypage-main.py` as a main-thread script of `tag.type` (`tag.config` as its config
/// attribute) starting a worker of `workerType` (`version`: the peers' interpreter URL,
/// absolute because their workers run from a blob: URL).
export async function runPythonPage({ tag, workerType, version, load }) {
  const done = new Promise((resolve, reject) => {
    window.pypageDone = resolve;
    window.pypageFailed = (message) => reject(new Error(`the page's Python: ${message}`));
  });
  await publish(600_000, async () => {
    window.pypageSetup = { worker: "pypage-worker.py", type: workerType, version, ...callCount(), ...SIZES };
    const script = document.createElement("script");
    script.type = tag.type;
    if (tag.config) script.setAttribute("config", JSON.stringify(tag.config));
    script.src = "pypage-main.py";
    document.body.append(script);
    await load();
    return JSON.parse(await within(590_000, "the page's Python", done));
  });
  // For a look by hand (`chromium --enable-logging=stderr`): the outcome on the console.
  console.log(`pypage: ${JSON.stringify(window.benchResult)}`);
}
