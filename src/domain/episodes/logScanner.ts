// One pass over an episode log's bytes that finds where each step starts and ends and keeps
// only the small fields (reward, info, step number, image path) and the top-level summary.
// JaxARC's StructuredLogger writes full states with indent=2, so a 2,000-step log on 30×30
// grids is ~0.5 GB of text: parsing it whole takes seconds and gigabytes. Indexed, a step is
// one byte-range read and a JSON.parse of a few hundred kilobytes.

/** Where step i's object lies in the (decompressed) text, and what the list needs of it. */
export interface ScannedStep {
  start: number;
  end: number;
  /** The step's small fields, parsed: step_num, timestamp, reward, info, visualization_path. */
  fields: Record<string, unknown>;
}

export interface ScanLimits {
  /** Containers nested deeper than this are refused (default 64). */
  maxDepth?: number;
  /** At most this many steps are indexed (default 1,000,000). */
  maxSteps?: number;
  /** A captured field larger than this is dropped with a warning (default 1 MiB). */
  maxFieldBytes?: number;
  /** Keep each step's range and fields (default); false only counts them. */
  keepSteps?: boolean;
}

const STEP_FIELDS = new Set(['step_num', 'timestamp', 'reward', 'info', 'visualization_path']);
/** Top-level fields never kept: v1.0.x's raw step_data repeats the steps as text reprs. */
const HEADER_SKIP = new Set(['steps', 'step_data']);
const enum Ch { Quote = 0x22, Backslash = 0x5c, Colon = 0x3a, Comma = 0x2c, OpenObj = 0x7b, CloseObj = 0x7d, OpenArr = 0x5b, CloseArr = 0x5d }

/** Bytes that never change the structure outside strings. */
const PLAIN = new Uint8Array(256).fill(1);
for (const c of [Ch.Quote, Ch.OpenObj, Ch.CloseObj, Ch.OpenArr, Ch.CloseArr]) PLAIN[c] = 0;

export class ScanError extends Error {
  constructor(readonly code: 'too_deep' | 'bad_json' | 'too_large', message: string) {
    super(message);
  }
}

/**
 * Push chunks in order; read `steps` and `header` at any time (complete steps only).
 * Depth `root` is the episode object, root+1 the `steps` list, root+2 a step object. The root
 * is depth 1, or 2 inside the AsyncLogger's {timestamp, priority, entry_type, data} wrapper
 * (its outer fields land in `header` too).
 */
export class EpisodeLogScanner {
  readonly steps: ScannedStep[] = [];
  /** Top-level fields other than `steps`, parsed. */
  readonly header: Record<string, unknown> = {};
  readonly warnings: string[] = [];
  /** Bytes consumed so far. */
  offset = 0;
  /** Steps seen (equals steps.length unless keepSteps is false). */
  stepsSeen = 0;
  private root = 1;
  private wrapperPending = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private sawRoot = false;
  /** The last string seen at depth 1 or 3: a key if a colon follows. */
  private lastString = '';
  /** The open string may be a key (at the root or in a step object): its bytes are kept. */
  private keyCandidate = false;
  private key: string | undefined;
  private stepsOpen = false;
  private stepStart = -1;
  private stepFields: Record<string, unknown> = {};
  /** The field being captured: its key, depth, and bytes so far. */
  private capture: { key: string; depth: number; parts: Uint8Array[]; bytes: number; from: number } | undefined;
  private awaitingValue: { key: string; depth: number } | undefined;
  private readonly maxDepth: number;
  private readonly maxSteps: number;
  private readonly maxFieldBytes: number;
  private readonly keepSteps: boolean;
  private readonly decoder = new TextDecoder();

  constructor(limits: ScanLimits = {}) {
    this.maxDepth = limits.maxDepth ?? 64;
    this.maxSteps = limits.maxSteps ?? 1_000_000;
    this.maxFieldBytes = limits.maxFieldBytes ?? 1 << 20;
    this.keepSteps = limits.keepSteps ?? true;
  }

