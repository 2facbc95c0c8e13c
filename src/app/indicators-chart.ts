import { isSuppressed, PEOPLE_THRESHOLD, type Cell } from './indicators.js';
import { sha256Hex } from '../engine/util.js';

/**
 * Bar charts of the indicators as static, accessible SVG, safe to inline in a page under the site's CSP:
 * no script, no `style` element or attribute (presentation attributes only), every piece of text XML-escaped
 * (labels are operator names, chosen by operators), colours with at least 3:1 contrast against white
 * (WCAG 1.4.11 for graphics, 1.4.3 large text; the text colour is far above 4.5:1).
 */

export interface BarChartOptions {
  /** The chart's accessible name, also drawn on top. */
  title: string;
  /** Default 640. */
  width?: number;
  /** Default 360. */
  height?: number;
  /** Caption of the category axis (under the labels). */
  xLabel?: string;
  /** Caption of the value axis (along it). */
  yLabel?: string;
  /** Number formatting, default fr-FR. */
  locale?: string;
  /** Prefix of the ids of <title> and <desc>; default derived from the content, so two different charts differ. */
  id?: string;
}

/** Bar colour: the MEL blue of the catalogue, 5.7:1 against white. */
export const BAR_COLOUR = '#0069B4';
/** Text colour, 17:1 against white. */
export const TEXT_COLOUR = '#1A1A1A';
/** Axis lines, 7:1 against white. */
export const AXIS_COLOUR = '#595959';
/** Grid lines are decorative (values are written on the bars): no contrast requirement. */
const GRID_COLOUR = '#D9D9D9';

const MAX_LABEL = 20;

/** Characters XML cannot carry: controls, non-characters, and surrogates that are not part of a pair. */
const NOT_XML_CHARACTERS = new RegExp(
  [
    '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]',
    '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])',
    '(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]',
  ].join('|'),
  'g',
);

/**
 * Text for XML content and attribute values: the five special characters escaped, characters XML forbids
 * removed.
 */
