import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VARIABLES } from './config-variables';
import { DEVELOPMENT_SCRIPT_VARIABLES } from './development-script-variables';
import { defaultTextOf, Variable } from './variable-declaration';

interface Assignment {
  readonly name: string;
  readonly value: string;
  /** `# NAME=…`: documented, not applied when the file is copied to .env. */
  readonly commented: boolean;
  readonly line: number;
}

const EXAMPLE = readFileSync(join(__dirname, '../../.env.example'), 'utf8');
const ASSIGNMENT = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/;

const assignments: Assignment[] = EXAMPLE.split('\n').flatMap((text, index) => {
  const match = ASSIGNMENT.exec(text.trim());
  return match ? [{ name: match[2], value: match[3].trim(), commented: match[1] !== undefined, line: index + 1 }] : [];
});
const declared = new Map<string, Variable>(
  [...Object.values(VARIABLES), ...Object.values(DEVELOPMENT_SCRIPT_VARIABLES)].map((variable) => [
    variable.name,
    variable,
  ]),
);
const at = ({ name, line }: Assignment) => `${name} (line ${line})`;

describe('.env.example', () => {
  it('lists every declared variable', () => {
    const listed = new Set(assignments.map(({ name }) => name));
    expect([...declared.keys()].filter((name) => !listed.has(name))).toEqual([]);
  });

  it('lists only declared variables, each once', () => {
    expect(assignments.filter(({ name }) => !declared.has(name)).map(at)).toEqual([]);
    expect(
      assignments.filter(({ name }, index) => assignments.findIndex((a) => a.name === name) !== index).map(at),
    ).toEqual([]);
  });

  it('sets a variable that has a default only to that default', () => {
    const differing = assignments.filter(({ name, value, commented }) => {
      const fallback = defaultTextOf(declared.get(name)!, 'development');
      return !commented && fallback !== undefined && value !== fallback;
    });
    expect(differing.map((assignment) => `${at(assignment)}=${assignment.value}`)).toEqual([]);
  });

  it('gives no secret a value: copied to .env it configures none, and shows none but URL forms', () => {
    const given = assignments.filter(({ name, value, commented }) => {
      const variable = declared.get(name);
      return variable?.secret === true && value !== '' && (!commented || variable.kind !== 'url');
    });
    expect(given.map(at)).toEqual([]);
  });
});
