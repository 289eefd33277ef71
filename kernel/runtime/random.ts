/**
 * The seeded noise generator. Decoding must give the same bytes for the same seed, on any ONNX Runtime
 * build, so the initial latent comes from our own generator rather than from a library or the graph:
 * - seeding: SplitMix64 (Steele et al. 2014) run on the seed gives the four 32-bit state words;
 * - uniform bits: xoshiro128** 1.1 (Blackman & Vigna 2018);
 * - normals: Box-Muller on pairs of 32-bit draws, u1 = (a + 1) / 2^32 in (0, 1], u2 = b / 2^32,
 *   giving sqrt(-2 ln u1) cos(2 pi u2) and then sqrt(-2 ln u1) sin(2 pi u2).
 * Math.log/cos/sin are those of the running V8, so bytes are stable on one machine and Node version;
 * pass `initialLatent` to decode for noise that must match across machines.
 */

export class SeededRandom {
  private readonly s = new Uint32Array(4);
  private spare: number | undefined;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`The seed must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got ${seed}.`);
    }
    let state = BigInt(seed);
    const mask = (1n << 64n) - 1n;
    for (let i = 0; i < 4; i += 2) {
      state = (state + 0x9e3779b97f4a7c15n) & mask;
      let z = state;
      z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
      z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
      z = z ^ (z >> 31n);
      this.s[i] = Number(z & 0xffffffffn);
      this.s[i + 1] = Number(z >> 32n);
    }
  }

  /** The next 32 random bits, as an unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** The next standard normal draw. */
  nextNormal(): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    const u1 = (this.nextUint32() + 1) / 4294967296;
    const u2 = this.nextUint32() / 4294967296;
    const radius = Math.sqrt(-2 * Math.log(u1));
    this.spare = radius * Math.sin(2 * Math.PI * u2);
    return radius * Math.cos(2 * Math.PI * u2);
  }

  /** `length` standard normal draws. */
  normal(length: number): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      out[i] = this.nextNormal();
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
