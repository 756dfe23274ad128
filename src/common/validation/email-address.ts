/**
 * Email addresses as accounts are keyed: one spelling per mailbox, nothing a person cannot see. An
 * address is stored as a mail server would deliver to it, NFC-normalised, trimmed and lower-cased.
 */
import { isEmail } from 'class-validator';

// RFC 5321 caps a forward path at 256 octets including the brackets.
export const MAX_EMAIL_LENGTH = 254;

/** The spelling an address is stored and looked up by. */
export function normalizeEmail(address: string): string {
  return address.normalize('NFC').trim().toLowerCase();
}

// Controls (C0, DEL, C1), format characters (zero-width space and joiners, bidi marks, the BOM, soft
// hyphen) and every kind of space or line break: invisible, or able to split a mail header.
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Z}]/u;

// Scripts told apart for look-alikes (Cyrillic "а" for Latin "a"). Chinese, Japanese and Korean mix
// their own scripts, and Latin with them, as browsers' IDN display policy allows.
const SCRIPTS: ReadonlyArray<[string, RegExp]> = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Georgian', /\p{Script=Georgian}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['Cherokee', /\p{Script=Cherokee}/u],
  ['CJK', /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]/u],
];

function scriptOf(letter: string): string {
  return SCRIPTS.find(([, pattern]) => pattern.test(letter))?.[0] ?? `other:${letter}`;
}

/** True when one label (a dot-separated part) mixes scripts a reader could take for one another. */
function mixesScripts(label: string): boolean {
  const scripts = new Set([...label].filter((char) => /\p{L}/u.test(char)).map(scriptOf));
  if (scripts.size <= 1) return false;
  return !(scripts.size === 2 && scripts.has('Latin') && scripts.has('CJK'));
}

/** Why a normalised address cannot be an account's email, or undefined when it can. */
export function emailAddressProblem(address: string): string | undefined {
  if (address.length > MAX_EMAIL_LENGTH) return `must be at most ${MAX_EMAIL_LENGTH} characters`;
  if (INVISIBLE_OR_CONTROL.test(address)) return 'must not contain control, invisible or space characters';
  // A quoted local part can hold anything (spaces, "@", line breaks); no real mailbox needs one.
  if (address.includes('"')) return 'must not have a quoted local part';
  if (!isEmail(address, { allow_ip_domain: false, require_tld: true, allow_display_name: false })) {
    return 'must be an email address';
  }
  const at = address.lastIndexOf('@');
  const labels = [...address.slice(0, at).split(/[.+_-]/), ...address.slice(at + 1).split('.')];
  if (labels.some(mixesScripts)) return 'must not mix look-alike scripts (such as Latin and Cyrillic) in one part';
  return undefined;
}