  /** True while the scan is inside the `steps` list. */
  get inSteps(): boolean {
    return this.stepsOpen;
  }

  /** True once the root object has closed. */
  get complete(): boolean {
    return this.sawRoot && this.depth === 0;
  }

  push(chunk: Uint8Array): void {
    const base = this.offset;
    const n = chunk.length;
    let i = 0;
    if (this.capture) this.capture.from = 0;
    while (i < n) {
      const stepDepth = this.root + 2;
      if (this.depth > stepDepth && !this.inString && !this.capture) {
        // Inside a state's grids only brackets and strings matter: a tight loop over the rest
        // (most of the bytes of a full-state log).
        let d = this.depth;
        while (i < n) {
          const b = chunk[i];
          if (PLAIN[b]) { i++; continue; }
          if (b === Ch.Quote) break;
          i++;
          if (b === Ch.OpenObj || b === Ch.OpenArr) {
            if (++d > this.maxDepth) throw new ScanError('too_deep', `JSON nests deeper than ${this.maxDepth} levels (byte ${base + i - 1})`);
          } else if (--d === stepDepth) break;
        }
        this.depth = d;
        if (i >= n || chunk[i] !== Ch.Quote) continue;
      }
      const c = chunk[i];
      if (this.inString) {
        // Inside strings only the closing quote matters; skip to it quickly.
        if (this.escaped) { this.escaped = false; i++; continue; }
        if (c === Ch.Backslash) { this.escaped = true; i++; continue; }
        if (c === Ch.Quote) {
          this.inString = false;
          if (this.keyCandidate) this.endString(chunk, i);
        }
        i++;
        continue;
      }
      if (this.awaitingValue && c > 0x20) this.startValue(chunk, i);
      switch (c) {
        case Ch.Quote:
          if (this.depth === this.root + 1 && this.stepsOpen) throw new ScanError('bad_json', `step ${this.stepsSeen} is not an object (byte ${base + i})`);
          this.inString = true;
          // Keys matter only at the root and in step objects; elsewhere strings are skipped.
          this.keyCandidate = this.keyDepth(this.depth) && !this.capture;
          if (this.keyCandidate) this.stringChunkStart = i;
          break;
        case Ch.Colon:
          if (this.keyDepth(this.depth)) {
            this.key = this.lastString;
            this.awaitingValue = { key: this.key, depth: this.depth };
          }
          break;
        case Ch.OpenObj:
        case Ch.OpenArr:
          if (++this.depth > this.maxDepth) throw new ScanError('too_deep', `JSON nests deeper than ${this.maxDepth} levels (byte ${base + i})`);
          if (this.depth === 1) {
            if (c !== Ch.OpenObj) throw new ScanError('bad_json', 'an episode log is a JSON object; this starts with a list');
            this.sawRoot = true;
          } else if (this.depth === 2 && this.wrapperPending) {
            this.wrapperPending = false;
            if (c === Ch.OpenObj) this.root = 2;
          } else if (this.depth === this.root + 1 && this.key === 'steps') {
            if (c !== Ch.OpenArr) throw new ScanError('bad_json', `'steps' is not a list (byte ${base + i})`);
            this.stepsOpen = true;
          } else if (this.depth === this.root + 2 && this.stepsOpen) {
            if (c !== Ch.OpenObj) throw new ScanError('bad_json', `step ${this.stepsSeen} is not an object (byte ${base + i})`);
            this.stepStart = base + i;
            this.stepFields = {};
          }
          break;
        case Ch.CloseObj:
        case Ch.CloseArr:
          this.endValueAt(chunk, i, this.depth);
          if (this.depth === this.root + 2 && this.stepStart >= 0) this.endStep(base + i + 1);
          else if (this.depth === this.root + 1 && this.stepsOpen) this.stepsOpen = false;
          if (--this.depth < 0) throw new ScanError('bad_json', `unbalanced '${String.fromCharCode(c)}' at byte ${base + i}`);
          break;
        case Ch.Comma:
          this.endValueAt(chunk, i, this.depth);
          break;
        default:
          if (c > 0x20 && this.depth === this.root + 1 && this.stepsOpen) throw new ScanError('bad_json', `step ${this.stepsSeen} is not an object (byte ${base + i})`);
          if (c > 0x20 && this.depth === 0 && this.sawRoot) throw new ScanError('bad_json', `text after the end of the JSON object (byte ${base + i})`);
          if (c > 0x20 && this.depth === 0) throw new ScanError('bad_json', 'not a JSON object');
      }
      i++;
    }
    if (this.capture) this.keepCapture(chunk.subarray(this.capture.from));
    if (this.inString && this.keyCandidate) this.pendingString.push(chunk.slice(this.stringChunkStart));
    this.stringChunkStart = 0;
    this.offset += n;
  }

