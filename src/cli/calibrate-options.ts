/** The options of `rehearse calibrate`, declared here (the command's logic, cli/calibrate.ts, loads only when it runs). */
import type { Command } from 'commander';
import { choice } from './options.js';

export function calibrateOptions(cmd: Command): Command {
  return cmd
    .option('--out <file>', 'write the scenario here (default: print it)')
    .option('--group-by <how>', 'endpoints from span names (name), the http.route attribute (http.route) or regex:PATTERN', 'name')
    .option('--latency <how>', 'write own latency as empirical quantiles or a fitted lognormal', choice(['empirical', 'lognormal'] as const), 'empirical')
    .option('--sample-rate <share>', 'share of traces the files hold, e.g. 10% (scales the arrival rate)')
    .option('--name <name>', 'the scenario\'s name', 'calibrated')
    .option('--duration <d>', 'the scenario\'s simulated horizon', '10m')
    .option('--capacity <list>', 'capacities the team knows: frontend=16,cart=2x8 (workers, or replicas x workers per replica)')
    .option('--deployment <dir>', 'Kubernetes Deployments, StatefulSets, ReplicaSets, ReplicationControllers, Argo Rollouts and HPAs to read replicas from (workers per replica: annotation rehearse.dev/concurrency)')
    .option('--replica-concurrency <list>', 'workers per replica for --deployment: 8, or frontend=4,cart=2')
    .option('--wait-attribute <name>', 'a span attribute holding the time a request waited for a worker inside its span (worker_pool.wait_us, or NAME:ms): taken out of own latency, and the pool\'s size inferred from who was in service during the waits')
    .option('--check <file>', 'other traces (repeat for more files): run the scenario at their rate and compare it with them, journey by journey', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--check-sample-rate <share>', 'share of traces the --check files hold, e.g. 3%')
    .option('--check-rate <rate>', 'the rate the --check traces were made at, when known (100/s); else estimated from their root spans')
    .option('--predict <rate>', 'run the scenario at this rate (100/s, or 2x the traces\' rate) and print each journey\'s figures with their ranges')
    .option('--resamples <n>', 'calibrations from resampled traces behind the ranges of --check and --predict (default 40; 0: no ranges)')
    .option('--check-json <file>', 'write the comparison (rehearse/calibration-check@1) to this file')
    .option('--check-html <file>', 'write the comparison as a self-contained HTML page (also: rehearse report CHECK.json --html FILE)')
    .option('-q, --quiet', 'no summary line (the tables of --check and --predict still print, with warnings and errors)');
}
