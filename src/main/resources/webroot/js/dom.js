// Building elements without HTML: text from the API (names, venues, ids) only ever becomes text nodes
// or attribute values, never markup.

/**
 * el('a', { href: '/ui/', class: 'home' }, 'Boxoffice', child...): attributes by setAttribute (never a
 * "style" or "on..." one), children as nodes or text.
 */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name === 'style' || name.startsWith('on')) {
      throw new Error(`el(): ${name} is not set this way`);
    }
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) {
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return element;
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** Shows an error's detail (or nothing) in a role="alert" element. */
export function showError(element, err) {
  element.textContent = err ? (err.message || String(err)) : '';
  element.hidden = !err;
}

export const number = new Intl.NumberFormat('en');
