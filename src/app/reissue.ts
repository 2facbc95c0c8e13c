import { normalizeEmail } from '../engine/model/identity-hash.js';
import { holdersOf } from '../store/repositories/credentials.js';
import { findOrganisation } from '../store/repositories/organisations.js';
import { recordAudit } from './audit-actions.js';
import { awardWithin, recipientKey, type EvidenceInput } from './award.js';
import type { AppContext } from './context.js';
import { checkRow } from './csv.js';
import { loadCredential, revokeWithin } from './credentials.js';
import { suggestEmail } from './email-typos.js';
import { conflict, notFound, ValidationError } from './errors.js';
import { enqueueAwardEmails } from './notifications.js';
import { authorize, type Actor } from './policies.js';
import { getWorkshop } from './workshops.js';

/**
 * "Correct the address and send again": a badge went to a mistyped address. Its credential is signed for that
 * address (a salted hash of it), so it cannot be edited: it is revoked, and a new one is issued to the corrected
 * address, in one transaction with the record of the replacement and its audit entries; its e-mail is queued as
 * soon as it commits. Every badge the person received at the session is corrected at once, each in its own
 * transaction.
 */

/** The revocation reason the replaced credential keeps (internal, never published). */
export const ADDRESS_CORRECTED = 'address corrected: replaced by a new badge';

export interface CorrectionTarget {
  workshopId: string;
  credentialId: string;
  email: string;
  name: string;
  /** The person's badges of this session that are still in force, all of which go to the corrected address. */
  badges: { credentialId: string; achievementId: string; name: { fr: string; en: string } }[];
  /** A likely correction of the current address, if it looks mistyped. */
  suggestion?: string;
}

/** The person a credential of the session was issued to, and their badges there that a correction replaces. */
export async function correctionTarget(
  app: AppContext,
  actor: Actor,
  workshopId: string,
  credentialId: string,
): Promise<CorrectionTarget> {
  authorize(actor, 'credential.award');
  authorize(actor, 'credential.revoke');
  const workshop = await getWorkshop(app, actor, workshopId);
  const row = await loadCredential(app, actor, credentialId);
  if (row.workshop_id !== workshop.id) throw notFound('Credential');
  if (row.erased_at || !row.recipient_key)
    throw conflict("This person's data was erased: there is no address to correct.");
  if (row.revoked_at) throw conflict('This badge is revoked: there is nothing to send again.');
  const badges = await app.db
    .selectFrom('credentials')
    .innerJoin('achievements', 'achievements.id', 'credentials.achievement_id')
    .select(['credentials.id', 'credentials.achievement_id', 'achievements.name_fr', 'achievements.name_en'])
    .where('credentials.workshop_id', '=', workshop.id)
    .where('credentials.organisation_id', '=', row.organisation_id)
    .where('credentials.recipient_key', '=', row.recipient_key)
    .where('credentials.revoked_at', 'is', null)
    .where('credentials.erased_at', 'is', null)
    .orderBy('achievements.name_fr')
    .execute();
  const recipient = await app.db
    .selectFrom('recipients')
    .select(['email', 'name'])
    .where('credential_id', '=', row.id)
    .executeTakeFirst();
  const email = recipient?.email ?? '';
  const suggestion = suggestEmail(email);
  return {
    workshopId: workshop.id,
    credentialId: row.id,
    email,
    name: recipient?.name ?? '',
    badges: badges.map((b) => ({
      credentialId: b.id,
      achievementId: b.achievement_id,
      name: { fr: b.name_fr, en: b.name_en },
    })),
    ...(suggestion ? { suggestion } : {}),
  };
}

export interface ReissueResult {
  email: string;
  reissued: number;
  emailsQueued: number;
  /** The new credentials, in the order of the badges. */
  credentialIds: string[];
}

