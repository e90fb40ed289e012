// Waitlist: an event is sold out (setup holds every seat); buyers join its waitlist; some leave it;
// the holders then cancel one by one, and the freed seats go to the head of the waitlist. Each buyer
// polls its own entry (GET /events/{id}/waitlist/{userId}) and sees the promotion: status "promoted"
// with a reservation, which it confirms (or cancels, freeing seats for the next in line).
//
//   k6 run -e BASE_URL=http://localhost:8080 -e JOINERS=50 k6/waitlist.js
//
// Environment (defaults): BASE_URL (http://localhost:8080), ADMIN_KEY, RUN_ID,
//   ROWS (2) x SEATS_PER_ROW (10): the event (20 seats), held by setup in holds of up to 10 seats
//   JOINERS (30) buyers, each joining once for 1..MAX_QUANTITY (2) seats
//   LEAVE_RATIO (0.2) share of buyers who leave the waitlist after a while
//   CONFIRM_RATIO (0.8) share of promoted buyers who confirm (the others cancel)
//   RELEASE_EVERY (1) seconds between two cancellations by the holders; RELEASE_AFTER (3s) first one
//   POLL (0.5) seconds between two reads of an entry; PROMOTION_TIMEOUT (60) seconds a buyer waits
//   HOLD_SECONDS (900): the event's hold time, so the promotions' holds too
//
// Asserts: every answer is one the contract allows (201/200 joins, 409 seats_available when seats are
// free or insufficient when fewer are left to sell, 204 leave, 404 after leaving), an entry's position
// never goes up while it waits, it ends promoted or sold_out (sales left too few seats), a promotion
// comes with a reservation of the quantity asked for, at least one promotion is seen
// (waitlist_promotions count > 0), and the seat invariant holds at the end.
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import { Counter, Trend } from 'k6/metrics';
import {
  checkEnded, checkHold, checkInvariant, createEvent, endHold, floatEnv, getEvent, getReservation,
  getWaitlistEntry, hold, intEnv, joinWaitlist, json, leaveWaitlist, randomInt, runId, seatId, strEnv,
} from './lib/boxoffice.js';

const ROWS = intEnv('ROWS', 2);
const PER_ROW = intEnv('SEATS_PER_ROW', 10);
const JOINERS = intEnv('JOINERS', 30);
const MAX_QUANTITY = intEnv('MAX_QUANTITY', 2);
const LEAVE_RATIO = floatEnv('LEAVE_RATIO', 0.2);
const CONFIRM_RATIO = floatEnv('CONFIRM_RATIO', 0.8);
const RELEASE_EVERY = floatEnv('RELEASE_EVERY', 1);
const POLL = floatEnv('POLL', 0.5);
const PROMOTION_TIMEOUT = intEnv('PROMOTION_TIMEOUT', 60);

const promotions = new Counter('waitlist_promotions');
const notPromoted = new Counter('waitlist_not_promoted');
const left = new Counter('waitlist_left');
const soldOut = new Counter('waitlist_sold_out');
const timeToPromotion = new Trend('waitlist_time_to_promotion', true);
const oversold = new Counter('oversold_seats');

export const options = {
  scenarios: {
    joiners: {
      executor: 'per-vu-iterations',
      exec: 'joiner',
      vus: JOINERS,
      iterations: 1,
      maxDuration: `${PROMOTION_TIMEOUT + 60}s`,
    },
    releaser: {
      executor: 'per-vu-iterations',
      exec: 'releaser',
      vus: 1,
      iterations: 1,
      startTime: strEnv('RELEASE_AFTER', '3s'),
      maxDuration: `${PROMOTION_TIMEOUT + 60}s`,
    },
  },
  thresholds: {
    checks: ['rate==1'],
    http_req_failed: ['rate==0'],
    unexpected_status: ['count==0'],
    oversold_seats: ['count==0'],
    waitlist_promotions: ['count>0'],
  },
};

