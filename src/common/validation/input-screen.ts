import { FieldError } from '../errors/domain.error';

/** Deeper than any request the API defines; class-transformer recurses and overflows the stack on ~3000 levels. */
export const MAX_INPUT_DEPTH = 32;

/**
 * Finds what no field of any request may hold, before a DTO is built from it: nesting deeper than
 * MAX_INPUT_DEPTH, a NUL character (PostgreSQL text cannot store it), and a lone UTF-16 surrogate
 * (not Unicode: it cannot be stored, compared or sent on as UTF-8). Iterative, so depth costs no stack.
 */
export function screenInput(value: unknown, root = ''): FieldError[] {
  const problems: FieldError[] = [];
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  while (pending.length > 0) {
    const { value: current, path, depth } = pending.pop()!;
    if (typeof current === 'string') {
      const problem = stringProblem(current);
      if (problem) problems.push({ field: path || '(value)', message: problem });
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) {
      problems.push({ field: path || '(value)', message: `is nested more than ${MAX_INPUT_DEPTH} levels deep` });
      continue;
    }
    for (const [key, child] of Object.entries(current)) {
      const childPath = Array.isArray(current) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      const keyProblem = stringProblem(key);
      if (keyProblem) problems.push({ field: childPath, message: `has a name that ${keyProblem}` });
      pending.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return problems;
}

// With the u flag a surrogate pair is one code point, so only a lone surrogate is in category Cs.
const LONE_SURROGATE = /\p{Cs}/u;

function stringProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(text)) return 'must be well-formed Unicode (no lone surrogates)';
  return undefined;
}
