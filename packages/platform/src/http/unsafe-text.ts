// A lone surrogate is half of a UTF-16 pair: it has no UTF-8 encoding, so storing it either fails or
// silently becomes U+FFFD. Matched per code unit (no `u` flag), which is what makes a lone half visible.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** PostgreSQL refuses NUL in text columns, and nothing a person types contains one. */
export const isUnsafeText = (text: string): boolean => text.includes('\u0000') || LONE_SURROGATE.test(text);

// Parsed JSON, params and the querystring (whose parser gives objects a prototype-less prototype) are
// plain; a Buffer or a stream has a class of its own.
const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) return false;
  const proto: object | null = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
};

interface Frame {
  value: unknown;
  key: string;
  parent: Frame | undefined;
}

const pathOf = (frame: Frame): string => {
  const keys: string[] = [];
  for (let f: Frame | undefined = frame; f; f = f.parent) keys.push(f.key);
  return keys.reverse().join('.');
};

/**
 * Where the first unsafe string of a parsed request part is (its dotted path, `root` first), or undefined.
 * Keys count as text too. Walks with its own stack: a 1 MB body can nest far deeper than the call stack.
 * Buffers and streams (raw uploads) are not text and are skipped.
 */
export function findUnsafeText(value: unknown, root: string): string | undefined {
  const stack: Frame[] = [{ value, key: root, parent: undefined }];
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const current = frame.value;
    if (typeof current === 'string') {
      if (isUnsafeText(current)) return pathOf(frame);
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--)
        stack.push({ value: current[i], key: String(i), parent: frame });
    } else if (isPlainObject(current)) {
      for (const [key, child] of Object.entries(current)) {
        const childFrame = { value: child, key, parent: frame };
        if (isUnsafeText(key)) return pathOf(childFrame);
        stack.push(childFrame);
      }
    }
  }
  return undefined;
}
