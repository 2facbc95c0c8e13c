import { crc32 } from 'node:zlib';
import { InputError } from '../verify/errors.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** iTXt keyword of an OB 3.0 baked credential; OB 2.0 used `openbadges`. */
export const OB3_PNG_KEYWORD = 'openbadgecredential';
export const OB2_PNG_KEYWORD = 'openbadges';

const MAX_CHUNKS = 10_000;
const MAX_TEXT_CHUNKS = 64;

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.equals(Buffer.from(bytes.buffer, bytes.byteOffset, 8));
}

interface Chunk {
  type: string;
  /** Offset of the length field; the chunk spans 12 + data.length bytes from here. */
  start: number;
  data: Buffer;
}

function* chunks(png: Buffer): Generator<Chunk> {
  if (!isPng(png)) throw new InputError('png.notPng', 'This file is not a PNG image.');
  let offset = 8;
  let count = 0;
  while (offset < png.length) {
    if (++count > MAX_CHUNKS) throw new InputError('png.tooManyChunks', `The PNG has more than ${MAX_CHUNKS} chunks.`);
    if (offset + 12 > png.length) throw new InputError('png.truncated', 'The PNG is truncated.');
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (length > 0x7fffffff || end > png.length)
      throw new InputError('png.truncated', 'The PNG is truncated: a chunk runs past the end of the file.');
    yield { type, start: offset, data: png.subarray(offset + 8, offset + 8 + length) };
    if (type === 'IEND') return;
    offset = end;
  }
  throw new InputError('png.truncated', 'The PNG is truncated: it has no IEND chunk.');
}

function crcMatches(png: Buffer, chunk: Chunk): boolean {
  const stored = png.readUInt32BE(chunk.start + 8 + chunk.data.length);
  return crc32(png.subarray(chunk.start + 4, chunk.start + 8 + chunk.data.length)) === stored;
}

export interface PngText {
  chunk: 'iTXt' | 'tEXt';
  keyword: string;
  text: string;
}

function decodeText(chunk: Chunk): PngText | undefined {
  const zero = chunk.data.indexOf(0);
  if (zero < 1 || zero > 79) return undefined;
  const keyword = chunk.data.toString('latin1', 0, zero);
  if (chunk.type === 'tEXt') return { chunk: 'tEXt', keyword, text: chunk.data.toString('latin1', zero + 1) };
  // iTXt: keyword \0 compressionFlag compressionMethod languageTag \0 translatedKeyword \0 text
  const compressed = chunk.data[zero + 1];
  const languageEnd = chunk.data.indexOf(0, zero + 3);
  const translatedEnd = languageEnd < 0 ? -1 : chunk.data.indexOf(0, languageEnd + 1);
  if (translatedEnd < 0) return undefined;
  if (compressed !== 0) {
    throw new InputError('png.compressedText', `The PNG's "${keyword}" text is compressed, which Open Badges forbids.`);
  }
  return { chunk: 'iTXt', keyword, text: chunk.data.toString('utf8', translatedEnd + 1) };
}

/** The text chunks of a PNG (iTXt and tEXt), CRC-checked. */
export function readPngTexts(bytes: Uint8Array): PngText[] {
  const png = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const texts: PngText[] = [];
  for (const chunk of chunks(png)) {
    if (chunk.type !== 'iTXt' && chunk.type !== 'tEXt') continue;
    if (texts.length >= MAX_TEXT_CHUNKS)
      throw new InputError('png.tooManyTextChunks', `The PNG has more than ${MAX_TEXT_CHUNKS} text chunks.`);
    if (!crcMatches(png, chunk))
      throw new InputError('png.badCrc', 'The PNG is corrupted: a text chunk fails its checksum.');
    const text = decodeText(chunk);
    if (text) texts.push(text);
  }
  return texts;
}

export type PngBakedContent = { version: 'ob3'; text: string } | { version: 'ob2'; text: string };

/** The first OB 3.0 credential baked into the PNG, else an OB 2.0 assertion, else undefined. */
export function unbakePng(bytes: Uint8Array): PngBakedContent | undefined {
  const texts = readPngTexts(bytes);
  const ob3 = texts.find((t) => t.chunk === 'iTXt' && t.keyword === OB3_PNG_KEYWORD);
  if (ob3) return { version: 'ob3', text: ob3.text };
  const ob2 = texts.find((t) => t.keyword === OB2_PNG_KEYWORD);
  if (ob2) return { version: 'ob2', text: ob2.text };
  return undefined;
}

function iTXtChunk(keyword: string, text: string): Buffer {
  const data = Buffer.concat([
    Buffer.from(keyword, 'latin1'),
    Buffer.from([0, 0, 0, 0, 0]), // \0, not compressed, method 0, empty language tag \0, empty translated keyword \0
    Buffer.from(text, 'utf8'),
  ]);
  const typeAndData = Buffer.concat([Buffer.from('iTXt', 'latin1'), data]);
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  typeAndData.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(typeAndData), 8 + data.length);
  return chunk;
}

/**
 * Bakes `text` (a compact JWS or credential JSON) into a copy of the PNG as one uncompressed iTXt chunk
 * `openbadgecredential`, just before IEND. An existing one is replaced: the keyword must not appear twice.
 */
export function bakePng(bytes: Uint8Array, text: string, keyword: string = OB3_PNG_KEYWORD): Buffer {
  const png = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Buffer[] = [PNG_SIGNATURE];
  for (const chunk of chunks(png)) {
    const whole = png.subarray(chunk.start, chunk.start + 12 + chunk.data.length);
    if (chunk.type === 'IEND') parts.push(iTXtChunk(keyword, text));
    else if (chunk.type === 'iTXt' && chunk.data.toString('latin1', 0, keyword.length + 1) === `${keyword}\0`) continue;
    parts.push(whole);
  }
  return Buffer.concat(parts);
}