  private stringChunkStart = 0;
  private pendingString: Uint8Array[] = [];

  private endString(chunk: Uint8Array, i: number): void {
    const piece = chunk.subarray(this.stringChunkStart, i + 1);
    const bytes = this.pendingString.length ? concat([...this.pendingString, piece]) : piece;
    this.pendingString = [];
    this.keyCandidate = false;
    // Keys are short; a long string here is a value, never a key we look for.
    if (bytes.length > 256) { this.lastString = ''; return; }
    try {
      this.lastString = JSON.parse(this.decoder.decode(bytes)) as string;
    } catch {
      this.lastString = '';
    }
  }

  /** Keys are read in the root object(s) and in step objects. */
  private keyDepth(depth: number): boolean {
    return depth === 1 || depth === this.root || (depth === this.root + 2 && this.stepStart >= 0);
  }

  private wanted(key: string, depth: number): boolean {
    return depth <= this.root ? !HEADER_SKIP.has(key) : STEP_FIELDS.has(key);
  }

  private startValue(chunk: Uint8Array, i: number): void {
    const { key, depth } = this.awaitingValue!;
    this.awaitingValue = undefined;
    // The AsyncLogger's wrapper: `data` after `entry_type` holds the episode itself.
    if (depth === 1 && this.root === 1 && key === 'data' && typeof this.header.entry_type === 'string') {
      this.wrapperPending = true;
      return;
    }
    if (this.wanted(key, depth)) this.capture = { key, depth, parts: [], bytes: 0, from: i };
  }

  private keepCapture(piece: Uint8Array): void {
    const cap = this.capture!;
    if (cap.bytes <= this.maxFieldBytes) cap.parts.push(piece.slice());
    cap.bytes += piece.length;
  }

  /** A ',' or closing bracket at `depth`: the captured value of that depth ends here. */
  private endValueAt(chunk: Uint8Array, i: number, depth: number): void {
    const cap = this.capture;
    if (!cap || cap.depth !== depth) return;
    this.keepCapture(chunk.subarray(cap.from, i));
    this.capture = undefined;
    const where = cap.depth <= this.root ? `field '${cap.key}'` : `step ${this.stepsSeen} field '${cap.key}'`;
    if (cap.bytes > this.maxFieldBytes) { this.warnings.push(`${where} is over ${this.maxFieldBytes} bytes; not shown`); return; }
    let value: unknown;
    try {
      value = JSON.parse(this.decoder.decode(concat(cap.parts)));
    } catch {
      this.warnings.push(`${where} is not valid JSON; ignored`);
      return;
    }
    // Defined, not assigned: a key `__proto__` from the file would set the record's prototype.
    Object.defineProperty(cap.depth <= this.root ? this.header : this.stepFields, cap.key, { value, enumerable: true, writable: true, configurable: true });
  }

  private endStep(end: number): void {
    if (this.stepsSeen >= this.maxSteps) throw new ScanError('too_large', `over ${this.maxSteps} steps`);
    this.stepsSeen++;
    if (this.keepSteps) this.steps.push({ start: this.stepStart, end, fields: this.stepFields });
    this.stepStart = -1;
    this.stepFields = {};
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
