/** The other commands: cohorts, bucket, lint, export, flags, import, init, calibrate and schema. */
import type { Command } from 'commander';
import { DEFAULT_SEGMENTS } from '../../cohorts/segments.js';
import { InputError } from '../../errors.js';
import { BUCKETING_SYSTEMS, type BucketingSystem } from '../../flags/bucketing.js';
import { choice, collectAttribute, collectSegment, countOption, percentOption, rolloutSeedOption, seedOption, withRemainder } from '../options.js';
import { calibrateOptions } from '../calibrate-options.js';
import type { CommandContext } from './context.js';
import { quoted } from '../../units/escape.js';

/** Users and where they fall: cohorts generate, bucket. */
export function userCommands(program: Command, { out }: CommandContext): void {
  const cohorts = program.command('cohorts').description('synthetic user cohorts');
  cohorts
    .command('generate')
    .description('generate a cohort of synthetic users (same seed, same file)')
    .requiredOption('--size <n>', 'number of users', countOption)
    .requiredOption('--out <file>', 'cohort file to write, e.g. cohorts/shoppers.json')
    .option('--seed <n>', 'random seed', seedOption, 1)
    .option('--name <name>', 'cohort name (default: the file name)')
    .option('--attribute <name=values>', 'a further user attribute, repeatable: plan=free:70%,pro:25%,enterprise:5% or email=faker:internet.email', collectAttribute, [])
    .option('--segment <name=share>', `a named segment and its share, repeatable (default: ${Object.entries(DEFAULT_SEGMENTS).map(([k, v]) => `${k}=${v * 100}%`).join(' ')})`, collectSegment, {})
    .option('--force', 'generate even when the size is over the limit')
    .action(async (opts: { size: number; out: string; seed: number; name?: string; segment: Record<string, number>; attribute: string[]; force?: boolean }) => {
      const { LIMITS } = await import('../../scenario/defaults.js');
      if (opts.size > LIMITS.cohortUsers && !opts.force) {
        const { sci } = await import('../../scenario/budget.js');
        throw new InputError([`--size: ${sci(opts.size)} users would take about ${sci(opts.size / 60_000)} s and ${sci(opts.size * 500)} bytes of memory, over the limit of ${sci(LIMITS.cohortUsers)} users; rerun with --force to generate anyway (limits: docs/limits.md, "Hostile input and limits")`]);
      }
      if (!Number.isSafeInteger(opts.size)) throw new InputError([`--size: a whole number up to ${Number.MAX_SAFE_INTEGER}, even with --force`]);
      const { cohortDocument, generateCohort } = await import('../../cohorts/cohort.js');
      const { parseAttributeOption } = await import('../../cohorts/attributes.js');
      const attributes = opts.attribute.map((a) => {
        const r = parseAttributeOption(a);
        if (!r.ok) throw new InputError([`--attribute ${a}: ${r.message}`]);
        return r.spec;
      });
      const { writeJson } = await import('../../report/json.js');
      (await import('../../files/write.js')).checkWritable(opts.out);
      const segments = Object.keys(opts.segment).length ? withRemainder(opts.segment) : DEFAULT_SEGMENTS;
      const name = opts.name ?? opts.out.replace(/^.*\//, '').replace(/\.json$/, '');
      let cohort;
      try {
        cohort = generateCohort({ name, size: opts.size, seed: opts.seed, segments, attributes });
      } catch (e) {
        throw new InputError([`--attribute: ${(e as Error).message}`]);
      }
      writeJson(opts.out, cohortDocument(cohort), true);
      const counts = Object.keys(segments).map((s) => `${s} ${cohort.segment.filter((x) => x === s).length.toLocaleString('en-US')}`);
      const { plural } = await import('../../units/format.js');
      out(`${opts.out}: ${plural(opts.size, 'user')} (seed ${opts.seed}): ${counts.join(', ')}`);
    });

  program
    .command('bucket')
    .description(`show where a user falls in a flag's rollout, as the flag system computes it (${BUCKETING_SYSTEMS.join(', ')})`)
    .requiredOption('--system <name>', `flag system: ${BUCKETING_SYSTEMS.join(', ')}`, choice(BUCKETING_SYSTEMS))
    .requiredOption('--flag <key>', 'flag key')
    .requiredOption('--user <id>', 'targeting key (user id)')
    .option('--salt <s>', 'LaunchDarkly salt (default: none, hashed as "" as the SDK hashes a flag without one), Unleash groupId or GrowthBook seed (default: the flag key)')
    .option('--seed <n>', 'LaunchDarkly rollout seed (a whole number; 0 is no seed to its Node SDK)', rolloutSeedOption)
    .option('--hash-version <v>', 'GrowthBook hash version: 1 or 2 (default 2)', choice(['1', '2'] as const))
    .option('--percent <p>', 'rollout percentage to test, e.g. 5 or 12.5', percentOption)
    .action(async (opts: { system: BucketingSystem; flag: string; user: string; salt?: string; seed?: number; hashVersion?: '1' | '2'; percent?: number }) => {
      const { bucketOf, inRollout, launchdarklyHashValue } = await import('../../flags/bucketing.js');
      const { expressible } = await import('../../scenario/exposure.js');
      if (opts.seed !== undefined && opts.system !== 'launchdarkly') throw new InputError([`--seed: only a LaunchDarkly rollout has a seed; ${opts.system} has none (did you mean --salt?)`]);
      const b = bucketOf(opts.system, opts.flag, opts.user, {
        salt: opts.salt, seed: opts.seed, hashVersion: opts.hashVersion ? (Number(opts.hashVersion) as 1 | 2) : undefined,
      });
      out(`${opts.system}: flag ${quoted(opts.flag)}, user ${quoted(opts.user)}: ${b.native}`);
      if (opts.system === 'launchdarkly' && opts.seed === 0) {
        out(`seed 0: LaunchDarkly's Node SDK takes it for no seed and hashes flag key and salt, as above (rehearse follows it); its Go SDK hashes "0.${opts.user}": bucket ${launchdarklyHashValue(`0.${opts.user}`).toFixed(8)}`);
      }
      out(`in a rollout of P% for every P above ${(Math.max(b.rank, 0) / 1000).toFixed(3)}%`);
      if (opts.percent !== undefined) {
        const why = expressible(opts.system, opts.percent);
        if (why) throw new InputError([`--percent: ${why}`]);
        out(`at ${opts.percent}%: ${inRollout(b.rank, opts.percent) ? 'IN' : 'OUT'}`);
      }
    });
}

/** Governance, other tools' formats, the scaffold and the schema. */
export function toolCommands(program: Command, { out, err, setExit, runCommand }: CommandContext): void {
  program
    .command('lint')
    .description('governance checks: owners, rollback plans, dependency cycles, ramp order, locks, conflicts, expiry')
    .argument('<files...>', 'scenario files')
    .option('--today <date>', 'the date expiry is checked against, YYYY-MM-DD (default: today)')
    .option('--json', 'print the findings as JSON')
    .action(async (files: string[], opts: { today?: string; json?: boolean }) => {
      if (opts.today !== undefined && !/^\d{4}-\d\d-\d\d$/.test(opts.today)) throw new InputError(['--today: a date, YYYY-MM-DD']);
      const { lintCommand } = await import('../lint.js');
      setExit(lintCommand(files, opts, out));
    });

  const exportCommand = program.command('export').description('carry a scenario into other tools: a k6 load test');
  exportCommand
    .command('k6')
    .description('write a k6 load test (TypeScript) that replays the scenario\'s journeys against a real environment')
    .argument('<scenario>', 'scenario file; each journey step\'s endpoint needs http: { method, path }')
    .requiredOption('--base-url <url>', 'the environment\'s base URL (the script reads BASE_URL first)')
    .option('--out <file>', 'write the script here (default: print it)')
    .option('--key-header <name>', 'header that carries the user\'s targeting key', 'X-Targeting-Key')
    .action(async (file: string, opts: { baseUrl: string; out?: string; keyHeader: string }) => {
      const { exportK6Command } = await import('../export.js');
      exportK6Command(file, opts, out);
    });

  const flagsCommand = program.command('flags').description('evaluate the flags of flagd, Unleash and LaunchDarkly files (where a user falls in a rollout, GrowthBook too: bucket)');
  flagsCommand
    .command('eval')
    .description('evaluate a flag for a context, as the flag\'s own system does')
    .argument('<file>', 'a flag file, or a scenario whose flags.from names one')
    .requiredOption('--flag <key>', 'flag key')
    .requiredOption('--context <json>', 'evaluation context in the system\'s own form (OpenFeature, Unleash or LaunchDarkly)')
    .option('--system <name>', 'flagd, unleash or launchdarkly (default: detected from the file)', choice(['flagd', 'unleash', 'launchdarkly'] as const))
    .option('--environment <name>', 'the Unleash environment to serve (a state export may hold several)')
    .option('--default <json>', 'the value the calling code passes as its default: served on an evaluation error, as the SDK serves it')
    .option('--fractional <version>', 'flagd\'s fractional bucketing: v2 (every flagd release to date; the default) or v3 (the flagd testbed\'s @fractional-v3)', choice(['v2', 'v3'] as const))
    .option('--selector <expr>', 'flagd\'s selector: flagSetId=ID reads that flag set only, as a provider\'s selector does')
    .option('--json', 'print one JSON object: flag, enabled, variant, value, reason, bucket')
    .action(async (file: string, opts: { flag: string; context: string; system?: 'flagd' | 'unleash' | 'launchdarkly'; json?: boolean; environment?: string; default?: string; fractional?: 'v2' | 'v3'; selector?: string }) => {
      const { evaluateFlag, formatEvaluation } = await import('../flags.js');
      const notes: string[] = [];
      const e = evaluateFlag(file, opts, notes);
      for (const n of notes) err(`warning: ${n}`);
      out(opts.json ? JSON.stringify(e) : formatEvaluation(e));
    });

  const importCommand = program.command('import').description('bring definitions from other tools: flagd, Unleash and LaunchDarkly flags, Argo Rollouts, Flagger Canaries');
  importCommand
    .command('flags')
    .description('print the scenario flags: entries that take a flag system file\'s flags')
    .argument('<system>', 'flagd, unleash or launchdarkly', choice(['flagd', 'unleash', 'launchdarkly'] as const))
    .argument('<file>', 'the flag file')
    .option('--strict', 'features of the file that rehearse does not model are errors')
    .option('--inline', 'the flags in rehearse\'s own format where it can say the same, each checked user by user against the system')
    .option('--cohort <file>', 'with --inline: the users to check on (default: 10,000 generated)')
    .option('--environment <name>', 'the Unleash environment to import (a state export may hold several)')
    .option('--selector <expr>', 'flagd\'s selector: flagSetId=ID imports that flag set only, as a provider\'s selector reads it')
    .action(async (system: 'flagd' | 'unleash' | 'launchdarkly', file: string, opts: { strict?: boolean; inline?: boolean; cohort?: string; environment?: string; selector?: string }) => {
      if (opts.cohort !== undefined && !opts.inline) throw new InputError(['--cohort: it is the users --inline checks its flags on: give --inline too']);
      if (opts.selector !== undefined && system !== 'flagd') throw new InputError(['--selector: it names a flagd flag set: for flagd files only']);
      if (opts.selector !== undefined && opts.inline) throw new InputError(['--selector: not with --inline, which reads every flag set of the file: keep such a file with flags.from']);
      const { importFlags, importFlagsInline } = await import('../flags.js');
      const r = opts.inline ? importFlagsInline(system, file, opts.cohort, opts.environment) : importFlags(system, file, opts.environment, opts.selector);
      if (opts.strict && r.warnings.length) throw new InputError(r.warnings);
      for (const w of r.warnings) err(`warning: ${w}`);
      out(r.yaml.trimEnd());
    });
  for (const format of ['argo', 'flagger'] as const) {
    importCommand
      .command(format)
      .description(format === 'argo' ? 'print the native rehearse plan equivalent to a Rollout and its AnalysisTemplates' : 'print the native rehearse plan equivalent to a Canary and its MetricTemplates')
      .argument('<files...>', format === 'argo' ? 'the Rollout and the AnalysisTemplates it names (YAML)' : 'the Canary and the MetricTemplates it names (YAML)')
      .option('--flag <key>', 'the flag the plan rolls out', 'new-feature');
    if (format === 'argo') {
      importCommand.commands.at(-1)!
        .option('--arg <name=value>', 'a template arg\'s value, over the Rollout\'s (as a scenario\'s argo.args); repeatable', (v: string, prev: string[] = []) => [...prev, v])
        .option('--service <name>', 'the scenario\'s service that runs the Rollout, written as pods.service (as a scenario\'s argo.service; default: the Rollout\'s name)')
        .option('--rollout <name>', 'the Rollout to import where the files hold several (its metadata.name; as a scenario\'s argo.name)');
    } else {
      importCommand.commands.at(-1)!
        .option('--canary <name>', 'the Canary to import where the files hold several (its metadata.name; as a scenario\'s flagger.name)');
    }
    importCommand.commands.at(-1)!
      .action(async (files: string[], opts: { flag: string; arg?: string[]; service?: string; rollout?: string; canary?: string }) => {
        const { importCommand: importPlan } = await import('../import.js');
        const args: Record<string, string> = {};
        for (const a of opts.arg ?? []) {
          const eq = a.indexOf('=');
          if (eq <= 0) throw new InputError([`--arg ${a}: write name=value`]);
          args[a.slice(0, eq)] = a.slice(eq + 1);
        }
        const r = importPlan(format, files, opts.flag, args, opts.service, format === 'argo' ? opts.rollout : opts.canary);
        for (const w of r.warnings) err(`warning: ${w}`);
        out(r.text.trimEnd());
      });
  }

  program
    .command('init')
    .description('scaffold a first rehearsal: a commented scenario, its README and a nightly GitHub workflow')
    .argument('[dir]', 'the project folder (new, or empty but for package.json, git files and node_modules)', '.')
    .option('--template <name>', 'scaffold template (release)')
    .option('--force', 'write into a folder that is not empty, overwriting the scaffold\'s files')
    .option('--from-traces <file>', 'also calibrate a scenario from trace files (rehearse calibrate)')
    .option('--from-argo <file>', 'also import the rollout plan of an Argo Rollout (rehearse import argo)')
    .option('--rollout <name>', 'with --from-argo: the Rollout to import where the file holds several (as rehearse import argo --rollout)')
    .action(async (dir: string, opts: { template?: string; force?: boolean; fromTraces?: string; fromArgo?: string; rollout?: string }) => {
      const { initCommand } = await import('../init.js');
      setExit(await initCommand(dir, opts, out, runCommand));
    });

  calibrateOptions(program.command('calibrate').description('infer a scenario from trace files (Jaeger, Zipkin v2 or OTLP JSON)').argument('<traces...>', 'trace files'))
    .action(async (files: string[], opts: Record<string, string | boolean | string[] | undefined>) => (await import('../calibrate.js')).calibrateCommand(files, opts, out, err));

  program
    .command('schema')
    .description('print the JSON Schema of scenario files')
    .option('--out <file>', 'write it to a file instead')
    .action(async (opts: { out?: string }) => {
      if (opts.out) (await import('../../files/write.js')).checkWritable(opts.out);
      const { scenarioJsonSchema } = await import('../../scenario/schema.js');
      const text = `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
      if (opts.out) (await import('../../files/write.js')).writeText(opts.out, text);
      else out(text.trimEnd());
    });

}
