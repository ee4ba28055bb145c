// Orthogonal Procrustes in 2-D: the rotation or reflection (plus translation) that best maps
// one step's projection onto the previous step's, over the points both share. PaCMAP refits
// land in arbitrary orientations; aligning removes that so animations do not jump.

export interface Alignment {
  /** 2×2 orthogonal matrix, row-major [r00, r01, r10, r11]; applied as p' = (p − from) R + to. */
  r: [number, number, number, number];
  from: [number, number];
  to: [number, number];
  reflection: boolean;
}

/** Best orthogonal map of `moving` onto `fixed` (both x,y interleaved) over their first `n` points. */
export function procrustes2d(moving: ArrayLike<number>, fixed: ArrayLike<number>, n: number): Alignment {
  let mx = 0, my = 0, fx = 0, fy = 0;
  for (let i = 0; i < n; i++) { mx += moving[2 * i]; my += moving[2 * i + 1]; fx += fixed[2 * i]; fy += fixed[2 * i + 1]; }
  mx /= n || 1; my /= n || 1; fx /= n || 1; fy /= n || 1;
  // M = Aᵀ B with A the centred moving points and B the centred fixed points.
  let m11 = 0, m12 = 0, m21 = 0, m22 = 0;
  for (let i = 0; i < n; i++) {
    const ax = moving[2 * i] - mx, ay = moving[2 * i + 1] - my, bx = fixed[2 * i] - fx, by = fixed[2 * i + 1] - fy;
    m11 += ax * bx; m12 += ax * by; m21 += ay * bx; m22 += ay * by;
  }
  // Maximise trace(Rᵀ M) over rotations [[c,-s],[s,c]] and reflections [[c,s],[s,-c]].
  const rotScore = Math.hypot(m11 + m22, m21 - m12), refScore = Math.hypot(m11 - m22, m12 + m21);
  let r: Alignment['r'];
  const reflection = refScore > rotScore;
  if (!reflection) {
    const t = Math.atan2(m21 - m12, m11 + m22);
    r = [Math.cos(t), -Math.sin(t), Math.sin(t), Math.cos(t)];
  } else {
    const p = Math.atan2(m12 + m21, m11 - m22);
    r = [Math.cos(p), Math.sin(p), Math.sin(p), -Math.cos(p)];
  }
  return { r, from: [mx, my], to: [fx, fy], reflection };
}

export function applyAlignment(points: ArrayLike<number>, a: Alignment): Float32Array {
  const out = new Float32Array(points.length);
  const [r00, r01, r10, r11] = a.r;
  for (let i = 0; i < points.length; i += 2) {
    const x = points[i] - a.from[0], y = points[i + 1] - a.from[1];
    out[i] = x * r00 + y * r10 + a.to[0];
    out[i + 1] = x * r01 + y * r11 + a.to[1];
  }
  return out;
}
