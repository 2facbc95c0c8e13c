import type { Translate } from '../i18n.js';

/** What sharing a badge needs: its public link and the facts LinkedIn's certification form asks for. */
export interface ShareFacts {
  url: string;
  badgeName: string;
  issuerName: string;
  linkedinOrganizationId: string | null;
  issuedAt: string;
  validUntil: string | null;
}

/**
 * LinkedIn's "Add licence or certification" form, filled in: the badge's name, its issuer (by LinkedIn page when
 * the organisation gave one), the issue and expiry months, and the badge's link as both URL and identifier.
 */
export function linkedinAddUrl(f: ShareFacts): string {
  const params = new URLSearchParams({ startTask: 'CERTIFICATION_NAME', name: f.badgeName });
  if (f.linkedinOrganizationId) params.set('organizationId', f.linkedinOrganizationId);
  else params.set('organizationName', f.issuerName);
  const issued = new Date(f.issuedAt);
  params.set('issueYear', String(issued.getUTCFullYear()));
  params.set('issueMonth', String(issued.getUTCMonth() + 1));
  if (f.validUntil) {
    const until = new Date(f.validUntil);
    params.set('expirationYear', String(until.getUTCFullYear()));
    params.set('expirationMonth', String(until.getUTCMonth() + 1));
  }
  params.set('certUrl', f.url);
  params.set('certId', f.url);
  return `https://www.linkedin.com/profile/add?${params.toString()}`;
}

/** Links that open each network's own sharing page with the badge's link (nothing is sent until the person does). */
export function shareLinks(f: ShareFacts, t: Translate) {
  const text = t('actions.shareText', { badge: f.badgeName, issuer: f.issuerName });
  const url = encodeURIComponent(f.url);
  return {
    linkedin: `https://www.linkedin.com/sharing/share-offsite/?url=${url}`,
    x: `https://twitter.com/intent/tweet?url=${url}&text=${encodeURIComponent(text)}`,
    facebook: `https://www.facebook.com/sharer/sharer.php?u=${url}`,
    mastodon: `https://mastodonshare.com/?url=${url}&text=${encodeURIComponent(text)}`,
    whatsapp: `https://wa.me/?text=${encodeURIComponent(`${text} ${f.url}`)}`,
    email: `mailto:?subject=${encodeURIComponent(f.badgeName)}&body=${encodeURIComponent(`${text}\n${f.url}`)}`,
  };
}
