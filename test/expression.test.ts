import { describe, expect, it } from 'vitest';
import { ExpressionError, parseExpression } from '../src/lang/expression.js';

const ATTRS = ['plan', 'country', 'employee', 'betaTester', 'platform', 'appVersion', 'accountAgeDays'];
const user = { plan: 'beta', country: 'DE', employee: false, betaTester: true, platform: 'ios', appVersion: '5.12.3', accountAgeDays: 40 };

describe('audience expressions', () => {
  it.each([
    ['plan == "beta"', true],
    ["plan == 'free'", false],
    ['plan != "free"', true],
    ['country in ["DE", "AT"]', true],
    ['country not in ["DE", "AT"]', false],
    ['employee', false],
    ['!employee', true],
    ['not employee and betaTester', true],
    ['employee || (betaTester && platform != "web")', true],
    ['appVersion >= "5.12.0"', true],
    ['appVersion < "5.9"', false],
    ['accountAgeDays > 30 && accountAgeDays <= 40', true],
    ['accountAgeDays >= 41 or plan == "beta"', true],
  ])('%s -> %s', (src, expected) => {
    expect(parseExpression(src, ATTRS)(user)).toBe(expected);
  });

  it.each([
    ['plna == "beta"', 1, 'unknown attribute "plna"'],
    ['plan = "beta"', 6, 'did you mean "=="'],
    ['plan == "beta', 9, 'unterminated string'],
    ['plan == "beta" &&', 18, 'expected a value before the end'],
    ['(plan == "beta"', 16, 'expected ")"'],
    ['country in ["DE" "AT"]', 18, 'expected "]"'],
  ])('%s fails at column %i: %s', (src, column, message) => {
    try {
      parseExpression(src, ATTRS);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ExpressionError);
      expect((e as ExpressionError).column).toBe(column);
      expect((e as ExpressionError).message).toContain(message);
      expect((e as ExpressionError).pretty()).toContain(`${' '.repeat(column - 1)}^`);
    }
  });
});
