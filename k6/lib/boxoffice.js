// Shared by the k6 scenarios: configuration from the environment, the API calls, and the checks that
// every scenario makes the same way. See k6/README.md.
import http from 'k6/http';
import { check, sleep } from 'k6';
import { Counter } from 'k6/metrics';

export const BASE_URL = (__ENV.BASE_URL || 'http://localhost:8080').replace(/\/+$/, '');
const ADMIN_KEY = __ENV.ADMIN_KEY || '';

export function intEnv(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value)) {
    throw new Error(`${name} must be an integer, got '${raw}'`);
  }
  return value;
}

export function floatEnv(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (Number.isNaN(value)) {
    throw new Error(`${name} must be a number, got '${raw}'`);
  }
  return value;
}

export function strEnv(name, fallback) {
  const raw = __ENV[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

// A prefix for the ids a run creates, so runs against the same service never collide.
export function runId() {
  return strEnv('RUN_ID', `k6${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`);
}

// Which statuses count as expected (http_req_failed, the expected_response tag): each set made once,
// in the init context, as the k6 docs recommend for per-request responseCallback values.
const EXPECTED = {};
const byNumber = (a, b) => a - b;
for (const set of [[200], [201], [204], [400], [403], [404], [409], [415], [200, 201], [200, 409], [201, 409],
  [200, 201, 409], [204, 404], [200, 404], [200, 201, 404, 409]]) {
  EXPECTED[set.slice().sort(byNumber).join(',')] = http.expectedStatuses(...set);
}

// Every response whose status is not among those the caller allows is a failure of the run
// (thresholds: unexpected_status count==0), on top of http_req_failed.
export const unexpectedStatus = new Counter('unexpected_status');

export function json(res) {
  try {
    return res.json();
  } catch (e) {
    return null;
  }
}

// One API call. allowed: the statuses this call may answer (an array, one of the sets above).
export function call(method, path, body, name, allowed, headers) {
  const key = allowed.slice().sort(byNumber).join(',');
  const expect = EXPECTED[key];
  if (!expect) {
    throw new Error(`no expectedStatuses set for ${key}`);
  }
  // body: an object (sent as JSON), a string (sent as it is, with the caller's Content-Type) or null
  const isObject = body !== null && typeof body === 'object';
  const params = {
    headers: Object.assign(isObject ? { 'Content-Type': 'application/json' } : {}, headers || {}),
    tags: { name },
    responseCallback: expect,
  };
  const res = http.request(method, `${BASE_URL}${path}`, isObject ? JSON.stringify(body) : body, params);
  if (allowed.indexOf(res.status) < 0) {
    unexpectedStatus.add(1, { name, status: String(res.status) });
    console.warn(`${name}: ${method} ${path} answered ${res.status}, expected ${key}: ${String(res.body).slice(0, 300)}`);
  }
  return res;
}

// --- seats -----------------------------------------------------------------------------------------

// rows are labelled A..Z, AA, AB, ... (bijective base 26), as the service labels them
export function rowLabel(n) {
  let label = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    label = String.fromCharCode(65 + r) + label;
    n = Math.floor((n - 1) / 26);
  }
  return label;
}

// the seat at 0-based layout index i of a grid with perRow seats a row
export function seatId(i, perRow) {
  return rowLabel(Math.floor(i / perRow) + 1) + String((i % perRow) + 1);
}

// count adjacent seats in one row, picked at random
export function randomSeats(rows, perRow, count) {
  const n = Math.min(count, perRow);
  const row = Math.floor(Math.random() * rows);
  const first = Math.floor(Math.random() * (perRow - n + 1));
  const seats = [];
  for (let k = 0; k < n; k++) {
    seats.push(seatId(row * perRow + first + k, perRow));
  }
  return seats;
}

export function randomInt(min, max) {
  return min + Math.floor(Math.random() * (max - min + 1));
}

// --- the API ---------------------------------------------------------------------------------------

function adminHeaders() {
  return ADMIN_KEY ? { 'X-Admin-Key': ADMIN_KEY } : {};
}

export function createEvent(id, rows, seatsPerRow, extra) {
  const body = Object.assign({ id, name: `k6 ${id}`, venue: 'k6 Hall', price: 25, rows, seatsPerRow }, extra || {});
  const res = call('POST', '/events', body, 'create event', [201], adminHeaders());
  const ok = check(res, {
    'create event: 201 with every seat available': (r) => {
      const e = json(r);
      return r.status === 201 && e !== null && e.id === id && e.totalSeats === rows * seatsPerRow
        && e.available === e.totalSeats;
    },
  });
  if (!ok) {
    throw new Error(`POST /events ${id} answered ${res.status}: ${String(res.body).slice(0, 300)}`);
  }
  return json(res);
}

export function getEvent(id, allowed) {
  return call('GET', `/events/${id}`, null, 'get event', allowed || [200]);
}

export function getSeats(id, allowed) {
  return call('GET', `/events/${id}/seats`, null, 'get seats', allowed || [200]);
}

// a hold: what = { seats: [...] } or { quantity: n }; 201 and 409 are both expected by default
export function hold(eventId, userId, what, idempotencyKey, allowed) {
  const headers = idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {};
  return call('POST', `/events/${eventId}/reservations`, Object.assign({ userId }, what), 'hold',
    allowed || [201, 409], headers);
}

// checks a hold's answer: 201 with the seats asked for, or 409 naming why
export function checkHold(res, what) {
  const body = json(res);
  return check(res, {
    'hold: 201 or 409': (r) => r.status === 201 || r.status === 409,
    'hold: 201 is a pending hold of the seats asked for': (r) => r.status !== 201 || (body !== null
      && body.status === 'pending' && typeof body.reservationId === 'string' && Array.isArray(body.seats)
      && (what.seats ? sameSet(body.seats, what.seats) : body.seats.length === what.quantity)
      && typeof body.expiresAt === 'string'),
    'hold: 409 says which seats are taken, or that too few are free': (r) => r.status !== 409 || (body !== null
      && (what.seats
        ? Array.isArray(body.unavailable) && body.unavailable.length > 0
          && body.unavailable.every((s) => what.seats.indexOf(s) >= 0)
        : /insufficient$/.test(String(body.type)))),
  });
}

function sameSet(a, b) {
  return a.length === b.length && a.every((x) => b.indexOf(x) >= 0);
}

export function getReservation(eventId, rid, allowed) {
  return call('GET', `/events/${eventId}/reservations/${rid}`, null, 'get reservation', allowed || [200]);
}

// action: 'confirm' | 'cancel'
export function endHold(action, eventId, rid, userId, allowed) {
  return call('POST', `/events/${eventId}/reservations/${rid}/${action}`, { userId }, action, allowed || [200]);
}

export function checkEnded(res, action) {
  const body = json(res);
  const status = action === 'confirm' ? 'confirmed' : 'cancelled';
  return check(res, {
    [`${action}: 200 ${status}`]: (r) => r.status === 200 && body !== null && body.status === status,
  });
}

// --- the waitlist (DESIGN.md section 3) ------------------------------------------------------------

export function joinWaitlist(eventId, userId, quantity, allowed) {
  return call('POST', `/events/${eventId}/waitlist`, { userId, quantity }, 'join waitlist', allowed || [200, 201, 409]);
}

export function getWaitlistEntry(eventId, userId, allowed) {
  return call('GET', `/events/${eventId}/waitlist/${userId}`, null, 'get waitlist entry', allowed || [200]);
}

export function leaveWaitlist(eventId, userId, allowed) {
  return call('DELETE', `/events/${eventId}/waitlist/${userId}`, null, 'leave waitlist', allowed || [204]);
}

// --- the invariant ---------------------------------------------------------------------------------

// Reads an event and its seat map: held + sold never exceed the seats, the counts add up, and the
// counts are those of the seat map (a map read is skipped above mapLimit seats). Adds the seats sold
// or held beyond the event's size to `oversold` and returns a list of what is wrong (empty: fine).
export function checkInvariant(eventId, oversold, mapLimit) {
  const problems = [];
  const res = getEvent(eventId);
  const e = json(res);
  if (res.status !== 200 || e === null) {
    problems.push(`GET /events/${eventId} answered ${res.status}`);
    oversold.add(0);
    return problems;
  }
  const taken = e.held + e.sold;
  oversold.add(Math.max(0, taken - e.totalSeats), { event: eventId });
  if (taken > e.totalSeats) {
    problems.push(`${eventId}: OVERSOLD: held ${e.held} + sold ${e.sold} > ${e.totalSeats} seats`);
  }
  if (e.available + e.held + e.sold !== e.totalSeats || e.available < 0 || e.held < 0 || e.sold < 0) {
    problems.push(`${eventId}: available ${e.available} + held ${e.held} + sold ${e.sold} != ${e.totalSeats}`);
  }
  if (e.totalSeats <= (mapLimit === undefined ? 20000 : mapLimit)) {
    const map = json(getSeats(eventId));
    if (map === null) {
      problems.push(`${eventId}: no seat map`);
    } else {
      const count = { available: 0, held: 0, sold: 0 };
      let n = 0;
      for (const seat in map) {
        n++;
        count[map[seat]] = (count[map[seat]] || 0) + 1;
      }
      if (n !== e.totalSeats) {
        problems.push(`${eventId}: the seat map has ${n} seats, the event ${e.totalSeats}`);
      }
      if (count.held + count.sold > e.totalSeats) {
        problems.push(`${eventId}: OVERSOLD in the seat map: ${count.held} held + ${count.sold} sold`);
      }
      // the counts are the seat map's; a hold may expire between the two reads, so read again once
      const again = count.held === e.held && count.sold === e.sold ? e : json(getEvent(eventId));
      if (again === null || count.held !== again.held || count.sold !== again.sold) {
        problems.push(`${eventId}: the event counts ${e.held} held / ${e.sold} sold, the seat map `
          + `${count.held} / ${count.sold}`);
      }
    }
  }
  check(problems, { 'invariant: seats never oversold, counts add up': (p) => p.length === 0 });
  return problems;
}

// --- what steady.js and spike.js share ---------------------------------------------------------------

// Creates `count` events of rows x seatsPerRow seats, named `${prefix}0`, `${prefix}1`, ...
export function createEvents(prefix, count, rows, seatsPerRow) {
  const events = [];
  for (let i = 0; i < count; i++) {
    createEvent(`${prefix}${i}`, rows, seatsPerRow);
    events.push(`${prefix}${i}`);
  }
  return events;
}

// One buyer: holds 1..maxHold seats of a random event (named seats in namedRatio of the holds, else
// best available); a won hold is confirmed (confirmRatio) or cancelled, after `think` seconds.
export function buyOnce(events, o) {
  const event = events[Math.floor(Math.random() * events.length)];
  const user = `u${__VU}x${__ITER}`;
  const size = randomInt(1, o.maxHold);
  const what = Math.random() < o.namedRatio ? { seats: randomSeats(o.rows, o.perRow, size) } : { quantity: size };
  const res = hold(event, user, what);
  checkHold(res, what);
  if (res.status !== 201) {
    return; // 409: the seats were taken (or the event is sold out), an answer the buyer can act on
  }
  if (o.think > 0) {
    sleep(o.think);
  }
  const action = Math.random() < o.confirmRatio ? 'confirm' : 'cancel';
  checkEnded(endHold(action, event, (json(res) || {}).reservationId, user), action);
}

// For a teardown: an exception fails the run when any of the events breaks the seat invariant.
export function failOnBrokenInvariant(events, oversold) {
  const problems = [];
  for (const id of events) {
    problems.push(...checkInvariant(id, oversold));
  }
  if (problems.length > 0) {
    throw new Error(`the seat invariant is broken: ${problems.join('; ')}`);
  }
}
