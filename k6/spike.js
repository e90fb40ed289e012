// Spike: buyers arrive at a base rate, then the rate jumps to a peak (tickets go on sale), stays
// there, and falls back. A ramping arrival rate (an open model): k6 starts iterations on schedule
// whether or not the service has answered the previous ones. What is measured: latency and errors
// during and after the spike, and that no seat is sold twice.
//
//   k6 run -e BASE_URL=http://localhost:8080 -e BASE_RATE=50 -e PEAK_RATE=2000 k6/spike.js
//
// Environment (defaults): BASE_URL (http://localhost:8080), ADMIN_KEY, RUN_ID,
//   BASE_RATE (20) and PEAK_RATE (500) iterations a second; WARM (10s) at the base rate,
//   RAMP (5s) to the peak, PEAK (20s) at it, RAMP back down, RECOVERY (20s) at the base rate
//   PRE_VUS (50), MAX_VUS (1000)
//   EVENTS (1) events of ROWS (100) x SEATS_PER_ROW (100) seats (at most 100,000 an event)
//   MAX_HOLD (4), NAMED_RATIO (0.5), CONFIRM_RATIO (0.7): as in steady.js
//   P99_MS (2000): threshold on the p99 of holds; MAX_DROPPED (unset): when set, a threshold on
//   dropped_iterations (iterations k6 could not start for want of VUs)
import { Counter } from 'k6/metrics';
import { buyOnce, createEvents, failOnBrokenInvariant, floatEnv, intEnv, runId, strEnv } from './lib/boxoffice.js';

const EVENTS = intEnv('EVENTS', 1);
const ROWS = intEnv('ROWS', 100);
const PER_ROW = intEnv('SEATS_PER_ROW', 100);
const MAX_HOLD = intEnv('MAX_HOLD', 4);
const NAMED_RATIO = floatEnv('NAMED_RATIO', 0.5);
const CONFIRM_RATIO = floatEnv('CONFIRM_RATIO', 0.7);
const BASE_RATE = intEnv('BASE_RATE', 20);
const PEAK_RATE = intEnv('PEAK_RATE', 500);
const RAMP = strEnv('RAMP', '5s');

const oversold = new Counter('oversold_seats');

const thresholds = {
  checks: ['rate==1'],
  http_req_failed: ['rate==0'],
  unexpected_status: ['count==0'],
  oversold_seats: ['count==0'],
  'http_req_duration{name:hold}': [`p(99)<${intEnv('P99_MS', 2000)}`],
};
if (__ENV.MAX_DROPPED) {
  thresholds.dropped_iterations = [`count<=${intEnv('MAX_DROPPED', 0)}`];
}

export const options = {
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: BASE_RATE,
      timeUnit: '1s',
      preAllocatedVUs: intEnv('PRE_VUS', 50),
      maxVUs: intEnv('MAX_VUS', 1000),
      stages: [
        { duration: strEnv('WARM', '10s'), target: BASE_RATE },
        { duration: RAMP, target: PEAK_RATE },
        { duration: strEnv('PEAK', '20s'), target: PEAK_RATE },
        { duration: RAMP, target: BASE_RATE },
        { duration: strEnv('RECOVERY', '20s'), target: BASE_RATE },
      ],
      gracefulStop: '10s',
    },
  },
  thresholds,
};

export function setup() {
  return { events: createEvents(`${runId()}p`, EVENTS, ROWS, PER_ROW) };
}

export default function (data) {
  buyOnce(data.events, {
    rows: ROWS, perRow: PER_ROW, maxHold: MAX_HOLD, namedRatio: NAMED_RATIO, confirmRatio: CONFIRM_RATIO, think: 0,
  });
}

export function teardown(data) {
  failOnBrokenInvariant(data.events, oversold);
}
