/**
 * The users: an open-loop load generator. Arrivals are Poisson at the given rate, drawn in advance and sent at
 * their times whatever the responses do (no request waits for another; connections are added as needed). Each
 * request's latency is measured here, at the client, from the moment it is sent to the end of its response. Not
 * traced: users run no OpenTelemetry SDK, so the frontend's server span is each trace's root.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { stream } from './lib/draw.mjs';

function run({ url, rate, seconds, seed, journeys }) {
  const rng = stream(seed, 'arrivals');
  const names = Object.keys(journeys);
  const cumulative = [];
  let total = 0;
  for (const n of names) cumulative.push((total += journeys[n].weight));
  const at = [], which = [];
  for (let t = rng.draw({ dist: 'exponential', mean: 1000 / rate }); t < seconds * 1000; t += rng.draw({ dist: 'exponential', mean: 1000 / rate })) {
    at.push(t);
    const u = rng.uniform() * total;
    which.push(cumulative.findIndex((c) => u < c));
  }
  const n = at.length;
  const sentAt = new Float64Array(n), latency = new Float64Array(n), status = new Int32Array(n);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  let next = 0, finished = 0;
  const t0 = performance.now();

  return new Promise((resolve) => {
    const send = (i) => {
      const j = journeys[names[which[i]]];
      const start = performance.now();
      sentAt[i] = start - t0;
      const req = http.request(`${url}${j.path}`, { method: j.method, agent, headers: { 'content-length': 0 } }, (res) => {
        res.resume();
        res.on('end', () => done(i, start, res.statusCode));
      });
      req.on('error', () => done(i, start, 599));
      req.end();
    };
    const done = (i, start, code) => {
      latency[i] = performance.now() - start;
      status[i] = code;
      if (++finished === n) {
        agent.destroy();
        resolve({ names, which, at, sentAt: [...sentAt], latency: [...latency], status: [...status], seconds: (performance.now() - t0) / 1000 });
      }
    };
    const tick = () => {
      const now = performance.now() - t0;
      while (next < n && at[next] <= now) send(next++);
      if (next < n) setTimeout(tick, at[next] - (performance.now() - t0));
    };
    if (n === 0) resolve({ names, which, at, sentAt: [], latency: [], status: [], seconds: 0 });
    else tick();
  });
}

process.on('message', async (m) => {
  if (m.type === 'run') process.send({ type: 'done', ...(await run(m)) });
  else if (m.type === 'stop') process.exit(0);
});
process.send({ type: 'ready' });
