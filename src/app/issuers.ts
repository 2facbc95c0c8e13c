import { randomBytes } from 'node:crypto';
import type { Profile } from '../engine/model/types.js';
import { recordAudit } from './audit-actions.js';
import { insertImage } from '../store/repositories/images.js';
import {
  findOrganisation,
  findOrganisationBySlug,
  insertOrganisation,
  listOrganisations,
  updateOrganisation,
} from '../store/repositories/organisations.js';
import { insertStatusList } from '../store/repositories/status-lists.js';
import { findUserByEmail, insertToken, insertUser, listUsers } from '../store/repositories/users.js';
import type { Transaction } from 'kysely';
import type { Executor } from '../store/database.js';
import type { Database, KeyPurpose, KeyStatus, OrganisationKind, OrganisationRow, UserRow } from '../store/schema.js';
import { MIN_STATUS_LIST_LENGTH } from '../engine/status/bitstring.js';
import type { AppContext } from './context.js';
import { newId } from '../shared/clock.js';
import { conflict, notFound, ValidationError } from './errors.js';
import { checkInput } from './input-schemas.js';
import { assertInScope, authorize, scopeOf, type Actor, type Role } from './policies.js';
import { sha256Hex } from '../engine/util.js';
import { isUuid } from '../shared/uuid.js';
import type { IssuerCreateInput, IssuerUpdateInput } from './input-types.js';

/** What creating an organisation accepts: the type of schemas/api/issuer-create.json. */
export type IssuerInput = IssuerCreateInput;

/** What the API shows of an issuer. */
export interface IssuerView {
  id: string;
  slug: string;
  did: string;
  /** 'issuer' awards badges; 'partner' only endorses them. */
  kind: OrganisationKind;
  name: string;
  url: string | null;
  email: string | null;
  description: string | null;
  image: string | null;
  linkedinOrganizationId: string | null;
  /** Whether it appears in the public directory (/annuaire), and the territory it serves. */
  inDirectory: boolean;
  territory: string | null;
  profileUrl: string;
  didDocumentUrl: string;
  keys: {
    id: string;
    purpose: KeyPurpose;
    algorithm: string;
    status: KeyStatus;
    createdAt: string;
    retiredAt: string | null;
  }[];
  createdAt: string;
  updatedAt: string;
}

/** "BGE Hauts-de-France" → "bge-hauts-de-france". */
export function slugify(name: string): string {
  return (
    name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64) || 'issuer'
  );
}

export function issuerDid(app: AppContext, org: OrganisationRow): string {
  return app.ids.issuerDid(org.slug);
}

/** The OB 3.0 Profile of an issuer, as embedded in every credential it signs. */
export function issuerProfile(app: AppContext, org: OrganisationRow): Profile {
  return {
    id: issuerDid(app, org),
    type: ['Profile'],
    name: org.name,
    url: org.url ?? app.ids.issuerPage(org.slug),
    ...(org.email ? { email: org.email } : {}),
    ...(org.description ? { description: org.description } : {}),
    ...(org.logo_image_id
      ? { image: { id: app.ids.image(org.logo_image_id), type: 'Image' as const, caption: org.name } }
      : {}),
    // The same issuer as an Open Badges 2.0 Issuer document.
    otherIdentifier: [
      {
        type: 'IdentifierEntry',
        identifier: `${app.ids.origin}/ob2/issuers/${org.slug}`,
        identifierType: 'identifier',
      },
    ],
  };
}

async function view(app: AppContext, org: OrganisationRow): Promise<IssuerView> {
  const keys = await app.db
    .selectFrom('issuer_keys')
    .selectAll()
    .where('organisation_id', '=', org.id)
    .orderBy('created_at')
    .execute();
  return {
    id: org.id,
    slug: org.slug,
    did: issuerDid(app, org),
    kind: org.kind,
    name: org.name,
    url: org.url,
    email: org.email,
    description: org.description,
    image: org.logo_image_id ? app.ids.image(org.logo_image_id) : null,
    linkedinOrganizationId: org.linkedin_org_id,
    inDirectory: org.in_directory === 1,
    territory: org.territory,
    profileUrl: app.ids.issuerPage(org.slug),
    didDocumentUrl: app.ids.didDocumentUrl(org.slug),
    keys: keys.map((k) => ({
      id: `${issuerDid(app, org)}#${k.key_id}`,
      purpose: k.purpose,
      algorithm: k.algorithm,
      status: k.status,
      createdAt: k.created_at,
      retiredAt: k.retired_at,
    })),
    createdAt: org.created_at,
    updatedAt: org.updated_at,
  };
}

/** Loads an issuer the actor may see, or 404. */
export async function loadIssuer(app: AppContext, actor: Actor, id: string): Promise<OrganisationRow> {
  const org = isUuid(id) ? await findOrganisation(app.db, id) : undefined;
  if (!org) throw notFound('Issuer');
  assertInScope(actor, org.id, 'Issuer');
  return org;
}

