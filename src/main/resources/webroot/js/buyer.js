// The buyer's panel of an event page: who I am (kept in this browser), holding the selected or the
// best seats, my reservations with their time left, confirm and cancel, and the waitlist once the
// event is sold out. Every failure shows the problem's detail.

import { ApiError, eventPath, get, post, del, ID_PATTERN } from './api.js';
import { $, el, showError } from './dom.js';

const USER_KEY = 'boxoffice:userId';
const KEPT_RESERVATIONS = 20;

function guestId() {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return `guest-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function timeLeft(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const mmss = `${String(m).padStart(h ? 2 : 1, '0')}:${String(s % 60).padStart(2, '0')}`;
  return h ? `${h}:${mmss}` : mmss;
}

const STATUS_TEXT = {
  pending: 'Held',
  confirmed: 'Confirmed: the seats are yours',
  cancelled: 'Cancelled',
  expired: 'Expired: the seats were released',
};

export class Buyer {
  /** seatMap: the page's SeatMap; the panel changes seats at once from its own answers too. */
  constructor(eventId, seatMap) {
    this.eventId = eventId;
    this.seatMap = seatMap;
    this.reservations = new Map(); // reservationId -> { data, card }
    this.waiting = false;
    this.soldOut = false;
    this.busy = false;
    this.positionTimer = 0;
    this.userInput = $('#user-id');
    this.error = $('#buyer-error');
    this.note = $('#buyer-note');
    let user = localStorage.getItem(USER_KEY);
    if (!user || !ID_PATTERN.test(user)) {
      user = guestId();
      localStorage.setItem(USER_KEY, user);
    }
    this.userInput.value = user;
    this.user = user;
    this.userInput.addEventListener('change', () => this.userChanged());
    $('#hold').addEventListener('click', () => this.act(() => this.hold({ seats: this.seatMap.selectedIds() })));
    $('#clear').addEventListener('click', () => this.seatMap.clearSelection());
    $('#hold-best').addEventListener('click', () => this.act(() => this.hold({ quantity: this.quantity('#best-n') })));
    $('#join-waitlist').addEventListener('click', () => this.act(() => this.join()));
    $('#leave-waitlist').addEventListener('click', () => this.act(() => this.leave()));
    $('#reservations').addEventListener('click', (e) => {
      const button = e.target.closest('button[data-action]');
      if (button) {
        const id = button.closest('[data-reservation-id]').dataset.reservationId;
        this.act(() => this.end(id, button.dataset.action));
      }
    });
    setInterval(() => this.tick(), 1000);
  }

  /** Runs one user action at a time (a double click holds once); its failure shows as the problem's detail. */
  async act(action) {
    if (this.busy) {
      return;
    }
    this.busy = true;
    showError(this.error, null);
    this.note.textContent = '';
    const buttons = [...document.querySelectorAll('.buyer button')];
    buttons.forEach((b) => b.setAttribute('aria-busy', 'true'));
    try {
      if (!ID_PATTERN.test(this.user)) {
        throw new ApiError(400, { detail: 'your user id must be 1 to 64 letters, digits, _ or -' });
      }
      await action();
    } catch (err) {
      showError(this.error, err);
    } finally {
      this.busy = false;
      buttons.forEach((b) => b.removeAttribute('aria-busy'));
    }
  }

  quantity(selector) {
    const n = Number($(selector).value);
    if (!Number.isInteger(n) || n < 1) {
      throw new ApiError(400, { detail: 'the number of seats must be a whole number of at least 1' });
    }
    return n;
  }

  userChanged() {
    const user = this.userInput.value.trim();
    if (!ID_PATTERN.test(user)) {
      showError(this.error, new Error('your user id must be 1 to 64 letters, digits, _ or -'));
      return;
    }
    showError(this.error, null);
    this.user = user;
    localStorage.setItem(USER_KEY, user);
    this.reservations.forEach(({ card }) => card.remove());
    this.reservations.clear();
    this.restore();
  }

  selectionChanged(ids) {
    $('#selection').textContent = ids.length ? ids.join(', ') : 'none';
    $('#hold').disabled = ids.length === 0;
    $('#clear').disabled = ids.length === 0;
    $('#hold').textContent = ids.length > 1 ? `Hold ${ids.length} seats` : 'Hold selected';
  }

  refused(seat, state) {
    this.note.textContent = `Seat ${seat} is ${state}.`;
  }

  /** The waitlist shows while the event is sold out, and while it has news for me. */
  setSoldOut(soldOut) {
    this.soldOut = soldOut;
    const group = $('#waitlist');
    group.hidden = !soldOut && (group.dataset.status || 'none') === 'none';
    $('#join-waitlist').hidden = this.waiting || !soldOut;
  }

  async hold(request) {
    if (request.seats && request.seats.length === 0) {
      throw new ApiError(400, { detail: 'select the seats to hold first' });
    }
    const reservation = await post(eventPath(this.eventId, 'reservations'), { userId: this.user, ...request });
    performance.mark('boxoffice:hold-answered', { detail: { reservationId: reservation.reservationId } });
    if (request.seats) {
      this.seatMap.clearSelection();
    }
    reservation.seats.forEach((seat) => this.seatMap.set(seat, 'held'));
    this.show(reservation);
  }

  async end(reservationId, action) {
    const reservation = await post(eventPath(this.eventId, 'reservations', reservationId, action), { userId: this.user });
    const state = reservation.status === 'confirmed' ? 'sold' : reservation.status === 'pending' ? 'held' : 'available';
    reservation.seats.forEach((seat) => this.seatMap.set(seat, state));
    this.show(reservation);
  }

  async join() {
    const entry = await post(eventPath(this.eventId, 'waitlist'), { userId: this.user, quantity: this.quantity('#waitlist-quantity') });
    this.showEntry(entry);
  }

  async leave() {
    await del(eventPath(this.eventId, 'waitlist', this.user));
    this.showEntry(null, 'You left the line.');
  }

  /** My waitlist entry ({position, status, ...}), or null when I am not in line. */
  showEntry(entry, text) {
    const status = $('#waitlist-status');
    this.waiting = Boolean(entry && entry.status === 'waiting');
    if (this.waiting) {
      const seats = entry.quantity ? ` for ${entry.quantity} seat${entry.quantity > 1 ? 's' : ''}` : '';
      status.textContent = `You are number ${entry.position} in line${seats}.`;
    } else if (entry && entry.status === 'promoted') {
      status.textContent = 'Your turn came: seats were held for you, see your reservations.';
    } else if (entry && entry.status === 'sold_out') {
      status.textContent = 'You left the line: fewer seats are left to sell than you waited for.';
    } else {
      status.textContent = text || 'Seats that come back go to the line first, in order.';
    }
    $('#waitlist').dataset.status = entry ? entry.status : 'none';
    $('#leave-waitlist').hidden = !this.waiting;
    this.setSoldOut(this.soldOut);
  }

  /** On load and for another user id: my reservations of this event kept in this browser, my waitlist entry. */
  async restore() {
    const user = this.user;
    const ids = this.kept();
    const found = await Promise.all(ids.map((id) =>
      get(eventPath(this.eventId, 'reservations', id)).catch(() => null)));
    if (user !== this.user) {
      return;
    }
    const live = found.filter((r) => r && r.userId === user && (r.status === 'pending' || r.status === 'confirmed'));
    live.forEach((r) => this.show(r));
    this.keep(live.map((r) => r.reservationId));
    await this.refreshEntry();
  }

  async refreshEntry() {
    try {
      this.showEntry(await get(eventPath(this.eventId, 'waitlist', this.user)));
    } catch (err) {
      if (err.status === 404) {
        this.showEntry(null);
      } else {
        showError(this.error, err);
      }
    }
  }

  storageKey() {
    return `boxoffice:reservations:${this.eventId}:${this.user}`;
  }

  kept() {
    try {
      const ids = JSON.parse(localStorage.getItem(this.storageKey()) || '[]');
      return Array.isArray(ids) ? ids.filter((id) => typeof id === 'string' && ID_PATTERN.test(id)) : [];
    } catch (err) {
      return [];
    }
  }

  keep(ids) {
    localStorage.setItem(this.storageKey(), JSON.stringify([...new Set(ids)].slice(-KEPT_RESERVATIONS)));
  }

  /** Adds or updates a reservation's card: {reservationId, seats, status, expiresAt?}. */
  show(reservation) {
    const id = reservation.reservationId;
    let entry = this.reservations.get(id);
    if (!entry) {
      const card = el('li', { class: 'reservation', 'data-reservation-id': id },
        el('p', { class: 'res-seats' }),
        el('p', { class: 'res-status' }, el('span', { class: 'status-text' }), ' ', el('span', { class: 'countdown' })),
        el('p', { class: 'res-actions' },
          el('button', { type: 'button', 'data-action': 'confirm' }, 'Confirm'),
          el('button', { type: 'button', 'data-action': 'cancel', class: 'secondary' }, 'Cancel')));
      $('#reservations').prepend(card);
      entry = { data: {}, card };
      this.reservations.set(id, entry);
      this.keep([...this.kept(), id]);
    }
    entry.data = { ...entry.data, ...reservation };
    this.paint(entry, Date.now());
    $('#no-reservations').hidden = this.reservations.size > 0;
  }

  paint(entry, now) {
    const { data, card } = entry;
    if (data.status === 'pending' && data.expiresAt && Date.parse(data.expiresAt) <= now) {
      data.status = 'expired'; // the service releases it at the same moment
    }
    if (card.dataset.status !== data.status) {
      card.dataset.status = data.status;
      $('.status-text', card).textContent = STATUS_TEXT[data.status] || data.status;
      card.querySelectorAll('button').forEach((b) => (b.hidden = data.status !== 'pending'));
    }
    $('.res-seats', card).textContent = `Seats ${(data.seats || []).join(', ')}`;
    const countdown = $('.countdown', card);
    const text = data.status === 'pending' && data.expiresAt
      ? `expires in ${timeLeft(Date.parse(data.expiresAt) - now)}` : '';
    if (countdown.textContent !== text) {
      countdown.textContent = text;
    }
  }

  tick() {
    const now = Date.now();
    this.reservations.forEach((entry) => this.paint(entry, now));
  }

  /** A change from the feed: my reservations and my place in line follow it. */
  change(type, data) {
    const mine = data.userId === this.user;
    const known = data.reservationId && this.reservations.has(data.reservationId);
    switch (type) {
      case 'reservation.created':
        if (mine && !known) {
          // made elsewhere (another tab, the API): read it for its expiry
          get(eventPath(this.eventId, 'reservations', data.reservationId)).then((r) => this.show(r), () => {});
        }
        break;
      case 'reservation.confirmed':
      case 'reservation.cancelled':
      case 'reservation.expired':
        if (known) {
          this.show({ reservationId: data.reservationId, status: type.slice('reservation.'.length) });
        }
        break;
      case 'waitlist.promoted':
        if (mine) {
          this.show({ reservationId: data.reservationId, seats: data.seats, status: 'pending', expiresAt: data.expiresAt });
          this.showEntry({ status: 'promoted', reservationId: data.reservationId });
        }
        break;
      case 'waitlist.left':
        if (mine) {
          this.showEntry(data.reason === 'sold_out' ? { status: 'sold_out' } : null, 'You left the line.');
        }
        break;
      default:
        break;
    }
    if (type.startsWith('waitlist.') && this.waiting && !mine) {
      // someone ahead left or was served: my place moved
      clearTimeout(this.positionTimer);
      this.positionTimer = setTimeout(() => this.refreshEntry(), 200);
    }
  }
}
