// Small helpers for building the page. Text always goes in as text (textContent), never as
// markup, so nothing a message or a name holds can become script.

/** @template {HTMLElement} T @param {string} id @returns {T} */
export function byID(id) {
  const found = document.getElementById(id);
  if (!found) throw new Error("the page has no #" + id);
  return /** @type {T} */ (found);
}

/**
 * @param {string} tag @param {{className?: string, text?: string, attributes?: Record<string, string>}} [options] @param {Node[]} [children]
 * @returns {HTMLElement}
 */
export function make(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attributes ?? {})) node.setAttribute(name, value);
  for (const child of children) node.appendChild(child);
  return node;
}

/** @param {HTMLElement} node */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/**
 * A time as the person's locale shows hours and minutes.
 * @param {number} milliseconds
 */
export function clockTime(milliseconds) {
  return new Date(milliseconds).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}
