import { findAchievement } from '../store/repositories/achievements.js';
import { findCredential } from '../store/repositories/credentials.js';
import type { CredentialRow, HolderRow } from '../store/schema.js';
import { bakedBadge } from './badge-images.js';
import { loadForHolder } from './credential-page.js';
import type { AppContext } from './context.js';
import { AppError, notFound } from './errors.js';
import { ownIssued } from './holders.js';
import { ownerViewOf, publicViewOf, type PublicView } from './visibility.js';
import { recipientKey } from './award.js';
import { isUuid } from '../shared/uuid.js';

/** The signed forms of a credential: the credential itself (JSON-LD, JWT) and the badge images it is baked into. */
export type CredentialFileFormat = 'json' | 'jwt' | 'png' | 'svg';

/** The file names under a credential's address, public (/credentials/{id}/…) or the holder's own. */
export const CREDENTIAL_FILES: readonly (readonly [string, CredentialFileFormat])[] = [
  ['badge.png', 'png'],
  ['badge.svg', 'svg'],
  ['credential.json', 'json'],
  ['credential.jwt', 'jwt'],
];

export interface CredentialFile {
  body: string | Buffer;
  contentType: string;
  /** Without the extension's dot: badge-1a2b3c4d. */
  baseName: string;
  format: CredentialFileFormat;
}

/** One of our credentials as the public may see it: the badge page and every signed form start here. */
export type PublicLookup =
  | { kind: 'missing' }
  /** Its holder made it private: the page may say so, nothing else is shown. */
  | { kind: 'hidden' }
  /** `owner`: the viewer is its holder, signed in to her space (she sees it even hidden, see ownerViewOf). */
  | { kind: 'shown'; row: CredentialRow; view: PublicView; owner?: { hidden: boolean } };

/** `viewer`: the holder signed in to her space, if any; she sees her own badge's page even when she hid it. */
export async function lookupPublicCredential(app: AppContext, id: string, viewer?: HolderRow): Promise<PublicLookup> {
  const row = isUuid(id) ? await findCredential(app.db, id) : undefined;
  if (!row) return { kind: 'missing' };
  if (viewer && row.erased_at === null && row.recipient_key === recipientKey(app, viewer.email)) {
    const { hidden, ...view } = await ownerViewOf(app, row);
    return { kind: 'shown', row, view, owner: { hidden } };
  }
  const view = await publicViewOf(app, row);
  return view.visibility === 'hidden' ? { kind: 'hidden' } : { kind: 'shown', row, view };
}

export const erasedCopy = () =>
  new AppError(
    410,
    'erased',
    "This credential's server copy was erased at the holder's request. The holder's own copy still verifies.",
  );

/** The answer when the files carry a name the holder chose not to show: they exist, for their holder only. */
export const holderOnly = () =>
  new AppError(
    403,
    'holder-only',
    'The holder chose not to show their name, which this signed credential carries: only the holder can download it.',
  );

/** A signed file for anyone who has the credential's link, when the visibility rule lets it out. */
export async function publicCredentialFile(
  app: AppContext,
  id: string,
  format: CredentialFileFormat,
): Promise<CredentialFile> {
  const found = await lookupPublicCredential(app, id);
  if (found.kind !== 'shown') throw notFound('Credential');
  if (found.view.signedFiles === 'gone') throw erasedCopy();
  if (found.view.signedFiles === 'holder-only') throw holderOnly();
  return renderFile(app, found.row, format);
}

/** The holder's own copy, from her space (signed in): hidden badges and a hidden name do not stop her. */
export async function holderCredentialFile(
  app: AppContext,
  holder: HolderRow,
  id: string,
  format: CredentialFileFormat,
): Promise<CredentialFile> {
  const row = await ownIssued(app, holder, id);
  if (row.erased_at !== null) throw erasedCopy();
  return renderFile(app, row, format);
}

/** The holder's own copy, through the private management link she received with the badge. */
export async function managedCredentialFile(
  app: AppContext,
  id: string,
  key: string,
  format: CredentialFileFormat,
): Promise<CredentialFile> {
  return renderFile(app, await loadForHolder(app, id, key), format);
}

async function renderFile(app: AppContext, row: CredentialRow, format: CredentialFileFormat): Promise<CredentialFile> {
  const baseName = `badge-${row.id.slice(0, 8)}`;
  if (format === 'json') return { body: row.credential_json, contentType: 'application/vc+ld+json', baseName, format };
  if (format === 'jwt') return { body: row.jwt, contentType: 'text/plain', baseName, format };
  const achievement = await findAchievement(app.db, row.achievement_id);
  if (!achievement) throw notFound('Badge');
  const body = await bakedBadge(app, achievement, row.language, row.credential_json, format);
  return { body, contentType: format === 'png' ? 'image/png' : 'image/svg+xml', baseName, format };
}
