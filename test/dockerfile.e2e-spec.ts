import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Lints the Dockerfile. Debian ships no hadolint, so this checks the rules of hadolint's that
 * matter for this image (the DL codes are hadolint's), on the instructions as Docker parses them.
 */
interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

const DOCKERFILE = path.join(__dirname, '..', 'Dockerfile');

/** Joins continuation lines, drops comments and blank lines, splits each instruction into keyword and arguments. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | null = null;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && pending === null)) return;
    const continued = trimmed.endsWith('\\');
    const part = continued ? trimmed.slice(0, -1) : trimmed;
    pending = pending ? { text: `${pending.text} ${part}`, line: pending.line } : { text: part, line: index + 1 };
    if (!continued) {
      const match = /^(\S+)\s*(.*)$/s.exec(pending.text.trim());
      if (match) instructions.push({ keyword: match[1].toUpperCase(), args: match[2].trim(), line: pending.line });
      pending = null;
    }
  });
  return instructions;
}

/** The instructions of each stage, the `FROM` first. */
function stagesOf(instructions: readonly Instruction[]): Instruction[][] {
  const stages: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') stages.push([instruction]);
    else stages.at(-1)?.push(instruction);
  }
  return stages;
}

const isExecForm = (args: string) => {
  if (!args.startsWith('[')) return false;
  const parsed: unknown = JSON.parse(args);
  return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string');
};

