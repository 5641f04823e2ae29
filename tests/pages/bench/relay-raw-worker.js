// relay-raw.html's worker: `calls` synchronous XHRs that relay-raw-sw.js answers at once
// (after `warmUp` untimed ones); posts the mean microseconds per call.
onmessage = ({ data }) => {
  const call = (i) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/bench/__raw_relay__/${i}`, false);
    xhr.send();
    if (xhr.status !== 200 || xhr.responseText !== String(i + 1)) {
      throw new Error(`the floor's service worker answered ${xhr.status} ${xhr.responseText}`);
    }
  };
  try {
    for (let i = 0; i < data.warmUp; i += 1) call(i);
    const started = performance.now();
    for (let i = 0; i < data.calls; i += 1) call(i);
    postMessage({ syncMicros: ((performance.now() - started) / data.calls) * 1000 });
  } catch (error) {
    postMessage({ error: String(error) });
  }
};
