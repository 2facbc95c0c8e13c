import type { HeldView } from '../../app/holders.js';
import { formatDate, translator, type Lang } from '../i18n.js';
import { linkedinAddUrl, shareLinks } from './share.js';

/**
 * One badge card of the holder's space: the badge, whether its page is public, how to share it (only when the
 * public can open its link) and her downloads: the image to keep, the printable certificate, and the files badge
 * platforms read, grouped apart. Her downloads come from her space, so they work for a hidden badge too.
 */
export function presentHeldBadge(b: HeldView, lang: Lang) {
  const t = translator(lang);
  const issued = b.kind === 'issued' && b.url !== undefined;
  const facts = issued
    ? {
        url: b.url!,
        badgeName: b.name,
        issuerName: b.issuer,
        linkedinOrganizationId: b.linkedinOrganizationId ?? null,
        issuedAt: b.date,
        validUntil: b.validUntil ?? null,
      }
    : undefined;
  const own = `/holder/credentials/${b.id}`;
  return {
    ...b,
    date: formatDate(b.date, lang),
    issuerLine:
      b.kind === 'issued' ? t('holder.issuedBy', { issuer: b.issuer }) : `${t('holder.imported')} · ${b.issuer}`,
    shareable: Boolean(facts && b.public && !b.withdrawn),
    hiddenNote: Boolean(facts && !b.public),
    ...(facts ? { linkedinAddUrl: linkedinAddUrl(facts), share: shareLinks(facts, t) } : {}),
    ...(issued
      ? {
          downloads: {
            png: `${own}/badge.png?download=1`,
            ...(b.withdrawn ? {} : { pdf: `${own}/certificate.pdf?lang=${lang}` }),
            svg: `${own}/badge.svg?download=1`,
            json: `${own}/credential.json`,
            jwt: `${own}/credential.jwt`,
          },
        }
      : {}),
  };
}