describe('Dockerfile lint (hadolint-equivalent rules)', () => {
  const instructions = parseDockerfile(readFileSync(DOCKERFILE, 'utf8'));
  const stages = stagesOf(instructions);
  const stageNames = new Set(stages.map(([from]) => /\bAS\s+(\S+)/i.exec(from.args)?.[1]).filter(Boolean));
  const finalStage = stages.at(-1) ?? [];
  const at = (instruction: Instruction) => `Dockerfile:${instruction.line}: ${instruction.keyword} ${instruction.args}`;

  it('has a build stage and a runtime stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
  });

  it('pins every base image to a tag or digest, never latest (DL3006, DL3007)', () => {
    // A global ARG before the first FROM (NODE_IMAGE) is judged by its default.
    const globalArgs = new Map(
      instructions
        .slice(
          0,
          instructions.findIndex((instruction) => instruction.keyword === 'FROM'),
        )
        .filter((instruction) => instruction.keyword === 'ARG')
        .map((instruction) => instruction.args.split('=') as [string, string]),
    );
    for (const [from] of stages) {
      const written = from.args.replace(/^--platform=\S+\s+/, '').split(/\s+/)[0];
      const image = written.replace(/\$\{(\w+)\}/g, (_, name: string) => globalArgs.get(name) ?? '');
      if (stageNames.has(image)) continue;
      expect({ at: at(from), pinned: /[:@]/.test(image) && !/:latest$/.test(image) }).toEqual({
        at: at(from),
        pinned: true,
      });
    }
  });

  it('runs the final stage as a non-root user set before CMD (DL3002)', () => {
    const users = finalStage.filter((instruction) => instruction.keyword === 'USER');
    const cmd = finalStage.findIndex((instruction) => instruction.keyword === 'CMD');
    expect(users.length).toBeGreaterThan(0);
    const last = users.at(-1)!;
    expect(last.args).not.toMatch(/^(root|0)(:|$)/);
    expect(cmd).toBeGreaterThan(finalStage.indexOf(last));
  });

  it('has a HEALTHCHECK in the final stage', () => {
    expect(finalStage.some((instruction) => instruction.keyword === 'HEALTHCHECK')).toBe(true);
  });

  it('has one CMD and at most one ENTRYPOINT per stage, in exec form so SIGTERM reaches the process (DL4003, DL4004, DL3025)', () => {
    for (const stage of stages) {
      for (const keyword of ['CMD', 'ENTRYPOINT']) {
        const found = stage.filter((instruction) => instruction.keyword === keyword);
        expect(found.length).toBeLessThanOrEqual(1);
        for (const instruction of found)
          expect({ at: at(instruction), exec: isExecForm(instruction.args) }).toEqual({
            at: at(instruction),
            exec: true,
          });
      }
    }
    expect(finalStage.filter((instruction) => instruction.keyword === 'CMD')).toHaveLength(1);
  });

  it('uses a shell-form CMD only through `exec`, so node becomes the process that gets SIGTERM', () => {
    const cmd = finalStage.find((instruction) => instruction.keyword === 'CMD')!;
    const argv = JSON.parse(cmd.args) as string[];
    if (argv[0] === 'sh' || argv[0] === '/bin/sh' || argv[0] === 'bash') {
      expect(argv.at(-1)).toMatch(/(^|&&|;)\s*exec node /);
    } else {
      expect(argv[0]).toBe('node');
    }
  });

  it('installs apt packages with --no-install-recommends and cleans the lists (DL3015, DL3009)', () => {
    for (const run of instructions.filter((instruction) => instruction.keyword === 'RUN')) {
      if (!/apt-get\s+install/.test(run.args)) continue;
      expect({ at: at(run), noRecommends: run.args.includes('--no-install-recommends') }).toEqual({
        at: at(run),
        noRecommends: true,
      });
      expect({ at: at(run), cleans: run.args.includes('rm -rf /var/lib/apt/lists') }).toEqual({
        at: at(run),
        cleans: true,
      });
    }
  });

  it('copies local files with COPY, not ADD (DL3020), and uses absolute WORKDIRs, never `cd` (DL3000, DL3003)', () => {
    for (const add of instructions.filter((instruction) => instruction.keyword === 'ADD')) {
      expect({ at: at(add), remote: /^(--\S+\s+)*(https?|git)[:@]/.test(add.args) }).toEqual({
        at: at(add),
        remote: true,
      });
    }
    for (const workdir of instructions.filter((instruction) => instruction.keyword === 'WORKDIR')) {
      expect(workdir.args).toMatch(/^(\/|\$)/);
    }
    for (const run of instructions.filter((instruction) => instruction.keyword === 'RUN')) {
      expect({ at: at(run), cd: /(^|&&|;)\s*cd\s/.test(run.args) }).toEqual({ at: at(run), cd: false });
    }
  });

  it('leaves the application files of the final stage to root, so the user it runs as cannot change them (no COPY --chown)', () => {
    const copies = finalStage.filter((instruction) => instruction.keyword === 'COPY');
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies)
      expect({ at: at(copy), chown: /--chown=/.test(copy.args) }).toEqual({ at: at(copy), chown: false });
  });

  it('only serves by default: migrations are their own command, and the runtime has no Prisma CLI to run', () => {
    const cmd = finalStage.find((instruction) => instruction.keyword === 'CMD')!;
    expect(JSON.parse(cmd.args)).toEqual(['node', 'dist/main.js']);
    const build = stages[0].map((instruction) => instruction.args).join('\n');
    expect(build).toMatch(/npm prune --omit=dev --omit=optional/);
    expect(build).toMatch(/npm ci --ignore-scripts/);
    expect(finalStage.map((instruction) => instruction.args).join('\n')).toContain('scripts/db/migrate.mjs');
  });

  it('builds on a supported Node LTS, the one engines allows', () => {
    const argument = instructions.find(
      (instruction) => instruction.keyword === 'ARG' && /^NODE_IMAGE=/.test(instruction.args),
    );
    const major = Number(/^NODE_IMAGE=node:(\d+)-/.exec(argument?.args ?? '')?.[1]);
    expect([22, 24]).toContain(major);
    const engines = (
      JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { engines: { node: string } }
    ).engines.node;
    expect(Number(/^>=(\d+)/.exec(engines)?.[1])).toBeLessThanOrEqual(major);
  });

  it('copies from stages that exist (DL3022) and never the .env file into the image', () => {
    for (const copy of instructions.filter((instruction) => instruction.keyword === 'COPY')) {
      const from = /--from=(\S+)/.exec(copy.args)?.[1];
      if (from) expect({ at: at(copy), known: stageNames.has(from) }).toEqual({ at: at(copy), known: true });
      expect(copy.args).not.toMatch(/(^|\s)\.env(\s|$)/);
    }
    expect(existsSync(path.join(__dirname, '..', '.dockerignore'))).toBe(true);
    expect(readFileSync(path.join(__dirname, '..', '.dockerignore'), 'utf8')).toMatch(/^\.env$/m);
  });
});
