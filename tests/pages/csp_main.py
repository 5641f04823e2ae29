from pyscript import document

document.querySelector("#from-src").textContent = "src ran"
