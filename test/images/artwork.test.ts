/**
 * Uploaded badge artwork (src/images/artwork.ts): what comes out can run nothing and fetch nothing, whatever came
 * in; what cannot be made safe, or is too large, is refused with a reason the console can say.
 */
import { PNG } from 'pngjs';
import { readPngTexts } from '../../src/engine/bake/png.js';
import { bakePng } from '../../src/engine/bake/png.js';
import { bakeSvg } from '../../src/engine/bake/svg.js';
import { artworkSvg, checkArtwork, MAX_ARTWORK_BYTES, type ArtworkProblem } from '../../src/images/artwork.js';

function svg(body: string, rootAttributes = ''): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 100"` +
      ` ${rootAttributes}><circle cx="50" cy="50" r="40" fill="#0069B4"/>${body}</svg>`,
  );
}

function png(width: number, height: number): Buffer {
  const image = new PNG({ width, height });
  image.data.fill(0x80);
  return PNG.sync.write(image);
}

function cleaned(bytes: Buffer): string {
  return checkArtwork(bytes).bytes.toString('utf8');
}

function refusal(bytes: Buffer, options: { truncated?: boolean } = {}): ArtworkProblem | undefined {
  try {
    checkArtwork(bytes, options);
    return undefined;
  } catch (error) {
    return (error as { problem?: ArtworkProblem }).problem;
  }
}

describe('an uploaded SVG', () => {
  test('keeps its drawing', () => {
    const out = cleaned(svg('<rect x="10" y="10" width="20" height="20" fill="url(#g)"/>'));
    expect(out).toContain('<circle');
    expect(out).toContain('fill="url(#g)"');
    expect(checkArtwork(svg('')).contentType).toBe('image/svg+xml');
  });

  test('loses its script elements', () => {
    const out = cleaned(svg('<script>alert(1)</script><script xlink:href="https://evil.example/x.js"/>'));
    expect(out).not.toMatch(/script/i);
    expect(out).not.toContain('alert');
  });

  test('loses its event handlers, on the root and on every element', () => {
    const out = cleaned(svg('<rect width="5" height="5" onclick="alert(2)" onmouseover="alert(3)"/>', 'onload="alert(1)"'));
    expect(out).not.toMatch(/\son\w+=/i);
    expect(out).not.toContain('alert');
  });

  test('loses links to images, stylesheets and documents elsewhere', () => {
    const out = cleaned(
      svg(
        '<image href="https://evil.example/pixel.png" width="1" height="1"/>' +
          '<image xlink:href="file:///etc/passwd" width="1" height="1"/>' +
          '<use href="https://evil.example/sprite.svg#a"/>' +
          '<a href="javascript:alert(1)"><text x="1" y="9">lien</text></a>' +
          '<rect width="5" height="5" style="fill:url(https://evil.example/track)"/>' +
          '<rect width="5" height="5" fill="url(http://evil.example/#p)"/>' +
          '<style>@import url(https://evil.example/x.css); rect { fill: red }</style>' +
          '<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example/"/></foreignObject>',
      ),
    );
    expect(out).not.toContain('evil.example');
    expect(out).not.toContain('file:');
    expect(out).not.toContain('javascript:');
    expect(out).not.toMatch(/foreignObject|iframe/i);
  });

  test('keeps an embedded raster image but not an embedded SVG document', () => {
    const raster = `data:image/png;base64,${png(64, 64).toString('base64')}`;
    const nested = `data:image/svg+xml;base64,${Buffer.from('<svg onload="alert(1)"/>').toString('base64')}`;
    const out = cleaned(svg(`<image href="${raster}" width="10" height="10"/><image href="${nested}"/>`));
    expect(out).toContain('data:image/png;base64,');
    expect(out).not.toContain('image/svg+xml');
  });

  test('loses a credential baked into it, so that it can be baked again', () => {
    const baked = bakeSvg(svg('').toString('utf8'), { json: '{"id":"urn:uuid:old"}' });
    const out = cleaned(Buffer.from(baked));
    expect(out).not.toContain('urn:uuid:old');
    expect(() => bakeSvg(out, { json: '{"id":"urn:uuid:new"}' })).not.toThrow();
  });

  test('with a DOCTYPE (entity expansion) is refused', () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>';
    expect(refusal(Buffer.from(bomb))).toBe('svgDoctype');
  });

  test('that is not well-formed, or not SVG, is refused', () => {
    expect(refusal(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>'))).toBe('svgUnreadable');
    expect(refusal(Buffer.from('<html><body>hello</body></html>'))).toBe('svgUnreadable');
  });

  test('with nothing left once cleaned is refused', () => {
    const onlyScript = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
    expect(refusal(Buffer.from(onlyScript))).toBe('svgNothingLeft');
  });
});

describe('an uploaded PNG', () => {
  test('within the size and dimension limits is accepted', () => {
    const checked = checkArtwork(png(256, 256));
    expect(checked).toMatchObject({ contentType: 'image/png', width: 256, height: 256 });
  });

  test('loses every text chunk, an earlier baked credential included', () => {
    const baked = bakePng(png(128, 128), '{"id":"urn:uuid:old"}');
    expect(readPngTexts(baked).length).toBe(1);
    expect(readPngTexts(checkArtwork(baked).bytes)).toEqual([]);
  });

  test('with a wrong signature is refused', () => {
    const bytes = png(128, 128);
    bytes[1] = 0x51; // "\x89QNG"
    expect(refusal(bytes)).toBe('pngSignature');
  });

  test('too small or too large in pixels is refused before being decoded', () => {
    expect(refusal(png(32, 128))).toBe('pngDimensions');
    // A header that claims 100,000 pixels a side: refused from the header alone.
    const huge = png(128, 128);
    huge.writeUInt32BE(100_000, 16);
    expect(refusal(huge)).toBe('pngDimensions');
  });

  test('whose pixels are damaged is refused', () => {
    const bytes = png(128, 128);
    bytes.fill(0, 40, 80);
    expect(refusal(bytes)).toBe('pngUnreadable');
  });

  test('is drawn in the SVG form of the badge at its own size', () => {
    const out = artworkSvg(checkArtwork(png(200, 100)));
    expect(out).toContain('viewBox="0 0 200 100"');
    expect(out).toContain('href="data:image/png;base64,');
  });
});

describe('any upload', () => {
  test('larger than 512 KB is refused', () => {
    const padding = `<desc>${'x'.repeat(MAX_ARTWORK_BYTES)}</desc>`;
    expect(refusal(svg(padding))).toBe('tooLarge');
  });

  test('cut short by the form at the size limit is refused as too large', () => {
    expect(refusal(png(128, 128), { truncated: true })).toBe('tooLarge');
  });

  test('that is neither PNG nor SVG is refused', () => {
    expect(refusal(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('notPngOrSvg');
    expect(refusal(Buffer.from('GIF89a'))).toBe('notPngOrSvg');
    expect(refusal(Buffer.alloc(0))).toBe('empty');
  });
});
