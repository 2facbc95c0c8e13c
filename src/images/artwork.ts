/**
 * An organisation's own badge artwork, uploaded in the console instead of a generated shape: a PNG or an SVG,
 * checked and cleaned here before anything stores or serves it.
 *
 * Artwork is served publicly (the badge's image, baked into every credential), opened by browsers and rendered
 * by resvg on the server, so an upload is hostile until proven otherwise:
 * - SVG: parsed as XML (a DOCTYPE is refused outright: entity expansion), then cleaned by DOMPurify, a maintained
 *   sanitiser, with its SVG profile (no script, no event handler, no foreignObject, no <use>); then everything
 *   that would fetch something from elsewhere is removed too (DOMPurify keeps those, as they are not script):
 *   links other than "#fragment" or an embedded raster image, `url(…)` other than `url(#…)`, CSS `@import`.
 *   What is left is rendered once with resvg, so that an SVG that cannot be drawn is refused at upload.
 * - PNG: the signature and the header's dimensions are checked before decoding (no decompression bomb), then the
 *   image is decoded and encoded again, which drops every other chunk (text, an old baked credential, profiles).
 */
import createDOMPurify, { type DOMPurify } from 'dompurify';
import { JSDOM } from 'jsdom';
import { PNG } from 'pngjs';
import { renderBadgePng } from './badge-image.js';

/** 512 KB: artwork is downloaded with every badge page and baked into every credential file. */
export const MAX_ARTWORK_BYTES = 512 * 1024;
/** Smaller would look blurred on a badge page; larger only costs weight. */
export const MIN_PNG_SIDE = 64;
export const MAX_PNG_SIDE = 1024;

export type ArtworkType = 'image/png' | 'image/svg+xml';

/** Why an upload was refused: stable codes the console says in plain words. */
export type ArtworkProblem =
  | 'empty'
  | 'tooLarge'
  | 'notPngOrSvg'
  | 'pngSignature'
  | 'pngDimensions'
  | 'pngUnreadable'
  | 'svgUnreadable'
  | 'svgDoctype'
  | 'svgNothingLeft';

export class ArtworkError extends Error {
  constructor(
    readonly problem: ArtworkProblem,
    message: string,
  ) {
    super(message);
    this.name = 'ArtworkError';
  }
}

