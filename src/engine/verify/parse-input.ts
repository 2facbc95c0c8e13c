import { isPng, unbakePng } from '../bake/png.js';
import { looksLikeSvg, unbakeSvg } from '../bake/svg.js';
import { assertComplexity, DEFAULT_COMPLEXITY_LIMITS, jwtPayloadOf, type ComplexityLimits } from './complexity.js';
import { InputError } from './errors.js';
import { badgeGeneration, OB1_TOO_OLD_MESSAGE, type Ob2Input } from './ob2/detect.js';
import type { InputFormat } from './report.js';
import { parseStrictJson, type JsonLimits, DEFAULT_JSON_LIMITS } from './strict-json.js';

/** What someone hands us: raw bytes (an upload), text (a paste) or an already-parsed object. */
export type VerifiableInput = { bytes: Uint8Array } | { text: string } | { credential: object };

export const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;

export type ParsedInput =
  | { format: InputFormat; payload: 'jwt'; jwt: string }
  | { format: InputFormat; payload: 'json'; credential: Record<string, unknown> }
  /** An Open Badges 2.0 badge, verified by src/engine/verify/ob2. */
  | { format: InputFormat; payload: 'ob2'; ob2: Ob2Input };

export interface InputLimits extends JsonLimits, Partial<ComplexityLimits> {
  maxImageBytes: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = {
  ...DEFAULT_JSON_LIMITS,
  ...DEFAULT_COMPLEXITY_LIMITS,
  maxImageBytes: 5_000_000,
};

function fromText(text: string, format: InputFormat, limits: InputLimits): ParsedInput {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (COMPACT_JWS.test(trimmed)) return { format: format === 'json' ? 'jwt' : format, payload: 'jwt', jwt: trimmed };
  if (trimmed.split('.').length === 5 && /^[A-Za-z0-9_.-]+$/.test(trimmed)) {
    throw new InputError(
      'jwt.encrypted',
      'This is an encrypted JWT (JWE). Open Badges credentials are signed, not encrypted; Blason does not accept JWE.',
    );
  }
  if (trimmed.startsWith('{')) {
    const value = parseStrictJson(trimmed, limits);
    if (!value || typeof value !== 'object' || Array.isArray(value))
      throw new InputError('input.notObject', 'The JSON is not a credential object.');
    return { format, payload: 'json', credential: value as Record<string, unknown> };
  }
  // A bare link is an OB 2.0 hosted assertion's id (what a legacy baked PNG holds): the verifier fetches it.
  if (/^https?:\/\/\S+$/.test(trimmed) && URL.canParse(trimmed)) {
    return { format, payload: 'ob2', ob2: { source: 'url', url: trimmed } };
  }
  throw new InputError(
    'input.unknownFormat',
    'This is neither a credential in JSON, a JWT, nor a baked PNG or SVG badge.',
  );
}

function fromBaked(
  content: { version: 'ob3' | 'ob2'; text: string } | undefined,
  format: 'png' | 'svg',
  limits: InputLimits,
): ParsedInput {
  if (!content)
    throw new InputError(`${format}.notBaked`, `This ${format.toUpperCase()} image carries no Open Badges credential.`);
  const parsed = fromText(content.text, format, limits);
  // A JWS baked the OB 2.0 way is an OB 2.0 signed badge, whatever its payload turns out to be.
  if (content.version === 'ob2' && parsed.payload === 'jwt') {
    return { format, payload: 'ob2', ob2: { source: 'jws', jws: parsed.jwt } };
  }
  return parsed;
}

/** Recognises the input (JSON, compact JWT, baked PNG or SVG) and extracts the credential or JWT from it. */
export function parseInput(input: VerifiableInput, limits: InputLimits = DEFAULT_INPUT_LIMITS): ParsedInput {
  let parsed: ParsedInput;
  if ('credential' in input) {
    // Measure depth before serializing: JSON.stringify itself overflows the stack on very deep objects.
    assertDepth(input.credential, limits.maxDepth);
    const value = parseStrictJson(JSON.stringify(input.credential) ?? 'null', limits);
    // The object may come from a caller's JSON.parse: {"credential": 1e999} is Infinity (written "null"), and a
    // null credential reached the Open Badges 2.0 routing below and threw, a 500 from the verify endpoint.
    if (!value || typeof value !== 'object' || Array.isArray(value))
      throw new InputError('input.notObject', 'The JSON is not a credential object.');
    parsed = { format: 'json', payload: 'json', credential: value as Record<string, unknown> };
  } else if ('bytes' in input) {
    if (input.bytes.length > limits.maxImageBytes) {
      throw new InputError('input.tooLarge', `The file is larger than ${limits.maxImageBytes} bytes.`, {
        limit: limits.maxImageBytes,
      });
    }
    if (isPng(input.bytes)) {
      parsed = fromBaked(unbakePng(input.bytes), 'png', limits);
    } else {
      const text = Buffer.from(input.bytes).toString('utf8');
      parsed = looksLikeSvg(text) ? fromBaked(unbakeSvg(text), 'svg', limits) : fromText(text, 'json', limits);
    }
  } else {
    parsed = looksLikeSvg(input.text)
      ? fromBaked(unbakeSvg(input.text), 'svg', limits)
      : fromText(input.text, 'json', limits);
  }
  // Before anything expands it: JSON-LD expansion runs without yielding, so no deadline in this thread can stop it.
  assertComplexity(documentOf(parsed), { ...DEFAULT_COMPLEXITY_LIMITS, ...limits });
  return routeOlderOpenBadges(parsed);
}

/** The JSON the input carries, before any check: the credential, or a JWS payload read unverified. */
function documentOf(parsed: ParsedInput): unknown {
  if (parsed.payload === 'json') return parsed.credential;
  if (parsed.payload === 'jwt') return jwtPayloadOf(parsed.jwt);
  const { ob2 } = parsed;
  return ob2.source === 'json' ? ob2.assertion : ob2.source === 'jws' ? jwtPayloadOf(ob2.jws) : undefined;
}

/**
 * OB 2.0 assertions, in JSON or signed (a JWS payload is peeked at before the VC-JWT path reads it: an OB 2.0
 * JWS names no `iss`), go to the OB 2.0 verifier; OB 1.x and 0.5 badges are refused as too old to verify.
 */
function routeOlderOpenBadges(parsed: ParsedInput): ParsedInput {
  if (parsed.payload === 'ob2') return parsed;
  const document = documentOf(parsed);
  if (!document || typeof document !== 'object' || Array.isArray(document)) return parsed;
  const generation = badgeGeneration(document as Record<string, unknown>);
  if (generation === 'ob1') throw new InputError('ob1.tooOld', OB1_TOO_OLD_MESSAGE);
  if (generation !== 'ob2') return parsed;
  const ob2: Ob2Input =
    parsed.payload === 'json' ? { source: 'json', assertion: parsed.credential } : { source: 'jws', jws: parsed.jwt };
  return { format: parsed.format, payload: 'ob2', ob2 };
}

function assertDepth(root: unknown, maxDepth: number): void {
  const pending: [unknown, number][] = [[root, 1]];
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!;
    if (!value || typeof value !== 'object') continue;
    if (depth > maxDepth)
      throw new InputError('input.tooDeep', `The JSON is nested more than ${maxDepth} levels deep.`, {
        limit: maxDepth,
      });
    for (const child of Object.values(value)) pending.push([child, depth + 1]);
  }
}
