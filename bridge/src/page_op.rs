//! Page operations: what main-thread Python asks of the page's JavaScript beyond the FFI
//! (`pyscript.PyWorker`, `pyscript.workers`): `[name, args...]` as a wire list, answered
//! with a wire value, or a promise of one where the operation waits (`pageOps` in
//! `web/page/main-thread.js` runs them; `_rustpy_page.op` in Python sends them, through
//! `main-entry`). Workers are named by a handle to their `PyWorker` object.

wire_names! {
    /// `[src, config, name, service_worker]`: starts a `PyWorker`; answers its handle.
    WORKER_NEW = "worker_new";
    /// `[worker]`: settles when the worker's script has run (its `ready`).
    WORKER_READY = "worker_ready";
    /// `[worker, name, args]`: calls the worker's export `name`; answers its result.
    WORKER_CALL = "worker_call";
    /// `[worker, name, function id]`: offers a registered Python function of the page as
    /// `worker.sync.<name>`.
    WORKER_SET_SYNC = "worker_set_sync";
    /// `[worker]`: `terminate()`.
    WORKER_TERMINATE = "worker_terminate";
    /// `[worker, timeout seconds or None]`: `interrupt()`; answers whether Python took it.
    WORKER_INTERRUPT = "worker_interrupt";
    /// `[worker]`: `restart()`; settles when the worker runs again.
    WORKER_RESTART = "worker_restart";
    /// `[name]`: the named worker (`pyscript.workers[name]`), once it exists; answers its
    /// handle.
    WORKERS_GET = "workers_get";
    /// `[name, key, function id]`: offers a registered Python function of the page to the
    /// named worker, whether or not it exists yet (`workers[name].sync.<key> = f`).
    WORKERS_SET_SYNC = "workers_set_sync";
}