/** Creates the status lists an issuer publishes: one revocation list and its suspension twin, 131,072 entries. */
export async function createStatusLists(
  app: AppContext,
  organisationId: string,
  db: Executor = app.db,
): Promise<string> {
  const revocationId = newId();
  const at = app.clock.now().toISOString();
  await insertStatusList(db, {
    id: revocationId,
    organisation_id: organisationId,
    purpose: 'revocation',
    twin_id: null,
    size: MIN_STATUS_LIST_LENGTH,
    created_at: at,
  });
  await insertStatusList(db, {
    id: newId(),
    organisation_id: organisationId,
    purpose: 'suspension',
    twin_id: revocationId,
    size: MIN_STATUS_LIST_LENGTH,
    created_at: at,
  });
  return revocationId;
}

/** The profile is checked here, whichever door it came through: it is shown on public pages and signed into badges. */
export async function createIssuer(app: AppContext, actor: Actor, input: IssuerInput): Promise<IssuerView> {
  authorize(actor, 'issuer.create');
  checkInput('issuer-create.json', input);
  const slug = input.slug ?? slugify(input.name);
  if (await findOrganisationBySlug(app.db, slug)) {
    throw conflict(`An issuer with the identifier "${slug}" already exists; choose another slug.`, { slug });
  }
  const at = app.clock.now().toISOString();
  const org: OrganisationRow = {
    id: newId(),
    slug,
    name: input.name,
    url: input.url ?? null,
    email: input.email ?? null,
    description: input.description ?? null,
    logo_image_id: null,
    linkedin_org_id: input.linkedinOrganizationId ?? null,
    kind: input.kind ?? 'issuer',
    in_directory: input.inDirectory === false ? 0 : 1,
    territory: input.territory ?? null,
    created_at: at,
    updated_at: at,
  };
  await app.db.transaction().execute(async (trx) => {
    await insertOrganisation(trx, org);
    await createStatusLists(app, org.id, trx);
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: org.id,
      action: 'issuer.created',
      targetType: 'issuer',
      targetId: org.id,
      details: { slug, kind: org.kind },
    });
  });
  // Keys live partly on disk, outside the transaction; signing would create them anyway if this failed.
  await app.keys.ensure(org.id);
  return view(app, org);
}

export async function getIssuer(app: AppContext, actor: Actor, id: string): Promise<IssuerView> {
  authorize(actor, 'issuer.read');
  return view(app, await loadIssuer(app, actor, id));
}

export async function listIssuers(app: AppContext, actor: Actor): Promise<IssuerView[]> {
  authorize(actor, 'issuer.read');
  const orgs = await listOrganisations(app.db, scopeOf(actor));
  return Promise.all(orgs.map((org) => view(app, org)));
}

export async function updateIssuer(
  app: AppContext,
  actor: Actor,
  id: string,
  patch: IssuerUpdateInput,
): Promise<IssuerView> {
  authorize(actor, 'issuer.update');
  const org = await loadIssuer(app, actor, id);
  if ('slug' in patch)
    throw new ValidationError("An issuer's slug cannot change: its DID and every badge it signed depend on it.", [
      { field: 'slug', message: 'read-only' },
    ]);
  checkInput('issuer-update.json', patch);
  const at = app.clock.now().toISOString();
  const changes = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.url !== undefined ? { url: patch.url } : {}),
    ...(patch.email !== undefined ? { email: patch.email } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.linkedinOrganizationId !== undefined ? { linkedin_org_id: patch.linkedinOrganizationId } : {}),
    ...(patch.inDirectory !== undefined ? { in_directory: patch.inDirectory ? 1 : 0 } : {}),
    ...(patch.territory !== undefined ? { territory: patch.territory } : {}),
    updated_at: at,
  };
  await app.db.transaction().execute(async (trx) => {
    await updateOrganisation(trx, org.id, changes);
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: org.id,
      action: 'issuer.updated',
      targetType: 'issuer',
      targetId: org.id,
      details: { fields: Object.keys(patch) },
    });
  });
  return view(app, (await findOrganisation(app.db, org.id))!);
}

export async function rotateIssuerKeys(
  app: AppContext,
  actor: Actor,
  id: string,
  reason?: string,
): Promise<IssuerView> {
  authorize(actor, 'keys.rotate');
  const org = await loadIssuer(app, actor, id);
  // The audit entry is written in the transaction that retires the old keys: no rotation goes unrecorded.
  await app.keys.rotate(org.id, (trx, retired) =>
    recordAudit(trx, {
      at: app.clock.now().toISOString(),
      actorId: actor.userId,
      organisationId: org.id,
      action: 'keys.rotated',
      targetType: 'issuer',
      targetId: org.id,
      reason: reason ?? null,
      details: { retired },
    }),
  );
  return view(app, org);
}

// ---------------------------------------------------------------------------------------------------------
// Users and API tokens

