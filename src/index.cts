/**
 * The programmatic API for CommonJS projects: `require('rollout-rehearsal')` gives the same functions, classes
 * and types as `import`, from the one ES module (no second copy: `instanceof InputError` holds either way).
 * Node.js loads an ES module with require() without a flag from 20.19 on, the oldest version rehearse runs on.
 */
export * from './index.js';
