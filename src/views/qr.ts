import QRCode from 'qrcode';

/** An SVG QR code of a URL, drawn with paths only (no scripts, no styles), dark on light for any scanner. */
export async function qrSvg(url: string): Promise<string> {
  const svg = await QRCode.toString(url, {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 2,
    color: { dark: '#000000', light: '#ffffff' },
  });
  return svg.replace('<svg ', '<svg focusable="false" aria-hidden="true" ');
}
