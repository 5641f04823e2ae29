from pyscript import document

document.querySelector("#worker-from-src").textContent = "worker src ran"
