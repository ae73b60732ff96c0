#!/usr/bin/env node
// The command line in one file (dist/cli/rehearse.js, bundled by scripts/bundle.mjs at build time).
import '../dist/cli/rehearse.js';
