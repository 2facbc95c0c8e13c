import { SaxesParser, type SaxesTagNS } from 'saxes';
import { InputError } from '../verify/errors.js';

export const OB3_SVG_NAMESPACE = 'https://purl.imsglobal.org/ob/v3p0';
export const OB2_SVG_NAMESPACE = 'http://openbadges.org';
const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';

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
    if (depth === 1) {
      if (tag.local !== 'svg' || tag.uri !== SVG_NAMESPACE) error ??= new Error('the root element is not <svg>');
      rootStartTagEnd = parser.position;
      rootHasOb3Namespace = Object.values(tag.ns ?? {}).includes(OB3_SVG_NAMESPACE);
      return;
    }
    if (baked || capturing) return;
    const version = tag.uri === OB3_SVG_NAMESPACE && tag.local === 'credential' ? 'ob3'
      : tag.uri === OB2_SVG_NAMESPACE && tag.local === 'assertion' ? 'ob2' : undefined;
    if (version) {
      const verify = tag.attributes.verify;
      capturing = { version, depth, text: '', ...(verify ? { verify: typeof verify === 'string' ? verify : verify.value } : {}) };
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

export function looksLikeSvg(text: string): boolean {
  // A DOCTYPE may carry an internal subset in brackets, which can itself contain '>'.
  return /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[^>[]*(\[[\s\S]*?\])?\s*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(text.slice(0, 65_536));
}

/** The first `<openbadges:credential>` (OB 3.0: `verify` attribute = JWT, else the JSON text), or an OB 2.0 assertion. */
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
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/.test(content.jwt)) throw new TypeError('bakeSvg: not a compact JWS');
    element = `<openbadges:credential verify="${content.jwt}"></openbadges:credential>`;
  } else {
    // "]]>" can only occur inside a JSON string, where "\u003e" means the same thing.
    element = `<openbadges:credential><![CDATA[${content.json.replaceAll(']]>', ']]\\u003e')}]]></openbadges:credential>`;
  }
  let head = svg.slice(0, scan.rootStartTagEnd);
  if (!scan.rootHasOb3Namespace) {
    head = head.replace(/<svg(?=[\s>/])/, `<svg xmlns:openbadges="${OB3_SVG_NAMESPACE}"`);
  }
  return `${head}\n${element}${svg.slice(scan.rootStartTagEnd)}`;
}
