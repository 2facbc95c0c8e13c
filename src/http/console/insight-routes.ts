import { Router } from 'express';
import type { AppContext } from '../../app/context.js';
import { indicatorsToCsv } from '../../app/csv-export.js';
import { pendingRequestCount } from '../../app/endorsement-requests.js';
import { firstSteps, type FirstStep } from '../../app/first-steps.js';
import { barChartSvg } from '../../app/indicators-chart.js';
import { indicatorsFor, isSuppressed, type Cell, type Indicators } from '../../app/indicators.js';
import { listWorkshops } from '../../app/workshops.js';
import { formatDate, translator, type Lang, type Translate } from '../../views/i18n.js';
import { languageOf } from '../pages.js';
import { currentOrganisationId } from './context.js';
import { consolePage } from './render.js';
import { sessionOf } from './session.js';

function cellText(cell: Cell): string {
  return isSuppressed(cell) ? '< 3' : String(cell.value);
}

/** The "Partnership" section: its figures, and the actions month by month (recognitions: metropolis only). */
function partnershipView(indicators: Indicators, t: Translate) {
  const actions = indicators.partnershipActions;
  const recognitions = indicators.peerRecognitions;
  return {
    hint: t(
      indicators.organisationId === null
        ? 'console.indicators.partnershipHintMetropolis'
        : 'console.indicators.partnershipHintOrganisation',
    ),
    summary: [
      { label: t('console.indicators.partnersInvolved'), value: String(indicators.partnersInvolved) },
      { label: t('console.indicators.partnershipActions'), value: String(actions.total.total) },
      { label: t('console.indicators.endorsements'), value: String(actions.endorsements.total) },
      { label: t('console.indicators.requestsAnswered'), value: String(actions.requestsAnswered.total) },
      { label: t('console.indicators.jointSessions'), value: String(actions.jointSessions.total) },
      ...(recognitions
        ? [
            { label: t('console.indicators.recognitionsSent'), value: String(recognitions.sent.total) },
            { label: t('console.indicators.recognitionsReceived'), value: cellText(recognitions.received) },
          ]
        : []),
    ],
    recognitionsApply: recognitions !== null,
    months: indicators.months.map((month, m) => ({
      month,
      endorsements: actions.endorsements.byMonth[m] ?? 0,
      requestsAnswered: actions.requestsAnswered.byMonth[m] ?? 0,
      jointSessions: actions.jointSessions.byMonth[m] ?? 0,
      total: actions.total.byMonth[m] ?? 0,
      ...(recognitions ? { recognitionsSent: recognitions.sent.byMonth[m] ?? 0 } : {}),
    })),
    totals: {
      endorsements: actions.endorsements.total,
      requestsAnswered: actions.requestsAnswered.total,
      jointSessions: actions.jointSessions.total,
      total: actions.total.total,
      ...(recognitions ? { recognitionsSent: recognitions.sent.total } : {}),
    },
  };
}

/** Where each step of the first-run checklist is done. */
const STEP_LINKS: Record<FirstStep, string> = {
  organisation: '/console/issuer',
  badge: '/console/badges/new',
  session: '/console/sessions/new',
};

