#!/usr/bin/env node
// A dry run of a k6 scenario with node, for machines where k6 cannot be installed: it runs the
// script's setup, a few iterations of each of its scenarios (every virtual user in a worker thread,
// so concurrent scenarios such as waitlist.js's joiners and releaser really overlap), and teardown,
// against a real service, then evaluates the script's thresholds on what it recorded.
//
//   BASE_URL=http://127.0.0.1:8080 node k6/tools/dry-run.mjs k6/smoke.js
//   DRY_VUS=4 DRY_ITERATIONS=5 BASE_URL=... node k6/tools/dry-run.mjs k6/flash-sale.js
//
// It is not k6: HTTP goes through curl (one process a request, so it is slow and its timings mean
// nothing), executors are reduced to "DRY_VUS users (default 2) x DRY_ITERATIONS iterations (default
// 2)" (per-vu-iterations scenarios keep their own, smaller, counts; startTime is honoured), and only the
// k6 APIs the scripts here use exist. What it catches: scripts that throw, calls the service answers
// with a status the script does not expect, checks that fail, thresholds that cannot pass.
// The script's environment variables come from node's own environment (as k6's -e would give them).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

// --- the k6 stand-ins, written next to the copied scripts -----------------------------------------

const SHIMS = {
  'metrics-store.mjs': `
export function store() {
  if (!globalThis.__dry) globalThis.__dry = { metrics: {}, errors: [] };
  return globalThis.__dry;
}
export function record(name, type, value, tags) {
  const m = store().metrics;
  if (!m[name]) m[name] = { type, samples: [] };
  m[name].samples.push({ value, tags: tags || {} });
}`,
  'k6.mjs': `
import { record } from './metrics-store.mjs';
export function check(value, sets, tags) {
  let all = true;
  for (const name of Object.keys(sets)) {
    let ok = false;
    try { ok = !!sets[name](value); } catch (e) { ok = false; }
    if (!ok) { all = false; console.warn('check failed: ' + name); }
    record('checks', 'rate', ok ? 1 : 0, Object.assign({ check: name }, tags || {}));
  }
  return all;
}
export function group(name, fn) { return fn(); }
export function sleep(seconds) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(0, seconds * 1000));
}
export function fail(message) { throw new Error(message); }
export default { check, group, sleep, fail };`,
  'metrics.mjs': `
import { record } from './metrics-store.mjs';
class Metric {
  constructor(name, type) { this.name = name; this.type = type; }
  add(value, tags) { record(this.name, this.type, Number(value), tags); }
}
export class Counter extends Metric { constructor(name) { super(name, 'counter'); } }
export class Trend extends Metric { constructor(name) { super(name, 'trend'); } }
export class Rate extends Metric { constructor(name) { super(name, 'rate'); } add(v, t) { super.add(v ? 1 : 0, t); } }
export class Gauge extends Metric { constructor(name) { super(name, 'gauge'); } }`,
  'execution.mjs': `
const exec = {
  get vu() { return { idInTest: globalThis.__VU, idInInstance: globalThis.__VU, iterationInScenario: globalThis.__ITER, iterationInInstance: globalThis.__ITER }; },
  get scenario() { return { name: globalThis.__SCENARIO || 'default', iterationInTest: globalThis.__ITER }; },
  test: { abort(reason) { throw new Error('test aborted: ' + (reason || '')); } },
};
export default exec;`,
  'http.mjs': `
import { execFileSync } from 'node:child_process';
import { record } from './metrics-store.mjs';
function expectedStatuses(...sets) {
  return { __expected: sets.map((s) => (typeof s === 'number' ? { min: s, max: s } : s)) };
}
let defaultCallback = expectedStatuses({ min: 200, max: 399 });
function setResponseCallback(cb) { defaultCallback = cb; }
function request(method, url, body, params) {
  params = params || {};
  const args = ['-s', '-S', '-X', method, '--max-time', '60', '-o', '-', '-w', '\\n%{http_code}'];
  const headers = params.headers || {};
  for (const name of Object.keys(headers)) args.push('-H', name + ': ' + headers[name]);
  if (body !== null && body !== undefined) args.push('--data-binary', '@-');
  args.push(url);
  const started = Date.now();
  let out;
  try {
    out = execFileSync('curl', args, { input: body === null || body === undefined ? '' : String(body), maxBuffer: 1 << 28 }).toString('utf8');
  } catch (e) {
    out = '\\n0';
  }
  const cut = out.lastIndexOf('\\n');
  const res = {
    status: Number(out.slice(cut + 1)), body: out.slice(0, cut), timings: { duration: Date.now() - started },
    json() { return JSON.parse(this.body); },
  };
  const tags = Object.assign({ method, status: String(res.status) }, params.tags || {});
  const cb = params.responseCallback === undefined ? defaultCallback : params.responseCallback;
  record('http_reqs', 'counter', 1, tags);
  record('http_req_duration', 'trend', res.timings.duration, tags);
  if (cb) {
    const ok = cb.__expected.some((r) => res.status >= r.min && res.status <= r.max);
    record('http_req_failed', 'rate', ok ? 0 : 1, tags);
  }
  return res;
}
const http = {
  request, expectedStatuses, setResponseCallback,
  get: (url, params) => request('GET', url, null, params),
  post: (url, body, params) => request('POST', url, body, params),
  put: (url, body, params) => request('PUT', url, body, params),
  del: (url, body, params) => request('DELETE', url, body === undefined ? null : body, params),
};
export default http;
export { request, expectedStatuses, setResponseCallback };`,
};

