/**
 * An operator awards a group safely, in French, on a 1280 px screen and on a 360 px phone: uploads an attendance
 * list with "Prénom ; Nom ; Courriel" columns and a mistyped address, sees how each column was understood, fixes
 * the address in one click and a name in place, confirms "Délivrer 4 badges et envoyer 4 courriels ?", follows
 * each recipient's e-mail, corrects an address and sends again, revokes two badges with one reason after a
 * confirmation, then approves every participant's request at once, the list of requests refreshing by itself.
 * Every page is screenshot and checked with axe.
 *
 * THE TESTS OF EACH WIDTH DEPEND ON EACH OTHER and run in order; run the file as a whole.
 */
import type { Browser } from 'playwright-core';
import { actorOf } from '../../src/app/auth.js';
import { setPasswordDirectly } from '../../src/app/accounts.js';
import { createWorkshop } from '../../src/app/workshops.js';
import { apiClient } from '../support/api.js';
import { startInProcess, type InProcessService } from '../support/service.js';
import { startSmtpCapture, type SmtpCapture } from '../support/smtp.js';
import { fr, PASSWORD, sentTo, signIn, waitForMail } from './console-support.js';
import {
  closeWatched,
  DESKTOP,
  launchBrowser,
  PHONE,
  screenshot,
  seriousAccessibilityViolations,
  watchedPage,
  type WatchedPage,
} from './support.js';

let service: InProcessService;
let smtp: SmtpCapture;
let browser: Browser;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  service = await startInProcess({ extra: { SMTP_URL: smtp.url } });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await smtp?.close();
});

const BADGE = 'Construire son réseau';

