// Flash sale: many virtual users race for the few seats of one event. Most holds get 409, which is
// expected; anything else is not. The winners pay (confirm) or walk away (cancel), which frees seats
// for the others. The teardown reads the event and its seat map and fails the run if more seats are
// held or sold than the event has.
//
//   k6 run -e BASE_URL=http://localhost:8080 -e VUS=200 -e DURATION=30s k6/flash-sale.js
//
// Environment (defaults): BASE_URL (http://localhost:8080), ADMIN_KEY, RUN_ID,
//   ROWS (10) x SEATS_PER_ROW (10): the event (100 seats)
//   VUS (200), DURATION (30s): the racing users, each holding again as soon as it has an answer
//   MODE (seats): 'seats' names HOLD_SIZE adjacent seats at random, 'quantity' asks for HOLD_SIZE best seats
//   HOLD_SIZE (1), CONFIRM_RATIO (0.5): share of won holds that are confirmed, the rest are cancelled
//   HOLD_SECONDS (900): the event's hold time (short ones let holds expire during the sale)
//   THINK (0): seconds a user waits between two attempts
//   P99_MS (unset): when set, a threshold on the p99 of holds
import { sleep } from 'k6';
import { Counter } from 'k6/metrics';
import {
  checkEnded, checkHold, checkInvariant, createEvent, endHold, floatEnv, getEvent, hold, intEnv, json,
  randomSeats, runId, strEnv,
} from './lib/boxoffice.js';

const ROWS = intEnv('ROWS', 10);
const PER_ROW = intEnv('SEATS_PER_ROW', 10);
const MODE = strEnv('MODE', 'seats');
const HOLD_SIZE = intEnv('HOLD_SIZE', 1);
const CONFIRM_RATIO = floatEnv('CONFIRM_RATIO', 0.5);
const THINK = floatEnv('THINK', 0);

const won = new Counter('holds_won');
const lost = new Counter('holds_lost');
const oversold = new Counter('oversold_seats');

const thresholds = {
  checks: ['rate==1'],
  // 409 is an expected answer to a hold (lib/boxoffice.js gives each request its expected statuses)
  http_req_failed: ['rate==0'],
  unexpected_status: ['count==0'],
  oversold_seats: ['count==0'],
};
if (__ENV.P99_MS) {
  thresholds['http_req_duration{name:hold}'] = [`p(99)<${Number(__ENV.P99_MS)}`];
}

export const options = {
  scenarios: {
    race: {
      executor: 'constant-vus',
      vus: intEnv('VUS', 200),
      duration: strEnv('DURATION', '30s'),
      gracefulStop: '10s',
    },
  },
  thresholds,
};

export function setup() {
  if (MODE !== 'seats' && MODE !== 'quantity') {
    throw new Error(`MODE must be seats or quantity, got ${MODE}`);
  }
  const id = `${runId()}f`;
  const extra = __ENV.HOLD_SECONDS ? { holdSeconds: intEnv('HOLD_SECONDS', 900) } : {};
  createEvent(id, ROWS, PER_ROW, extra);
  return { id };
}

export default function (data) {
  const user = `u${__VU}x${__ITER}`;
  const what = MODE === 'seats' ? { seats: randomSeats(ROWS, PER_ROW, HOLD_SIZE) } : { quantity: HOLD_SIZE };
  const res = hold(data.id, user, what);
  checkHold(res, what);
  if (res.status === 201) {
    won.add(1);
    const rid = (json(res) || {}).reservationId;
    const action = Math.random() < CONFIRM_RATIO ? 'confirm' : 'cancel';
    // a hold may expire before it is confirmed when HOLD_SECONDS is short: 409 then
    const end = endHold(action, data.id, rid, user, __ENV.HOLD_SECONDS ? [200, 409] : [200]);
    if (end.status === 200) {
      checkEnded(end, action);
    }
  } else if (res.status === 409) {
    lost.add(1);
  }
  if (THINK > 0) {
    sleep(THINK);
  }
}

export function teardown(data) {
  const problems = checkInvariant(data.id, oversold);
  const e = json(getEvent(data.id)) || {};
  console.log(`flash sale ${data.id}: ${e.sold} sold, ${e.held} held, ${e.available} available of ${e.totalSeats}`);
  if (problems.length > 0) {
    // an exception in teardown fails the run (non-zero exit) besides the oversold_seats threshold
    throw new Error(`the flash sale broke the seat invariant: ${problems.join('; ')}`);
  }
}