/** The evidence of the credential replaced, so that the new one says the same. */
function evidenceOf(credentialJson: string): EvidenceInput[] {
  try {
    const evidence = (JSON.parse(credentialJson) as { evidence?: unknown }).evidence;
    if (!Array.isArray(evidence)) return [];
    return evidence.flatMap((e: Record<string, unknown>) => {
      const pick = (key: string) => (typeof e[key] === 'string' ? { [key]: e[key] as string } : {});
      const item = { ...pick('id'), ...pick('name'), ...pick('narrative'), ...pick('description') };
      return Object.keys(item).length > 0 ? [item] : [];
    });
  } catch {
    return [];
  }
}

/**
 * Revokes the person's badges of the session and issues them again to the corrected address (and name), each
 * replacement in one transaction: the new credential, the revocation of the old one (published in the status
 * list), the record of the replacement and the audit entries commit together or not at all; then the new e-mail
 * is queued.
 */
export async function correctAddressAndReissue(
  app: AppContext,
  actor: Actor,
  workshopId: string,
  credentialId: string,
  input: { email: string; name?: string },
): Promise<ReissueResult> {
  const target = await correctionTarget(app, actor, workshopId, credentialId);
  const checked = checkRow({ line: 1, email: input.email, name: input.name ?? target.name });
  if (checked.problems.length > 0)
    throw new ValidationError(
      'Give a valid email address (and a name of 200 characters at most).',
      checked.problems.map((p) => ({ field: p.code === 'nameTooLong' ? 'name' : 'email', message: p.code })),
    );
  const email = checked.email;
  if (normalizeEmail(email) === normalizeEmail(target.email))
    throw new ValidationError('This is the address the badge was already sent to: type the corrected one.', [
      { field: 'email', message: 'unchanged' },
    ]);
  // Checked before anything changes, so that a refusal leaves every badge as it was.
  for (const badge of target.badges) {
    const held = await holdersOf(app.db, badge.achievementId, [recipientKey(app, email)]);
    if (held.size > 0)
      throw conflict(`${email} already holds the badge "${badge.name.en}": nothing was changed.`, {
        credentialId: [...held.values()][0],
      });
  }
  const result: ReissueResult = { email, reissued: 0, emailsQueued: 0, credentialIds: [] };
  for (const badge of target.badges) {
    const old = await loadCredential(app, actor, badge.credentialId);
    const org = (await findOrganisation(app.db, old.organisation_id))!;
    const awarded = await awardWithin(
      app,
      actor,
      {
        achievementId: badge.achievementId,
        recipient: { email, ...(checked.name ? { name: checked.name } : {}), showName: old.show_name === 1 },
        evidence: evidenceOf(old.credential_json),
        language: old.language,
        workshopId: target.workshopId,
      },
      async (trx, issuedId) => {
        const at = app.clock.now().toISOString();
        // Revoked by someone else meanwhile: a conflict, and the new credential is not committed either.
        await revokeWithin(app, trx, actor, [old], ADDRESS_CORRECTED);
        await trx
          .insertInto('credential_replacements')
          .values({ credential_id: old.id, replaced_by: issuedId, replaced_at: at })
          .execute();
        await recordAudit(trx, {
          at,
          actorId: actor.userId,
          organisationId: old.organisation_id,
          targetType: 'credential',
          action: 'credential.reissued',
          targetId: issuedId,
          details: { replaces: old.id, achievementId: badge.achievementId },
        });
      },
    );
    // Queued right after the commit: the award e-mail writes its own transaction (message and notice together).
    result.emailsQueued += await enqueueAwardEmails(app, [
      {
        credentialId: awarded.id,
        url: awarded.url,
        holderUrl: awarded.holderUrl,
        email,
        ...(checked.name ? { name: checked.name } : {}),
        badgeName: badge.name[old.language],
        issuerName: org.name,
        language: old.language,
        organisationId: org.id,
      },
    ]);
    result.reissued++;
    result.credentialIds.push(awarded.id);
  }
  return result;
}
