/**
 * Badge images: every shape draws a well-formed, accessible SVG and a deterministic PNG; user text comes out
 * as inert, readable text (security.md §9) and colours cannot carry anything but a colour.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import {
  BADGE_SHAPES,
  contrastRatio,
  DEFAULT_BADGE_COLOUR,
  renderBadgePng,
  renderBadgeSvg,
  type BadgeImageInput,
} from '../../src/images/badge-image.js';
import { fromRoot } from '../../src/shared/paths.js';

const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const SAMPLE: BadgeImageInput = {
  title: "De l'idée à l'opportunité",
  caption: 'EntreComp 1.1 · Niveau 3',
  level: 3,
  colour: '#E6007E',
  issuerName: 'BGE Hauts-de-France',
};

/** Plain shapes and text only: nothing that can run script, load a resource or embed HTML. */
const ALLOWED_ELEMENTS = new Set(['svg', 'title', 'desc', 'g', 'path', 'rect', 'circle', 'text', 'tspan']);

interface SvgElement {
  name: string;
  uri: string;
  attributes: Record<string, string>;
  /** Text content, descendants included. */
  text: string;
}

interface ParsedSvg {
  elements: SvgElement[];
  errors: Error[];
}

function parseSvg(svg: string): ParsedSvg {
  const parser = new SaxesParser({ xmlns: true });
  const elements: SvgElement[] = [];
  const open: SvgElement[] = [];
  const errors: Error[] = [];
  parser.on('error', (e) => errors.push(e));
  parser.on('opentag', (tag: SaxesTagNS) => {
    const attributes = Object.fromEntries(Object.values(tag.attributes).map((a) => [a.name, a.value]));
    const element = { name: tag.local, uri: tag.uri, attributes, text: '' };
    elements.push(element);
    open.push(element);
  });
  parser.on('text', (text) => {
    for (const element of open) element.text += text;
  });
  parser.on('closetag', () => {
    open.pop();
  });
  parser.write(svg).close();
  return { elements, errors };
}

function parseOk(svg: string): SvgElement[] {
  const { elements, errors } = parseSvg(svg);
  expect(errors).toEqual([]);
  return elements;
}

function byClass(elements: SvgElement[], cls: string): SvgElement[] {
  return elements.filter((e) => (e.attributes.class ?? '').split(' ').includes(cls));
}

function only(elements: SvgElement[], cls: string): SvgElement {
  const found = byClass(elements, cls);
  expect(found).toHaveLength(1);
  return found[0] as SvgElement;
}

function titleLines(elements: SvgElement[]): string[] {
  only(elements, 'badge-title');
  const titleIndex = elements.findIndex((e) => e.attributes.class === 'badge-title');
  return elements.slice(titleIndex + 1).filter((e) => e.name === 'tspan').map((e) => e.text);
}

function pngWidth(png: Buffer): number {
  return png.readUInt32BE(16);
}

function pngHeight(png: Buffer): number {
  return png.readUInt32BE(20);
}

describe.each(BADGE_SHAPES)('the %s badge', (shape) => {
  const svg = renderBadgeSvg({ ...SAMPLE, shape });

  it('is a well-formed SVG image whose <title> is the badge name', () => {
    const elements = parseOk(svg);
    const root = elements[0];
    expect(root).toMatchObject({ name: 'svg', uri: SVG_NAMESPACE });
    expect(root?.attributes).toMatchObject({ role: 'img', viewBox: '0 0 400 400' });
    expect(elements.filter((e) => e.name === 'title').map((e) => e.text)).toEqual([SAMPLE.title]);
  });

  it('draws only plain shapes and text, with no event attributes or links', () => {
    for (const element of parseOk(svg)) {
      expect(ALLOWED_ELEMENTS).toContain(element.name);
      expect(element.uri).toBe(SVG_NAMESPACE);
      for (const attribute of Object.keys(element.attributes)) {
        expect(attribute).not.toMatch(/^on|href$|^style$/i);
      }
    }
  });

  it('shows the title, caption, issuer and level', () => {
    const elements = parseOk(svg);
    expect(titleLines(elements)).toEqual(["De l'idée à", "l'opportunité"]);
    expect(elements.some((e) => e.name === 'text' && e.text === SAMPLE.caption)).toBe(true);
    expect(only(elements, 'badge-issuer').text).toBe(SAMPLE.issuerName);
    expect(byClass(elements, 'badge-level-filled')).toHaveLength(3);
    expect(byClass(elements, 'badge-level-empty')).toHaveLength(5);
  });

  it('leaves out the level indicator, caption and ribbon when they are not given', () => {
    const elements = parseOk(renderBadgeSvg({ title: 'Activité lancée', shape }));
    expect(byClass(elements, 'badge-level-filled')).toEqual([]);
    expect(byClass(elements, 'badge-level-empty')).toEqual([]);
    expect(byClass(elements, 'badge-ribbon')).toEqual([]);
    expect(elements.filter((e) => e.name === 'text').map((e) => e.text)).toEqual(['Activité lancée']);
  });

  it('renders a PNG of the requested width', () => {
    for (const width of [400, 128]) {
      const png = renderBadgePng(svg, width);
      expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
      expect(pngWidth(png)).toBe(width);
      expect(pngHeight(png)).toBe(width);
    }
  });

  it('renders byte-identical PNGs for the same input', () => {
    const first = renderBadgePng(renderBadgeSvg({ ...SAMPLE, shape }));
    const second = renderBadgePng(renderBadgeSvg({ ...SAMPLE, shape }));
    expect(first.equals(second)).toBe(true);
  });
});

