/**
 * Judges whether a configured secret looks random enough for production. It cannot prove randomness;
 * it refuses what people type instead of generating: placeholders, repeated pieces, and strings
 * whose estimated entropy is too low (random 32-byte secrets: 175 bits at the lowest of 100,000).
 */

/** What the operator should run instead; every refusal of a production secret ends with it. */
export const GENERATE_SECRET_HINT =
  "generate one with: openssl rand -base64 48 (or node -e \"console.log(require('node:crypto').randomBytes(48).toString('base64'))\")";

/** NIST SP 800-57's security strength for new keys; well under what 32 random bytes estimate at. */
export const MIN_SECRET_ENTROPY_BITS = 128;

// Found in the values that tutorials, templates and .env examples put where a secret belongs.
// All at least five characters, so a random secret contains one by chance about never.
const PLACEHOLDER_WORDS = [
  'changeme',
  'changeit',
  'secret',
  'password',
  'passwd',
  'example',
  'placeholder',
  'default',
  'sample',
  'dummy',
  'replaceme',
  'yourkey',
  'insecure',
  'qwerty',
  'letmein',
  '123456',
];

/** Why this value must not be a production secret (read after the variable's name), or undefined. */
export function weaknessOfSecret(secret: string): string | undefined {
  return weaknessOfTypedValue(secret) ?? weaknessOfEntropy(secret);
}

/**
 * The checks that also hold for a human-chosen passphrase (ADMIN_PASSWORD): a placeholder or one short
 * piece repeated is refused, a low entropy estimate is not (the password policy judges that).
 */
export function weaknessOfTypedValue(value: string): string | undefined {
  const letters = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (PLACEHOLDER_WORDS.some((word) => letters.includes(word))) {
    return 'looks like a placeholder (it contains a word such as changeme, secret, password, example or placeholder)';
  }
  if (hasRepeatingUnit(value)) return 'is one short piece repeated';
  return undefined;
}

function weaknessOfEntropy(secret: string): string | undefined {
  const bits = estimatedEntropyBits(secret);
  if (bits >= MIN_SECRET_ENTROPY_BITS) return undefined;
  return `is too predictable to be a random secret (about ${Math.floor(bits)} bits of entropy estimated, at least ${MIN_SECRET_ENTROPY_BITS} needed)`;
}

/** True when the value is a shorter unit written again and again (`abab…`, `changeme-changeme-…`). */
function hasRepeatingUnit(value: string): boolean {
  const chars = [...value];
  for (let period = 1; period <= chars.length / 2; period += 1) {
    if (chars.every((char, i) => i < period || char === chars[i - period])) return true;
  }
  return false;
}

/**
 * Shannon entropy of the value's symbols times their number, where a run of three or more characters
 * that step by -1, 0 or +1 (`aaaa`, `abcd`, `4321`) counts as one symbol: what a person types has few
 * distinct symbols or long runs, and scores low.
 */
export function estimatedEntropyBits(value: string): number {
  const symbols = symbolsOf(value);
  const counts = new Map<string, number>();
  for (const symbol of symbols) counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
  let bitsPerSymbol = 0;
  for (const count of counts.values()) {
    const p = count / symbols.length;
    bitsPerSymbol -= p * Math.log2(p);
  }
  return bitsPerSymbol * symbols.length;
}

function symbolsOf(value: string): string[] {
  const codes = [...value].map((char) => char.codePointAt(0) ?? 0);
  const symbols: string[] = [];
  let start = 0;
  while (start < codes.length) {
    const step = codes[start + 1] - codes[start];
    let end = start + 1;
    if (Math.abs(step) <= 1) {
      while (end < codes.length && codes[end] - codes[end - 1] === step) end += 1;
    }
    // A run is [start, end); shorter than three it is just characters.
    const length = end - start >= 3 ? end - start : 1;
    symbols.push(String.fromCodePoint(...codes.slice(start, start + length)));
    start += length;
  }
  return symbols;
}
