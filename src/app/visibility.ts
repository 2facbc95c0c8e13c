import { findRecipient } from '../store/repositories/credentials.js';
import type { CredentialRow } from '../store/schema.js';
import type { AppContext } from './context.js';

/**
 * "May this credential, and its holder's name, be shown publicly?" is answered here and nowhere else (issue 10
 * §6). Every public surface asks: the badge page and its Open Graph tags, the JSON-LD and JWT forms, the baked
 * PNG and SVG and the other downloads, the Open Badges 2.0 hosted assertion and its baked PNG, and verification
 * by URL (the /verify page and POST /api/v1/verify) when the URL is one of Blason's own credential links.
 *
 * - `erased`: the holder's data was erased. Nothing personal is shown; the signed files are gone.
 * - `hidden`: the holder made the badge private. Every public surface answers as for a badge that does not exist.
 * - `public-without-name`: the badge is shown, the name is not: the holder did not choose to show it, or the badge
 *   was revoked (a withdrawn badge keeps no personal data on show).
 * - `public`: the badge and the holder's name are shown.
 *
 * The signed files cannot be edited without breaking their proof, and they carry the name when it was shown at
 * issue. So when the name must not show and the files carry it, they are served only to the holder (her space,
 * her private management link); the public page still shows the badge, without the name and without those
 * downloads. The holder's own audience (her space, her management link, the apps she authorised through the
 * Open Badges 3.0 API) sees all her badges that are not erased, hidden ones included: nothing lists them publicly.
 * Signed in to her space, she also sees her hidden badge's page (ownerViewOf); everyone else still gets 404.
 */
export type Visibility = 'public' | 'public-without-name' | 'hidden' | 'erased';

/** Who may be given the signed files (JSON-LD, JWT, baked PNG and SVG). */
export type SignedFiles = 'public' | 'holder-only' | 'gone';

/** The columns the rule reads. */
export type VisibilityRow = Pick<CredentialRow, 'erased_at' | 'holder_hidden' | 'show_name' | 'revoked_at'>;

export function visibilityOf(row: VisibilityRow): Visibility {
  if (row.erased_at !== null) return 'erased';
  if (row.holder_hidden) return 'hidden';
  if (row.show_name !== 1 || row.revoked_at !== null) return 'public-without-name';
  return 'public';
}

export function signedFilesOf(visibility: Visibility, filesCarryName: boolean): SignedFiles {
  switch (visibility) {
    case 'erased':
      return 'gone';
    case 'hidden':
      return 'holder-only';
    case 'public-without-name':
      return filesCarryName ? 'holder-only' : 'public';
    case 'public':
      return 'public';
  }
}

/**
 * Whether the signed credential names its holder: a subject name (set when the name was shown at issue), or the
 * recorded name anywhere in it (an operator may have written it into the evidence).
 */
export function filesCarryName(credentialJson: string, recordedName: string | null | undefined): boolean {
  let subjectName: unknown;
  try {
    subjectName = (JSON.parse(credentialJson) as { credentialSubject?: { name?: unknown } }).credentialSubject?.name;
  } catch {
    // An unreadable copy is treated as naming the holder: withholding it is the safe side.
    return true;
  }
  if (typeof subjectName === 'string' && subjectName.trim() !== '') return true;
  const name = recordedName?.trim();
  return Boolean(name) && credentialJson.includes(JSON.stringify(name).slice(1, -1));
}

/** What the public may see of one credential. */
export interface PublicView {
  visibility: Visibility;
  signedFiles: SignedFiles;
  /** The holder's name, only when `visibility` is `public` and a name is recorded. */
  holderName: string | undefined;
}

export async function publicViewOf(app: AppContext, row: CredentialRow): Promise<PublicView> {
  const visibility = visibilityOf(row);
  if (visibility === 'erased' || visibility === 'hidden') {
    return { visibility, signedFiles: signedFilesOf(visibility, true), holderName: undefined };
  }
  const recorded = (await findRecipient(app.db, row.id))?.name ?? null;
  return {
    visibility,
    signedFiles: signedFilesOf(visibility, filesCarryName(row.credential_json, recorded)),
    holderName: visibility === 'public' ? (recorded ?? undefined) : undefined,
  };
}

/**
 * What the holder herself sees of her own badge, signed in to her space: its page even when she hid it (with the
 * name as her choice would show it publicly), so that she can check it, download it and make it public again.
 * An erased badge is erased for her too.
 */
export async function ownerViewOf(app: AppContext, row: CredentialRow): Promise<PublicView & { hidden: boolean }> {
  const hidden = visibilityOf(row) === 'hidden';
  return { ...(await publicViewOf(app, { ...row, holder_hidden: 0 })), hidden };
}

/** Whether anyone may see that the badge exists (its page, its hosted 2.0 assertion, a verification by URL). */
export function shownPublicly(visibility: Visibility): boolean {
  return visibility === 'public' || visibility === 'public-without-name';
}
