// The seat map. Seats are buttons, but only those in view exist (plus the one the keyboard is on):
// a 100,000-seat event has a few thousand elements at a time, reused as the map scrolls. The state
// of every seat lives in one typed array; a change costs an array write, and a repaint of its button
// at the next frame only when that button is in view.

export const AVAILABLE = 0;
export const HELD = 1;
export const SOLD = 2;
export const STATE_NAMES = ['available', 'held', 'sold'];

export function stateOf(name) {
  return name === 'held' ? HELD : name === 'sold' ? SOLD : AVAILABLE;
}

const PITCH = 24; // px from one seat to the next (the seat is 20 px: see .seat in boxoffice.css)
const GUTTER = 44; // px left of a grid's seats, for the row labels
const OVERSCAN = 3; // rows and columns drawn beyond the edges, so that scrolling shows no gap

/** Row labels: 1 -> A, 26 -> Z, 27 -> AA (as the service names grid seats). */
export function rowLabel(n) {
  let label = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    label = String.fromCharCode(65 + r) + label;
    n = Math.floor((n - 1) / 26);
  }
  return label;
}

/** A grid event: rows x seatsPerRow seats, A1 A2 ... B1 ..., as laid out. */
export function gridLayout(rows, perRow) {
  const labels = [];
  const label = (row) => labels[row] || (labels[row] = rowLabel(row + 1));
  return {
    kind: 'grid',
    count: rows * perRow,
    rows,
    fixedColumns: perRow,
    idAt: (i) => label(Math.floor(i / perRow)) + (i % perRow + 1),
    rowName: (line) => label(line),
    describe: (i) => `Row ${label(Math.floor(i / perRow))}, seat ${i % perRow + 1}`,
    text: (i) => String(i % perRow + 1),
    indexOf(id) {
      let row = 0;
      let k = 0;
      for (; k < id.length; k++) {
        const c = id.charCodeAt(k);
        if (c < 65 || c > 90) {
          break;
        }
        row = row * 26 + (c - 64);
      }
      const seat = Number(id.slice(k));
      if (k === 0 || k === id.length || !Number.isInteger(seat) || row > rows || seat < 1 || seat > perRow) {
        return -1;
      }
      return (row - 1) * perRow + seat - 1;
    },
  };
}

/** An event made from a list of seat ids: no rows, the seats flow in the order of their ids (A2 before A10). */
export function listLayout(ids) {
  const sorted = [...ids].sort(new Intl.Collator('en', { numeric: true }).compare);
  const positions = new Map(sorted.map((id, i) => [id, i]));
  return {
    kind: 'list',
    count: sorted.length,
    fixedColumns: 0,
    idAt: (i) => sorted[i],
    rowName: () => '',
    describe: (i) => `Seat ${sorted[i]}`,
    text: () => '',
    indexOf: (id) => (positions.has(id) ? positions.get(id) : -1),
  };
}

export class SeatMap {
  /**
   * container: an empty element that scrolls (see .seatmap); onSelect(ids): the selection changed;
   * onRefused(id, state): a click on a seat that is not free.
   */
  constructor(container, { onSelect = () => {}, onRefused = () => {} } = {}) {
    this.container = container;
    this.onSelect = onSelect;
    this.onRefused = onRefused;
    this.space = document.createElement('div');
    this.space.className = 'seatmap-space';
    container.append(this.space);
    this.layout = null;
    this.states = new Uint8Array(0);
    this.counts = [0, 0, 0];
    this.selected = new Set();
    this.rendered = new Map(); // seat index -> its button
    this.free = []; // buttons out of view, to reuse
    this.labels = []; // row label elements, one per row in view
    this.dirty = new Set();
    this.active = 0; // the seat the keyboard is on: the one seat button in the tab order
    this.frame = 0;
    container.addEventListener('scroll', () => this.schedule(), { passive: true });
    container.addEventListener('click', (e) => this.clicked(e));
    container.addEventListener('keydown', (e) => this.key(e));
    new ResizeObserver(() => this.resized()).observe(container);
  }

  /** A new layout (first load, or an event whose seats changed): every seat available until load(). */
  setLayout(layout) {
    this.layout = layout;
    this.states = new Uint8Array(layout.count);
    this.counts = [layout.count, 0, 0];
    this.selected.clear();
    this.active = 0;
    for (const button of this.rendered.values()) {
      button.hidden = true;
      this.free.push(button);
    }
    this.rendered.clear();
    this.resized();
  }

