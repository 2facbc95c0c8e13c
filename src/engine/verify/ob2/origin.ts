/**
 * OB 2.0 hosted verification rests on one fact: the assertion is served from where its issuer says its
 * assertions live (standards-2.md §1.4 step 4). The issuer Profile's `verification` object may name the allowed
 * hosts (`allowedOrigins`) and URL prefixes (`startsWith`); without it the only allowed host is the one of the
 * Profile's own id. The Profile must be the one fetched from its id: a copy embedded in the badge could allow
 * any host.
 */
import { asArray } from '../../util.js';

export type OriginOutcome =
  | { ok: true; host: string }
  | { ok: false; code: 'ob2.originMismatch' | 'ob2.prefixMismatch'; message: string; params: Record<string, string> };

function strings(value: unknown): string[] {
  return asArray(value ?? []).filter((v): v is string => typeof v === 'string' && v.length > 0);
}

export function checkHostedOrigin(
  assertionId: string,
  issuerId: string,
  issuer: Record<string, unknown>,
): OriginOutcome {
  const assertionUrl = new URL(assertionId);
  const declared = issuer.verification && typeof issuer.verification === 'object' ? issuer.verification : {};
  const policy = declared as Record<string, unknown>;
  const listed = strings(policy.allowedOrigins).map((origin) => origin.toLowerCase());
  const allowed = listed.length > 0 ? listed : [new URL(issuerId).host.toLowerCase()];
  const host = assertionUrl.host.toLowerCase();
  if (!allowed.includes(host) && !allowed.includes(assertionUrl.hostname.toLowerCase())) {
    return {
      ok: false,
      code: 'ob2.originMismatch',
      message:
        `The assertion is hosted on ${host}, which its issuer ${issuerId} does not allow ` +
        `(allowed: ${allowed.join(', ')}): it was not published by that issuer.`,
      params: { host, issuer: issuerId },
    };
  }
  const prefixes = strings(policy.startsWith);
  if (prefixes.length > 0 && !prefixes.some((prefix) => assertionId.startsWith(prefix))) {
    return {
      ok: false,
      code: 'ob2.prefixMismatch',
      message:
        `The assertion's URL ${assertionId} is not under the paths its issuer ${issuerId} allows ` +
        `(${prefixes.join(', ')}): it was not published by that issuer.`,
      params: { url: assertionId, issuer: issuerId },
    };
  }
  return { ok: true, host };
}
