/**
 * The caller's default beside a flag's variations of another type. LaunchDarkly's server SDKs check the type
 * of the value served in their typed calls only: boolVariation, numberVariation and stringVariation (and their
 * Detail forms) answer WRONG_TYPE and give the caller its default when the value served is not of their type
 * (launchdarkly/js-core packages/shared/sdk-server/src/LDClientImpl.ts _variationInternal, typeChecker); the
 * untyped variation() and jsonVariation() serve the value whatever its type. Which one the team's code calls
 * is not in any file: rehearse evaluates as variation() does, and says what the typed call would do instead.
 */
import { withArticle } from '../../units/article.js';

/** The typed call a default of each type goes with; an object default goes with jsonVariation, which checks nothing. */
const TYPED: Record<string, string> = { boolean: 'boolVariation', number: 'numberVariation', string: 'stringVariation' };

/**
 * What to say when the scenario's `default:` has another type than the flag's variations (`valueType`: one
 * type, or "mixed"), or null when the typed call and variation() serve the same.
 */
export function typedCallWarning(valueType: string, defaultValue: unknown): string | null {
  const type = Array.isArray(defaultValue) || (defaultValue !== null && typeof defaultValue === 'object') ? 'object' : typeof defaultValue;
  const call = TYPED[type];
  if (call === undefined || valueType === type) return null;
  const shown = JSON.stringify(defaultValue);
  const serves = valueType === 'mixed' ? 'serves values of several types' : `serves ${valueType} values`;
  const whom = valueType === 'mixed' ? `every user served a value that is not ${withArticle(type)}` : 'everyone';
  return `default is ${withArticle(type)}, but the flag ${serves}: LaunchDarkly's typed ${call}() (and ${call}Detail()) `
    + `answers WRONG_TYPE and serves the default ${shown} to ${whom}, while the untyped variation() serves the flag's own values. `
    + `rehearse cannot tell which one the code calls and simulates variation(); if the code calls ${call}(), ${whom === 'everyone' ? 'every user gets' : `${whom} gets`} ${shown} instead`;
}
