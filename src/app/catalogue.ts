import { readFileSync } from 'node:fs';
import { fromRoot } from '../shared/paths.js';

import type { Lang } from '../shared/language.js';

export type { Lang };
export type Localized = Record<Lang, string>;

export interface CompetenceRef {
  code: string;
  level: number;
}

export interface CatalogueBadge {
  key: string;
  number: number;
  name: Localized;
  description: Localized;
  criteria: Localized;
  competences: CompetenceRef[];
  achievementType: string;
  workshopTypes: string[];
  tags: string[];
  register: 'reconnaissance' | 'competence';
  colour: string;
}

export interface EntreComp {
  framework: { name: Localized; attribution: Localized; doi: string };
  areas: { code: string; name: Localized }[];
  competences: { code: string; area: string; name: Localized; hint: Localized; description: Localized }[];
  levels: { level: number; category: Localized; name: Localized; autonomy: Localized }[];
}

export interface WorkshopType {
  code: string;
  name: Localized;
}

/** The default EntreComp badge catalogue and the framework itself, as data files under `catalogue/`. */
export interface Catalogue {
  badges: CatalogueBadge[];
  entrecomp: EntreComp;
  workshopTypes: WorkshopType[];
  badge(key: string): CatalogueBadge | undefined;
  competence(code: string): EntreComp['competences'][number] | undefined;
  level(level: number): EntreComp['levels'][number] | undefined;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(fromRoot('catalogue', file), 'utf8')) as T;
}

export function loadCatalogue(): Catalogue {
  const badges = readJson<CatalogueBadge[]>('badges.json');
  const entrecomp = readJson<EntreComp>('entrecomp.json');
  const workshopTypes = readJson<WorkshopType[]>('workshop-types.json');
  return {
    badges,
    entrecomp,
    workshopTypes,
    badge: (key) => badges.find((b) => b.key === key),
    competence: (code) => entrecomp.competences.find((c) => c.code === code),
    level: (level) => entrecomp.levels.find((l) => l.level === level),
  };
}
