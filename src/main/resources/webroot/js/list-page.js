// The events page, /ui/: the events, newest first, with their counts (read again every few seconds),
// and a form that creates one.

import { ApiError, eventPath, get, post, ID_PATTERN } from './api.js';
import { $, el, number, showError } from './dom.js';

const PAGE = 20;
const REFRESH_MS = 5000;
const tbody = $('#events tbody');
const listError = $('#list-error');
let next = null;
let shown = 0;

function row(event) {
  const link = el('a', { href: `/ui/events/${encodeURIComponent(event.id)}` }, event.name);
  const created = new Date(event.createdAt);
  return el('tr', {
    'data-event-id': event.id,
    'data-available': event.available,
    'data-held': event.held,
    'data-sold': event.sold,
    'data-waitlist': event.waitlist,
  },
  el('th', { scope: 'row' }, link, el('span', { class: 'event-id' }, event.id)),
  el('td', {}, event.venue),
  el('td', { class: 'num' }, number.format(event.totalSeats)),
  el('td', { class: 'num' }, number.format(event.available)),
  el('td', { class: 'num' }, number.format(event.held)),
  el('td', { class: 'num' }, number.format(event.sold)),
  el('td', { class: 'num' }, number.format(event.waitlist)),
  el('td', {}, el('time', { datetime: event.createdAt }, created.toLocaleString())));
}

/** The first page again (as many events as are shown, up to 100), or the page after the last one. */
async function load(more) {
  const limit = more ? PAGE : Math.min(100, Math.max(PAGE, shown));
  const query = new URLSearchParams({ limit: String(limit) });
  if (more && next) {
    query.set('cursor', next);
  }
  try {
    const page = await get(`/events?${query}`);
    const rows = page.events.map(row);
    if (more) {
      tbody.append(...rows);
    } else {
      tbody.replaceChildren(...rows);
    }
    shown = tbody.rows.length;
    next = page.next;
    $('#more').hidden = !next;
    $('#no-events').hidden = shown > 0;
    showError(listError, null);
  } catch (err) {
    showError(listError, err);
  }
}

$('#more').addEventListener('click', () => load(true));
setInterval(() => {
  if (!document.hidden) {
    load(false);
  }
}, REFRESH_MS);
load(false);

// --- creating an event ---------------------------------------------------------------------------

const form = $('#create-event');
const createError = $('#create-error');

form.addEventListener('change', (e) => {
  if (e.target.name === 'layout') {
    const grid = form.elements.layout.value === 'grid';
    $('#grid-fields').hidden = !grid;
    $('#list-fields').hidden = grid;
  }
});

function eventBody() {
  const f = form.elements;
  const body = { name: f.name.value.trim(), venue: f.venue.value.trim(), price: Number(f.price.value) };
  if (f.id.value.trim()) {
    body.id = f.id.value.trim();
    if (!ID_PATTERN.test(body.id)) {
      throw new ApiError(400, { detail: 'the id must be 1 to 64 letters, digits, _ or -' });
    }
  }
  if (f.holdSeconds.value) {
    body.holdSeconds = Number(f.holdSeconds.value);
  }
  if (f.layout.value === 'grid') {
    body.rows = Number(f.rows.value);
    body.seatsPerRow = Number(f.seatsPerRow.value);
  } else {
    body.seatIds = f.seatIds.value.split(/[\s,]+/).filter(Boolean);
  }
  return body;
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  showError(createError, null);
  const submit = form.querySelector('button[type="submit"]');
  submit.disabled = true;
  try {
    const key = form.elements.adminKey.value;
    const created = await post('/events', eventBody(), key ? { 'X-Admin-Key': key } : {});
    location.assign(`/ui/events/${encodeURIComponent(created.id)}`);
  } catch (err) {
    showError(createError, err);
    if (err.status === 401) {
      $('#admin-key-field').hidden = false; // the service has an admin key: ask for it
      form.elements.adminKey.focus();
    }
  } finally {
    submit.disabled = false;
  }
});