export const TOKEN_PREFIX = 'blsn_';

export function hashToken(token: string): string {
  return sha256Hex(token);
}

export function newToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export interface UserView {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  organisationId: string | null;
}


export type NewUserInput = { email: string; name?: string; role: Exclude<Role, 'platform_admin'> };

/**
 * The one way an account joins an organisation, whichever door (an API token or a console invitation): the same
 * checks, and the row, its first credential (given by `credential`) and the audit entry in one transaction.
 */
export async function addUser<T>(
  app: AppContext,
  actor: Actor,
  issuerId: string,
  input: NewUserInput,
  action: 'user.created' | 'user.invited',
  credential: (trx: Transaction<Database>, userId: string) => Promise<T>,
): Promise<{ user: UserRow; organisation: OrganisationRow; credential: T }> {
  authorize(actor, 'users.manage');
  const org = await loadIssuer(app, actor, issuerId);
  const email = input.email.trim().toLowerCase();
  if (await findUserByEmail(app.db, email)) throw conflict('A user with this email already exists.');
  const at = app.clock.now().toISOString();
  const user: UserRow = {
    id: newId(),
    organisation_id: org.id,
    email,
    name: input.name ?? null,
    role: input.role,
    password_hash: null,
    failed_logins: 0,
    locked_until: null,
    created_at: at,
    disabled_at: null,
  };
  const made = await app.db.transaction().execute(async (trx) => {
    await insertUser(trx, user);
    const result = await credential(trx, user.id);
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId: org.id,
      action,
      targetType: 'user',
      targetId: user.id,
      details: { role: input.role },
    });
    return result;
  });
  return { user, organisation: org, credential: made };
}

/** Adds a user to an issuer and returns an API token, shown this once and stored only as a hash. */
export async function createUser(
  app: AppContext,
  actor: Actor,
  issuerId: string,
  input: NewUserInput,
): Promise<{ user: UserView; token: string }> {
  const { user, credential: token } = await addUser(app, actor, issuerId, input, 'user.created', (trx, userId) =>
    issueToken(app, userId, 'API', newToken(), trx),
  );
  return {
    user: { id: user.id, email: user.email, name: user.name, role: input.role, organisationId: user.organisation_id },
    token,
  };
}

export async function issueToken(
  app: AppContext,
  userId: string,
  label: string,
  token: string = newToken(),
  db: Executor = app.db,
): Promise<string> {
  await insertToken(db, {
    id: newId(),
    user_id: userId,
    token_hash: hashToken(token),
    label,
    created_at: app.clock.now().toISOString(),
    last_used_at: null,
    revoked_at: null,
  });
  return token;
}

export async function listIssuerUsers(app: AppContext, actor: Actor, issuerId: string): Promise<UserView[]> {
  authorize(actor, 'users.manage');
  const org = await loadIssuer(app, actor, issuerId);
  return (await listUsers(app.db, org.id)).map((u) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    organisationId: u.organisation_id,
  }));
}

/** An organisation by its id, whoever asks (the console checks the actor before and after). */
export async function findOrganisationRow(app: AppContext, id: string): Promise<OrganisationRow | undefined> {
  return isUuid(id) ? findOrganisation(app.db, id) : undefined;
}

/** Every organisation, for the platform administrator's picker and list (the console checks the role). */
export function allOrganisations(app: AppContext): Promise<OrganisationRow[]> {
  return listOrganisations(app.db);
}

/**
 * The organisation the platform administrator's console works on: the one chosen (an id from a cookie) if it
 * exists, else the platform's own issuer, else the first; '' when there is none.
 */
export async function chosenOrganisationId(
  app: AppContext,
  chosen: string | undefined,
  defaultSlug: string,
): Promise<string> {
  if (chosen && (await findOrganisationRow(app, chosen))) return chosen;
  const fallback = (await findOrganisationBySlug(app.db, defaultSlug)) ?? (await listOrganisations(app.db))[0];
  return fallback?.id ?? '';
}

/** Stores a new logo (PNG or JPEG bytes, already checked) for an organisation, and says so in the audit log. */
export async function setIssuerLogo(
  app: AppContext,
  actor: Actor,
  organisationId: string,
  image: { bytes: Buffer; contentType: string },
): Promise<void> {
  authorize(actor, 'issuer.update');
  await loadIssuer(app, actor, organisationId);
  const id = newId();
  const at = app.clock.now().toISOString();
  await app.db.transaction().execute(async (trx) => {
    await insertImage(trx, {
      id,
      organisation_id: organisationId,
      content_type: image.contentType,
      bytes: image.bytes,
      created_at: at,
    });
    await updateOrganisation(trx, organisationId, { logo_image_id: id, updated_at: at });
    await recordAudit(trx, {
      at,
      actorId: actor.userId,
      organisationId,
      action: 'issuer.logo.updated',
      targetType: 'issuer',
      targetId: organisationId,
    });
  });
}
