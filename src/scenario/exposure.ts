/** The rollout percentages each bucketing system can express. */
export function expressible(system: 'flagd' | 'unleash' | 'launchdarkly' | 'growthbook', percent: number): string | null {
  if (system === 'unleash' && !Number.isInteger(percent)) {
    return `Unleash rolls out in whole percentages; ${percent}% cannot be expressed`;
  }
  if (!Number.isInteger(Math.round(percent * 1000 * 1e6) / 1e6)) {
    return `percentages have a resolution of 0.001%; ${percent}% is finer`;
  }
  return null;
}
