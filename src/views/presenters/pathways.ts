import type { PathwayProgress, PathwayView } from '../../app/pathways.js';
import { translator, type Lang } from '../i18n.js';

/** Pathways in words: a holder's progress lines, and the "part of the pathway" lines of badge pages. */

export interface PathwayProgressModel {
  id: string;
  line: string;
  counted: number;
  required: number;
  completed: boolean;
  /** The badges still to earn, and the period, in one sentence; empty when there is nothing to add. */
  detail: string;
}

/** "3 badges sur 5 du parcours « De l'idée au projet »", or that it is completed. */
export function presentPathwayProgress(progress: PathwayProgress[], lang: Lang): PathwayProgressModel[] {
  const t = translator(lang);
  return progress.map((p) => {
    const name = p.pathway.name[lang];
    const counted = Math.min(p.counted, p.required);
    const line = p.completed
      ? t('pathways.holder.completed', { name })
      : t(counted === 1 ? 'pathways.holder.progress.one' : 'pathways.holder.progress.other', {
          counted,
          required: p.required,
          name,
        });
    const details: string[] = [];
    if (!p.completed && p.missing.length > 0)
      details.push(t('pathways.holder.missing', { list: p.missing.map((b) => b.name[lang]).join(', ') }));
    if (!p.completed && p.pathway.withinDays) details.push(t('pathways.holder.within', { days: p.pathway.withinDays }));
    return { id: p.pathway.id, line, counted, required: p.required, completed: p.completed, detail: details.join(' ') };
  });
}

export interface PathwayMembershipModel {
  line: string;
  url: string;
}

/** "Fait partie du parcours « … »" for each pathway a badge belongs to, linked to the pathway badge's page. */
export function presentMemberships(pathways: PathwayView[], lang: Lang): PathwayMembershipModel[] {
  const t = translator(lang);
  return pathways
    .map((p) => ({ line: t('pathways.partOf', { name: p.name[lang] }), url: p.achievementUrl }));
}
