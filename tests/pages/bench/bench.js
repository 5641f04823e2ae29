// Shared driver of the bridge benchmark pages: given a started worker facade with
// `sync.add` settable and `sync.run(n)` / `sync.ping()` callable, measure both directions.
export async function measure(worker, { syncCalls = 2000, pings = 500 } = {}) {
  await worker.sync.run(100); // warm-up
  const syncMicros = await worker.sync.run(syncCalls);
  for (let i = 0; i < 50; i += 1) await worker.sync.ping();
  const started = performance.now();
  for (let i = 0; i < pings; i += 1) await worker.sync.ping();
  const pingMicros = ((performance.now() - started) / pings) * 1000;
  return { syncMicros: Number(syncMicros), pingMicros };
}
