import { InputError } from './errors.js';

export interface JsonLimits {
  maxBytes: number;
  maxDepth: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = { maxBytes: 1_000_000, maxDepth: 48 };

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * JSON.parse with the checks it lacks, run before anything else looks at the data:
 * a size cap, a nesting cap (later JSON-LD processing recurses), no duplicate keys (two parsers could read
 * `{"name":"A","name":"B"}` differently) and no lone surrogates (they cannot be encoded as UTF-8).
 */
export function parseStrictJson(text: string, limits: JsonLimits = DEFAULT_JSON_LIMITS): unknown {
  if (Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    throw new InputError('input.tooLarge', `The JSON is larger than ${limits.maxBytes} bytes.`, { limit: limits.maxBytes });
  }
  scanStructure(text, limits.maxDepth);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError('input.badJson', `This is not valid JSON: ${(error as Error).message}`);
  }
  assertWellFormedStrings(value);
  return value;
}

function scanStructure(text: string, maxDepth: number): void {
  // One frame per open object ({} → the keys seen so far) or array (null).
  const stack: (Set<string> | null)[] = [];
  let expectingKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (j < text.length) {
        const d = text.charCodeAt(j);
        if (d === 0x5c /* \ */) j += 2;
        else if (d === 0x22) break;
        else j++;
      }
      const top = stack[stack.length - 1];
      if (expectingKey && top) {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          throw new InputError('input.badJson', 'This is not valid JSON: a property name is malformed.');
        }
        if (top.has(key)) throw new InputError('input.duplicateKey', `The JSON repeats the property "${key}" in one object.`, { key });
        top.add(key);
        expectingKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      stack.push(c === 0x7b ? new Set() : null);
      expectingKey = c === 0x7b;
      if (stack.length > maxDepth) {
        throw new InputError('input.tooDeep', `The JSON is nested more than ${maxDepth} levels deep.`, { limit: maxDepth });
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectingKey = false;
    } else if (c === 0x2c /* , */) {
      expectingKey = stack[stack.length - 1] instanceof Set;
    }
  }
}

function assertWellFormedStrings(root: unknown): void {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) throw new InputError('input.badText', 'The JSON contains text that is not valid Unicode (a lone surrogate).');
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (LONE_SURROGATE.test(key)) throw new InputError('input.badText', 'The JSON contains a property name that is not valid Unicode.');
        pending.push(child);
      }
    }
  }
}
