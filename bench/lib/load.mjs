// Load with autocannon (keep-alive, loopback, bounded in time) and the statistics the report prints.
import autocannon from 'autocannon';

const QUICK = process.env.BENCH_QUICK === '1';
export const DURATION_S = QUICK ? 2 : 10;
export const CONNECTIONS = 50;

/**
 * One measurement: `options` are autocannon's (url, method, headers, body, requests, connections).
 * Returns successful requests per second and latency percentiles in ms.
 */
export async function measure(options) {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION_S, ...options });
  const ok = result['2xx'];
  const { latency } = result;
  return {
    rps: round(ok / (result.duration || DURATION_S), 1),
    p50: latency.p50,
    p90: latency.p90,
    p99: latency.p99,
    max: latency.max,
    ok,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

/** Percentile of unsorted samples, nearest rank. */
export function percentile(samples, p) {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function round(value, digits = 2) {
  return Number(Number(value).toFixed(digits));
}

/** JSON request through fetch; throws on an unexpected status. */
export async function call(url, { method = 'GET', body, token, expect = 200 } = {}) {
  const response = await fetch(url, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (response.status !== expect) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}
