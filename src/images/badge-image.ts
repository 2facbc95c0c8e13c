/**
 * Badge images: an SVG drawn from a handlebars template in `badge-templates/` (one per shape), and its PNG
 * rendering with resvg and the bundled DejaVu fonts.
 *
 * Badge names, captions and issuer names are user data (security.md §9): the templates interpolate them only
 * with handlebars' escaped `{{ }}`, whose HTML escaping is also valid XML escaping for text nodes and
 * double-quoted attributes. What escaping cannot cover is handled here: colours are checked against a strict
 * pattern before they reach an attribute, and characters XML 1.0 forbids (controls, lone surrogates) are
 * removed so that every output parses.
 *
 * Handlebars has no arithmetic, so everything positional that depends on the data (line positions, font
 * sizes that make a long line fit, level dots) is computed here and the templates only place it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import Handlebars from 'handlebars';
import { fromRoot } from '../shared/paths.js';

export type BadgeShape = 'blason' | 'hexagon' | 'circle';
export const BADGE_SHAPES: readonly BadgeShape[] = ['blason', 'hexagon', 'circle'];

export interface BadgeImageInput {
  title: string;
  /** A short line such as "EntreComp 1.1 · Niveau 3". */
  caption?: string;
  /** EntreComp progression level, 1..8; anything else draws no level indicator. */
  level?: number;
  /** #RRGGBB; anything else falls back to DEFAULT_BADGE_COLOUR. */
  colour?: string;
  issuerName?: string;
  shape?: BadgeShape;
}

export const DEFAULT_BADGE_COLOUR = '#2B4C7E';
export const DEFAULT_BADGE_SHAPE: BadgeShape = 'blason';

const WHITE = '#FFFFFF';
const NEAR_BLACK = '#1A1A1A';
const BLACK = '#000000';
/** WCAG 2.x AA for normal-size text: the title can be small once a long line is shrunk to fit. */
const MIN_TEXT_CONTRAST = 4.5;

const TITLE_LINE_CHARS = 16;
const TITLE_MAX_LINES = 3;
/** A single word up to this long keeps its own line (French has 17-letter words); longer ones are split. */
const TITLE_LONGEST_WORD = 20;
const CAPTION_MAX_CHARS = 32;
const ISSUER_MAX_CHARS = 24;
const LEVEL_COUNT = 8;
const ELLIPSIS = '…';

interface Layout {
  titleCentreY: number;
  titleMaxWidth: number;
  captionMaxWidth: number;
  dotSpacing: number;
}

/**
 * What each template leaves to computation: the room for the title block and the caption, and the spacing
 * of the level dots (closer on the hexagon, whose dots sit where it narrows). The rest of each layout is
 * fixed in its template.
 */
const LAYOUT: Record<BadgeShape, Layout> = {
  blason: { titleCentreY: 180, titleMaxWidth: 232, captionMaxWidth: 248, dotSpacing: 18 },
  hexagon: { titleCentreY: 180, titleMaxWidth: 252, captionMaxWidth: 206, dotSpacing: 15 },
  circle: { titleCentreY: 182, titleMaxWidth: 262, captionMaxWidth: 226, dotSpacing: 18 },
};
const ISSUER_MAX_WIDTH = 264;

// ---------------------------------------------------------------------------------------------------------
// Colours

const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

/** Only a plain #RRGGBB may reach a fill attribute: no names, no url(), nothing that could carry CSS. */
function safeColour(colour: string | undefined): string {
  return typeof colour === 'string' && HEX_COLOUR.test(colour) ? colour.toUpperCase() : DEFAULT_BADGE_COLOUR;
}

