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
import { get } from '../kube/resources.js';
import { quoted, quotedList } from '../../units/escape.js';

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

/** The task types flagger-loadtester runs (pkg/loadtester/server.go; cmd and ngrinder through its task factories). */
const TASKS = ['cmd', 'bash', 'helm', 'helmv3', 'kubectl', 'concord', 'ngrinder'];
/** Those it runs before answering, whose exit status is the webhook's answer. */
const BLOCKING = ['bash', 'helm', 'helmv3', 'kubectl', 'concord'];

/** The text of a k6 script's `thresholds: {...}`, whitespace collapsed, or null. */
function thresholdsOf(script: string): string | null {
  const at = /\bthresholds\s*:\s*\{/.exec(script);
  if (!at) return null;
  let depth = 0;
  for (let i = at.index + at[0].length - 1; i < script.length; i++) {
    if (script[i] === '{') depth++;
    else if (script[i] === '}' && --depth === 0) {
      const text = script.slice(at.index + at[0].length - 1, i + 1).replace(/\s+/g, ' ');
      return text.length > 200 ? `${text.slice(0, 200)}...` : text;
    }
  }
  return null;
}

/**
 * A webhook of grafana/flagger-k6-webhook (metadata.script: pkg/handlers/launch.go): it runs the script with k6 and,
 * unless wait_for_results is false (strconv.ParseBool), answers when k6 ends: 400 when k6 fails, as it does when a
 * threshold of the script is crossed, which fails the hook.
 */
function k6Note(metadata: unknown, script: string, type: string, service: string): string {
  const wait = get(metadata, 'wait_for_results');
  const waits = !(typeof wait === 'string' && ['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(wait));
  const thresholds = thresholdsOf(script);
  const vus = /\bvus\s*:\s*(\d+)/.exec(script)?.[1];
  const length = /\bduration\s*:\s*['"`]([^'"`]+)['"`]/.exec(script)?.[1];
  const targets = [...new Set([...script.matchAll(/\bhttp\.(?:get|post|put|patch|del|head|options|request)\(\s*(?:['"`][A-Z]+['"`]\s*,\s*)?['"`]([^'"`]+)['"`]/g)].map((m) => m[1]))];
  const canary = targets.some((u) => heyDestination(`hey ${u}`, service) === 'canary');
  const load = `${vus ? `${plural(Number(vus), 'virtual user')}` : 'its virtual users'}${length ? ` for ${length}` : ''}${targets.length > 0 ? ` to ${quotedList(targets)}${canary ? ' (the canary Service)' : ''}` : ''}`;
  const decides = !waits ? 'wait_for_results is false: the webhook answers once k6 has started, and the script\'s thresholds decide nothing'
    : `the webhook answers when k6 ends, 400 when k6 fails, as it does when a threshold of the script is crossed${thresholds ? ` (thresholds: ${thresholds})` : ' (the script sets no thresholds)'}; a 400 fails the hook${type === 'pre-rollout' ? ', and Flagger then calls it again at every interval, each failure a failed check, until the threshold rolls the canary back (scheduler.go runPreRolloutHooks; the webhook answers at once within min_failure_delay of its last failure, 2m by default)' : ''}`;
  return `. Its metadata.script is a k6 script, as grafana/flagger-k6-webhook runs it (pkg/handlers/launch.go): ${decides}. rehearse runs no k6: the hook is taken as passing, and the script's load (${load}) is not rehearsed`;
}

/**
 * What a webhook's task on Flagger's load tester (metadata.type and cmd) would have done or sent, which is not
 * rehearsed, or a k6 webhook's script; '' for other webhooks. Flagger calls pre-rollout hooks once before the
 * first traffic shift (again at every interval while one fails), rollout hooks at every check (scheduler.go
 * runAnalysis), the others at their events. flagger-loadtester (pkg/loadtester/server.go) answers 400 to a type it
 * does not run ("unknown task type") and to an ngrinder task without server, clone, username and passwd.
 */