function dayOffset(date: Date, days: number): string {
  return new Date(date.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

/** The dashboard and the indicators of action sheets 6 and 13, with small cells suppressed. */
export function insightRoutes(app: AppContext): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    const actor = sessionOf(res).actor;
    const organisationId = await currentOrganisationId(app, req, res);
    const now = app.clock.now();
    const indicators = await indicatorsFor(app, actor, {
      organisationId,
      from: dayOffset(now, -365),
      to: dayOffset(now, 1),
    });
    const sessions = (await listWorkshops(app, actor)).filter((s) => s.issuerId === organisationId).slice(0, 8);
    const steps = await firstSteps(app, actor, organisationId);
    await consolePage(
      app,
      req,
      res,
      'dashboard',
      'dashboard.title',
      {
        orgName: indicators.operators[0]?.name ?? '',
        pendingRequests: await pendingRequestCount(app, actor, organisationId).then((n) =>
          n === 0 ? undefined : t(`endorsementRequests.dashboardPending.${n === 1 ? 'one' : 'other'}`, { n }),
        ),
        stats: {
          issued: indicators.badgesIssued.total,
          sessions: indicators.sessionsByTypeAndMonth.total,
          people: cellText(indicators.firstBadgePeople.total),
          verifications: indicators.verifications.total,
        },
        sessions: sessions.map((s) => ({
          ...s,
          heldOn: formatDate(s.heldOn, lang) ?? s.heldOn,
          typeName: app.catalogue.workshopTypes.find((w) => w.code === s.workshopType)?.name[lang] ?? s.workshopType,
        })),
        checklist: steps.allDone
          ? undefined
          : {
              done: steps.steps.filter((s) => s.done).length,
              total: steps.steps.length,
              steps: steps.steps.map((s) => ({
                step: s.step,
                done: s.done,
                href: STEP_LINKS[s.step],
                label: t(`dashboard.checklist.${s.step}`),
                hint: t(`dashboard.checklist.hint.${s.step}`),
              })),
            },
      },
      { active: 'dashboard', organisationId },
    );
  });

  router.get('/indicators', async (req, res) => {
    const lang: Lang = languageOf(req, res);
    const t = translator(lang);
    const actor = sessionOf(res).actor;
    const now = app.clock.now();
    const day = (name: string, fallback: string) =>
      typeof req.query[name] === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(req.query[name] as string)
        ? (req.query[name] as string)
        : fallback;
    const from = day('from', dayOffset(now, -365));
    const to = day('to', dayOffset(now, 1));
    // The metropolis view (all operators) is the platform administrator's; operators see their own.
    const scope =
      actor.role === 'platform_admin' && req.query.scope !== 'organisation'
        ? undefined
        : await currentOrganisationId(app, req, res);
    const indicators = await indicatorsFor(app, actor, { ...(scope ? { organisationId: scope } : {}), from, to });
    if (req.query.format === 'csv') {
      res.setHeader('Content-Disposition', `attachment; filename="indicateurs-${from}-${to}.csv"`);
      res.setHeader('Cache-Control', 'no-store');
      res.type('text/csv; charset=utf-8').send(indicatorsToCsv(indicators, lang, t));
      return;
    }
    const chart = barChartSvg(
      indicators.months.map((month, i) => ({ label: month, value: indicators.badgesIssued.byMonth[i] ?? 0 })),
      { title: t('console.indicators.chartTitle') },
    );
    await consolePage(
      app,
      req,
      res,
      'indicators',
      'console.indicators.title',
      {
        from,
        to,
        metropolis: scope === undefined,
        isAdmin: actor.role === 'platform_admin',
        csvUrl:
          `/console/indicators?from=${from}&to=${to}&format=csv` +
          (scope && actor.role === 'platform_admin' ? '&scope=organisation' : ''),
        chartHtml: chart,
        summary: [
          { label: t('console.indicators.partners'), value: String(indicators.partners) },
          { label: t('console.indicators.sessions'), value: String(indicators.sessionsByTypeAndMonth.total) },
          { label: t('console.indicators.peopleBadged'), value: cellText(indicators.peopleBadged) },
          { label: t('console.indicators.firstBadge'), value: cellText(indicators.firstBadgePeople.total) },
          { label: t('console.indicators.accompanied'), value: cellText(indicators.accompaniedPeople.total) },
          { label: t('console.indicators.issued'), value: String(indicators.badgesIssued.total) },
          { label: t('console.indicators.claimed'), value: String(indicators.badgesClaimed.total) },
          { label: t('console.indicators.verified'), value: String(indicators.verifications.total) },
          { label: t('console.indicators.revoked'), value: String(indicators.badgesRevoked.total) },
        ],
        months: indicators.months,
        sessionRows: indicators.sessionsByTypeAndMonth.types
          .map((type, i) => ({
            type: app.catalogue.workshopTypes.find((w) => w.code === type)?.name[lang] ?? type,
            counts: indicators.sessionsByTypeAndMonth.counts[i] ?? [],
            total: indicators.sessionsByTypeAndMonth.byType[i] ?? 0,
          }))
          .filter((row) => row.total > 0),
        operators: indicators.badgesByOperator.map((o) => ({
          name: o.operator.name,
          sessions: o.sessions,
          issued: o.badgesIssued,
          claimed: o.badgesClaimed,
          revoked: o.badgesRevoked,
          verifications: o.verifications,
          people: cellText(o.people),
          firstBadge: cellText(o.firstBadgePeople),
          accompanied: cellText(o.accompaniedPeople),
        })),
        partnership: partnershipView(indicators, t),
        competences: indicators.competencesCovered.map((c) => ({
          code: c.code,
          name: app.catalogue.competence(c.code)?.name[lang] ?? c.code,
          level: c.highestLevel,
          credentials: c.credentials,
        })),
      },
      { active: 'indicators', ...(scope ? { organisationId: scope } : {}) },
    );
  });
  return router;
}
