#!/usr/bin/env node
// `node scripts/python.mjs SCRIPT [ARGS…]`: run SCRIPT with a Python that has numpy and Pillow.
import { spawnSync } from 'node:child_process';
import { findProducerPython, PYTHON_HINT } from './lib/python.mjs';

const py = findProducerPython();
if (!py) {
  console.error(`runreel: ${PYTHON_HINT}`);
  process.exit(2);
}
const r = spawnSync(py, process.argv.slice(2), { stdio: 'inherit' });
process.exit(r.status ?? 1);
