// Finds a Python 3 that has numpy and Pillow (the real producers of the formats).
// pyenv's python3 often lacks them while Debian's /usr/bin/python3 has them via apt.
import { spawnSync } from 'node:child_process';

export function findProducerPython() {
  const candidates = [process.env.RUNREEL_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter(Boolean);
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import numpy, PIL'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return undefined;
}

export const PYTHON_HINT = 'Python 3 with numpy and Pillow is needed (Debian/Ubuntu: sudo apt-get install python3-numpy python3-pil; elsewhere: pip install numpy pillow), or set RUNREEL_PYTHON';