export function commandNote(h: unknown, type: string, intervalUs: number, service: string, ab: 'match' | 'all' | 'none' | null): string {
  const metadata = get(h, 'metadata');
  const script = get(metadata, 'script');
  const url = String(get(h, 'url') ?? '');
  if (typeof script === 'string' && get(metadata, 'cmd') === undefined && /\/launch-test\b|k6/i.test(url)) return k6Note(metadata, script, type, service);
  const cmd = get(metadata, 'cmd');
  const kind = String(get(metadata, 'type') ?? 'cmd');
  // pkg/loadtester/task_shell.go: a cmd task (the type by default) without cmd is refused, "cmd not found in metadata".
  if (kind === 'cmd' && cmd === undefined && metadata !== null && typeof metadata === 'object' && Object.keys(metadata).length > 0 && /loadtester/i.test(url) && !/\/(gate|rollback)\//.test(url)) {
    return '. Its task is a cmd task (metadata.type cmd, or none) without metadata.cmd: flagger-loadtester answers 400 "cmd not found in metadata" (pkg/loadtester/task_shell.go), and Flagger fails the webhook at every call, where the rehearsal takes it as passing';
  }
  if (metadata === undefined || metadata === null || (typeof cmd !== 'string' && !['ngrinder', 'concord'].includes(kind))) return '';
  if (!TASKS.includes(kind)) {
    // A service of the team's own may take other types: only Flagger's load tester (by its url) is judged.
    return /loadtester/i.test(url) ? `. Its metadata.type ${quoted(kind)} is none that Flagger's load tester runs (${TASKS.join(', ')}): flagger-loadtester answers 400 "unknown task type ${kind}" (pkg/loadtester/server.go), and Flagger fails the webhook at every call, where the rehearsal takes it as passing` : '';
  }
  const when = type === 'rollout' ? `at every check (every ${duration(intervalUs / 1e6)}${kind === 'cmd' || kind === 'ngrinder' ? '; skipped while the last run goes on' : ''})`
    : type === 'pre-rollout' ? 'once, before the first traffic shift' : `at each ${type} event`;
  if (kind === 'ngrinder') {
    const missing = ['server', 'clone', 'username', 'passwd'].filter((k) => typeof get(metadata, k) !== 'string' || get(metadata, k) === '');
    const clone = get(metadata, 'clone');
    if (missing.length > 0 || !/^[+-]?\d+$/.test(String(clone))) return `. Its ngrinder task: flagger-loadtester answers 400 (pkg/loadtester/task_ngrinder.go: ${missing.length > 0 ? '"server, clone, username and passwd are required metadata"' : '"metadata clone must be integer"'}), and Flagger fails the webhook at every call, where the rehearsal takes it as passing`;
    return `. Its ngrinder task starts an nGrinder test, a clone of test ${String(clone)} on ${String(get(metadata, 'server'))}, ${when} (pkg/loadtester/task_ngrinder.go), and polls it every ${String(get(metadata, 'pollInterval') ?? '1s')}: its load is not rehearsed (the checks read only the scenario's users' requests)`;
  }
  if (BLOCKING.includes(kind) && kind !== 'bash') return `. Its ${kind} task on the load tester${typeof cmd === 'string' ? `, ${JSON.stringify(cmd)},` : ''} runs ${when}, before the load tester answers (pkg/loadtester/server.go): its exit status, which decides the webhook, is taken as success`;
  const sends = heyTraffic(cmd as string);
  // rehearse sends none of it: the scenario's users are all the traffic, and the weights route them.
  const where = heyDestination(cmd as string, service);
  const instead = where === 'canary' ? `all of it to the canary Service, whose requests the checks count; rehearse sends none of it: the checks read only the scenario's users' requests the weights send to the canary, fewer than Flagger's checks count (at a low weight or with little traffic, none: a check that finds no values fails)`
    : where === 'primary' ? 'all of it to the primary, which the canary\'s checks do not count; rehearse sends none of it, and the checks read the same canary requests Flagger\'s do'
    : ab === 'match' ? `routed by analysis.match as users' requests are, not by weights (an A/B analysis: a request that carries what the match selects, such as a header the command's -H sets, reaches the canary, the others the primary); rehearse sends none of it: the checks read only the scenario's users' requests, fewer than Flagger's checks count`
    : ab === 'all' ? `all of it to the canary, as every request during this A/B analysis (the router's canary route has no condition); rehearse sends none of it: the checks read only the scenario's users' requests, fewer than Flagger's checks count`
    : ab === 'none' ? 'none of it to the canary, as no request during this A/B analysis (the router writes no condition that sends one there): the checks count none of it, as in the rehearsal'
    : `split by the weights as users' requests are; rehearse sends none of it: the checks read only the scenario's users' requests at each weight, fewer than Flagger's checks count`;
  const what = sends === null ? `runs ${when}; whatever it sends is not rehearsed (rehearse runs no command: the checks read only the scenario's users' requests)` : `would send ${sends}, started ${when}: ${instead}`;
  const status = kind === 'bash' ? '; type bash: its exit status, which decides the webhook, is taken as success' : '';
  return `. Its command on the load tester, ${JSON.stringify(cmd)}, ${what}${status}`;
}