export interface CheckedArtwork {
  contentType: ArtworkType;
  bytes: Buffer;
  width: number;
  height: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * Checks and cleans an upload. `truncated` says the upload was cut at the size limit by the form parser (the
 * bytes are then only the beginning of the file).
 */
export function checkArtwork(bytes: Buffer, options: { truncated?: boolean } = {}): CheckedArtwork {
  if (options.truncated || bytes.length > MAX_ARTWORK_BYTES)
    throw new ArtworkError('tooLarge', `The image is larger than ${MAX_ARTWORK_BYTES / 1024} KB.`);
  if (bytes.length === 0) throw new ArtworkError('empty', 'The file is empty.');
  if (looksLikeSvg(bytes)) return checkSvg(bytes);
  if (bytes[0] === 0x89) return checkPng(bytes);
  throw new ArtworkError('notPngOrSvg', 'Only PNG and SVG images are accepted.');
}

// ---------------------------------------------------------------------------------------------------------
// PNG

function checkPng(bytes: Buffer): CheckedArtwork {
  if (bytes.length < 33 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR')
    throw new ArtworkError('pngSignature', 'This file does not start like a PNG image.');
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const side = (n: number) => n >= MIN_PNG_SIDE && n <= MAX_PNG_SIDE;
  if (!side(width) || !side(height))
    throw new ArtworkError(
      'pngDimensions',
      `The image is ${width} × ${height} pixels; each side must be from ${MIN_PNG_SIDE} to ${MAX_PNG_SIDE}.`,
    );
  let decoded: PNG;
  try {
    decoded = PNG.sync.read(bytes);
  } catch {
    throw new ArtworkError('pngUnreadable', 'This PNG image is damaged and cannot be read.');
  }
  // Encoded again from its pixels: whatever else the file carried stays behind.
  const clean = PNG.sync.write(decoded, { colorType: 6 });
  return { contentType: 'image/png', bytes: clean, width, height };
}

// ---------------------------------------------------------------------------------------------------------
// SVG

function looksLikeSvg(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 1024).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return head.startsWith('<');
}

let purifier: { purify: DOMPurify; window: JSDOM['window'] } | undefined;

/** One DOMPurify over one jsdom window for the process, with the hooks that remove outside references. */
function sanitiser(): { purify: DOMPurify; window: JSDOM['window'] } {
  if (purifier) return purifier;
  const { window } = new JSDOM('');
  const purify = createDOMPurify(window as unknown as Parameters<typeof createDOMPurify>[0]);
  purify.addHook('uponSanitizeElement', (node, data) => {
    // Emptied rather than removed: DOMPurify is still walking the tree.
    if (data.tagName === 'style' && !isSafeCss(node.textContent ?? '')) node.textContent = '';
  });
  purify.addHook('afterSanitizeAttributes', (node) => {
    const element = node as Element;
    for (const attribute of Array.from(element.attributes ?? [])) {
      const name = attribute.name.toLowerCase();
      const external =
        name === 'href' || name.endsWith(':href') || name === 'src'
          ? !isLocalReference(attribute.value)
          : !isSafeCss(attribute.value);
      if (external || name.startsWith('on')) element.removeAttribute(attribute.name);
    }
  });
  purifier = { purify, window };
  return purifier;
}

/** "#id" within the same image, or a raster image embedded as data (never an SVG: it could carry more). */
function isLocalReference(value: string): boolean {
  const v = value.trim();
  return /^#[^\s]*$/.test(v) || /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$/i.test(v);
}

/** CSS (a <style> element or an attribute) that reaches nothing outside: only url(#…), no @import, no escapes. */
function isSafeCss(css: string): boolean {
  if (/@import|expression\s*\(|\\|javascript:/i.test(css)) return false;
  for (const match of css.matchAll(/url\s*\(\s*(['"]?)([^'")]*)\1\s*\)/gi)) {
    if (!(match[2] ?? '').startsWith('#')) return false;
  }
  // A url( the pattern above could not read (unbalanced quotes…) is refused rather than guessed at.
  return (css.match(/url\s*\(/gi) ?? []).length === [...css.matchAll(/url\s*\(\s*(['"]?)([^'")]*)\1\s*\)/gi)].length;
}

function checkSvg(bytes: Buffer): CheckedArtwork {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new ArtworkError('svgUnreadable', 'The SVG file is not UTF-8 text.');
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(text))
    throw new ArtworkError('svgDoctype', 'SVG files with a DOCTYPE or entities are not accepted.');
  const { purify, window } = sanitiser();
  const document = new window.DOMParser().parseFromString(text, 'image/svg+xml');
  const root = document.documentElement;
  const parsed = document.getElementsByTagName('parsererror').length === 0;
  if (!parsed || root.localName !== 'svg' || root.namespaceURI !== SVG_NS)
    throw new ArtworkError('svgUnreadable', 'This file is not a readable SVG image.');
  purify.sanitize(root, { IN_PLACE: true, USE_PROFILES: { svg: true, svgFilters: true } });
  if (root.children.length === 0)
    throw new ArtworkError('svgNothingLeft', 'Nothing drawable is left in this SVG once cleaned.');
  const clean = new window.XMLSerializer().serializeToString(root);
  const out = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${clean}`, 'utf8');
  if (out.length > MAX_ARTWORK_BYTES)
    throw new ArtworkError('tooLarge', `The image is larger than ${MAX_ARTWORK_BYTES / 1024} KB.`);
  try {
    renderBadgePng(out.toString('utf8'), 64);
  } catch {
    throw new ArtworkError('svgUnreadable', 'This SVG image cannot be drawn.');
  }
  const box = (root.getAttribute('viewBox') ?? '').trim().split(/[\s,]+/).map(Number);
  const width = box.length === 4 && box[2]! > 0 ? box[2]! : Number.parseFloat(root.getAttribute('width') ?? '') || 0;
  const height = box.length === 4 && box[3]! > 0 ? box[3]! : Number.parseFloat(root.getAttribute('height') ?? '') || 0;
  return { contentType: 'image/svg+xml', bytes: out, width, height };
}

/**
 * The artwork as an SVG document, for the badge's SVG form (and SVG baking): an SVG as it is, a PNG embedded at
 * its own size.
 */
export function artworkSvg(artwork: { contentType: string; bytes: Buffer }): string {
  if (artwork.contentType === 'image/svg+xml') return artwork.bytes.toString('utf8');
  const width = artwork.bytes.readUInt32BE(16);
  const height = artwork.bytes.readUInt32BE(20);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<image width="${width}" height="${height}" href="data:image/png;base64,${artwork.bytes.toString('base64')}"/>` +
    `</svg>`
  );
}
