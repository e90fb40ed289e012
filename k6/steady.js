// Steady load: a constant arrival rate of buyers spread over many events. Each buyer holds seats
// (named, or best available), then confirms or cancels. Arrivals do not wait for answers (an open
// model), so a service that slows down shows up as latency and dropped iterations, not as a lower rate.
//
//   k6 run -e BASE_URL=http://localhost:8080 -e RATE=200 -e DURATION=2m k6/steady.js
//
// Environment (defaults): BASE_URL (http://localhost:8080), ADMIN_KEY, RUN_ID,
//   RATE (50) buyers a second, DURATION (1m), PRE_VUS (50), MAX_VUS (300)
//   EVENTS (20) events of ROWS (20) x SEATS_PER_ROW (25) seats
//   MAX_HOLD (4) seats a hold at most, NAMED_RATIO (0.5) share of holds naming seats (the rest: quantity)
//   CONFIRM_RATIO (0.7) share of holds confirmed, the rest cancelled; THINK (0) seconds between hold and decision
//   P99_MS (1000) threshold on the p99 of holds, confirms and cancels
//   MAX_DROPPED (0) iterations k6 may drop for want of VUs (the service not keeping up)
import { Counter } from 'k6/metrics';
import { buyOnce, createEvents, failOnBrokenInvariant, floatEnv, intEnv, runId, strEnv } from './lib/boxoffice.js';

const EVENTS = intEnv('EVENTS', 20);
const ROWS = intEnv('ROWS', 20);
const PER_ROW = intEnv('SEATS_PER_ROW', 25);
const MAX_HOLD = intEnv('MAX_HOLD', 4);
const NAMED_RATIO = floatEnv('NAMED_RATIO', 0.5);
const CONFIRM_RATIO = floatEnv('CONFIRM_RATIO', 0.7);
const THINK = floatEnv('THINK', 0);
const P99_MS = intEnv('P99_MS', 1000);

const oversold = new Counter('oversold_seats');

export const options = {
  scenarios: {
    buyers: {
      executor: 'constant-arrival-rate',
      rate: intEnv('RATE', 50),
      timeUnit: '1s',
      duration: strEnv('DURATION', '1m'),
      preAllocatedVUs: intEnv('PRE_VUS', 50),
      maxVUs: intEnv('MAX_VUS', 300),
      gracefulStop: '10s',
    },
  },
  thresholds: {
    checks: ['rate==1'],
    http_req_failed: ['rate==0'],
    unexpected_status: ['count==0'],
    oversold_seats: ['count==0'],
    dropped_iterations: [`count<=${intEnv('MAX_DROPPED', 0)}`],
    'http_req_duration{name:hold}': [`p(99)<${P99_MS}`],
    'http_req_duration{name:confirm}': [`p(99)<${P99_MS}`],
    'http_req_duration{name:cancel}': [`p(99)<${P99_MS}`],
  },
};

export function setup() {
  return { events: createEvents(`${runId()}e`, EVENTS, ROWS, PER_ROW) };
}

export default function (data) {
  buyOnce(data.events, {
    rows: ROWS, perRow: PER_ROW, maxHold: MAX_HOLD, namedRatio: NAMED_RATIO, confirmRatio: CONFIRM_RATIO, think: THINK,
  });
}

export function teardown(data) {
  failOnBrokenInvariant(data.events, oversold);
}