  /** The whole map, {"A1": "available", ...}, as GET /events/{id}/seats gives it. */
  load(map) {
    const states = this.states;
    states.fill(AVAILABLE);
    for (const id in map) {
      const i = this.layout.indexOf(id);
      if (i >= 0) {
        states[i] = stateOf(map[id]);
      }
    }
    this.counts = [0, 0, 0];
    for (let i = 0; i < states.length; i++) {
      this.counts[states[i]]++;
    }
    const lost = [...this.selected].filter((i) => states[i] !== AVAILABLE);
    lost.forEach((i) => this.selected.delete(i));
    for (const i of this.rendered.keys()) {
      this.dirty.add(i);
    }
    this.schedule();
    if (lost.length > 0) {
      this.onSelect(this.selectedIds());
    }
  }

  /** One seat's new state from a change; false when the event has no such seat. */
  set(id, name) {
    const i = this.layout ? this.layout.indexOf(id) : -1;
    if (i < 0) {
      return false;
    }
    const state = stateOf(name);
    const old = this.states[i];
    if (old !== state) {
      this.counts[old]--;
      this.counts[state]++;
      this.states[i] = state;
      this.dirty.add(i);
      this.schedule();
      if (state !== AVAILABLE && this.selected.delete(i)) {
        this.onSelect(this.selectedIds());
      }
    }
    return true;
  }

  stateOf(id) {
    const i = this.layout ? this.layout.indexOf(id) : -1;
    return i < 0 ? undefined : STATE_NAMES[this.states[i]];
  }

  selectedIds() {
    return [...this.selected].sort((a, b) => a - b).map((i) => this.layout.idAt(i));
  }

  clearSelection() {
    this.selected.forEach((i) => this.dirty.add(i));
    this.selected.clear();
    this.schedule();
    this.onSelect([]);
  }

  /** Repaints at the next frame, or within 100 ms where frames do not come (a hidden tab). */
  schedule() {
    if (this.frame) {
      return;
    }
    const run = () => {
      if (this.frame) {
        this.frame = 0;
        this.render();
      }
    };
    this.frame = requestAnimationFrame(run);
    setTimeout(run, 100);
  }

  resized() {
    if (!this.layout) {
      return;
    }
    const l = this.layout;
    const width = this.container.clientWidth;
    this.columns = l.fixedColumns || Math.max(1, Math.floor((width - 8) / PITCH));
    this.lines = Math.ceil(l.count / this.columns);
    this.left = l.kind === 'grid' ? GUTTER : 4;
    this.space.style.width = `${this.left + this.columns * PITCH}px`;
    this.space.style.height = `${this.lines * PITCH + 4}px`;
    // a list reflows into another number of columns: every seat in view moves
    for (const [i, button] of this.rendered) {
      this.place(button, i);
    }
    this.schedule();
  }

  /** Makes the buttons of the seats in view (and the active one), repaints those that changed. */
  render() {
    if (!this.layout) {
      return;
    }
    const { columns, lines, left } = this;
    const count = this.layout.count;
    const c = this.container;
    const c0 = Math.max(0, Math.floor((c.scrollLeft - left) / PITCH) - OVERSCAN);
    const c1 = Math.min(columns - 1, Math.floor((c.scrollLeft + c.clientWidth - left) / PITCH) + OVERSCAN);
    const r0 = Math.max(0, Math.floor(c.scrollTop / PITCH) - OVERSCAN);
    const r1 = Math.min(lines - 1, Math.floor((c.scrollTop + c.clientHeight) / PITCH) + OVERSCAN);
    const inView = (i) => {
      const r = Math.floor(i / columns);
      const col = i % columns;
      return r >= r0 && r <= r1 && col >= c0 && col <= c1;
    };
    for (const [i, button] of this.rendered) {
      if (i !== this.active && !inView(i)) {
        this.rendered.delete(i);
        button.hidden = true;
        this.free.push(button);
      }
    }
    for (let r = r0; r <= r1; r++) {
      for (let col = c0; col <= c1; col++) {
        const i = r * columns + col;
        if (i < count && !this.rendered.has(i)) {
          this.show(i);
        }
      }
    }
    if (this.active < count && !this.rendered.has(this.active)) {
      this.show(this.active);
    }
    for (const i of this.dirty) {
      const button = this.rendered.get(i);
      if (button) {
        this.paint(button, i);
      }
    }
    this.dirty.clear();
    this.renderLabels(r0, r1);
    this.container.dispatchEvent(new CustomEvent('seatmap:painted'));
  }

