/**
 * What an operator picks as a badge's type: a short list of words they use (Atelier, Formation…), each standing
 * for one Open Badges 3.0 `achievementType`, the value signed into credentials. A badge whose type is none of
 * these (set through the API) keeps it: its form offers it too, by its OB name.
 */
import type { AchievementType } from '../../engine/model/types.js';
import { hasKey, translator, type Lang } from '../i18n.js';

/** In the order the form lists them: the most used first. Labels: `badgeKind.<type>` in the locales. */
export const BADGE_KINDS: readonly AchievementType[] = [
  'Course', // Atelier: a workshop attended
  'CertificateOfCompletion', // Formation: a training course completed
  'LearningProgram', // Accompagnement: a support programme followed over time
  'CoCurricular', // Événement: a contest, a challenge, a meet-up
  'Competency', // Compétence: a competence shown
  'Assessment', // Évaluation: assessed by a jury or a coach
  'Award', // Distinction: a prize won
  'Achievement', // Réussite: a milestone reached (activity started)
  'Membership', // Réseau: member of a club or network
  'CommunityService', // Engagement bénévole: mentoring, volunteering
  'Badge', // Reconnaissance: anything else
];

/** "Atelier", or the OB name itself for a type outside the list. */
export function badgeKindLabel(type: string, lang: Lang): string {
  const key = `badgeKind.${type}`;
  return hasKey(key) ? translator(lang)(key) : type;
}

/** The form's choices: the list, plus the badge's own type when it is outside it. */
export function badgeKindOptions(
  current: string,
  lang: Lang,
): { value: string; label: string; selected: boolean }[] {
  const values: string[] = [...BADGE_KINDS];
  if (current && !values.includes(current)) values.push(current);
  return values.map((value) => ({ value, label: badgeKindLabel(value, lang), selected: value === current }));
}
