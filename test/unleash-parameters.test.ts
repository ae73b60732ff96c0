/**
 * A built-in Unleash strategy reads only its own parameters (unleash-client 6.x lib/strategy/*.js:
 * flexible-rollout-strategy.js `parameters.groupId || context.featureToggle`, `Number(parameters.rollout)`,
 * `parameters.stickiness || 'default'`; gradual-rollout-user-id.js percentage and groupId; user-with-id-strategy.js
 * userIds; and strategy.js getResult stickiness and groupId for a strategy's variants). A parameter written
 * otherwise (`groupID`) is ignored by the client, which takes its default: every user's bucket moves, silently.
 * The import says so at the parameter, with the name it reads; what is served stays what unleash-client serves.
 */
import { describe, expect, it } from 'vitest';
import { parseFlagText } from '../src/interop/document.js';
import { formatWarning } from '../src/interop/document.js';
import * as unleash from '../src/interop/unleash/index.js';

const file = (strategies: unknown[]) => JSON.stringify({ version: 1, features: [{ name: 'search-v2', enabled: true, strategies }] }, null, 2);
const warnings = (strategies: unknown[]) => unleash.toScenarioParts(parseFlagText(file(strategies), 'client.json')).warnings.map(formatWarning);

describe('Unleash strategy parameters unleash-client does not read', () => {
  it('are warned at the parameter, with the parameter the strategy reads', () => {
    expect(warnings([{ name: 'flexibleRollout', parameters: { rollout: '20', stickiness: 'default', groupID: 'search' } }])).toEqual([
      'client.json:13:24: features[0].strategies[0].parameters.groupID: parameter "groupID" is not one unleash-client\'s flexibleRollout strategy reads (it reads rollout, stickiness, groupId): the client ignores it; did you mean "groupId"?',
    ]);
    expect(warnings([{ name: 'default', parameters: { rollout: '5' } }])).toEqual([
      'client.json:11:24: features[0].strategies[0].parameters.rollout: parameter "rollout" is not one unleash-client\'s default strategy reads (it reads none): the client ignores it',
    ]);
  });

  it('and the bucket is the one unleash-client gives, the toggle\'s name as its group', () => {
    const typo = unleash.open(parseFlagText(file([{ name: 'flexibleRollout', parameters: { rollout: '50', stickiness: 'default', groupID: 'search' } }]), 'client.json'));
    const plain = unleash.open(parseFlagText(file([{ name: 'flexibleRollout', parameters: { rollout: '50', stickiness: 'default' } }]), 'client.json'));
    for (const user of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']) {
      expect(typo.evaluate('search-v2', typo.contextOf(user, {})), user).toEqual(plain.evaluate('search-v2', plain.contextOf(user, {})));
    }
  });

  it('are not warned where the strategy reads them: its own, and stickiness and groupId beside variants', () => {
    expect(warnings([
      { name: 'flexibleRollout', parameters: { rollout: '20', stickiness: 'userId', groupId: 'g' } },
      { name: 'gradualRolloutUserId', parameters: { percentage: '5', groupId: 'g' } },
      { name: 'userWithId', parameters: { userIds: 'a,b' } },
      { name: 'default', parameters: { stickiness: 'default', groupId: 'g' }, variants: [{ name: 'a', weight: 1000, stickiness: 'default' }] },
      { name: 'myCustom', parameters: { anything: 'x' } },
    ]).filter((w) => w.includes('parameter'))).toEqual([]);
  });
});