describe('hostile text', () => {
  const payloads = [
    '</text><script>alert(1)</script><text>',
    '"><img src=x onerror=alert(1)>',
    '<svg><foreignObject><iframe src="javascript:alert(1)">',
    "' onload='alert(1)",
    ']]><!ENTITY x "y">&amp;&x;',
  ];

  it.each(BADGE_SHAPES)('comes out of the %s badge as inert text', (shape) => {
    for (const payload of payloads) {
      const svg = renderBadgeSvg({ title: payload, caption: payload, issuerName: payload, level: 2, shape });
      expect(svg).not.toMatch(/<script/i);
      expect(svg).not.toMatch(/<img/i);
      expect(svg).not.toMatch(/<iframe|<foreignObject/i);
      expect(svg).not.toMatch(/onerror=|onload=/i);
      const elements = parseOk(svg);
      expect(elements.every((e) => ALLOWED_ELEMENTS.has(e.name))).toBe(true);
      // Escaped, not dropped: the reader sees exactly what was typed.
      expect(elements.find((e) => e.name === 'title')?.text).toBe(payload);
    }
  });

  it('never breaks the XML, whatever the characters (controls, lone surrogates, markup)', () => {
    const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 80 });
    const markupish = fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", '=', '/', ';', ' ', 'a', 'é', '’', '\u0000', '\uD800'), maxLength: 80 });
    const text = fc.oneof(anyUtf16, markupish);
    fc.assert(
      fc.property(text, text, text, fc.constantFrom(...BADGE_SHAPES), (title, caption, issuerName, shape) => {
        const { elements, errors } = parseSvg(renderBadgeSvg({ title, caption, issuerName, level: 5, shape }));
        return errors.length === 0 && elements.every((e) => ALLOWED_ELEMENTS.has(e.name) && !Object.keys(e.attributes).some((a) => /^on/i.test(a)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('colours', () => {
  const fieldFill = (input: BadgeImageInput) => only(parseOk(renderBadgeSvg(input)), 'badge-field').attributes.fill;

  it('uses a valid #RRGGBB colour as the field', () => {
    expect(fieldFill({ title: 'x', colour: '#0069b4' })).toBe('#0069B4');
  });

  it.each(['red;}</style><script>', 'red', '#FFF', '#E6007E" onload="alert(1)', 'url(#x)', ' #E6007E', '#E6007E\n'])(
    'falls back to the default colour for %j',
    (colour) => {
      for (const shape of BADGE_SHAPES) {
        const svg = renderBadgeSvg({ title: 'x', colour, shape });
        expect(fieldFill({ title: 'x', colour, shape })).toBe(DEFAULT_BADGE_COLOUR);
        expect(svg).not.toMatch(/red|<style|<script|onload|url\(/i);
      }
    },
  );

  it('measures WCAG contrast', () => {
    expect(contrastRatio('#000000', '#FFFFFF')).toBeCloseTo(21, 5);
    expect(contrastRatio('#FFFFFF', '#000000')).toBeCloseTo(21, 5);
    expect(contrastRatio('#E6007E', '#E6007E')).toBe(1);
    expect(contrastRatio('#777777', '#FFFFFF')).toBeCloseTo(4.48, 2);
  });

  it.each(['#E6007E', '#0069B4', '#F39200', '#FFFF00', '#000000', '#FFFFFF', '#767676', '#808080'])(
    'keeps text readable (≥ 4.5:1) on %s',
    (colour) => {
      for (const shape of BADGE_SHAPES) {
        const elements = parseOk(renderBadgeSvg({ ...SAMPLE, colour, shape }));
        const field = only(elements, 'badge-field').attributes.fill ?? '';
        const title = only(elements, 'badge-title').attributes.fill ?? '';
        const ribbon = only(elements, 'badge-ribbon').attributes.fill ?? '';
        const issuer = only(elements, 'badge-issuer').attributes.fill ?? '';
        expect(field).toBe(colour);
        expect(contrastRatio(title, field)).toBeGreaterThanOrEqual(4.5);
        expect(contrastRatio(issuer, ribbon)).toBeGreaterThanOrEqual(4.5);
        // The ribbon must stand out from the field, including on black.
        expect(ribbon).not.toBe(field);
      }
    },
  );
});

describe('text layout', () => {
  it('wraps a long title to at most 3 lines, the last ending with "…"', () => {
    const title = 'Parcours Entreprendre – socle commun des compétences entrepreneuriales de la métropole lilloise';
    for (const shape of BADGE_SHAPES) {
      const elements = parseOk(renderBadgeSvg({ title, shape }));
      const lines = titleLines(elements);
      expect(lines).toHaveLength(3);
      expect(lines[2]).toMatch(/…$/);
      for (const line of lines) expect([...line].length).toBeLessThanOrEqual(17);
      // The accessible name keeps the whole title.
      expect(elements.find((e) => e.name === 'title')?.text).toBe(title);
    }
  });

  it('breaks a word too long for any line', () => {
    const lines = titleLines(parseOk(renderBadgeSvg({ title: 'https://example.org/a-very-long-path' })));
    expect(lines.length).toBeLessThanOrEqual(3);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(20);
  });

  it('keeps a short title on one line without an ellipsis', () => {
    expect(titleLines(parseOk(renderBadgeSvg({ title: '  Activité\n lancée ' })))).toEqual(['Activité lancée']);
  });

  it('never wraps at a French no-break space', () => {
    const lines = titleLines(parseOk(renderBadgeSvg({ title: 'Prêt à entreprendre\u00A0? Oui\u00A0!' })));
    expect(lines).toEqual(['Prêt à', 'entreprendre\u00A0?', 'Oui\u00A0!']);
  });

  it('truncates the issuer name to 24 characters', () => {
    const issuer = only(parseOk(renderBadgeSvg({ title: 'x', issuerName: 'Métropole Européenne de Lille — Service Emploi' })), 'badge-issuer');
    expect(issuer.text).toBe('Métropole Européenne de…');
    expect([...issuer.text]).toHaveLength(24);
  });

  it('keeps French accents and typographic apostrophes', () => {
    const title = 'Œuvre créée à l’école : ça, c’est très élevé';
    for (const shape of BADGE_SHAPES) {
      const svg = renderBadgeSvg({ title, caption: 'Niveau 2 · Découvrir', issuerName: 'Maison de l’Économie', shape });
      for (const fragment of ['Œuvre', 'créée', 'l’école', 'ça', 'c’est', 'très', 'élevé', 'Découvrir', 'l’Économie']) {
        expect(svg).toContain(fragment);
      }
      expect(parseOk(svg).find((e) => e.name === 'title')?.text).toBe(title);
      expect(renderBadgePng(svg, 64).subarray(0, 8)).toEqual(PNG_SIGNATURE);
    }
    expect(renderBadgeSvg({ title: 'Cœur de projet, œuvre' })).toContain('œ');
  });
});

describe('PNG rendering', () => {
  it('refuses widths that are not a sensible integer', () => {
    const svg = renderBadgeSvg(SAMPLE);
    for (const width of [0, -1, 1.5, Number.NaN, 100_000]) {
      expect(() => renderBadgePng(svg, width)).toThrow(RangeError);
    }
  });
});

describe('the templates', () => {
  const templates = readdirSync(fromRoot('badge-templates')).filter((f) => f.endsWith('.svg.hbs'));

  it('exist for every shape', () => {
    expect(templates.sort()).toEqual(BADGE_SHAPES.map((s) => `${s}.svg.hbs`).sort());
  });

  it.each(templates)('%s interpolates only with escaped {{ }} and references nothing external', (file) => {
    const source = readFileSync(fromRoot('badge-templates', file), 'utf8');
    expect(source).not.toContain('{{{');
    expect(source).not.toMatch(/{{&/);
    expect(source).not.toMatch(/<script|<foreignObject|<image|<style|href|url\(|\son\w+=/i);
  });
});