  show(i) {
    let button = this.free.pop();
    if (!button) {
      button = document.createElement('button');
      button.type = 'button';
      this.space.append(button);
    }
    button.hidden = false;
    button.dataset.index = i;
    button.dataset.seat = this.layout.idAt(i);
    button.textContent = this.layout.text(i);
    this.place(button, i);
    this.paint(button, i);
    this.rendered.set(i, button);
  }

  place(button, i) {
    const x = this.left + (i % this.columns) * PITCH;
    const y = Math.floor(i / this.columns) * PITCH;
    button.style.transform = `translate(${x}px, ${y}px)`;
  }

  paint(button, i) {
    const state = this.states[i];
    const selected = this.selected.has(i);
    const name = STATE_NAMES[state];
    const className = `seat s-${name}${selected ? ' selected' : ''}`;
    if (button.className !== className) {
      button.className = className;
    }
    const label = `${this.layout.describe(i)}, ${selected ? 'selected' : name}`;
    if (button.getAttribute('aria-label') !== label) {
      button.setAttribute('aria-label', label);
      button.title = label;
      button.setAttribute('aria-pressed', String(selected));
      button.setAttribute('aria-disabled', String(state !== AVAILABLE));
    }
    button.tabIndex = i === this.active ? 0 : -1;
  }

  /** Row labels of a grid, kept at the left edge of the view whatever the horizontal scroll. */
  renderLabels(r0, r1) {
    if (this.layout.kind !== 'grid') {
      this.labels.forEach((label) => (label.hidden = true));
      return;
    }
    let k = 0;
    for (let r = r0; r <= r1; r++, k++) {
      let label = this.labels[k];
      if (!label) {
        label = document.createElement('span');
        label.className = 'rowlabel';
        label.setAttribute('aria-hidden', 'true');
        this.space.append(label);
        this.labels.push(label);
      }
      label.hidden = false;
      const text = this.layout.rowName(r);
      if (label.textContent !== text) {
        label.textContent = text;
      }
      const transform = `translate(${this.container.scrollLeft}px, ${r * PITCH}px)`;
      if (label.dataset.at !== transform) {
        label.dataset.at = transform;
        label.style.transform = transform;
      }
    }
    for (; k < this.labels.length; k++) {
      this.labels[k].hidden = true;
    }
  }

  clicked(e) {
    const button = e.target.closest('button.seat');
    if (!button || !this.space.contains(button)) {
      return;
    }
    const i = Number(button.dataset.index);
    this.moveTo(i, false);
    if (this.states[i] !== AVAILABLE) {
      this.onRefused(this.layout.idAt(i), STATE_NAMES[this.states[i]]);
      return;
    }
    if (!this.selected.delete(i)) {
      this.selected.add(i);
    }
    this.dirty.add(i);
    this.render();
    this.onSelect(this.selectedIds());
  }

  key(e) {
    const button = e.target.closest('button.seat');
    if (!button || e.altKey || e.ctrlKey || e.metaKey) {
      return;
    }
    const i = Number(button.dataset.index);
    const cols = this.columns;
    const pageRows = Math.max(1, Math.floor(this.container.clientHeight / PITCH) - 1);
    const rowStart = i - (i % cols);
    const moves = {
      ArrowRight: i + 1,
      ArrowLeft: i - 1,
      ArrowDown: i + cols,
      ArrowUp: i - cols,
      Home: rowStart,
      End: Math.min(rowStart + cols - 1, this.layout.count - 1),
      PageDown: i + pageRows * cols,
      PageUp: i - pageRows * cols,
    };
    if (!(e.key in moves)) {
      return;
    }
    e.preventDefault();
    const target = Math.max(0, Math.min(this.layout.count - 1, moves[e.key]));
    this.moveTo(target, true);
  }

  /** Puts the keyboard on seat i (it gets the tab stop), and the focus too when asked. */
  moveTo(i, focus) {
    const previous = this.active;
    this.active = i;
    this.dirty.add(previous);
    this.dirty.add(i);
    this.render();
    const button = this.rendered.get(i);
    if (focus && button) {
      button.focus();
    }
  }
}
