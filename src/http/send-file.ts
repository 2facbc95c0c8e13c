import type { Request, Response } from 'express';
import type { CredentialFile } from '../app/credential-files.js';

/** A signed file as a download (the images open in the browser unless ?download is asked). */
export function sendCredentialFile(req: Request, res: Response, file: CredentialFile): void {
  const attachment = file.format === 'json' || file.format === 'jwt' || Boolean(req.query.download);
  const disposition = attachment ? 'attachment' : 'inline';
  res.setHeader('Content-Disposition', `${disposition}; filename="${file.baseName}.${file.format}"`);
  if (file.format === 'svg') res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
  res.type(file.contentType).send(file.body);
}

/** A printable certificate (PDF) as a download. */
export function sendCertificate(res: Response, pdf: Buffer, baseName: string): void {
  res.setHeader('Content-Disposition', `attachment; filename="${baseName}.pdf"`);
  res.type('application/pdf').send(pdf);
}
