/**
 * The operators' console, the whole workshop flow in headless Chromium, as the people who use it: the platform
 * administrator creates an operator organisation; its administrator, invited by e-mail, chooses a password;
 * edits the organisation; creates a badge (live preview) and copies one from the catalogue; creates a session
 * after a workshop; uploads the participants' spreadsheet, reads the flagged rows, fixes one, confirms; the
 * participants receive their badges by e-mail, whose pages say valid and whose PNG verifies on its own; a
 * participant asks for the badges from a phone with the session's code and is approved in one click; a badge is
 * revoked; the indicators, the outbox and the audit log show all of it.
 *
 * THE TESTS OF THIS FILE DEPEND ON EACH OTHER: each one starts from the state the previous ones left (the
 * organisation, the signed-in operator, the badges, the session, the credentials). They run in order; run the
 * file as a whole, never one test alone (`-t`).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Browser } from 'playwright-core';
import { verifyCredential } from '../../src/engine/verify/verify-credential.js';
import { issueToken } from '../../src/app/issuers.js';
import { apiClient, type Api } from '../support/api.js';
import { loopbackFetcher, startInProcess, type InProcessService } from '../support/service.js';
import { startSmtpCapture, type Captured, type SmtpCapture } from '../support/smtp.js';
import { fr, linkIn, linksIn, PASSWORD, sentTo, signIn, statValue, tableRows, waitForMail } from './console-support.js';
import { DESKTOP, launchBrowser, PHONE, screenshot, watchedPage, type WatchedPage } from './support.js';

const ADMIN_PASSWORD = 'mot-de-passe-administrateur';
const ORG = 'Initiative Lille Métropole';
const OPERATOR_EMAIL = 'responsable@initiative-lille.fr';
const BADGE_NAME = 'Pitcher son projet en trois minutes';
const BADGE_NAME_EN = 'Pitching a project in three minutes';
const CATALOGUE_NAME = "J'ose entreprendre";
const SESSION_TITLE = 'Atelier pitch du jeudi';
const REASON = 'Motif interne : inscrit par erreur';

/** The participants of the spreadsheet, and the one who asks from a phone. */
const ANA = 'ana.martin@exemple.fr';
const BRUNO = 'bruno.leroy@exemple.fr';
const CLAIRE = 'claire.dubois@exemple.fr';
const CLAIRE_TYPO = 'claire.dubois.exemple.fr';
const DEJA = 'deja.titulaire@exemple.fr';
const CHLOE = 'chloe.petit@exemple.fr';
const DYLAN = 'dylan.moreau@exemple.fr';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

let service: InProcessService;
let smtp: SmtpCapture;
let browser: Browser;
/** The platform administrator's browser, the operator's, the participant's phone. */
let admin: WatchedPage;
let operator: WatchedPage;
let participant: WatchedPage;
let operatorApi: Api;
const state = { badgeId: '', catalogueBadgeId: '', sessionId: '', issuedBefore: -1, claimCode: '' };

/** A browser context of this file: actions fail after 10 s rather than at the test's timeout, with the reason. */
async function open(options: typeof DESKTOP): Promise<WatchedPage> {
  const w = await watchedPage(browser, options);
  w.context.setDefaultTimeout(10_000);
  return w;
}

function watched(): WatchedPage[] {
  return [admin, operator, participant].filter((w): w is WatchedPage => w !== undefined);
}

async function sessionPage(): Promise<void> {
  await operator.page.goto(`${service.url}/console/sessions/${state.sessionId}`);
}

