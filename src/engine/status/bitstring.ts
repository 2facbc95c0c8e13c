import { gzipSync, gunzipSync } from 'node:zlib';

/** W3C Bitstring Status List: at least 131,072 entries (16 KiB), for herd privacy. */
export const MIN_STATUS_LIST_LENGTH = 131_072;
/** A list larger than this (decompressed) is refused rather than inflated: 16 Mbit covers any real issuer. */
export const MAX_STATUS_LIST_BYTES = 2 * 1024 * 1024;

/**
 * A fixed-length list of status bits. Index 0 is the left-most bit of the first byte (MSB first): reading
 * it the other way round turns revoked into valid (security.md §7).
 */
export class Bitstring {
  readonly bytes: Uint8Array;

  constructor(
    readonly length: number,
    bytes?: Uint8Array,
  ) {
    if (!Number.isInteger(length) || length <= 0 || length % 8 !== 0)
      throw new RangeError('A bitstring length is a positive multiple of 8');
    this.bytes = bytes ?? new Uint8Array(length / 8);
    if (this.bytes.length * 8 !== length) throw new RangeError('Bitstring bytes do not match its length');
  }

  get(index: number): boolean {
    this.assertIndex(index);
    return ((this.bytes[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0;
  }

  set(index: number, value: boolean): void {
    this.assertIndex(index);
    const mask = 0x80 >> (index & 7);
    const i = index >> 3;
    this.bytes[i] = value ? (this.bytes[i] ?? 0) | mask : (this.bytes[i] ?? 0) & ~mask;
  }

  private assertIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(`Status index ${index} is outside the list (0 to ${this.length - 1})`);
    }
  }

  /** `encodedList`: multibase base64url (no padding, prefix `u`) of the GZIP-compressed bits. */
  encode(): string {
    return `u${gzipSync(this.bytes).toString('base64url')}`;
  }

  static decode(encodedList: string): Bitstring {
    // Older lists (StatusList2021) have no multibase prefix; base64url never starts with 'u' as the gzip magic
    // (1f 8b) encodes as "H4sI".
    // Their "base-64" is base64url in Digital Bazaar's implementation and plain base64 in others: both are read.
    const base64 = encodedList.startsWith('u') ? encodedList.slice(1) : encodedList;
    if (!/^[A-Za-z0-9_+/-]*={0,2}$/.test(base64)) throw new RangeError('encodedList is not base64');
    const bytes = gunzipSync(Buffer.from(base64, 'base64'), { maxOutputLength: MAX_STATUS_LIST_BYTES });
    return new Bitstring(bytes.length * 8, new Uint8Array(bytes));
  }
}
