/**
 * What a webhook's command on Flagger's load tester (flagger-loadtester) would send, said in words: rehearse runs
 * no command, so that traffic is not rehearsed, and the warning says how much of it there would be. The load
 * tester runs `metadata.cmd` (type cmd, the default) in the background, skipping a call while the same command
 * still runs (fluxcd/flagger pkg/loadtester/server.go, runner.go runAll); type bash runs it before answering.
 * hey's flags as rakyll/hey reads them (hey.go, Go's flag package; requester.go runWorker): -c workers (default
 * 50), each sending its next request once the last is answered, at most -q a second each (default: no limit),
 * for -z (then -n is ignored), else -n requests in all (default 200).
 */
import { parseGoDuration } from '../../units/go-duration.js';
import { count, duration, plural } from '../../units/format.js';

const BOOLEAN = new Set(['h2', 'disable-compression', 'disable-keepalive', 'disable-redirects']);

/** Words of a command line, quotes removed (as a shell splits a plain command). */
function words(cmd: string): string[] {
  return [...cmd.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** Go's flag package over hey's flags: values by name, and the first argument (the URL). */
function heyFlags(args: string[]): { flags: Map<string, string>; url: string | null } {
  const flags = new Map<string, string>();
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    const [name, value] = a.replace(/^--?/, '').split(/=(.*)/s);
    if (value !== undefined) flags.set(name, value);
    else if (BOOLEAN.has(name)) flags.set(name, 'true');
    else flags.set(name, args[++i] ?? '');
  }
  return { flags, url: args[i] ?? null };
}

/**
 * Where a hey command's requests go, by its URL's host (its first label, the Service in cluster DNS): the canary
 * Service (`<service>-canary`) takes all of them, the primary (`<service>-primary`) none, and the apex Service or
 * anything else (an ingress, a gateway) splits them by the router's weights as it splits users' requests.
 */
export function heyDestination(cmd: string, service: string): 'canary' | 'primary' | 'split' | null {
  const [program, ...args] = words(cmd);
  if (program !== 'hey') return null;
  const { url } = heyFlags(args);
  let host: string;
  try {
    host = new URL(url ?? '').hostname.split('.')[0];
  } catch {
    return null;
  }
  return host === `${service}-canary` ? 'canary' : host === `${service}-primary` ? 'primary' : 'split';
}

/** The traffic a hey command would send, in words (`up to 20 requests a second ... for 1m`); null for another command. */
export function heyTraffic(cmd: string): string | null {
  const [program, ...args] = words(cmd);
  if (program !== 'hey') return null;
  const { flags, url } = heyFlags(args);
  const number = (name: string, fallback: number): number => (flags.has(name) ? Number(flags.get(name)) : fallback);
  const workers = number('c', 50), perWorker = number('q', 0), requests = number('n', 200);
  const z = flags.has('z') ? parseGoDuration(flags.get('z')!) : null;
  if ((z && !z.ok) || !(workers >= 1) || !(perWorker >= 0) || url === null) return 'nothing: hey refuses it (a -z, -c or -q it cannot read, or no URL)';
  const rate = perWorker > 0
    ? `up to ${count(workers * perWorker)} requests a second (${plural(workers, 'worker')}, at most ${count(perWorker)} a second each, each waiting for its answer)`
    : `as many requests as ${plural(workers, 'worker')} get answers to (no -q: no limit)`;
  const seconds = z?.ok ? Number(z.value) / 1e9 : 0;
  return `${rate} to ${url}, ${seconds > 0 ? `for ${duration(seconds)}` : `${count(requests)} requests in all (no -z)`}`;
}
