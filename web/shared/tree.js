// The FFI's tree operation (rustpy_bridge::ffi::op::TREE): a new DOM element and everything
// inside it, made from one value (`pyscript.web`'s queued elements).

import { FfiError } from "./ffi-error.js";
import { TREE_CHANGE } from "./wire.js";

/**
 * A new element of the document from a tree operation's spec (rustpy_bridge::ffi::op::TREE),
 * already converted from the wire: `[tag, change...]`, a change being a text, a child's
 * spec, a node, or `[kind, operands...]` (TREE_CHANGE).
 */
export function makeTree(spec) {
  if (!Array.isArray(spec) || typeof spec[0] !== "string") {
    throw new FfiError("TypeError", "a tree operation's spec is [tag, change...]");
  }
  const element = document.createElement(spec[0]);
  if (spec.length === 2 && typeof spec[1] === "string") {
    element.textContent = spec[1]; // `td("text")`: one write
    return element;
  }
  for (let i = 1; i < spec.length; i += 1) {
    const change = spec[i];
    if (typeof change === "string") element.append(change);
    else if (!Array.isArray(change)) element.append(change); // a node made before
    else if (typeof change[0] === "string") element.append(makeTree(change));
    else applyChange(element, change);
  }
  return element;
}

/** Runs one `[kind, operands...]` change of a tree operation's spec on `element`. */
function applyChange(element, [kind, first, second]) {
  switch (kind) {
    case TREE_CHANGE.TEXT:
      element.append(first);
      return;
    case TREE_CHANGE.HTML:
      element.insertAdjacentHTML("beforeend", first);
      return;
    case TREE_CHANGE.SET:
      element[first] = second;
      return;
    case TREE_CHANGE.CLASS_ADD:
      element.classList.add(...first);
      return;
    case TREE_CHANGE.CLASS_REMOVE:
      element.classList.remove(...first);
      return;
    case TREE_CHANGE.STYLE:
      element.style.setProperty(first, second);
      return;
    case TREE_CHANGE.UNSTYLE:
      element.style.removeProperty(first);
      return;
    case TREE_CHANGE.LISTEN:
      element.addEventListener(first, second);
      return;
    case TREE_CHANGE.CALL:
      element[first](...second);
      return;
  }
  throw new FfiError("TypeError", `unknown change ${JSON.stringify(kind)} in a tree operation's spec`);
}
