import { urlToDidWeb } from '../engine/verify/did-web.js';
import { isUuid } from '../shared/uuid.js';

/**
 * Identifiers Blason mints, all under BLASON_BASE_URL. An issuer is `did:web:<host>:issuers:<slug>`
 * (port percent-encoded), resolved at `<base>/issuers/<slug>/did.json`.
 */
export class Identifiers {
  readonly origin: string;

  constructor(readonly baseUrl: URL) {
    this.origin = baseUrl.origin;
  }

  issuerDid(slug: string): string {
    return urlToDidWeb(this.baseUrl, ['issuers', slug]);
  }

  issuerPage(slug: string): string {
    return `${this.origin}/issuers/${encodeURIComponent(slug)}`;
  }

  didDocumentUrl(slug: string): string {
    return `${this.issuerPage(slug)}/did.json`;
  }

  /** A holder's personal issuer identity (peer recognition): `did:web:<host>:people:<slug>`. */
  personDid(slug: string): string {
    return urlToDidWeb(this.baseUrl, ['people', slug]);
  }

  personPage(slug: string): string {
    return `${this.origin}/people/${encodeURIComponent(slug)}`;
  }

  /** The revocation list of a personal identity: one per person, signed by her own keys. */
  personStatusList(slug: string): string {
    return `${this.personPage(slug)}/status`;
  }

  recognition(id: string): string {
    return `${this.origin}/recognitions/${id}`;
  }

  credential(id: string): string {
    return `${this.origin}/credentials/${id}`;
  }

  achievement(id: string): string {
    return `${this.origin}/achievements/${id}`;
  }

  achievementImage(id: string, format: 'png' | 'svg' = 'png'): string {
    return `${this.origin}/achievements/${id}/image.${format}`;
  }

  endorsement(id: string): string {
    return `${this.origin}/endorsements/${id}`;
  }

  statusList(id: string): string {
    return `${this.origin}/status/${id}`;
  }

  image(id: string): string {
    return `${this.origin}/images/${id}`;
  }

  /** The EntreComp referential's page: the 3 areas, 15 competences and 8 levels. */
  referential(): string {
    return `${this.origin}/referentiels/entrecomp`;
  }

  /** Where an alignment points (`targetUrl`): a competence's page, at one level's section when given. */
  competence(code: string, level?: number): string {
    return `${this.referential()}/${code}${level ? `#niveau-${level}` : ''}`;
  }

  /** Our own credential id → its UUID, or undefined for anything else. */
  credentialIdFromUrl(url: string): string | undefined {
    const prefix = `${this.origin}/credentials/`;
    if (!url.startsWith(prefix)) return undefined;
    const id = url.slice(prefix.length);
    return isUuid(id) ? id : undefined;
  }
}
