/** A fixed-size set of small integers (a bit set) that serialises to a compact hex string. */
export class BitSet {
  readonly size: number;
  private words: Uint32Array;

  constructor(size: number) {
    this.size = size;
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  has(i: number): boolean {
    return (this.words[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  add(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31);
  }

  clear(): void {
    this.words.fill(0);
  }

  toHex(): string {
    let out = '';
    for (const w of this.words) out += w.toString(16).padStart(8, '0');
    return out;
  }

  /** Loads what `toHex` wrote for a set of the same size. */
  fromHex(hex: string): void {
    if (hex.length !== this.words.length * 8) throw new Error('bit set of another size');
    for (let i = 0; i < this.words.length; i++)
      this.words[i] = Number.parseInt(hex.slice(i * 8, i * 8 + 8), 16);
  }
}
