import { SaxesParser, type SaxesTagNS } from 'saxes';
import { InputError } from '../verify/errors.js';

export const OB3_SVG_NAMESPACE = 'https://purl.imsglobal.org/ob/v3p0';
export const OB2_SVG_NAMESPACE = 'http://openbadges.org';
const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';
const MAX_SVG_DEPTH = 256;

export type SvgBakedContent = { version: 'ob3' | 'ob2'; text: string };

interface SvgScan {
  /** Offset just after the root `<svg …>` start tag. */
  rootStartTagEnd: number;
  rootHasOb3Namespace: boolean;
  baked?: SvgBakedContent;
}

/**
 * Reads an SVG with a namespace-aware XML parser. The parser does not expand entities a DOCTYPE declares
 * (no billion laughs) and never loads external entities.
 */
function scanSvg(svg: string): SvgScan {
  const parser = new SaxesParser({ xmlns: true, position: true });
  let depth = 0;
  let rootStartTagEnd = -1;
  let rootHasOb3Namespace = false;
  let capturing: { version: 'ob3' | 'ob2'; depth: number; verify?: string; text: string } | undefined;
  let baked: SvgBakedContent | undefined;
  let error: Error | undefined;

  parser.on('error', (e) => {
    error ??= e;
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    depth++;
    // saxes resolves an element's namespace by walking up the open elements, so its cost grows with the square
    // of the nesting: 400,000 nested <g> (3 MB) took about half an hour. No badge image nests this deep.
    if (depth > MAX_SVG_DEPTH) {
      throw new InputError('input.tooDeep', `The SVG nests elements more than ${MAX_SVG_DEPTH} levels deep.`, {
        limit: MAX_SVG_DEPTH,
      });
    }
    if (depth === 1) {
      if (tag.local !== 'svg' || tag.uri !== SVG_NAMESPACE) error ??= new Error('the root element is not <svg>');
      rootStartTagEnd = parser.position;
      rootHasOb3Namespace = Object.values(tag.ns ?? {}).includes(OB3_SVG_NAMESPACE);
      return;
    }
    if (baked || capturing) return;
    const version =
      tag.uri === OB3_SVG_NAMESPACE && tag.local === 'credential'
        ? 'ob3'
        : tag.uri === OB2_SVG_NAMESPACE && tag.local === 'assertion'
          ? 'ob2'
          : undefined;
    if (version) {
      const verify = tag.attributes.verify;
      capturing = {
        version,
        depth,
        text: '',
        ...(verify ? { verify: typeof verify === 'string' ? verify : verify.value } : {}),
      };
    }
  });
  const collect = (text: string) => {
    if (capturing) capturing.text += text;
  };
  parser.on('text', collect);
  parser.on('cdata', collect);
  parser.on('closetag', () => {
    if (capturing && capturing.depth === depth) {
      baked = { version: capturing.version, text: capturing.verify ?? capturing.text.trim() };
      capturing = undefined;
    }
    depth--;
  });
  parser.write(svg).close();
  if (error || rootStartTagEnd < 0) {
    throw new InputError('svg.malformed', `This SVG cannot be read: ${error?.message ?? 'no <svg> element'}.`);
  }
  return { rootStartTagEnd, rootHasOb3Namespace, ...(baked ? { baked } : {}) };
}

const PROLOG_SCAN_LIMIT = 65_536;

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

function startsWithIgnoringCase(text: string, at: number, prefix: string): boolean {
  return text.slice(at, at + prefix.length).toLowerCase() === prefix;
}

/**
 * Whether the text starts like an SVG document: an optional XML declaration, comments, at most one DOCTYPE
 * (whose internal subset in brackets may itself contain '>'), more comments, then `<svg`.
 *
 * A linear scan, not a regular expression: the pattern this replaces, with `(<!--[\s\S]*?-->\s*)*`, could
 * split a run of comments in exponentially many ways when the match failed, so 40 × `<!-- -->` followed by
 * anything but `<svg` (320 bytes, no login needed) kept the event loop busy for hours.
 */
export function looksLikeSvg(input: string): boolean {
  const text = input.slice(0, PROLOG_SCAN_LIMIT);
  let i = skipSpace(text, 0);
  if (startsWithIgnoringCase(text, i, '<?xml')) {
    const end = text.indexOf('>', i);
    if (end < 0) return false;
    i = skipSpace(text, end + 1);
  }
  let doctypeSeen = false;
  for (;;) {
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) return false;
      i = skipSpace(text, end + 3);
    } else if (!doctypeSeen && startsWithIgnoringCase(text, i, '<!doctype')) {
      doctypeSeen = true;
      let j = i + '<!doctype'.length;
      while (j < text.length && text[j] !== '>' && text[j] !== '[') j++;
      if (text[j] === '[') {
        // The subset ends at the first ']' that is followed by optional spaces and '>'.
        let close = text.indexOf(']', j + 1);
        while (close >= 0 && text[skipSpace(text, close + 1)] !== '>') close = text.indexOf(']', close + 1);
        if (close < 0) return false;
        j = skipSpace(text, close + 1);
      }
      if (text[j] !== '>') return false;
      i = skipSpace(text, j + 1);
    } else {
      break;
    }
  }
  return startsWithIgnoringCase(text, i, '<svg') && /[\s>]/.test(text[i + 4] ?? '');
}

/**
 * The first `<openbadges:credential>` (OB 3.0: `verify` attribute = JWT, else the JSON text), or an OB 2.0
 * assertion.
 */
export function unbakeSvg(svg: string): SvgBakedContent | undefined {
  return scanSvg(svg).baked;
}

/**
 * Bakes a credential into an SVG, directly after the opening `<svg>` tag: a JWT in the `verify` attribute, or
 * the credential JSON in CDATA. The SVG must not already carry a credential.
 */
export function bakeSvg(svg: string, content: { jwt: string } | { json: string }): string {
  const scan = scanSvg(svg);
  if (scan.baked) throw new InputError('svg.alreadyBaked', 'This SVG already carries a baked credential.');
  let element: string;
  if ('jwt' in content) {
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/.test(content.jwt))
      throw new TypeError('bakeSvg: not a compact JWS');
    element = `<openbadges:credential verify="${content.jwt}"></openbadges:credential>`;
  } else {
    // "]]>" can only occur inside a JSON string, where "\u003e" means the same thing.
    const cdata = content.json.replaceAll(']]>', ']]\\u003e');
    element = `<openbadges:credential><![CDATA[${cdata}]]></openbadges:credential>`;
  }
  let head = svg.slice(0, scan.rootStartTagEnd);
  if (!scan.rootHasOb3Namespace) {
    head = head.replace(/<svg(?=[\s>/])/, `<svg xmlns:openbadges="${OB3_SVG_NAMESPACE}"`);
  }
  return `${head}\n${element}${svg.slice(scan.rootStartTagEnd)}`;
}
