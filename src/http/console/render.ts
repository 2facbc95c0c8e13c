import type { Request, Response } from 'express';
import type { Session } from '../../app/accounts.js';
import type { AppContext } from '../../app/context.js';
import { allOrganisations } from '../../app/issuers.js';
import { organisationAwardsBadges } from '../../app/partners.js';
import { can } from '../../app/policies.js';
import { translator, type Lang } from '../../views/i18n.js';
import { renderPage } from '../../views/render.js';
import { languageOf } from '../pages.js';
import { csrfToken } from './session.js';

/** `awards`: pages about badges an organisation awards, left out for a partner that only endorses. */
const NAV: { key: string; href: string; when?: (s: Session) => boolean; awards?: true }[] = [
  { key: 'dashboard', href: '/console' },
  { key: 'sessions', href: '/console/sessions', awards: true },
  { key: 'badges', href: '/console/badges', awards: true },
  { key: 'catalogue', href: '/console/catalogue', awards: true },
  { key: 'credentials', href: '/console/credentials', awards: true },
  { key: 'indicators', href: '/console/indicators' },
  { key: 'outbox', href: '/console/outbox' },
  { key: 'emails', href: '/console/emails', awards: true },
  { key: 'endorsements', href: '/console/endorsements' },
  { key: 'pathways', href: '/console/pathways', awards: true },
  { key: 'audit', href: '/console/audit' },
  { key: 'issuer', href: '/console/issuer' },
  { key: 'team', href: '/console/team', when: (s) => can(s.actor, 'users.manage') },
  { key: 'admin', href: '/console/admin', when: (s) => s.actor.role === 'platform_admin' },
  { key: 'recognitions', href: '/console/recognitions', when: (s) => can(s.actor, 'recognition.moderate') },
];

function switchUrl(req: Request, lang: Lang): string {
  const url = new URL(req.originalUrl, 'http://x');
  url.searchParams.delete('token');
  url.searchParams.set('lang', lang === 'fr' ? 'en' : 'fr');
  return `${url.pathname}${url.search}`;
}

export interface ConsolePageOptions {
  active?: string;
  /** The organisation the page is about (the platform admin chooses it). */
  organisationId?: string;
  status?: number;
}

/** Renders a console page inside the shared layout: navigation, language switch, CSRF token, flash message. */
export async function consolePage(
  app: AppContext,
  req: Request,
  res: Response,
  template: string,
  titleKey: string,
  model: Record<string, unknown>,
  options: ConsolePageOptions = {},
): Promise<void> {
  const lang = languageOf(req, res);
  const t = translator(lang);
  const session = res.locals.session as Session | undefined;
  const csrf = csrfToken(req, res);
  let orgs: { id: string; name: string; selected: boolean }[] | undefined;
  if (session?.actor.role === 'platform_admin') {
    orgs = (await allOrganisations(app)).map((o) => ({
      id: o.id,
      name: o.name,
      selected: o.id === options.organisationId,
    }));
  }
  const shownOrganisation = session?.actor.organisationId ?? options.organisationId;
  const awards = shownOrganisation === undefined || (await organisationAwardsBadges(app, shownOrganisation));
  res.setHeader('Cache-Control', 'no-store');
  res
    .status(options.status ?? 200)
    .type('html')
    .send(
      renderPage(`console/${template}`, {
        lang,
        title: `${t(titleKey)} — ${t('console.title')}`,
        switchLanguageUrl: switchUrl(req, lang),
        csrf,
        layout: {
          csrf,
          user: session ? { email: session.user.email } : undefined,
          nav: session
            ? NAV.filter((n) => (!n.when || n.when(session)) && (awards || !n.awards)).map((n) => ({
                href: n.href,
                label: t(`console.nav.${n.key}`),
                active: n.key === options.active,
              }))
            : [],
          orgs,
          done: req.query.done
            ? t(
                typeof req.query.done === 'string' && /^[a-z.]+$/i.test(req.query.done)
                  ? req.query.done
                  : 'console.done',
              )
            : undefined,
        },
        ...model,
      }),
    );
}
