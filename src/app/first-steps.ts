/**
 * The dashboard's first-run checklist: what a new organisation does before its first award, each step ticked
 * from what the database holds (never from a flag someone must remember to set).
 */
import { firstStepsDone } from '../store/repositories/first-steps.js';
import type { AppContext } from './context.js';
import { loadIssuer } from './issuers.js';
import { awardsBadges } from './partners.js';
import { authorize, type Actor } from './policies.js';

export type FirstStep = 'organisation' | 'badge' | 'session';

export interface FirstStepsView {
  steps: { step: FirstStep; done: boolean }[];
  allDone: boolean;
}

export async function firstSteps(app: AppContext, actor: Actor, organisationId: string): Promise<FirstStepsView> {
  authorize(actor, 'issuer.read');
  const org = await loadIssuer(app, actor, organisationId);
  const done = await firstStepsDone(app.db, org.id);
  // A profile is complete when badge pages can say who the issuer is and how to reach it.
  const organisation = Boolean(org.url && org.email && org.description);
  const steps: FirstStepsView['steps'] = [{ step: 'organisation', done: organisation }];
  // A partner only endorses: creating a badge and a session are not steps of its own.
  if (awardsBadges(org)) steps.push({ step: 'badge', done: done.badge }, { step: 'session', done: done.session });
  return { steps, allDone: steps.every((s) => s.done) };
}