describe.each([
  ['1280', DESKTOP],
  ['360', PHONE],
] as const)('at %s px wide', (width, viewport) => {
  const domain = `w${width}.example`;
  const ANA_TYPO = `ana.martin.${width}@gmial.com`;
  const ANA = `ana.martin.${width}@gmail.com`;
  const BRUNO = `bruno.leroy@${domain}`;
  const CHLOE = `chloe.petit@${domain}`;
  const DYLAN_WRONG = `dylan.moreau@exmple-${width}.fr`;
  const DYLAN = `dylan.moreau@${domain}`;
  const EMMA = `emma.roux@${domain}`;
  const FARID = `farid.benali@${domain}`;
  const REASON = 'Inscrits par erreur sur la feuille';
  const state = { sessionId: '', claimCode: '', badgeId: '' };
  const pages: WatchedPage[] = [];
  let operator: WatchedPage;

  const p = () => operator.page;
  const shot = (name: string) => screenshot(p(), `group-award-${name}-${width}`);
  async function accessible(label: string): Promise<void> {
    expect([label, await seriousAccessibilityViolations(p())]).toEqual([label, []]);
  }
  async function fitsWidth(label: string): Promise<void> {
    const scroll = await p().evaluate(() => document.documentElement.scrollWidth);
    expect([label, scroll <= viewport.viewport!.width]).toEqual([label, true]);
  }
  const row = (email: string) => p().locator(`tr[data-recipient="${email}"]`);

  beforeAll(async () => {
    const app = service.running.app;
    const admin = apiClient(service.url, service.token);
    const issuer = await admin.post<{ id: string }>('/api/v1/issuers', { name: `Couveuse ${width}`, url: 'https://www.example.org', email: `contact@${domain}` });
    const email = `responsable@${domain}`;
    const user = await admin.post<{ user: { id: string }; token: string }>(`/api/v1/issuers/${issuer.body.id}/users`, { email, role: 'operator_admin' });
    await setPasswordDirectly(app, user.body.user.id, PASSWORD);
    const badge = await apiClient(service.url, user.body.token).post<{ id: string }>('/api/v1/achievements', {
      issuerId: issuer.body.id, name: { fr: BADGE, en: 'Building a network' },
      description: { fr: 'Rencontrer des partenaires.', en: 'Meeting partners.' }, criteria: { fr: 'A participé.', en: 'Took part.' },
    });
    state.badgeId = badge.body.id;
    const actor = actorOf({ id: user.body.user.id, role: 'operator_admin', organisation_id: issuer.body.id });
    const session = await createWorkshop(app, actor, { issuerId: issuer.body.id, title: `Atelier réseau ${width}`, workshopType: 'PITCH', heldOn: '2026-11-20', achievementIds: [badge.body.id] });
    state.sessionId = session.id;
    state.claimCode = session.claimCode;
    operator = await watchedPage(browser, viewport);
    operator.context.setDefaultTimeout(15_000);
    pages.push(operator);
    await signIn(p(), service.url, email, PASSWORD);
  }, 30_000);

  afterAll(() => closeWatched(pages));

  test('the uploaded list shows how each column was read, joins first and last names, and points out the typo', async () => {
    await p().goto(`${service.url}/console/sessions/${state.sessionId}`);
    const csv = ['Prénom;Nom;Courriel;Téléphone', `Ana;Martin;${ANA_TYPO};0600000001`, `bruno;;${BRUNO};`,
      `Chloé;Petit;${CHLOE};`, `Dylan;Moreau;${DYLAN_WRONG};`].join('\r\n');
    await p().setInputFiles('#file', { name: 'presence.csv', mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${csv}`, 'utf8') });
    await p().click('form[enctype="multipart/form-data"] button[type="submit"]');

    expect(await p().locator('[data-columns] li').allInnerTexts()).toEqual([
      `Prénom → ${fr('sessions.column.firstName')}`, `Nom → ${fr('sessions.column.lastName')}`,
      `Courriel → ${fr('sessions.column.email')}`, `Téléphone → ${fr('sessions.column.ignored')}`,
    ]);
    expect(await p().locator('.preview-table input[name="name"]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value)))
      .toEqual(['Ana Martin', 'bruno', 'Chloé Petit', 'Dylan Moreau']);
    expect(await p().locator('[data-suggestion]').innerText()).toContain(fr('sessions.suggestion', { suggestion: ANA }));
    expect(await p().locator('[data-preview-counts]').textContent()).toBe(fr('sessions.previewCounts', { people: 4, badges: 4, flagged: 0 }));
    await fitsWidth('preview');
    await shot('preview');
    await accessible('preview');
  });

  test('the suggested address is applied in one click and a name is corrected in place, then checked again', async () => {
    await p().click('[data-fix]');
    expect(await p().inputValue('#email-0')).toBe(ANA);
    await p().fill('#name-1', 'Bruno Leroy');
    await p().click('[data-recheck]');
    expect(await p().locator('[data-suggestion]').count()).toBe(0);
    expect(await p().inputValue('#email-0')).toBe(ANA);
    expect(await p().inputValue('#name-1')).toBe('Bruno Leroy');
  });

  test('continuing asks "Délivrer 4 badges et envoyer 4 courriels ?" before anything is signed', async () => {
    await p().click('[data-continue]');
    expect(await p().locator('[data-confirm-question]').textContent()).toBe(fr('sessions.confirmQuestion', { badges: 4, emails: 4 }));
    expect(await p().locator('[data-confirm-items] li').allInnerTexts()).toEqual([`Ana Martin — ${ANA}`, `Bruno Leroy — ${BRUNO}`, `Chloé Petit — ${CHLOE}`, `Dylan Moreau — ${DYLAN_WRONG}`]);
    const issued = await service.running.app.db.selectFrom('credentials').select('id').where('workshop_id', '=', state.sessionId).execute();
    expect(issued).toEqual([]);
    await fitsWidth('confirm');
    await shot('confirm');
    await accessible('confirm');
  });

  test('confirming awards the badges, and the session lists each recipient with the delivery of their e-mail', async () => {
    await p().click('[data-confirm]');
    expect(await p().locator('[data-award-result]').textContent()).toBe(fr('sessions.result', { issued: 4, emails: 4, already: 0, invalid: 0 }));
    for (const email of [ANA, BRUNO, CHLOE, DYLAN_WRONG]) await waitForMail(smtp, sentTo(email));
    // Sent: the outbox says so once the sender has marked it.
    for (let i = 0; i < 50; i++) {
      await p().goto(`${service.url}/console/sessions/${state.sessionId}`);
      if ((await p().locator('[data-delivery="sent"]').count()) === 4) break;
      await p().waitForTimeout(200);
    }
    expect(await p().locator('.recipients-table tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-recipient')).sort()))
      .toEqual([ANA, BRUNO, CHLOE, DYLAN_WRONG].sort());
    expect(await row(ANA).innerText()).toContain('Ana Martin');
    expect(await row(ANA).locator('[data-delivery]').textContent()).toBe(fr('sessions.delivery.sent'));
    await fitsWidth('recipients');
    await shot('recipients');
    await accessible('recipients');
  });

  test('a wrong address is corrected: the old badge is replaced, a new one is sent to the corrected address', async () => {
    await row(DYLAN_WRONG).locator('[data-correct]').click();
    expect(await p().locator('main').innerText()).toContain(fr('correct.current', { email: DYLAN_WRONG }));
    await p().fill('#correct-email', DYLAN);
    await shot('correct');
    await accessible('correct');
    await p().click('[data-confirm-correct]');
    expect(await p().locator('p.notice').first().textContent()).toBe(fr('sessions.corrected'));
    expect(await row(DYLAN_WRONG).locator('[data-state]').textContent()).toBe(fr('sessions.state.replaced'));
    expect(await row(DYLAN).locator('[data-state]').textContent()).toBe(fr('credentials.state.active'));
    expect(await row(DYLAN_WRONG).locator('[data-correct]').count()).toBe(0);
    const [mail] = await waitForMail(smtp, sentTo(DYLAN));
    expect(mail!.subject).toContain(BADGE);
  });

  test('two badges are revoked with one reason, after a confirmation that names them', async () => {
    await row(BRUNO).locator('input[name="credentialIds"]').check();
    await row(CHLOE).locator('input[name="credentialIds"]').check();
    await p().fill('#revoke-reason', REASON);
    await p().click('[data-revoke-selection]');
    expect(await p().locator('[data-confirm-question]').textContent()).toBe(fr('revocation.questionMany', { count: 2 }));
    const text = await p().locator('main').innerText();
    expect(text).toContain(fr('revocation.reasonIs', { reason: REASON }));
    expect(text).toContain(`${BADGE} : Bruno Leroy — ${BRUNO}`);
    await fitsWidth('revoke-confirm');
    await shot('revoke-confirm');
    await accessible('revoke-confirm');
    await p().click('[data-confirm]');
    expect(new URL(p().url()).pathname).toBe(`/console/sessions/${state.sessionId}`);
    expect(await p().locator('p.notice').first().textContent()).toBe(fr('revocation.done'));
    for (const email of [BRUNO, CHLOE]) expect(await row(email).locator('[data-state]').textContent()).toBe(fr('credentials.state.revoked'));
    expect(await row(ANA).locator('[data-state]').textContent()).toBe(fr('credentials.state.active'));
  });

  test('a participant is told when requests are not open yet, and sees the address they typed once sent', async () => {
    const phone = await watchedPage(browser, PHONE);
    pages.push(phone);
    await phone.page.goto(`${service.url}/claim/${state.claimCode}`);
    expect(await phone.page.locator('[data-claim-closed]').textContent()).toContain(fr('claim.notOpen', { title: `Atelier réseau ${width}`, issuer: `Couveuse ${width}` }));
    await screenshot(phone.page, `group-award-claim-closed-${width}`);
    const unknown = await phone.page.goto(`${service.url}/claim/ZZZZ99`);
    expect(unknown!.status()).toBe(404);
    expect(await phone.page.locator('.problem').textContent()).toBe(fr('claim.unknownCode'));

    await p().goto(`${service.url}/console/sessions/${state.sessionId}`);
    await p().click(`form[action="/console/sessions/${state.sessionId}/claims"] button[type="submit"]`);
    for (const [name, email] of [['Emma Roux', EMMA], ['Farid Benali', FARID]] as const) {
      await phone.page.goto(`${service.url}/claim/${state.claimCode}`);
      await phone.page.fill('#claim-name', name);
      await phone.page.fill('#claim-email', email);
      await phone.page.click('main form button[type="submit"]');
      expect(await phone.page.locator('[data-claim-address] strong').textContent()).toBe(email);
    }
    await screenshot(phone.page, `group-award-claim-thanks-${width}`);
    expect(await seriousAccessibilityViolations(phone.page)).toEqual([]);
  });

  test('the requests appear on the session page by themselves, and all are approved at once after a confirmation', async () => {
    // The page was opened before the requests were sent: they come in without a reload.
    await p().locator(`[data-request="${FARID}"]`).waitFor();
    expect(await p().locator('[data-pending-text]').textContent()).toBe(fr('sessions.pendingCount', { count: 2 }));
    await shot('claims');
    await p().click('[data-approve-all] button');
    expect(await p().locator('[data-confirm-question]').textContent())
      .toBe(fr('sessions.approveAllQuestion', { requests: 2, badges: 2, emails: 2 }));
    await shot('approve-all-confirm');
    await accessible('approve-all-confirm');
    await p().click('[data-confirm]');
    expect(await p().locator('[data-award-result]').textContent()).toBe(fr('sessions.result', { issued: 2, emails: 2, already: 0, invalid: 0 }));
    for (const email of [EMMA, FARID]) expect(await p().locator(`[data-request="${email}"] [data-status]`).textContent()).toBe(fr('sessions.request.approved'));
    await waitForMail(smtp, sentTo(FARID));
  });

  test('the claim poster shows the code and the QR code, full screen and printable', async () => {
    await p().goto(`${service.url}/console/sessions/${state.sessionId}/poster`);
    expect(await p().locator('.poster [data-claim-code]').textContent()).toBe(state.claimCode);
    expect(await p().locator('.poster-qr svg').count()).toBe(1);
    await fitsWidth('poster');
    await shot('poster');
    await accessible('poster');
  });

  test('one person is awarded the badge from its page, after the typo in the address is pointed out', async () => {
    const person = `gaelle.${width}@hotmail.fe`;
    await p().goto(`${service.url}/console/badges/${state.badgeId}`);
    await fitsWidth('badge-page');
    await p().fill('#award-one-name', 'Gaëlle Simon');
    await p().fill('#award-one-email', person);
    await p().getByRole('button', { name: fr('awardOne.check'), exact: true }).click();
    await p().waitForURL(/\/award\/check$/);
    await p().click('[data-use-suggestion]');
    const corrected = `gaelle.${width}@hotmail.fr`;
    expect(await p().locator('[data-confirm-question]').textContent()).toBe(fr('awardOne.question', { badge: BADGE, person: `Gaëlle Simon (${corrected})` }));
    await fitsWidth('award-one');
    await shot('award-one');
    await accessible('award-one');
    await p().click('[data-confirm]');
    expect(await p().locator('p.notice').first().textContent()).toBe(fr('awardOne.done'));
    await waitForMail(smtp, sentTo(corrected));
  });
});