function prepare(script) {
  const source = dirname(resolve(script));
  const dir = mkdtempSync(join(tmpdir(), 'k6-dry-'));
  cpSync(source, join(dir, 'scripts'), { recursive: true, filter: (p) => !relative(source, p).startsWith('tools') });
  for (const [name, text] of Object.entries(SHIMS)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  const map = { k6: 'k6.mjs', 'k6/http': 'http.mjs', 'k6/metrics': 'metrics.mjs', 'k6/execution': 'execution.mjs' };
  const rewrite = (folder) => {
    for (const entry of readdirSync(folder)) {
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) { rewrite(path); continue; }
      if (!entry.endsWith('.js')) continue;
      const text = readFileSync(path, 'utf8').replace(/from\s+'(k6(?:\/[a-z]+)?)'/g,
        (all, mod) => (map[mod] ? `from '${pathToFileURL(join(dir, map[mod])).href}'` : all));
      writeFileSync(path, text);
    }
  };
  rewrite(join(dir, 'scripts'));
  return { dir, module: join(dir, 'scripts', basename(script)) };
}

function setGlobals(vu, iter, scenario) {
  globalThis.__ENV = Object.assign({}, process.env);
  globalThis.__VU = vu;
  globalThis.__ITER = iter;
  globalThis.__SCENARIO = scenario;
}

// --- a virtual user ---------------------------------------------------------------------------------

if (!isMainThread) {
  const { module, exec, data, vu, iterations, delayMs, scenario } = workerData;
  setGlobals(vu, 0, scenario);
  if (delayMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delayMs);
  const mod = await import(pathToFileURL(module).href);
  const fn = exec === 'default' ? mod.default : mod[exec];
  const store = (await import(pathToFileURL(join(dirname(dirname(module)), 'metrics-store.mjs')).href)).store();
  for (let i = 0; i < iterations; i++) {
    globalThis.__ITER = i;
    try {
      fn(data);
    } catch (e) {
      store.errors.push(`${scenario} vu ${vu} iteration ${i}: ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`);
    }
  }
  parentPort.postMessage(store);
} else {
  await main();
}

// --- the run ---------------------------------------------------------------------------------------

function seconds(text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(text || '0s'));
  if (!m) return 0;
  return Number(m[1]) * ({ ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] || 's']);
}

function runVu(module, exec, data, vu, iterations, delayMs, scenario) {
  return new Promise((done, failed) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { module, exec, data, vu, iterations, delayMs, scenario } });
    let result = null;
    w.on('message', (m) => { result = m; });
    w.on('error', failed);
    w.on('exit', () => done(result || { metrics: {}, errors: [`${scenario} vu ${vu}: the worker died`] }));
  });
}

function merge(into, from) {
  for (const [name, m] of Object.entries(from.metrics)) {
    if (!into.metrics[name]) into.metrics[name] = { type: m.type, samples: [] };
    into.metrics[name].samples.push(...m.samples);
  }
  into.errors.push(...from.errors);
}

function evaluate(expression, metric, selector) {
  let samples = metric ? metric.samples : [];
  if (selector) {
    const [k, v] = selector.split(':');
    samples = samples.filter((s) => String(s.tags[k]) === v);
  }
  const values = samples.map((s) => s.value).sort((a, b) => a - b);
  const m = /^\s*(count|rate|avg|min|max|med|p\((\d+(?:\.\d+)?)\))\s*(==|!=|<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(expression);
  if (!m) return { ok: false, value: `cannot read '${expression}'` };
  let value;
  if (m[1] === 'count') value = values.reduce((a, b) => a + b, 0);
  else if (m[1] === 'rate') value = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
  else if (m[1] === 'avg') value = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
  else if (m[1] === 'min') value = values[0] || 0;
  else if (m[1] === 'max') value = values[values.length - 1] || 0;
  else {
    const p = m[1] === 'med' ? 50 : Number(m[2]);
    value = values.length ? values[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)] : 0;
  }
  const limit = Number(m[4]);
  const ok = { '==': value === limit, '!=': value !== limit, '<=': value <= limit, '>=': value >= limit, '<': value < limit, '>': value > limit }[m[3]];
  return { ok, value };
}

