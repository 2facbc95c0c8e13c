/** Hand-made PNG files for tests: a plain image, and chunks written byte by byte as the PNG specification says. */
import { crc32, deflateSync } from 'node:zlib';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One chunk: length, type, data, CRC-32 of type and data. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  typeAndData.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(typeAndData), 8 + data.length);
  return chunk;
}

/** A valid 1×1 grey PNG with no text chunk. */
export function plainPng(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header[8] = 8; // bit depth; colour type 0 (greyscale), no interlace
  const image = deflateSync(Buffer.from([0, 0x80]));
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', image), pngChunk('IEND', Buffer.alloc(0))]);
}

/** The PNG with one more text chunk before IEND: a legacy `tEXt` badge holds only the hosted assertion's URL. */
export function withTextChunk(png: Buffer, keyword: string, text: string): Buffer {
  const end = png.length - 12;
  const chunk = pngChunk('tEXt', Buffer.from(`${keyword}\0${text}`, 'latin1'));
  return Buffer.concat([png.subarray(0, end), chunk, png.subarray(end)]);
}
