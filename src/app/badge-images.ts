import { bakePng } from '../engine/bake/png.js';
import { bakeSvg } from '../engine/bake/svg.js';
import { artworkSvg } from '../images/artwork.js';
import { renderBadgePng, renderBadgeSvg, type BadgeShape } from '../images/badge-image.js';
import { artworkVersion, findArtwork } from '../store/repositories/badge-artwork.js';
import { findImage } from '../store/repositories/images.js';
import { findOrganisation } from '../store/repositories/organisations.js';
import type { AchievementRow } from '../store/schema.js';
import type { CompetenceRef, Lang } from './catalogue.js';
import type { AppContext } from './context.js';
import { isUuid } from '../shared/uuid.js';

const cache = new Map<string, { svg: string; png?: Buffer }>();
const CACHE_LIMIT = 500;

/**
 * The unbaked badge image of an achievement: the organisation's own artwork when it uploaded one (the same in
 * every language), else drawn from its template; cached per version and language.
 */
export async function achievementImage(
  app: AppContext,
  row: AchievementRow,
  lang: Lang,
): Promise<{ svg: string; png: () => Buffer }> {
  const artwork = await artworkVersion(app.db, row.id);
  const key = artwork ? `${row.id}:${artwork}:artwork` : `${row.id}:${row.updated_at}:${lang}`;
  let entry = cache.get(key);
  if (!entry && artwork) {
    const stored = await findArtwork(app.db, row.id);
    if (stored && stored.organisation_id === row.organisation_id) {
      entry = {
        svg: artworkSvg({ contentType: stored.content_type, bytes: stored.bytes }),
        ...(stored.content_type === 'image/png' ? { png: stored.bytes } : {}),
      };
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(key, entry);
    }
  }
  if (!entry) {
    const org = await findOrganisation(app.db, row.organisation_id);
    const competences = JSON.parse(row.competences) as CompetenceRef[];
    const first = competences[0];
    const levelWord = lang === 'fr' ? 'Niveau' : 'Level';
    const svg = renderBadgeSvg({
      title: lang === 'fr' ? row.name_fr : row.name_en,
      ...(first ? { caption: `EntreComp ${first.code} · ${levelWord} ${first.level}`, level: first.level } : {}),
      colour: row.colour,
      ...(org ? { issuerName: org.name } : {}),
      shape: row.template as BadgeShape,
    });
    if (cache.size >= CACHE_LIMIT) cache.clear();
    entry = { svg };
    cache.set(key, entry);
  }
  const current = entry;
  return { svg: current.svg, png: () => (current.png ??= renderBadgePng(current.svg)) };
}

/** The credential baked into its badge image: PNG iTXt `openbadgecredential`, or SVG `openbadges:credential`. */
export async function bakedBadge(
  app: AppContext,
  row: AchievementRow,
  lang: Lang,
  credentialJson: string,
  format: 'png' | 'svg',
): Promise<Buffer> {
  const image = await achievementImage(app, row, lang);
  return format === 'png'
    ? bakePng(image.png(), credentialJson)
    : Buffer.from(bakeSvg(image.svg, { json: credentialJson }));
}

/** An uploaded image (an organisation's logo, a badge's artwork) by its id; images are public. */
export async function storedImage(
  app: AppContext,
  id: string,
): Promise<{ content_type: string; bytes: Buffer } | undefined> {
  return isUuid(id) ? findImage(app.db, id) : undefined;
}
