/**
 * Gherkin feature files read as the flagd testbed's harnesses read them: scenarios with the Background's steps
 * first, tags of the feature, the scenario and each Examples block, and the outline's steps filled in row by row.
 */
export interface Example { tags: string[]; header: string[]; rows: string[][] }
export interface Scenario { feature: string; name: string; tags: string[]; steps: string[]; examples: Example[] }
export interface Case { id: string; tags: string[]; steps: string[] }

export const cells = (line: string) => line.trim().slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));

/** Scenarios of a feature file, with the Background's steps first. */
export function scenarios(feature: string, text: string): Scenario[] {
  const out: Scenario[] = [];
  let background: string[] = [];
  let tags: string[] = [];
  let featureTags: string[] = [];
  let current: Scenario | null = null;
  let inBackground = false;
  let lastWasStep = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('|') && lastWasStep) {
      // A data table under a step: kept with the step, a line for each row.
      const steps = inBackground ? background : current!.steps;
      steps[steps.length - 1] += '\n' + line;
      continue;
    }
    lastWasStep = false;
    if (line.startsWith('@')) { tags.push(...line.split(/\s+/)); continue; }
    if (line.startsWith('Feature:')) { featureTags = tags; tags = []; continue; }
    if (line.startsWith('Background:')) { inBackground = true; continue; }
    if (/^Scenario( Outline)?:/.test(line)) {
      inBackground = false;
      current = { feature, name: line.replace(/^Scenario( Outline)?:\s*/, ''), tags: [...featureTags, ...tags], steps: [...background], examples: [] };
      out.push(current);
      tags = [];
      continue;
    }
    if (line.startsWith('Examples:')) { current!.examples.push({ tags, header: [], rows: [] }); tags = []; continue; }
    if (line.startsWith('|')) {
      const ex = current!.examples.at(-1);
      if (!ex) throw new Error(`${feature}: a data table under a step is not read here: ${line}`);
      if (ex.header.length === 0) ex.header = cells(line);
      else ex.rows.push(cells(line));
      continue;
    }
    if (/^(Given|And|When|Then|But) /.test(line)) {
      (inBackground ? background : current!.steps).push(line.replace(/^\w+ /, ''));
      lastWasStep = true;
    }
  }
  return out;
}

/** Every scenario, and every example row of an outline, with the tags that apply to it. */
export function cases(feature: string, text: string): Case[] {
  const out: Case[] = [];
  for (const s of scenarios(feature, text)) {
    if (s.examples.length === 0) { out.push({ id: `${feature}: ${s.name}`, tags: s.tags, steps: s.steps }); continue; }
    for (const ex of s.examples) {
      ex.rows.forEach((row) => {
        const steps = s.steps.map((step) => step.replace(/<([^>]+)>/g, (_, name: string) => row[ex.header.indexOf(name)]));
        out.push({ id: `${feature}: ${s.name} [${row.join(', ')}]`, tags: [...s.tags, ...ex.tags], steps });
      });
    }
  }
  return out;
}

/** A value as the testbed writes it for a flag type (its harnesses unescape \" in object cells). */
export function typed(type: string, text: string): unknown {
  switch (type) {
    case 'Boolean': return text === 'true';
    case 'Integer': return Number.parseInt(text, 10);
    case 'Float': return Number.parseFloat(text);
    case 'Object': return JSON.parse(text.replace(/\\"/g, '"'));
    default: return text;
  }
}