async function main() {
  const loadOnly = process.argv.includes('--load-only');
  const script = process.argv.slice(2).find((a) => !a.startsWith('--'));
  if (!script) {
    console.error('usage: [ENV=...] node k6/tools/dry-run.mjs [--load-only] k6/SCRIPT.js');
    process.exit(2);
  }
  if (loadOnly) {
    await load(script);
    return;
  }
  const maxVus = Number(process.env.DRY_VUS || 2);
  const maxIterations = Number(process.env.DRY_ITERATIONS || 2);
  const { dir, module } = prepare(script);
  let failed = false;
  try {
    setGlobals(0, 0, 'setup');
    const mod = await import(pathToFileURL(module).href);
    const store = (await import(pathToFileURL(join(dir, 'metrics-store.mjs')).href)).store();
    const options = mod.options || {};
    // setup's data goes to every VU as k6 gives it: a JSON copy
    const data = mod.setup ? JSON.parse(JSON.stringify(callSetup(mod) ?? null)) : undefined;
    const scenarios = options.scenarios || { default: { executor: 'per-vu-iterations', vus: options.vus || 1, iterations: options.iterations || 1 } };
    const runs = [];
    for (const [name, s] of Object.entries(scenarios)) {
      const vus = Math.max(1, Math.min(maxVus, s.vus || s.preAllocatedVUs || 1));
      const iterations = s.executor === 'per-vu-iterations' ? Math.min(s.iterations || 1, maxIterations) : maxIterations;
      for (let vu = 1; vu <= vus; vu++) {
        runs.push(runVu(module, s.exec || 'default', data, runs.length + 1, iterations, seconds(s.startTime) * 1000, name));
      }
      console.log(`scenario ${name}: ${s.executor}, ${vus} VUs x ${iterations} iterations (dry run)`);
    }
    for (const r of await Promise.all(runs)) merge(store, r);
    if (mod.teardown) {
      setGlobals(0, 0, 'teardown');
      try {
        mod.teardown(data);
      } catch (e) {
        store.errors.push(`teardown: ${e.message}`);
      }
    }
    for (const e of store.errors) {
      console.log(`ERROR ${e}`);
      failed = true;
    }
    const reqs = store.metrics.http_reqs ? store.metrics.http_reqs.samples.length : 0;
    const byStatus = {};
    for (const s of (store.metrics.http_reqs || { samples: [] }).samples) byStatus[s.tags.status] = (byStatus[s.tags.status] || 0) + 1;
    console.log(`requests: ${reqs} ${JSON.stringify(byStatus)}`);
    const checks = (store.metrics.checks || { samples: [] }).samples;
    const failedChecks = {};
    for (const c of checks) if (!c.value) failedChecks[c.tags.check] = (failedChecks[c.tags.check] || 0) + 1;
    console.log(`checks: ${checks.length - Object.values(failedChecks).reduce((a, b) => a + b, 0)} of ${checks.length} passed`);
    for (const [name, n] of Object.entries(failedChecks)) console.log(`  FAILED ${n} x ${name}`);
    for (const [key, list] of Object.entries(options.thresholds || {})) {
      const m = /^([a-z_]+)(?:\{([^}]+)\})?$/.exec(key);
      for (const t of list) {
        const expression = typeof t === 'string' ? t : t.threshold;
        const { ok, value } = evaluate(expression, store.metrics[m[1]], m[2]);
        console.log(`threshold ${ok ? 'ok  ' : 'FAIL'} ${key} ${expression} (${typeof value === 'number' ? +value.toFixed(3) : value})`);
        if (!ok) failed = true;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(failed ? 'dry run: FAILED' : 'dry run: ok');
  process.exit(failed ? 1 : 0);
}

// --load-only: links the script with the stand-ins and runs its init code, nothing else (no request):
// catches names imported that the library does not export, and init code that throws (options).
async function load(script) {
  const { dir, module } = prepare(script);
  let problem = null;
  try {
    setGlobals(0, 0, 'init');
    const mod = await import(pathToFileURL(module).href);
    const options = mod.options || {};
    const scenarios = options.scenarios || { default: {} };
    for (const [name, s] of Object.entries(scenarios)) {
      const exec = s.exec || 'default';
      if (typeof mod[exec] !== 'function') problem = `scenario ${name}: no exported function ${exec}`;
    }
    for (const key of Object.keys(options.thresholds || {})) {
      if (!/^[a-z_]+(\{[a-z_]+:[^}]+\})?$/.test(key)) problem = `threshold on '${key}' cannot be read`;
    }
  } catch (e) {
    problem = e && e.message ? e.message : String(e);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (problem) {
    console.log(`${script}: ${problem}`);
    process.exit(1);
  }
}

function callSetup(mod) {
  setGlobals(0, 0, 'setup');
  return mod.setup();
}