export function escapeXml(value: string): string {
  return value
    .replace(NOT_XML_CHARACTERS, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function truncate(label: string): string {
  const chars = Array.from(label.replace(/\s+/g, ' ').trim());
  return chars.length > MAX_LABEL ? `${chars.slice(0, MAX_LABEL - 1).join('')}…` : chars.join('');
}

/** A round axis step: 1, 2 or 5 times a power of ten, at least 1 (counts are whole numbers). */
function niceStep(rough: number): number {
  if (rough <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * A vertical bar chart: `role="img"` with a <title> (the title) and a <desc> (every label and value, for screen
 * readers), the value written above each bar, the labels under them (shortened to 20 characters, in full in each
 * bar's tooltip), a value axis with round ticks, optional axis captions. Values that are not finite or are
 * negative are drawn as 0; a suppressed {@link Cell} gets no bar and reads "< 3".
 */
export function barChartSvg(series: { label: string; value: number | Cell }[], options: BarChartOptions): string {
  const width = Math.max(240, Math.round(options.width ?? 640));
  const height = Math.max(180, Math.round(options.height ?? 360));
  const format = new Intl.NumberFormat(options.locale ?? 'fr-FR', { maximumFractionDigits: 1 });
  const bars = series.map(({ label, value }) => {
    if (typeof value === 'object' && isSuppressed(value)) return { label, value: 0, text: `< ${PEOPLE_THRESHOLD}` };
    const raw = typeof value === 'number' ? value : value.value;
    const n = Number.isFinite(raw) ? Math.max(0, raw) : 0;
    return { label, value: n, text: format.format(n) };
  });
  const id =
    (options.id ?? `chart-${sha256Hex(JSON.stringify([options.title, series])).slice(0, 10)}`).replace(
      /[^A-Za-z0-9_-]/g,
      '',
    ) || 'chart';

  const labels = bars.map((b) => truncate(b.label));
  const longest = Math.max(0, ...labels.map((l) => Array.from(l).length));
  const top = 48;
  const right = 16;
  // Labels are about 6.5 px a character at 12 px; too long for their band, they are turned by 35°, and the first
  // one must not run off the left edge.
  const labelLength = longest * 6.5;
  let left = 56 + (options.yLabel ? 20 : 0);
  const bandFor = (l: number) => (width - l - right) / Math.max(1, bars.length);
  const rotate = labelLength > bandFor(left) * 0.95;
  if (rotate) left = Math.max(left, Math.ceil(labelLength * Math.cos((Math.PI * 35) / 180) - bandFor(left) / 2 + 8));
  const plotWidth = width - left - right;
  const band = bandFor(left);
  const labelSpace = rotate ? Math.ceil(20 + labelLength * Math.sin((Math.PI * 35) / 180)) : 24;
  const bottom = labelSpace + (options.xLabel ? 24 : 8);
  const plotHeight = Math.max(40, height - top - bottom);
  const x0 = left;
  const y1 = top + plotHeight;

  const max = Math.max(0, ...bars.map((b) => b.value));
  const step = niceStep(max / 4);
  const axisMax = Math.max(step, Math.ceil(max / step) * step);
  const y = (v: number) => round(y1 - (v / axisMax) * plotHeight);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `role="img" aria-labelledby="${id}-title ${id}-desc" font-family="sans-serif" font-size="12" ` +
      `fill="${TEXT_COLOUR}">`,
  );
  out.push(`<title id="${id}-title">${escapeXml(options.title)}</title>`);
  const description = bars.map((b) => `${b.label.replace(/\s+/g, ' ').trim()}: ${b.text}`).join('; ');
  out.push(`<desc id="${id}-desc">${escapeXml(description)}</desc>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#FFFFFF"/>`);
  out.push(
    `<text x="${round(width / 2)}" y="24" text-anchor="middle" font-size="16" ` +
      `font-weight="bold">${escapeXml(options.title)}</text>`,
  );

  // Value axis: grid lines, ticks and their values.
  for (let v = 0; v <= axisMax; v += step) {
    const ty = y(v);
    if (v > 0)
      out.push(
        `<line x1="${x0}" y1="${ty}" x2="${width - right}" y2="${ty}" stroke="${GRID_COLOUR}" stroke-width="1"/>`,
      );
    out.push(`<line x1="${x0 - 4}" y1="${ty}" x2="${x0}" y2="${ty}" stroke="${AXIS_COLOUR}" stroke-width="1"/>`);
    out.push(`<text x="${x0 - 8}" y="${round(ty + 4)}" text-anchor="end">${escapeXml(format.format(v))}</text>`);
  }
  out.push(`<line x1="${x0}" y1="${top}" x2="${x0}" y2="${y1}" stroke="${AXIS_COLOUR}" stroke-width="1"/>`);
  out.push(`<line x1="${x0}" y1="${y1}" x2="${width - right}" y2="${y1}" stroke="${AXIS_COLOUR}" stroke-width="1"/>`);
  if (options.yLabel) {
    const cy = round(top + plotHeight / 2);
    out.push(
      `<text x="14" y="${cy}" text-anchor="middle" transform="rotate(-90 14 ` +
        `${cy})">${escapeXml(options.yLabel)}</text>`,
    );
  }
  if (options.xLabel)
    out.push(
      `<text x="${round(x0 + plotWidth / 2)}" y="${height - 8}" ` +
        `text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    );

  // Bars, values and labels.
  const barWidth = round(Math.max(1, band * 0.7));
  bars.forEach((bar, i) => {
    const cx = round(x0 + band * i + band / 2);
    const by = y(bar.value);
    const tooltip = escapeXml(`${bar.label}: ${bar.text}`);
    out.push(
      `<rect x="${round(cx - barWidth / 2)}" y="${by}" width="${barWidth}" height="${round(y1 - by)}" ` +
        `fill="${BAR_COLOUR}"><title>${tooltip}</title></rect>`,
    );
    out.push(
      `<text x="${cx}" y="${round(by - 4)}" text-anchor="middle" font-weight="bold">${escapeXml(bar.text)}</text>`,
    );
    const ly = y1 + 16;
    out.push(
      rotate
        ? `<text x="${cx}" y="${ly}" text-anchor="end" transform="rotate(-35 ${cx} ` +
          `${ly})">${escapeXml(labels[i]!)}</text>`
        : `<text x="${cx}" y="${ly}" text-anchor="middle">${escapeXml(labels[i]!)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}
