import { createRequire } from 'node:module';
import MarkdownIt from 'markdown-it';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { CertificateFacts } from '../app/certificate.js';
import { formatDate, translator } from './i18n.js';

/**
 * The printable certificate of a badge (A4, one page), drawn with pdfkit. DejaVu fonts are embedded (the same
 * package draws the badge images), so accents and any name print the same on every machine. The QR code is drawn
 * as vector squares: it stays sharp at any print size.
 */

const requireHere = createRequire(import.meta.url);
const FONT = requireHere.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const FONT_BOLD = requireHere.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

const INK = '#1f2933';
const MUTED = '#52606d';
const ACCENT = '#1d4ed8';
const MARGIN = 56;

/** Criteria are issuer Markdown: printed as plain text, list items as bullets, nothing interpreted. */
const markdown = new MarkdownIt({ html: false, linkify: false });

export function plainText(source: string): string {
  const lines: string[] = [];
  let bullet = false;
  for (const token of markdown.parse(source.slice(0, 20_000), {})) {
    if (token.type === 'list_item_open') bullet = true;
    if (token.type !== 'inline') continue;
    const text = (token.children ?? [])
      .map((child) => (child.type === 'softbreak' || child.type === 'hardbreak' ? ' ' : child.content))
      .join('')
      .trim();
    if (text) lines.push(`${bullet ? '• ' : ''}${text}`);
    bullet = false;
  }
  return lines.join('\n');
}

function drawQr(doc: PDFKit.PDFDocument, url: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const quiet = 2;
  const cell = size / (modules.size + quiet * 2);
  doc.save().rect(x, y, size, size).fill('#ffffff');
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (modules.get(row, col)) doc.rect(x + (col + quiet) * cell, y + (row + quiet) * cell, cell, cell);
    }
  }
  doc.fill('#000000').restore();
}

export function renderCertificatePdf(facts: CertificateFacts): Promise<Buffer> {
  const t = translator(facts.language);
  const issuedOn = formatDate(facts.issuedAt, facts.language) ?? '';
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    font: FONT,
    lang: facts.language === 'fr' ? 'fr-FR' : 'en-GB',
    displayTitle: true,
    info: {
      Title: `${t('certificate.title')} — ${facts.badgeName}`,
      Author: facts.issuerName,
      Subject: t('certificate.subject', { badge: facts.badgeName, issuer: facts.issuerName }),
      Creator: 'Blason',
    },
  });
  doc.registerFont('regular', FONT);
  doc.registerFont('bold', FONT_BOLD);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width - MARGIN * 2;
  const centred = { width, align: 'center' as const };

  doc.rect(0, 0, doc.page.width, 10).fill(ACCENT);
  doc
    .fillColor(MUTED)
    .font('bold')
    .fontSize(10)
    .text(t('certificate.title').toUpperCase(), MARGIN, 40, {
      ...centred,
      characterSpacing: 1.5,
    });
  const imageSize = 150;
  doc.image(facts.image, (doc.page.width - imageSize) / 2, 66, { width: imageSize, height: imageSize });
  doc.y = 66 + imageSize + 16;
  doc.fillColor(INK).font('bold').fontSize(22).text(facts.badgeName, MARGIN, doc.y, centred);
  doc.moveDown(0.6);
  if (facts.holderName) {
    doc.fillColor(MUTED).font('regular').fontSize(11).text(t('certificate.awardedTo'), centred);
    doc.fillColor(INK).font('bold').fontSize(17).text(facts.holderName, centred);
    doc.moveDown(0.5);
  }
  doc
    .fillColor(INK)
    .font('regular')
    .fontSize(12)
    .text(t('certificate.issuedBy', { issuer: facts.issuerName, date: issuedOn }), centred);
  if (facts.validUntil) {
    const until = formatDate(facts.validUntil, facts.language);
    doc
      .fillColor(MUTED)
      .fontSize(10)
      .text(t('certificate.validUntil', { date: until }), centred);
  }

  doc.moveDown(1);
  doc
    .moveTo(MARGIN, doc.y)
    .lineTo(MARGIN + width, doc.y)
    .lineWidth(0.5)
    .strokeColor('#cbd2d9')
    .stroke();
  doc.moveDown(0.8);

  const criteria = plainText(facts.criteria);
  if (criteria) {
    doc.fillColor(INK).font('bold').fontSize(12).text(t('badge.criteria'), MARGIN, doc.y, { width });
    doc.moveDown(0.3);
    doc.font('regular').fontSize(10).fillColor(INK).text(criteria, { width, height: 120, ellipsis: '…', lineGap: 2 });
    doc.moveDown(0.8);
  }
  if (facts.competences.length > 0) {
    doc.fillColor(INK).font('bold').fontSize(12).text(t('badge.competences'), MARGIN, doc.y, { width });
    doc.moveDown(0.3);
    doc.font('regular').fontSize(10);
    for (const c of facts.competences.slice(0, 8)) {
      const line = t('badge.competence', { competence: c.name, level: c.level, levelName: c.levelName });
      doc.text(`• ${c.code} — ${line}`, { width, lineGap: 2 });
    }
  }

  // The verification block sits at the foot of the page, whatever the length of the text above.
  const qrSize = 104;
  const footY = doc.page.height - MARGIN - qrSize - 24;
  doc
    .moveTo(MARGIN, footY - 14)
    .lineTo(MARGIN + width, footY - 14)
    .lineWidth(0.5)
    .strokeColor('#cbd2d9')
    .stroke();
  drawQr(doc, facts.url, MARGIN, footY, qrSize);
  const textX = MARGIN + qrSize + 18;
  const textWidth = width - qrSize - 18;
  doc
    .fillColor(INK)
    .font('bold')
    .fontSize(12)
    .text(t('certificate.verifyTitle'), textX, footY + 4, {
      width: textWidth,
    });
  doc.moveDown(0.3);
  doc
    .font('regular')
    .fontSize(9)
    .fillColor(ACCENT)
    .text(facts.url, { width: textWidth, link: facts.url, underline: true });
  doc.moveDown(0.4);
  doc
    .fillColor(MUTED)
    .fontSize(9)
    .text(t('certificate.verifyText', { issuer: facts.issuerName }), { width: textWidth, lineGap: 1 });
  // Below the bottom margin: without this, pdfkit would start a second page for the footer line.
  doc.page.margins.bottom = 0;
  doc
    .fillColor(MUTED)
    .fontSize(8)
    .text(t('certificate.footer'), MARGIN, doc.page.height - MARGIN + 8, { ...centred, lineBreak: false });
  doc.end();
  return done;
}
