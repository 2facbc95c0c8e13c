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
    throw new InputError('input.tooLarge', `The JSON is larger than ${limits.maxBytes} bytes.`, {
      limit: limits.maxBytes,
    });
  }
  scanStructure(text, limits.maxDepth);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError('input.badJson', `This is not valid JSON: ${(error as Error).message}`);
  }
  // Only an escape (\udXXX) or a raw surrogate in the text can produce a lone surrogate: skip the walk otherwise.
  if (/\\u[dD][89a-fA-F]/.test(text) || !isWellFormed(text)) assertWellFormedStrings(value);
  return value;
}

/** String.prototype.isWellFormed (ES2024, native in Node 20): far cheaper than a regular expression over the text. */
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

function scanStructure(text: string, maxDepth: number): void {
  // One frame per open object ({} → the keys seen so far) or array (null).
  const stack: (Set<string> | null)[] = [];
  let expectingKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Jump to the closing quote: the next quote not preceded by an odd number of backslashes.
      let j = text.indexOf('"', i + 1);
      while (j > 0) {
        let backslashes = 0;
        while (text.charCodeAt(j - 1 - backslashes) === 0x5c /* \ */) backslashes++;
        if (backslashes % 2 === 0) break;
        j = text.indexOf('"', j + 1);
      }
      if (j < 0) j = text.length;
      const top = stack[stack.length - 1];
      if (expectingKey && top) {
        let key = text.slice(i + 1, j);
        if (key.includes('\\')) {
          // Escaped names are compared decoded: "\u006eame" and "name" are the same property.
          try {
            key = JSON.parse(text.slice(i, j + 1)) as string;
          } catch {
            throw new InputError('input.badJson', 'This is not valid JSON: a property name is malformed.');
          }
        }
        if (top.has(key))
          throw new InputError('input.duplicateKey', `The JSON repeats the property "${key}" in one object.`, { key });
        top.add(key);
        expectingKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      stack.push(c === 0x7b ? new Set() : null);
      expectingKey = c === 0x7b;
      if (stack.length > maxDepth) {
        throw new InputError('input.tooDeep', `The JSON is nested more than ${maxDepth} levels deep.`, {
          limit: maxDepth,
        });
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
      if (LONE_SURROGATE.test(value))
        throw new InputError('input.badText', 'The JSON contains text that is not valid Unicode (a lone surrogate).');
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (LONE_SURROGATE.test(key))
          throw new InputError('input.badText', 'The JSON contains a property name that is not valid Unicode.');
        pending.push(child);
      }
    }
  }
}
