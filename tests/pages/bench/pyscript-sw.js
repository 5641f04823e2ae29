// PyScript 0.7.31's service-worker fallback for the relay benchmark: coincident's sabayon
// service worker (the one `@pyscript/core` expects as `serviceWorker`), loaded from
// /node_modules. It sits here so that its scope (/bench/) covers the benchmark pages;
// sabayon answers `POST <this script's URL>?sabayon` from the workers of those pages.
importScripts("/node_modules/coincident/dist/sw.js");
