import express, { Router, type Request, type Response } from 'express';
import multer from 'multer';
import { inviteUser } from '../../app/accounts.js';
import type { AppContext } from '../../app/context.js';
import { AppError, ValidationError, type FieldError } from '../../app/errors.js';
import {
  allOrganisations,
  createIssuer,
  getIssuer,
  listIssuerUsers,
  rotateIssuerKeys,
  setIssuerLogo,
  updateIssuer,
} from '../../app/issuers.js';
import { enqueueInvitationEmail } from '../../app/notifications.js';
import { authorize, can } from '../../app/policies.js';
import { isPng } from '../../engine/bake/png.js';
import { formatDate, translator, type Lang } from '../../views/i18n.js';
import { languageOf } from '../pages.js';
import { setCookie } from '../cookies.js';
import { currentOrganisationId, field, ORG_COOKIE } from './context.js';
import { consolePage } from './render.js';
import { checkCsrf, sessionOf } from './session.js';

const MAX_LOGO = 1_000_000;

function isJpeg(bytes: Buffer): boolean {
  return bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

type ProfileField = 'name' | 'url' | 'email' | 'description' | 'linkedinOrganizationId' | 'territory';
const PROFILE_LABELS: Record<ProfileField, string> = {
  name: 'issuer.name',
  url: 'issuer.url',
  email: 'issuer.email',
  description: 'issuer.description',
  linkedinOrganizationId: 'issuer.linkedin',
  territory: 'issuer.territory',
};

/** A profile the use case refused, in the operator's language: each field by its label, with what it needs. */
function profileProblem(lang: Lang, error: ValidationError): { problem: string; fieldErrors: FieldError[] } {
  const t = translator(lang);
  const fields = [...new Set(error.errors.map((e) => e.field))].filter((f): f is ProfileField => f in PROFILE_LABELS);
  return {
    problem: fields.length > 0 ? t('issuer.invalid') : error.message,
    fieldErrors: fields.map((f) => ({ field: t(PROFILE_LABELS[f]), message: t(`issuer.invalidField.${f}`) })),
  };
}

/** The organisation's profile, logo and keys; its team; and, for the platform administrator, every organisation. */
export function orgRoutes(app: AppContext): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_LOGO, files: 1, fields: 2 } });

  // The platform administrator's organisation picker: a form post, so that no link from elsewhere can switch it.
  router.post('/organisation', form, checkCsrf, async (req, res) => {
    authorize(sessionOf(res).actor, 'issuer.create');
    const org = field(req.body, 'org');
    const chosen = /^[0-9a-f-]{36}$/.test(org) ? org : '';
    if (chosen) setCookie(res, ORG_COOKIE, chosen, { httpOnly: true, sameSite: 'lax', path: '/console' });
    res.redirect(303, '/console');
  });

  const issuerPage = async (
    req: Request,
    res: Response,
    problem?: string,
    status = 200,
    fieldErrors: FieldError[] = [],
  ) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    const actor = sessionOf(res).actor;
    const issuer = await getIssuer(app, actor, await currentOrganisationId(app, req, res));
    await consolePage(
      app,
      req,
      res,
      'issuer',
      'issuer.title',
      {
        issuer,
        keys: issuer.keys.map((k) => ({
          id: k.id,
          algorithm: k.algorithm,
          status: t(`issuer.keyStatus.${k.status}`),
          created: formatDate(k.createdAt, lang),
        })),
        canRotate: can(actor, 'keys.rotate'),
        ...(problem ? { problem, fieldErrors } : {}),
      },
      { active: 'issuer', organisationId: issuer.id, status },
    );
  };

  router.get('/issuer', async (req, res) => issuerPage(req, res));

  // The same use case as PATCH /api/v1/issuers/{id}, which checks the profile against the API's schema.
  router.post('/issuer', form, checkCsrf, async (req, res) => {
    const orNull = (name: string) => field(req.body, name) || null;
    try {
      await updateIssuer(app, sessionOf(res).actor, await currentOrganisationId(app, req, res), {
        name: field(req.body, 'name'),
        url: orNull('url'),
        email: orNull('email'),
        description: orNull('description'),
        linkedinOrganizationId: orNull('linkedinOrganizationId'),
        territory: orNull('territory'),
        // An unticked box sends nothing: leaving the directory is the absence of the field.
        inDirectory: field(req.body, 'inDirectory') === 'on',
      });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const { problem, fieldErrors } = profileProblem(languageOf(req, res), error);
      return issuerPage(req, res, problem, 422, fieldErrors);
    }
    res.redirect(303, '/console/issuer?done=console.done');
  });

  router.post(
    '/issuer/logo',
    (req, res, next) => {
      upload.single('logo')(req, res, (error: unknown) => {
        if (!error) return next();
        if ((error as { code?: string }).code === 'LIMIT_FILE_SIZE')
          return void issuerPage(req, res, translator(languageOf(req, res))('issuer.logoInvalid'), 413).catch(next);
        next(new AppError(400, 'bad-request', 'The logo upload could not be read.'));
      });
    },
    checkCsrf,
    async (req, res) => {
      const actor = sessionOf(res).actor;
      authorize(actor, 'issuer.update');
      const organisationId = await currentOrganisationId(app, req, res);
      await getIssuer(app, actor, organisationId);
      const bytes = req.file?.buffer;
      // Only raster images: an uploaded SVG could carry script.
      if (!bytes || !(isPng(bytes) || isJpeg(bytes)))
        return issuerPage(req, res, translator(languageOf(req, res))('issuer.logoInvalid'), 422);
      await setIssuerLogo(app, actor, organisationId, {
        bytes,
        contentType: isPng(bytes) ? 'image/png' : 'image/jpeg',
      });
      res.redirect(303, '/console/issuer?done=console.done');
    },
  );

  router.post('/issuer/rotate', form, checkCsrf, async (req, res) => {
    await rotateIssuerKeys(app, sessionOf(res).actor, await currentOrganisationId(app, req, res), 'console');
    res.redirect(303, '/console/issuer?done=console.done');
  });

  const teamPage = async (req: Request, res: Response, problem?: string, status = 200) => {
    const lang = languageOf(req, res);
    const t = translator(lang);
    const organisationId = await currentOrganisationId(app, req, res);
    const users = await listIssuerUsers(app, sessionOf(res).actor, organisationId);
    await consolePage(
      app,
      req,
      res,
      'team',
      'team.title',
      {
        users: users.map((u) => ({ name: u.name ?? '', email: u.email, role: t(`team.role.${u.role}`) })),
        roles: (['issuer', 'viewer', 'operator_admin'] as const).map((value) => ({
          value,
          label: t(`team.role.${value}`),
        })),
        ...(problem ? { problem } : {}),
      },
      { active: 'team', organisationId, status },
    );
  };

  router.get('/team', async (req, res) => teamPage(req, res));

  router.post('/team', form, checkCsrf, async (req, res) => {
    const role = field(req.body, 'role');
    if (role !== 'issuer' && role !== 'viewer' && role !== 'operator_admin')
      throw new ValidationError('Unknown role.', [{ field: 'role', message: 'unknown' }]);
    try {
      const invitation = await inviteUser(app, sessionOf(res).actor, await currentOrganisationId(app, req, res), {
        email: field(req.body, 'email'),
        ...(field(req.body, 'name') ? { name: field(req.body, 'name') } : {}),
        role,
      });
      await enqueueInvitationEmail(app, {
        email: invitation.user.email,
        ...(invitation.user.name ? { name: invitation.user.name } : {}),
        organisationName: invitation.organisationName,
        link: invitation.link,
        language: languageOf(req, res),
        ...(invitation.user.organisation_id ? { organisationId: invitation.user.organisation_id } : {}),
      });
    } catch (error) {
      if (error instanceof AppError && (error.status === 409 || error.status === 422))
        return teamPage(req, res, error.message, error.status);
      throw error;
    }
    res.redirect(303, '/console/team?done=team.invited');
  });

  const adminPage = async (req: Request, res: Response, refused?: ValidationError) => {
    authorize(sessionOf(res).actor, 'issuer.create');
    const organisations = await allOrganisations(app);
    await consolePage(
      app,
      req,
      res,
      'admin',
      'admin.title',
      {
        organisations: organisations.map((o) => ({
          id: o.id,
          name: o.name,
          slug: o.slug,
          kind: translator(languageOf(req, res))(`admin.kind.${o.kind}`),
        })),
        ...(refused ? profileProblem(languageOf(req, res), refused) : {}),
      },
      { active: 'admin', ...(refused ? { status: 422 } : {}) },
    );
  };

  router.get('/admin', async (req, res) => adminPage(req, res));

  // The same use case as POST /api/v1/issuers, which checks the profile against the API's schema.
  router.post('/admin/organisations', form, checkCsrf, async (req, res) => {
    const actor = sessionOf(res).actor;
    let issuer;
    try {
      issuer = await createIssuer(app, actor, {
        name: field(req.body, 'name'),
        kind: field(req.body, 'kind') === 'partner' ? 'partner' : 'issuer',
        ...(field(req.body, 'url') ? { url: field(req.body, 'url') } : {}),
        ...(field(req.body, 'email') ? { email: field(req.body, 'email') } : {}),
      });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return adminPage(req, res, error);
    }
    const invitation = await inviteUser(app, actor, issuer.id, {
      email: field(req.body, 'adminEmail'),
      role: 'operator_admin',
    });
    await enqueueInvitationEmail(app, {
      email: invitation.user.email,
      organisationName: issuer.name,
      link: invitation.link,
      language: languageOf(req, res),
      organisationId: issuer.id,
    });
    setCookie(res, ORG_COOKIE, issuer.id, { httpOnly: true, sameSite: 'lax', path: '/console' });
    res.redirect(303, '/console/admin?done=admin.created');
  });
  return router;
}
