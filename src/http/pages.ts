import type { Request } from 'express';
import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import type { AppContext } from '../app/context.js';
import { findAchievement } from '../store/repositories/achievements.js';
import type { CredentialRow } from '../store/schema.js';
import { fromRoot } from '../paths.js';

/** Renders the HTML pages. (The full badge and verification pages are built in src/views.) */
export interface PageRenderer {
  credentialPage(req: Request, row: CredentialRow): Promise<string>;
}

export function plainPages(app: AppContext): PageRenderer {
  const template = Handlebars.compile(readFileSync(fromRoot('src', 'views', 'templates', 'credential-plain.hbs'), 'utf8'));
  return {
    async credentialPage(_req, row) {
      const achievement = await findAchievement(app.db, row.achievement_id);
      return template({ name: achievement?.name_fr, url: app.ids.credential(row.id), revoked: row.revoked_at !== null, erased: row.erased_at !== null });
    },
  };
}