function awardMails(email: string): Captured[] {
  return smtp.messages.filter((m) => m.to.includes(email) && m.subject.startsWith('Votre badge'));
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  service = await startInProcess({ extra: { SMTP_URL: smtp.url, BLASON_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  browser = await launchBrowser();
  admin = await open(DESKTOP);
}, 60_000);

afterEach(() => {
  for (const w of watched()) {
    expect(w.dialogs).toEqual([]);
    expect(w.errors).toEqual([]);
    // Everything stays on loopback: no font, script, image or link followed elsewhere.
    expect(w.external).toEqual([]);
  }
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await smtp?.close();
});

test('the platform administrator signs in and creates an operator organisation, whose administrator is invited by e-mail', async () => {
  const p = admin.page;
  // The platform administrator made at start-up: BLASON_ADMIN_EMAIL (not set here, so its default).
  await signIn(p, service.url, service.env.BLASON_ADMIN_EMAIL ?? 'admin@blason.local', ADMIN_PASSWORD);
  expect(new URL(p.url()).pathname).toBe('/console');
  await p.goto(`${service.url}/console/admin`);
  await p.fill('#org-name', ORG);
  await p.fill('#org-url', 'https://www.initiative-lille.example');
  await p.fill('#org-email', 'contact@initiative-lille.example');
  await p.fill('#org-admin', OPERATOR_EMAIL);
  await p.click('form[action="/console/admin/organisations"] button[type="submit"]');
  expect(new URL(p.url()).pathname).toBe('/console/admin');
  expect(await p.locator('p.notice').textContent()).toBe(fr('admin.created'));
  expect(await p.locator('main ul.rows').innerText()).toContain(ORG);

  const [invitation] = await waitForMail(smtp, sentTo(OPERATOR_EMAIL));
  expect(invitation!.subject).toBe(fr('email.invitation.subject', { organisation: ORG }));
  expect(invitation!.text).toContain(fr('email.invitation.intro', { organisation: ORG }));
  expect(linksIn(invitation!, `${service.url}/console/password?token=`)).toHaveLength(1);
});

test('the invitation link lets the invitee choose a password and lands them signed in on the console', async () => {
  const [invitation] = await waitForMail(smtp, sentTo(OPERATOR_EMAIL));
  const link = linkIn(invitation!, `${service.url}/console/password?token=`);
  operator = await open(DESKTOP);
  const p = operator.page;
  await p.goto(link);
  expect(await p.locator('main').innerText()).toContain(OPERATOR_EMAIL);
  await p.fill('#password', PASSWORD);
  await p.fill('#confirm', PASSWORD);
  await p.click('main form button[type="submit"]');
  expect(new URL(p.url()).pathname).toBe('/console');
  expect(await p.locator('.who').textContent()).toBe(fr('console.signedInAs', { email: OPERATOR_EMAIL }));
  expect(await p.locator('h1').innerText()).toContain(ORG);
  // The link served once.
  const again = await p.goto(link);
  expect(again!.status()).toBe(410);
});

test("the operator edits the organisation's LinkedIn id and sees its DID and signing keys", async () => {
  const p = operator.page;
  await p.goto(`${service.url}/console/issuer`);
  expect(await p.inputValue('#name')).toBe(ORG);
  await p.fill('#linkedin', '87654321');
  await p.click('form[action="/console/issuer"] button[type="submit"]');
  expect(await p.locator('p.notice').textContent()).toBe(fr('console.done'));
  expect(await p.inputValue('#linkedin')).toBe('87654321');

  // The identifier and the keys are folded under "Paramètres avancés".
  await p.click('details[data-advanced] summary');
  const did = (await p.locator('#identity-title + dl code').textContent())!;
  expect(did).toMatch(/^did:web:127\.0\.0\.1%3A\d+:issuers:[a-z0-9-]+$/);
  const documentUrl = (await p.locator('#identity-title + dl a').getAttribute('href'))!;
  const document = (await (await fetch(documentUrl)).json()) as { id: string };
  expect(document.id).toBe(did);
  const keys = await p.locator('#identity-title ~ ul.rows li').allInnerTexts();
  expect(keys.length).toBeGreaterThanOrEqual(1);
  expect(keys.some((k) => k.startsWith(did) && k.includes(fr('issuer.keyStatus.active')))).toBe(true);
});

test('the operator creates a badge in French and English aligned with EntreComp, with a live preview of its image', async () => {
  const p = operator.page;
  await p.goto(`${service.url}/console/badges/new`);
  const image = p.locator('[data-preview-image]');
  // Typing the name redraws the preview (debounced): wait for the request, then for the image's new src.
  const redrawn = p.waitForResponse((r) => r.url().includes('/console/badges/preview.svg') && new URL(r.url()).searchParams.get('title') === BADGE_NAME);
  await p.locator('#name_fr').pressSequentially(BADGE_NAME);
  expect((await redrawn).status()).toBe(200);
  expect(new URL((await image.getAttribute('src'))!, service.url).searchParams.get('title')).toBe(BADGE_NAME);
  expect(await image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);

  await p.fill('#name_en', BADGE_NAME_EN);
  await p.fill('#description_fr', 'Présenter son projet de façon claire et convaincante devant un jury.');
  await p.fill('#description_en', 'Presenting a project clearly and convincingly to a panel.');
  await p.fill('#criteria_fr', 'A présenté son projet en trois minutes et répondu aux questions du jury.');
  await p.fill('#criteria_en', 'Presented the project in three minutes and answered the panel\'s questions.');
  const aligned = p.waitForResponse((r) => r.url().includes('/console/badges/preview.svg') && new URL(r.url()).searchParams.get('competence') === '2.4');
  await p.selectOption('#competence_0', '2.4');
  await p.selectOption('#level_0', '3');
  await aligned;
  expect(new URL((await image.getAttribute('src'))!, service.url).searchParams.get('level')).toBe('3');
  await screenshot(p, 'console-badge-form');

  await p.click('form[data-badge-form] button[type="submit"]:not([formaction])');
  const url = new URL(p.url());
  expect(url.pathname).toMatch(new RegExp(`^/console/badges/${UUID}$`));
  expect(await p.locator('p.notice').textContent()).toBe(fr('badges.created'));
  state.badgeId = url.pathname.split('/').at(-1)!;
  expect(await p.inputValue('#name_fr')).toBe(BADGE_NAME);
  expect(await p.inputValue('#name_en')).toBe(BADGE_NAME_EN);
  expect(await p.inputValue('#competence_0')).toBe('2.4');
  expect(await p.inputValue('#level_0')).toBe('3');

  // The published achievement carries both languages' names and the EntreComp alignment.
  const published = (await (await fetch(`${service.url}/achievements/${state.badgeId}`, { headers: { accept: 'application/json' } })).json()) as { name: string; alignment?: { targetCode?: string }[] };
  expect(published.name).toBe(BADGE_NAME);
  expect(published.alignment?.map((a) => a.targetCode)).toEqual(['2.4-N3']);
});

test('the operator copies a badge of the EntreComp catalogue', async () => {
  const p = operator.page;
  await p.goto(`${service.url}/console/catalogue`);
  const card = p.locator('ol.catalogue li').filter({ has: p.locator('h2', { hasText: CATALOGUE_NAME }) });
  await card.locator('button[type="submit"]').click();
  const url = new URL(p.url());
  expect(url.pathname).toMatch(new RegExp(`^/console/badges/${UUID}$`));
  state.catalogueBadgeId = url.pathname.split('/').at(-1)!;
  expect(await p.inputValue('#name_fr')).toBe(CATALOGUE_NAME);
  await p.goto(`${service.url}/console/badges`);
  expect(await p.locator('.badge-grid .tile-title').allInnerTexts()).toEqual(expect.arrayContaining([BADGE_NAME, CATALOGUE_NAME]));
});

test('the operator creates a session for a workshop with both badges', async () => {
  const p = operator.page;
  await p.goto(`${service.url}/console/sessions/new`);
  await p.fill('#title', SESSION_TITLE);
  await p.selectOption('#workshopType', 'PITCH');
  await p.fill('#place', 'Lille, Euratechnologies');
  await p.check(`#badge_${state.badgeId}`);
  await p.check(`#badge_${state.catalogueBadgeId}`);
  await p.click('main form button[type="submit"]');
  const url = new URL(p.url());
  expect(url.pathname).toMatch(new RegExp(`^/console/sessions/${UUID}$`));
  state.sessionId = url.pathname.split('/').at(-1)!;
  expect(await p.locator('h1').textContent()).toBe(SESSION_TITLE);
  expect((await p.locator('main > p .tag').allInnerTexts()).sort()).toEqual([BADGE_NAME, CATALOGUE_NAME].sort());
  expect(await p.locator('[data-claim-code]').textContent()).toMatch(/^[A-Z2-9]{6}$/);
});

test('an uploaded spreadsheet is previewed row by row: the bad rows are flagged and explained, nothing is signed', async () => {
  const p = operator.page;
  await p.goto(`${service.url}/console/indicators`);
  state.issuedBefore = Number(await statValue(p, fr('console.indicators.issued')));
  expect(state.issuedBefore).toBe(0);

  // Someone who already holds the new badge, awarded earlier through the API with the operator's own token.
  const user = await service.running.app.db.selectFrom('users').select('id').where('email', '=', OPERATOR_EMAIL).executeTakeFirstOrThrow();
  operatorApi = apiClient(service.url, await issueToken(service.running.app, user.id, 'test'));
  const earlier = await operatorApi.post('/api/v1/credentials', { achievementId: state.badgeId, recipient: { email: DEJA, name: 'Déborah Jacquet' } });
  expect(earlier.status).toBe(201);

  // The Excel workbook itself rather than a CSV export: refused with what to do, in French, nothing signed.
  await sessionPage();
  await p.setInputFiles('#file', { name: 'participants.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from('504b0304140000000800', 'hex') });
  await p.click('form[enctype="multipart/form-data"] button[type="submit"]');
  expect(await p.locator('.problem[role="alert"] p').textContent()).toBe(fr('sessions.workbook'));

  // As a French spreadsheet exports it: UTF-8 with a BOM, semicolons, CRLF, a header line.
  const csv = `\uFEFF${[
    'email;nom',
    `${ANA};"Martin, Ana"`, // line 2: a comma in a quoted name
    `${BRUNO};Bruno Leroy`, // 3
    `${CLAIRE_TYPO};Claire Dubois`, // 4: not an email address
    `${ANA};"Martin, Ana"`, // 5: the same person again
    `${DEJA};Déborah Jacquet`, // 6: already holds the new badge
    `${CHLOE};Chloé Petit`, // 7
  ].join('\r\n')}\r\n`;
  await sessionPage();
  await p.setInputFiles('#file', { name: 'participants.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
  await p.click('form[enctype="multipart/form-data"] button[type="submit"]');

  const preview = p.locator('section[aria-labelledby="preview-title"]');
  expect(await preview.locator('h2').textContent()).toBe(fr('sessions.previewTitle'));
  expect(await p.locator('.preview-table tr[data-line]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-line')))).toEqual(['2', '3', '4', '5', '6', '7']);
  const flags = await p.locator('.preview-table tr[data-line]').evaluateAll((rows) => rows
    .map((r) => ({ line: r.getAttribute('data-line'), flagged: r.classList.contains('row-flagged'), flags: Array.from(r.querySelectorAll('.flag')).map((f) => f.textContent) }))
    .filter((r) => r.flags.length > 0));
  expect(flags).toEqual([
    { line: '4', flagged: true, flags: [fr('rowProblem.emailInvalid', { value: CLAIRE_TYPO })] },
    { line: '5', flagged: true, flags: [fr('rowProblem.duplicate')] },
    // Still receives the other badge: not a flagged row, but the badge already held is said.
    { line: '6', flagged: false, flags: [`${BADGE_NAME} : ${fr('sessions.status.already-issued')}`] },
  ]);
  const text = await preview.innerText();
  expect(text).toContain(fr('sessions.previewCounts', { people: 4, badges: 7, flagged: 2 }));
  expect(text).toContain(fr('sessions.previewNothingSigned'));
  await screenshot(p, 'console-session-preview');

  // Nothing signed: no credential for anyone of the list but the one awarded earlier.
  for (const email of [ANA, BRUNO, CHLOE]) {
    const found = await operatorApi.get<{ credentials: unknown[] }>(`/api/v1/credentials?email=${encodeURIComponent(email)}`);
    expect([email, found.body.credentials]).toEqual([email, []]);
  }
  const count = await service.running.app.db.selectFrom('credentials').select((eb) => eb.fn.countAll<number>().as('n')).where('workshop_id', '=', state.sessionId).executeTakeFirstOrThrow();
  expect(Number(count.n)).toBe(0);
  expect(smtp.messages.filter((m) => m.subject.startsWith('Votre badge'))).toEqual([]);
});

test('a flagged row corrected in the editable list previews clean, and confirming issues the badges and queues the e-mails', async () => {
  const p = operator.page;
  // One list, edited in place: the duplicate is removed, the invalid address corrected in its own row.
  await p.click('.preview-table tr[data-line="5"] button[name="remove"]');
  expect(await p.locator('.preview-table tr[data-line]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-line')))).toEqual(['2', '3', '4', '6', '7']);
  await p.fill('.preview-table tr[data-line="4"] input[name="email"]', CLAIRE);
  await p.click('[data-recheck]');

  expect(await p.locator('section[aria-labelledby="preview-title"]').innerText()).toContain(fr('sessions.previewCounts', { people: 5, badges: 9, flagged: 0 }));
  expect(await p.locator('.preview-table tr.row-flagged').count()).toBe(0);
  expect(await p.locator('.preview-table input[name="email"]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))).toEqual([ANA, BRUNO, CLAIRE, DEJA, CHLOE]);

  // Nothing is signed before the operator says yes to the number of badges and e-mails.
  await p.click('[data-continue]');
  expect(await p.locator('[data-confirm-question]').textContent()).toBe(fr('sessions.confirmQuestion', { badges: 9, emails: 9 }));
  await p.click('[data-confirm]');
  // Five people, two badges each, but one badge already held.
  expect(await p.locator('[data-award-result]').textContent()).toBe(fr('sessions.result', { issued: 9, emails: 9, already: 1, invalid: 0 }));
  expect(await p.locator('main').innerText()).toContain(fr('sessions.awarded', { count: 9 }));
});

test('every recipient receives one French e-mail per badge, with the badge page link and their private link', async () => {
  await waitForMail(smtp, (m) => m.subject.startsWith('Votre badge'), 9);
  const expected: [string, string, string][] = [];
  for (const email of [ANA, BRUNO, CLAIRE, DEJA, CHLOE]) {
    for (const badge of [BADGE_NAME, CATALOGUE_NAME]) if (!(email === DEJA && badge === BADGE_NAME)) expected.push([email, badge, fr('email.award.subject', { badge, issuer: ORG })]);
  }
  const got = smtp.messages.filter((m) => m.subject.startsWith('Votre badge'));
  expect(got).toHaveLength(9);
  for (const [email, badge, subject] of expected) {
    const mails = got.filter((m) => m.to.includes(email) && m.subject === subject);
    expect([email, badge, mails.length]).toEqual([email, badge, 1]);
    const mail = mails[0]!;
    expect(mail.text).toContain(fr('email.award.intro', { issuer: ORG }));
    expect(mail.text).toContain(badge);
    const pages = linksIn(mail, `${service.url}/credentials/`);
    // Each link carries the e-mail's token (?open=…), which records that the holder followed it.
    expect(pages.some((l) => new RegExp(`^${service.url}/credentials/${UUID}\\?open=[A-Za-z0-9_-]{22}$`).test(l))).toBe(true);
    expect(pages.some((l) => new RegExp(`^${service.url}/credentials/${UUID}/manage\\?key=[A-Za-z0-9_-]+&open=[A-Za-z0-9_-]{22}$`).test(l))).toBe(true);
  }
});

test("the badge page opened from the e-mail says valid, and the PNG downloaded from it verifies independently", async () => {
  const [mail] = awardMails(CHLOE).filter((m) => m.subject === fr('email.award.subject', { badge: BADGE_NAME, issuer: ORG }));
  const url = linksIn(mail!, `${service.url}/credentials/`).find((l) => !l.includes('/manage'))!;
  const holder = await open(DESKTOP);
  try {
    const p = holder.page;
    await p.goto(url);
    expect(await p.locator('.verdict').getAttribute('data-verdict')).toBe('valid');
    expect(await p.locator('h1').textContent()).toBe(BADGE_NAME);
    const [download] = await Promise.all([p.waitForEvent('download'), p.click('[data-download="png"]')]);
    const bytes = readFileSync((await download.path())!);
    const report = await verifyCredential({ bytes }, { fetcher: loopbackFetcher(service.env) });
    expect([report.format, report.verdict]).toEqual(['png', 'valid']);
    expect(holder.external).toEqual([]);
    expect(holder.errors).toEqual([]);
  } finally {
    await holder.context.close();
  }
});

test('a participant asks for the badges from a phone with the session code, and is approved in one click', async () => {
  const p = operator.page;
  await sessionPage();
  await p.click(`form[action="/console/sessions/${state.sessionId}/claims"] button[type="submit"]`);
  expect(await p.locator('main').innerText()).toContain(fr('sessions.claimIsOpen'));
  state.claimCode = (await p.locator('[data-claim-code]').textContent())!;

  participant = await open(PHONE);
  const phone = participant.page;
  await phone.goto(`${service.url}/claim`);
  await phone.fill('#claim-code', state.claimCode.toLowerCase());
  await phone.click('main form button[type="submit"]');
  expect(new URL(phone.url()).pathname).toBe(`/claim/${state.claimCode}`);
  expect(await phone.locator('main').innerText()).toContain(SESSION_TITLE);
  // "NAME, First name", as many people write it: the comma must not break the award.
  await phone.fill('#claim-name', 'MOREAU, Dylan');
  await phone.fill('#claim-email', DYLAN);
  await screenshot(phone, 'console-phone-claim');
  await phone.click('main form button[type="submit"]');
  expect(await phone.locator('[data-claim-sent]').textContent()).toBe(fr('claim.thanks'));

  await sessionPage();
  const request = p.locator(`[data-request="${DYLAN}"]`);
  expect(await request.innerText()).toContain('MOREAU, Dylan');
  expect(await request.innerText()).toContain(fr('sessions.request.pending'));
  await screenshot(p, 'console-session-claims');
  await request.locator('button', { hasText: fr('sessions.approve') }).click();
  expect(await p.locator('[data-award-result]').textContent()).toBe(fr('sessions.result', { issued: 2, emails: 2, already: 0, invalid: 0 }));
  expect(await p.locator(`[data-request="${DYLAN}"]`).innerText()).toContain(fr('sessions.request.approved'));

  const mails = await waitForMail(smtp, (m) => m.to.includes(DYLAN) && m.subject.startsWith('Votre badge'), 2);
  expect(mails.map((m) => m.subject).sort()).toEqual([BADGE_NAME, CATALOGUE_NAME].map((badge) => fr('email.award.subject', { badge, issuer: ORG })).sort());
});

test('a claim with an address the award would refuse is refused at once, not left to be approved for nothing', async () => {
  // The phone's form checks the address too: this is what a hand-made request gets.
  const res = await fetch(`${service.url}/claim/${state.claimCode}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: new URLSearchParams({ name: 'Zoé Virgule', email: 'zoe;virgule@exemple.fr' }).toString(),
  });
  expect(res.status).toBe(422);
  await sessionPage();
  expect(await operator.page.locator('[data-request]').evaluateAll((items) => items.map((i) => i.getAttribute('data-request')))).toEqual([DYLAN]);
});

test('a credential revoked from the console with a reason: its public page says revoked, and not the reason', async () => {
  const p = operator.page;
  await p.goto(`${service.url}/console/credentials?email=${encodeURIComponent(BRUNO)}`);
  const rows = await tableRows(p, 'main table');
  expect(rows.map((r) => r[1]).sort()).toEqual([BADGE_NAME, CATALOGUE_NAME].sort());
  await screenshot(p, 'console-credentials');
  await p.locator('main table tbody tr').filter({ hasText: BADGE_NAME }).locator('a').click();
  expect(new URL(p.url()).pathname).toMatch(new RegExp(`^/console/credentials/${UUID}$`));
  expect(await p.locator('[data-state]').getAttribute('data-state')).toBe('active');
  await p.fill('#reason', REASON);
  await p.click('button[name="action"][value="revoke"]');
  // A confirmation names the badge and its holder before the revocation, which is final.
  expect(await p.locator('[data-confirm-question]').textContent()).toBe(fr('revocation.questionOne', { badge: BADGE_NAME, person: `Bruno Leroy — ${BRUNO}` }));
  await p.click('[data-confirm]');
  expect(await p.locator('p.notice').textContent()).toBe(fr('revocation.done'));
  expect(await p.locator('[data-state]').getAttribute('data-state')).toBe('revoked');
  expect(await p.locator('[data-state]').textContent()).toBe(fr('credentials.state.revoked'));

  const publicUrl = (await p.locator('main a', { hasText: fr('credentials.publicPage') }).getAttribute('href'))!;
  const visitor = await open(DESKTOP);
  try {
    await visitor.page.goto(publicUrl);
    expect(await visitor.page.locator('.verdict').getAttribute('data-verdict')).toBe('revoked');
    expect(await visitor.page.content()).not.toContain('inscrit par erreur');
  } finally {
    await visitor.context.close();
  }
});

test('the dashboard counts the badges issued and lists the session', async () => {
  const p = operator.page;
  await p.goto(`${service.url}/console`);
  expect(await statValue(p, fr('dashboard.issued'))).toBe('12');
  expect(await p.locator('main ul.rows').innerText()).toContain(SESSION_TITLE);
  await screenshot(p, 'console-dashboard');
});

test('the indicators count the new badges, export a French CSV, and publish no count of fewer than 3 people', async () => {
  const p = operator.page;
  await p.goto(`${service.url}/console/indicators`);
  // One through the API, nine from the spreadsheet, two from the claim.
  expect(Number(await statValue(p, fr('console.indicators.issued')))).toBe(state.issuedBefore + 12);
  expect(await statValue(p, fr('console.indicators.revoked'))).toBe('1');
  expect(await statValue(p, fr('console.indicators.claimed'))).toBe('2');
  // People: six badged; nobody accompanied (one workshop each), which must read "< 3", never 0.
  expect(await statValue(p, fr('console.indicators.peopleBadged'))).toBe('6');
  expect(await statValue(p, fr('console.indicators.accompanied'))).toBe('< 3');
  const operators = await tableRows(p, 'table[data-operators]');
  expect(operators).toHaveLength(1);
  const [name, ...cells] = operators[0]!;
  expect(name).toBe(ORG);
  const people = cells.slice(5);
  expect(people).toEqual(['6', '6', '< 3']);
  for (const cell of people) expect(cell === '< 3' || Number(cell) >= 3).toBe(true);
  await screenshot(p, 'console-indicators');

  const [download] = await Promise.all([p.waitForEvent('download'), p.click('a[download]')]);
  expect(download.suggestedFilename()).toMatch(/^indicateurs-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync((await download.path())!, 'utf8');
  // For French spreadsheets: a BOM (so that Excel reads UTF-8), semicolons, CRLF.
  expect(csv.startsWith('\uFEFF')).toBe(true);
  expect(csv).toMatch(/\r\n$/);
  const rows = parse(csv, { bom: true, delimiter: ';', relax_column_count: true }) as string[][];
  expect(rows.length).toBeGreaterThan(3);
  // The organisation's own figures, as on the page: people counts below 3 suppressed the same way.
  const value = (key: string) => rows.find((row) => row.length === 2 && row[0] === fr(key))?.[1];
  expect(value('indicators.scope')).toBe(ORG);
  expect(value('indicators.badgesIssued')).toBe(String(state.issuedBefore + 12));
  expect(value('indicators.peopleBadged')).toBe('6');
  expect(value('indicators.accompaniedPeople')).toBe('< 3');
});

test('the outbox lists every message sent: the invitation and the badges', async () => {
  const p = operator.page;
  await p.goto(`${service.url}/console/outbox`);
  const rows = await tableRows(p, 'main table');
  expect(rows).toHaveLength(12);
  expect(rows.filter((r) => r[0] === OPERATOR_EMAIL && r[1] === fr('email.invitation.subject', { organisation: ORG }))).toHaveLength(1);
  for (const email of [ANA, BRUNO, CLAIRE, CHLOE, DYLAN]) expect([email, rows.filter((r) => r[0] === email).length]).toEqual([email, 2]);
  expect(rows.filter((r) => r[0] === DEJA)).toHaveLength(1);
  expect(rows.every((r) => r[2] === fr('outbox.status.sent'))).toBe(true);
});

test('the audit log lists the awards, the approved claim and the revocation, and filters by action', async () => {
  const p = operator.page;
  // One sentence per entry (data-action names its action); see console-plain.test.ts for the sentences themselves.
  const entries = () => p.locator('[data-journal] li').evaluateAll((items) => items.map((i) => ({ action: i.getAttribute('data-action'), text: (i.textContent ?? '').trim() })));
  await p.goto(`${service.url}/console/audit`);
  const actions = (await entries()).map((e) => e.action);
  expect(actions).toEqual(expect.arrayContaining(['credential.awarded', 'claim.approved', 'credential.revoked', 'workshop.created', 'user.activated']));

  for (const [action, expected] of [['claim.approved', 1], ['credential.revoked', 1]] as const) {
    await p.selectOption('#action', action);
    await p.click('form[action="/console/audit"] button[type="submit"]');
    expect(new URL(p.url()).searchParams.get('action')).toBe(action);
    const rows = await entries();
    expect([action, rows.map((r) => r.action)]).toEqual([action, Array(expected).fill(action)]);
    if (action === 'credential.revoked') expect(rows[0]!.text).toContain(REASON);
  }
  await p.selectOption('#action', 'credential.awarded');
  await p.click('form[action="/console/audit"] button[type="submit"]');
  const awarded = await entries();
  expect(awarded.length).toBeGreaterThanOrEqual(3);
  // The operator has no name: the sentences say who by their address.
  expect(awarded.every((r) => r.action === 'credential.awarded' && r.text.includes(OPERATOR_EMAIL))).toBe(true);
});
