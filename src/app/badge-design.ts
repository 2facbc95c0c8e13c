/**
 * A badge's design as the console edits it: its definition (achievements.ts) and its image, either a generated
 * shape or the organisation's own artwork (a PNG or an SVG, checked and cleaned by src/images/artwork.ts).
 */
import { ArtworkError, checkArtwork, type CheckedArtwork } from '../images/artwork.js';
import { updateAchievement as touchAchievement } from '../store/repositories/achievements.js';
import { deleteArtwork, findArtwork, putArtwork } from '../store/repositories/badge-artwork.js';
import {
  createAchievement,
  getAchievement,
  loadAchievement,
  updateAchievement,
  type AchievementView,
} from './achievements.js';
import { recordAudit } from './audit-actions.js';
import type { AppContext } from './context.js';
import { ValidationError } from './errors.js';
import { authorize, type Actor } from './policies.js';

/** The two kinds of badge image: drawn by Blason from a shape and a colour, or the organisation's own. */
export type BadgeImageKind = 'shape' | 'artwork';

/** A file as the form delivered it: `truncated` when the form parser stopped at its size limit. */
export interface ArtworkUpload {
  bytes: Buffer;
  truncated: boolean;
}

export interface BadgeDesign {
  image: BadgeImageKind;
  /** A new file; without one, `artwork` keeps the artwork the badge already has. */
  upload?: ArtworkUpload;
}

export interface BadgeDesignView {
  badge: AchievementView;
  image: BadgeImageKind;
}

function artworkProblem(error: ArtworkError): ValidationError {
  return new ValidationError(error.message, [
    { field: 'artwork', message: error.message, keyword: 'image', params: { problem: error.problem } },
  ]);
}

/** The upload checked before anything is written, so that a refused image leaves nothing behind. */
function checkedUpload(design: BadgeDesign): CheckedArtwork | undefined {
  if (design.image !== 'artwork' || !design.upload) return undefined;
  try {
    return checkArtwork(design.upload.bytes, { truncated: design.upload.truncated });
  } catch (error) {
    if (error instanceof ArtworkError) throw artworkProblem(error);
    throw error;
  }
}

function missingArtwork(): ValidationError {
  return new ValidationError('Choose the image file to upload, or a generated shape.', [
    { field: 'artwork', message: 'required', keyword: 'required' },
  ]);
}

/** Stores or removes the artwork, with the audit entry, in one transaction. */
async function applyArtwork(
  app: AppContext,
  actor: Actor,
  badge: AchievementView,
  change: { put: CheckedArtwork } | { remove: true },
): Promise<void> {
  const at = app.clock.now().toISOString();
  await app.db.transaction().execute(async (trx) => {
    if ('put' in change) {
      await putArtwork(trx, {
        achievementId: badge.id,
        organisationId: badge.issuerId,
        contentType: change.put.contentType,
        bytes: change.put.bytes,
        at,
      });
    } else if (!(await deleteArtwork(trx, badge.id))) {
      return;
    }
    // A new version of the badge: its image is drawn again (src/app/badge-images.ts caches by version).
    await touchAchievement(trx, badge.id, { updated_at: at });
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: badge.issuerId,
      action: 'achievement.updated',
      targetType: 'achievement',
      targetId: badge.id,
      details: { fields: ['artwork'], artwork: 'put' in change ? change.put.contentType : 'removed' },
    });
  });
}

/** A new badge with its image: the artwork is checked first, the badge created, then the artwork stored. */
export async function createBadge(
  app: AppContext,
  actor: Actor,
  input: unknown,
  design: BadgeDesign,
): Promise<AchievementView> {
  authorize(actor, 'achievement.write');
  const artwork = checkedUpload(design);
  if (design.image === 'artwork' && !artwork) throw missingArtwork();
  const badge = await createAchievement(app, actor, input);
  if (artwork) await applyArtwork(app, actor, badge, { put: artwork });
  return badge;
}

/** Changes a badge and its image: a new file replaces the artwork, choosing a shape removes it. */
export async function updateBadge(
  app: AppContext,
  actor: Actor,
  id: string,
  patch: unknown,
  design: BadgeDesign,
): Promise<AchievementView> {
  authorize(actor, 'achievement.write');
  const artwork = checkedUpload(design);
  const row = await loadAchievement(app, actor, id);
  if (design.image === 'artwork' && !artwork && !(await findArtwork(app.db, row.id))) throw missingArtwork();
  const badge = await updateAchievement(app, actor, id, patch);
  if (artwork) await applyArtwork(app, actor, badge, { put: artwork });
  else if (design.image === 'shape') await applyArtwork(app, actor, badge, { remove: true });
  return badge;
}

/** A badge as its form shows it: the definition, and which kind of image it has. */
export async function getBadgeDesign(app: AppContext, actor: Actor, id: string): Promise<BadgeDesignView> {
  const badge = await getAchievement(app, actor, id);
  return { badge, image: (await findArtwork(app.db, badge.id)) ? 'artwork' : 'shape' };
}
