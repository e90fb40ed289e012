// One event's live page, /ui/events/{id}: the seat map, the counts and the buyer's panel, following
// the event's change feed. The feed is opened first and the event read once it is open, so no change
// falls between the read and the feed: changes that arrive during a read wait for it and are applied
// after it (a seat's state is set, never toggled, so one applied twice does no harm).
//
// Performance marks (read by the browser tests): boxoffice:seats-read (the event and its map
// arrived), boxoffice:map-loaded (every seat's state taken), boxoffice:map-ready (the map first
// drawn), and boxoffice:changes after each repaint that
// showed changes, with detail {changes, lagMs, feedLagMs}: how many, how long since the oldest of them
// was made, and how much of that it took to arrive.

import { eventPath, get } from './api.js';
import { $, number, showError } from './dom.js';
import { Feed } from './feed.js';
import { SeatMap, gridLayout, listLayout } from './seatmap.js';
import { Buyer } from './buyer.js';

const PREFIX = '/ui/events/';
const eventId = decodeURIComponent(location.pathname.slice(PREFIX.length).replace(/\/+$/, ''));

const SEAT_STATE = {
  'reservation.created': 'held',
  'reservation.confirmed': 'sold',
  'reservation.cancelled': 'available',
  'reservation.expired': 'available',
  'waitlist.promoted': 'held',
};

const pageError = $('#page-error');
const countsElement = $('#counts');
const seatMap = new SeatMap($('#seatmap'), {
  onSelect: (ids) => buyer.selectionChanged(ids),
  onRefused: (seat, state) => buyer.refused(seat, state),
});
const buyer = new Buyer(eventId, seatMap);

let layoutKey = null;
let waitlist = 0;
let reading = false; // a read of the event is under way: changes wait in `waiting`
let readAgain = false;
let waiting = [];
let firstRead = true;
let applied = 0; // changes shown since the last boxoffice:changes mark
let oldestUnshown = Infinity; // when the oldest of them was made (ms)
let oldestArrived = 0; // and when it arrived here
let eventTimer = 0;

const feed = new Feed(eventId, {
  onChange: (type, data) => (reading ? waiting.push([type, data]) : apply(type, data)),
  onResync: () => read(),
  onStatus: (state) => {
    const live = $('#live');
    live.dataset.state = state;
    live.textContent = state;
  },
});

/** Reads the event and its whole map, then applies the changes that came meanwhile. */
async function read() {
  if (reading) {
    readAgain = true; // a reset during a read: that read may predate it
    return;
  }
  reading = true;
  waiting = [];
  try {
    const [event, seats] = await Promise.all([get(eventPath(eventId)), get(eventPath(eventId, 'seats'))]);
    performance.mark('boxoffice:seats-read');
    showEvent(event);
    const key = event.layout === 'grid' ? `grid:${event.rows}x${event.seatsPerRow}` : `list:${event.totalSeats}`;
    if (key !== layoutKey) {
      layoutKey = key;
      seatMap.setLayout(event.layout === 'grid' ? gridLayout(event.rows, event.seatsPerRow) : listLayout(Object.keys(seats)));
    }
    seatMap.load(seats);
    performance.mark('boxoffice:map-loaded');
    waitlist = event.waitlist;
    for (const [type, data] of waiting) {
      apply(type, data);
    }
    showError(pageError, null);
    if (firstRead) {
      firstRead = false;
      seatMap.container.addEventListener('seatmap:painted', () => requestAnimationFrame(() => {
        performance.mark('boxoffice:map-ready');
        seatMap.container.dataset.ready = 'true';
      }), { once: true });
      buyer.restore();
    }
  } catch (err) {
    showError(pageError, err);
    if (err.status === 404 || err.status === 400) {
      feed.close(); // no such event: nothing will come
      $('#event-name').textContent = 'No such event';
    }
  } finally {
    reading = false;
    waiting = [];
    if (readAgain) {
      readAgain = false;
      read();
    }
  }
}

function showEvent(event) {
  $('#event-name').textContent = event.name;
  document.title = `${event.name} · Boxoffice`;
  const layout = event.layout === 'grid'
    ? `${event.rows} row${event.rows === 1 ? '' : 's'} of ${event.seatsPerRow}` : 'listed seats';
  $('#event-about').textContent = `${event.venue} · ${number.format(event.totalSeats)} seats (${layout}) · `
    + `price ${event.price} · holds last ${event.holdSeconds} s`;
}

function apply(type, data) {
  const state = SEAT_STATE[type];
  if (state && Array.isArray(data.seats)) {
    data.seats.forEach((seat) => seatMap.set(seat, state));
  }
  if (type.startsWith('waitlist.')) {
    // the line's length is not in the changes: read it, once for a burst of them
    clearTimeout(eventTimer);
    eventTimer = setTimeout(refreshWaitlist, 250);
  }
  buyer.change(type, data);
  applied++;
  const made = Date.parse(data.time);
  if (made < oldestUnshown) {
    oldestUnshown = made;
    oldestArrived = Date.now();
  }
  seatMap.schedule();
}

async function refreshWaitlist() {
  try {
    waitlist = (await get(eventPath(eventId))).waitlist;
    showCounts();
  } catch (err) {
    // the next change or read tries again
  }
}

function showCounts() {
  if (!seatMap.layout) {
    return;
  }
  const [available, held, sold] = seatMap.counts;
  const counts = { available, held, sold, waitlist };
  for (const [name, value] of Object.entries(counts)) {
    const text = String(value);
    if (countsElement.dataset[name] !== text) {
      countsElement.dataset[name] = text;
      $(`[data-count="${name}"]`, countsElement).textContent = number.format(value);
    }
  }
  if (buyer.soldOut !== (available === 0) || $('#sold-out').hidden === (available === 0)) {
    $('#sold-out').hidden = available > 0;
    buyer.setSoldOut(available === 0);
  }
}

seatMap.container.addEventListener('seatmap:painted', () => {
  showCounts();
  if (applied > 0) {
    const lagMs = Math.max(0, Date.now() - oldestUnshown);
    const feedLagMs = Math.max(0, oldestArrived - oldestUnshown);
    performance.mark('boxoffice:changes', { detail: { changes: applied, lagMs, feedLagMs } });
    applied = 0;
    oldestUnshown = Infinity;
  }
});

feed.start();
