// Shows each app's source beside it: every <pre data-source="file"> gets that file's text,
// fetched from the same URL the app runs it from.
for (const pre of document.querySelectorAll("pre[data-source]")) {
  const file = pre.dataset.source;
  fetch(file)
    .then((response) => (response.ok ? response.text() : Promise.reject(new Error(`HTTP ${response.status}`))))
    .then((text) => {
      pre.textContent = text;
      pre.dataset.loaded = "true";
    })
    .catch((error) => {
      pre.textContent = `could not load ${file}: ${error.message}`;
    });
}