// the event, sold out: every seat held, in holds of up to 10 seats by holder users
export function setup() {
  const id = `${runId()}w`;
  const extra = __ENV.HOLD_SECONDS ? { holdSeconds: intEnv('HOLD_SECONDS', 900) } : {};
  createEvent(id, ROWS, PER_ROW, extra);
  const holds = [];
  const total = ROWS * PER_ROW;
  for (let first = 0; first < total; first += 10) {
    const seats = [];
    for (let i = first; i < Math.min(first + 10, total); i++) {
      seats.push(seatId(i, PER_ROW));
    }
    const user = `holder${first / 10}`;
    const res = hold(id, user, { seats }, null, [201]);
    checkHold(res, { seats });
    holds.push({ user, reservationId: (json(res) || {}).reservationId });
  }
  const e = json(getEvent(id)) || {};
  check(e, { 'setup: the event is sold out': (x) => x.available === 0 });
  return { id, holds };
}

export function joiner(data) {
  const user = `w${exec.vu.idInTest}`;
  const quantity = randomInt(1, MAX_QUANTITY);
  const join = joinWaitlist(data.id, user, quantity);
  const body = json(join) || {};
  check(join, {
    'join waitlist: 201 waiting, or 409 seats_available or insufficient': (r) => (r.status === 201
      && body.status === 'waiting' && body.userId === user && body.quantity === quantity && body.position >= 1)
      || (r.status === 409 && /(seats[-_]available|insufficient)$/.test(String(body.type))),
  });
  if (join.status !== 201) {
    return;
  }
  const joined = Date.now();
  const leaving = Math.random() < LEAVE_RATIO;
  const leaveAt = joined + 1000 * randomInt(1, 5);
  let position = body.position;
  while (Date.now() - joined < PROMOTION_TIMEOUT * 1000) {
    if (leaving && Date.now() >= leaveAt) {
      // it may have been promoted meanwhile: then there is no waiting entry left to delete
      const res = leaveWaitlist(data.id, user, [204, 404]);
      if (res.status === 204) {
        left.add(1);
        check(getWaitlistEntry(data.id, user, [404]), { 'leave waitlist: the entry is gone (404)': (r) => r.status === 404 });
        return;
      }
    }
    const entry = json(getWaitlistEntry(data.id, user)) || {};
    check(entry, {
      'waitlist entry: waiting, promoted or sold_out':
        (x) => x.status === 'waiting' || x.status === 'promoted' || x.status === 'sold_out',
    });
    if (entry.status === 'waiting') {
      check(entry, { 'waitlist entry: the position never goes up': (x) => typeof x.position === 'number' && x.position <= position });
      position = entry.position;
    } else if (entry.status === 'promoted') {
      promotions.add(1);
      timeToPromotion.add(Date.now() - joined);
      promoted(data.id, user, quantity, entry);
      return;
    } else if (entry.status === 'sold_out') {
      soldOut.add(1);
      return;
    }
    sleep(POLL);
  }
  notPromoted.add(1);
}

function promoted(id, user, quantity, entry) {
  check(entry, { 'promotion: comes with a reservation': (x) => typeof x.reservationId === 'string' });
  const r = json(getReservation(id, entry.reservationId)) || {};
  check(r, {
    'promotion: a pending hold of the quantity asked for, for this user':
      (x) => x.status === 'pending' && x.userId === user && Array.isArray(x.seats) && x.seats.length === quantity,
  });
  const action = Math.random() < CONFIRM_RATIO ? 'confirm' : 'cancel';
  checkEnded(endHold(action, id, entry.reservationId, user), action);
}

// the holders cancel one by one: each cancellation frees up to 10 seats for the waitlist
export function releaser(data) {
  for (const h of data.holds) {
    checkEnded(endHold('cancel', data.id, h.reservationId, h.user), 'cancel');
    sleep(RELEASE_EVERY);
  }
}

export function teardown(data) {
  const e = json(getEvent(data.id)) || {};
  console.log(`waitlist ${data.id}: ${e.sold} sold, ${e.held} held, ${e.available} available, ${e.waitlist} waiting`);
  const problems = checkInvariant(data.id, oversold);
  if (problems.length > 0) {
    throw new Error(`the seat invariant is broken: ${problems.join('; ')}`);
  }
}
