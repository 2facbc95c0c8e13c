import { isPng, unbakePng } from '../bake/png.js';
import { looksLikeSvg, unbakeSvg } from '../bake/svg.js';
import { InputError } from './errors.js';
import type { InputFormat } from './report.js';
import { parseStrictJson, type JsonLimits, DEFAULT_JSON_LIMITS } from './strict-json.js';

/** What someone hands us: raw bytes (an upload), text (a paste) or an already-parsed object. */
export type VerifiableInput = { bytes: Uint8Array } | { text: string } | { credential: object };

export const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;

export type ParsedInput =
  | { format: InputFormat; payload: 'jwt'; jwt: string }
  | { format: InputFormat; payload: 'json'; credential: Record<string, unknown> };

export interface InputLimits extends JsonLimits {
  maxImageBytes: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = { ...DEFAULT_JSON_LIMITS, maxImageBytes: 5_000_000 };

const OB2_MESSAGE = 'This is an Open Badges 2.0 badge. Blason verifies Open Badges 3.0 credentials; ask the issuer for the 3.0 version, or check it with an Open Badges 2.0 validator.';

function fromText(text: string, format: InputFormat, limits: InputLimits): ParsedInput {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (COMPACT_JWS.test(trimmed)) return { format: format === 'json' ? 'jwt' : format, payload: 'jwt', jwt: trimmed };
  if (trimmed.split('.').length === 5 && /^[A-Za-z0-9_.-]+$/.test(trimmed)) {
    throw new InputError('jwt.encrypted', 'This is an encrypted JWT (JWE). Open Badges credentials are signed, not encrypted; Blason does not accept JWE.');
  }
  if (trimmed.startsWith('{')) {
    const value = parseStrictJson(trimmed, limits);
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InputError('input.notObject', 'The JSON is not a credential object.');
    return { format, payload: 'json', credential: value as Record<string, unknown> };
  }
  if (/^https?:\/\//.test(trimmed)) {
    throw new InputError('input.ob2Hosted', `${OB2_MESSAGE} (The image holds only a link to a hosted assertion.)`);
  }
  throw new InputError('input.unknownFormat', 'This is neither a credential in JSON, a JWT, nor a baked PNG or SVG badge.');
}

function fromBaked(content: { version: 'ob3' | 'ob2'; text: string } | undefined, format: 'png' | 'svg', limits: InputLimits): ParsedInput {
  if (!content) throw new InputError(`${format}.notBaked`, `This ${format.toUpperCase()} image carries no Open Badges credential.`);
  if (content.version === 'ob2') throw new InputError('input.ob2', OB2_MESSAGE);
  return fromText(content.text, format, limits);
}

/** Recognises the input (JSON, compact JWT, baked PNG or SVG) and extracts the credential or JWT from it. */
export function parseInput(input: VerifiableInput, limits: InputLimits = DEFAULT_INPUT_LIMITS): ParsedInput {
  let parsed: ParsedInput;
  if ('credential' in input) {
    // Measure depth before serializing: JSON.stringify itself overflows the stack on very deep objects.
    assertDepth(input.credential, limits.maxDepth);
    const value = parseStrictJson(JSON.stringify(input.credential) ?? 'null', limits);
    // The object may come from a caller's JSON.parse: {"credential": 1e999} is Infinity (written "null"), and a
    // null credential reached isOb2 below and threw, a 500 from the verify endpoint.
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InputError('input.notObject', 'The JSON is not a credential object.');
    parsed = { format: 'json', payload: 'json', credential: value as Record<string, unknown> };
  } else if ('bytes' in input) {
    if (input.bytes.length > limits.maxImageBytes) {
      throw new InputError('input.tooLarge', `The file is larger than ${limits.maxImageBytes} bytes.`, { limit: limits.maxImageBytes });
    }
    if (isPng(input.bytes)) {
      parsed = fromBaked(unbakePng(input.bytes), 'png', limits);
    } else {
      const text = Buffer.from(input.bytes).toString('utf8');
      parsed = looksLikeSvg(text) ? fromBaked(unbakeSvg(text), 'svg', limits) : fromText(text, 'json', limits);
    }
  } else {
    parsed = looksLikeSvg(input.text) ? fromBaked(unbakeSvg(input.text), 'svg', limits) : fromText(input.text, 'json', limits);
  }
  if (parsed.payload === 'json' && isOb2(parsed.credential)) throw new InputError('input.ob2', OB2_MESSAGE);
  return parsed;
}

function assertDepth(root: unknown, maxDepth: number): void {
  const pending: [unknown, number][] = [[root, 1]];
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!;
    if (!value || typeof value !== 'object') continue;
    if (depth > maxDepth) throw new InputError('input.tooDeep', `The JSON is nested more than ${maxDepth} levels deep.`, { limit: maxDepth });
    for (const child of Object.values(value)) pending.push([child, depth + 1]);
  }
}

function isOb2(value: Record<string, unknown>): boolean {
  const context = value['@context'];
  const contexts = Array.isArray(context) ? context : [context];
  return contexts.some((c) => typeof c === 'string' && c.startsWith('https://w3id.org/openbadges/v2')) || value.type === 'Assertion';
}