function channels(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

function toHex(rgb: readonly number[]): string {
  return `#${rgb
    .map((c) =>
      Math.round(Math.min(255, Math.max(0, c)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`.toUpperCase();
}

/** Linear interpolation in sRGB: good enough for tints and shades of one hue. */
function mix(hex: string, towards: string, amount: number): string {
  const a = channels(hex);
  const b = channels(towards);
  return toHex(a.map((c, i) => c + ((b[i] ?? c) - c) * amount));
}

/** WCAG 2.x relative luminance (sRGB threshold 0.04045, as in the sRGB standard WCAG refers to). */
function relativeLuminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio between two #RRGGBB colours, from 1 (same) to 21 (black on white). */
export function contrastRatio(hexA: string, hexB: string): number {
  const a = relativeLuminance(hexA);
  const b = relativeLuminance(hexB);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

/**
 * White or near-black, whichever reads better. Near-black is softer than pure black but does not reach 4.5:1
 * on mid-luminance colours, so pure black (or white) is the fallback: one of those two always exceeds 4.58:1.
 */
function readableTextColour(background: string): string {
  const best = contrastRatio(background, WHITE) >= contrastRatio(background, NEAR_BLACK) ? WHITE : NEAR_BLACK;
  if (contrastRatio(background, best) >= MIN_TEXT_CONTRAST) return best;
  return contrastRatio(background, WHITE) >= contrastRatio(background, BLACK) ? WHITE : BLACK;
}

interface BadgePalette {
  /** The field: the badge's own colour. */
  colour: string;
  /** Border, ribbon and chief: the colour darkened, or lightened when darker would not show. */
  accent: string;
  /** Ribbon tails, a step beyond the accent, so that the band reads as in front of them. */
  shade: string;
  /** The ribbon's folds, in shadow behind the band. */
  fold: string;
  textColour: string;
  /** Text drawn on the accent (issuer name, the shield's chief). */
  accentTextColour: string;
}

function badgePalette(colour: string | undefined): BadgePalette {
  const field = safeColour(colour);
  const darker = mix(field, BLACK, 0.25);
  // On very dark colours a darker accent is invisible (black stays black): go lighter instead.
  const accent = contrastRatio(field, darker) >= 1.25 ? darker : mix(field, WHITE, 0.3);
  const shade = mix(accent, BLACK, 0.2);
  return {
    colour: field,
    accent,
    shade,
    fold: mix(shade, BLACK, 0.4),
    textColour: readableTextColour(field),
    accentTextColour: readableTextColour(accent),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Text

/** Everything XML 1.0 cannot carry, even escaped: C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/F. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * One line of displayable text: XML-safe characters, whitespace collapsed to single spaces, except the
 * no-break spaces French puts before « : ; ! ? », which must keep the word wrap from splitting there.
 */
function cleanText(text: string | undefined): string {
  return (text ?? '')
    .replace(NOT_XML_CHAR, '')
    .replace(/[^\S\u00A0\u202F]+/gu, ' ')
    .trim();
}

const graphemeSegmenter = new Intl.Segmenter('fr', { granularity: 'grapheme' });

/** Counting and cutting by grapheme so that "é" written as e + U+0301, or an emoji, is never split. */
function graphemes(text: string): string[] {
  return Array.from(graphemeSegmenter.segment(text), (s) => s.segment);
}

/** Cuts to at most `max` graphemes, ending with "…" when something was removed. */
function truncate(text: string, max: number): string {
  const chars = graphemes(text);
  if (chars.length <= max) return text;
  return withEllipsis(chars.slice(0, max - 1).join(''));
}

/** Appends "…" after dropping trailing spaces and punctuation that would sit oddly before it. */
function withEllipsis(text: string): string {
  return `${text.replace(/[\s.,;:!?·–—-]+$/u, '')}${ELLIPSIS}`;
}

/** Words longer than TITLE_LONGEST_WORD (URLs, codes) are broken into hyphenated pieces. */
function splitLongWord(word: string): string[] {
  const chars = graphemes(word);
  if (chars.length <= TITLE_LONGEST_WORD) return [word];
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += TITLE_LONGEST_WORD - 1) {
    const piece = chars.slice(i, i + TITLE_LONGEST_WORD - 1).join('');
    pieces.push(i + TITLE_LONGEST_WORD - 1 < chars.length ? `${piece}-` : piece);
  }
  return pieces;
}

/**
 * Greedy word wrap to about TITLE_LINE_CHARS per line and at most TITLE_MAX_LINES lines; the last line ends
 * with "…" when the title did not fit.
 */
function wrapTitle(title: string): string[] {
  const words = cleanText(title).split(' ').filter(Boolean).flatMap(splitLongWord);
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    const candidate = current ? `${current} ${word}` : word;
    if (!current || graphemes(candidate).length <= TITLE_LINE_CHARS) {
      current = candidate;
    } else {
      lines.push(current);
      current = word;
    }
  }
  if (current) lines.push(current);
  if (lines.length <= TITLE_MAX_LINES) return lines;

  const kept = lines.slice(0, TITLE_MAX_LINES);
  let last = kept[TITLE_MAX_LINES - 1] ?? '';
  // Make room for the ellipsis: drop the last word if there is one to drop, else cut the word.
  if (graphemes(last).length + 1 > TITLE_LINE_CHARS) {
    const space = last.lastIndexOf(' ');
    last =
      space > 0
        ? last.slice(0, space)
        : graphemes(last)
            .slice(0, TITLE_LINE_CHARS - 1)
            .join('');
  }
  kept[TITLE_MAX_LINES - 1] = withEllipsis(last);
  return kept;
}

/**
 * Approximate advance width of DejaVu Sans Bold, in em, by character class (advances measured with resvg,
 * each class rounded up to its widest common member, so an estimate that fits really fits). Accented letters
 * count as their base letter. The regular weight (captions) is about 10% narrower throughout.
 */
function estimateWidthEm(text: string, weight: 'bold' | 'regular'): number {
  let em = 0;
  for (const grapheme of graphemes(text)) {
    const ch = grapheme.normalize('NFD').charAt(0);
    if (/[\s'’.,:;·/|ijlIJ]/u.test(ch)) em += 0.38;
    else if (/[ftr!()[\]-]/u.test(ch)) em += 0.5;
    else if (/[mwMWœŒæÆ…—@%&]/u.test(ch)) em += 1.1;
    else if (/\p{Lu}/u.test(ch)) em += 0.85;
    else em += 0.72;
  }
  return weight === 'bold' ? em : em * 0.9;
}

/** The largest size up to `preferred` at which the widest line fits in `maxWidth` user units. */
function fittingFontSize(
  lines: readonly string[],
  weight: 'bold' | 'regular',
  preferred: number,
  maxWidth: number,
): number {
  const widestEm = Math.max(0, ...lines.map((line) => estimateWidthEm(line, weight)));
  const size = widestEm > 0 ? Math.min(preferred, maxWidth / widestEm) : preferred;
  return Math.round(Math.max(10, size) * 10) / 10;
}

// ---------------------------------------------------------------------------------------------------------
// SVG

interface BadgeView extends BadgePalette {
  name: string;
  description: string;
  titleLines: { text: string; y: number }[];
  titleFontSize: number;
  caption: string;
  captionFontSize: number;
  levelDots: { cx: number; filled: boolean }[];
  issuerName: string;
  issuerFontSize: number;
}

/**
 * Title lines, the block centred on the template's title area. Each `y` is the middle of a line; the
 * templates add dy="0.36em", which puts DejaVu's capitals (0.73 em tall) on that middle.
 */
function titleLayout(
  lines: readonly string[],
  shape: BadgeShape,
): { lines: BadgeView['titleLines']; fontSize: number } {
  const { titleCentreY, titleMaxWidth } = LAYOUT[shape];
  const fontSize = fittingFontSize(lines, 'bold', 30, titleMaxWidth);
  const lineHeight = fontSize * 1.2;
  const firstMiddle = titleCentreY - ((lines.length - 1) * lineHeight) / 2;
  return {
    fontSize,
    lines: lines.map((text, i) => ({ text, y: Math.round((firstMiddle + i * lineHeight) * 10) / 10 })),
  };
}

/** Eight dots, those up to the level filled; none at all without a valid level. */
function levelDots(level: number | undefined, shape: BadgeShape): BadgeView['levelDots'] {
  if (level === undefined || !Number.isInteger(level) || level < 1 || level > LEVEL_COUNT) return [];
  return Array.from({ length: LEVEL_COUNT }, (_, i) => ({
    cx: 200 + (i - (LEVEL_COUNT - 1) / 2) * LAYOUT[shape].dotSpacing,
    filled: i < level,
  }));
}

function badgeView(input: BadgeImageInput, shape: BadgeShape): BadgeView {
  const name = cleanText(input.title);
  const caption = truncate(cleanText(input.caption), CAPTION_MAX_CHARS);
  const fullIssuer = cleanText(input.issuerName);
  const issuerName = truncate(fullIssuer, ISSUER_MAX_CHARS);
  const title = titleLayout(wrapTitle(name), shape);
  return {
    ...badgePalette(input.colour),
    name,
    description: [caption, fullIssuer].filter(Boolean).join(' — '),
    titleLines: title.lines,
    titleFontSize: title.fontSize,
    caption,
    captionFontSize: fittingFontSize([caption], 'regular', 16, LAYOUT[shape].captionMaxWidth),
    levelDots: levelDots(input.level, shape),
    issuerName,
    issuerFontSize: fittingFontSize([issuerName], 'bold', 17, ISSUER_MAX_WIDTH),
  };
}

/** Compiled once per shape, in an isolated handlebars environment with no custom helpers to misuse. */
const templates = new Map<BadgeShape, Handlebars.TemplateDelegate<BadgeView>>();
const handlebars = Handlebars.create();

function template(shape: BadgeShape): Handlebars.TemplateDelegate<BadgeView> {
  let compiled = templates.get(shape);
  if (!compiled) {
    const source = readFileSync(fromRoot('badge-templates', `${shape}.svg.hbs`), 'utf8');
    // strict: a misspelt field fails loudly instead of rendering blank; knownHelpersOnly: only if/each.
    compiled = handlebars.compile<BadgeView>(source, { strict: true, knownHelpersOnly: true });
    templates.set(shape, compiled);
  }
  return compiled;
}

export function renderBadgeSvg(input: BadgeImageInput): string {
  const shape = input.shape !== undefined && BADGE_SHAPES.includes(input.shape) ? input.shape : DEFAULT_BADGE_SHAPE;
  return template(shape)(badgeView(input, shape));
}

// ---------------------------------------------------------------------------------------------------------
// PNG

const requireFromHere = createRequire(import.meta.url);
/** Bundled fonts only, never the system's: the same PNG on every machine, whatever is installed there. */
const FONT_FILES = [
  requireFromHere.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  requireFromHere.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
];
const MAX_PNG_WIDTH = 4096;

export function renderBadgePng(svg: string, width = 400): Buffer {
  if (!Number.isInteger(width) || width < 1 || width > MAX_PNG_WIDTH) {
    throw new RangeError(`PNG width must be an integer from 1 to ${MAX_PNG_WIDTH}, got ${width}`);
  }
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: 'DejaVu Sans' },
    fitTo: { mode: 'width', value: width },
    logLevel: 'off',
  });
  return resvg.render().asPng();
}
