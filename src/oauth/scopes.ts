/** The four scopes of the Open Badges 3.0 API (ob3-spec.md §8). */
export const SCOPE_BASE = 'https://purl.imsglobal.org/spec/ob/v3p0/scope/';
export const OB_SCOPES = {
  credentialRead: `${SCOPE_BASE}credential.readonly`,
  credentialUpsert: `${SCOPE_BASE}credential.upsert`,
  profileRead: `${SCOPE_BASE}profile.readonly`,
  profileUpdate: `${SCOPE_BASE}profile.update`,
} as const;

export const ALL_OB_SCOPES: string[] = Object.values(OB_SCOPES);

/** "…/scope/credential.readonly" → "credential.readonly", the key used for translations. */
export function scopeKey(scope: string): string {
  return scope.startsWith(SCOPE_BASE) ? scope.slice(SCOPE_BASE.length) : scope;
}
