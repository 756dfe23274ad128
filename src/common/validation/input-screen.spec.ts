import fc from 'fast-check';
import { MAX_INPUT_DEPTH, screenInput } from './input-screen';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i += 1) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

// Code units that make strings NUL-bearing, lone-surrogate-bearing or fine, often enough to matter.
const unitsWithTroublemakers = fc.oneof(
  fc.constantFrom('\u0000', '\ud800', '\udfff', '\ud83d\ude00', 'a'),
  fc.string({ unit: 'binary', maxLength: 1 }),
);

describe('screenInput', () => {
  it('accepts ordinary values, surrogate pairs included', () => {
    expect(screenInput({ email: 'a@example.com', tags: ['x', 'y'], n: 1, ok: true, none: null })).toEqual([]);
    expect(screenInput({ name: 'smile \ud83d\ude00' })).toEqual([]);
  });

  it('refuses NUL characters and lone surrogates, naming the field', () => {
    expect(screenInput({ user: { name: 'a\u0000b' } })).toEqual([
      { field: 'user.name', message: 'must not contain NUL characters' },
    ]);
    expect(screenInput({ list: ['ok', '\ud800'] })).toEqual([
      { field: 'list[1]', message: 'must be well-formed Unicode (no lone surrogates)' },
    ]);
    expect(screenInput('x\udc00', 'q')).toEqual([
      { field: 'q', message: 'must be well-formed Unicode (no lone surrogates)' },
    ]);
    expect(screenInput({ ['\u0000']: 1 })).toEqual([
      { field: '\u0000', message: 'has a name that must not contain NUL characters' },
    ]);
  });

  it(`accepts ${MAX_INPUT_DEPTH} levels and refuses one more, at any depth without recursion`, () => {
    expect(screenInput(nested(MAX_INPUT_DEPTH))).toEqual([]);
    expect(screenInput(nested(MAX_INPUT_DEPTH + 1))).toHaveLength(1);
    expect(screenInput(nested(100_000))).toHaveLength(1);
  });

  it('never throws, and flags exactly the strings that hold a NUL or a lone surrogate', () => {
    fc.assert(
      fc.property(fc.jsonValue({ depthSize: 'small', stringUnit: unitsWithTroublemakers }), (value) => {
        const strings: string[] = [];
        const walk = (node: unknown): void => {
          if (typeof node === 'string') strings.push(node);
          else if (node && typeof node === 'object')
            for (const [key, child] of Object.entries(node)) {
              strings.push(key);
              walk(child);
            }
        };
        walk(value);
        const bad = strings.filter((text) => text.includes('\u0000') || /\p{Cs}/u.test(text)).length;
        expect(screenInput(value)).toHaveLength(bad);
      }),
    );
  });
});
