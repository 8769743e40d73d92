import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fieldsFor } from './letter-fields.js';
import { LETTER_KINDS, type LetterKind } from './letter-kinds.js';

/**
 * The letter texts live in plain files the corporation can adapt (templates/letters/<kind>.txt).
 * The syntax is small on purpose, so a policy officer can edit it without a developer:
 *
 *   Onderwerp: <subject>          first line; placeholders allowed
 *   # Heading                     a bold heading
 *   - item                        a bullet (consecutive lines form one list)
 *   {table:arrears}               a table the letter provides, alone on its line
 *   {if field} / {if not field} / {else} / {end}    a part printed only when the field has a value
 *   {field}                       a placeholder; **bold** for emphasis; {{ for a literal {
 *   // comment                    ignored
 *   every other line is a line of text; a blank line starts a new paragraph, two leave room.
 *
 * Every template is checked when loaded: a placeholder or table the letter does not know, or an
 * optional field used outside its {if}, is an error naming file, line and the fields it may use.
 */

export interface Span {
  text?: string;
  field?: string;
  bold: boolean;
}

export type TemplateBlock =
  | { type: 'paragraph'; lines: Span[][] }
  | { type: 'heading'; spans: Span[] }
  | { type: 'bullets'; items: Span[][] }
  | { type: 'table'; name: string }
  /** Two or more blank lines: room, e.g. for a signature. */
  | { type: 'space' }
  | { type: 'if'; field: string; negate: boolean; then: TemplateBlock[]; else: TemplateBlock[] };

export interface LetterTemplate {
  file: string;
  subject: Span[];
  blocks: TemplateBlock[];
}

export interface LetterFonts {
  regular: Uint8Array;
  bold: Uint8Array;
}

export interface LetterTemplates {
  /** Of the texts and the fonts: stored with each letter so it can be reproduced exactly. */
  sha256: string;
  dir: string;
  /** The template files as written: kept with the letters, so one printed before a change can be printed again. */
  texts: Readonly<Record<LetterKind, string>>;
  templates: Readonly<Record<LetterKind, LetterTemplate>>;
  fonts: LetterFonts;
}

export class LetterTemplateError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid letter templates:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'LetterTemplateError';
  }
}

/** From src/letters under tsx and from dist/letters after the build alike: two levels up is the repo. */
export const BUILT_IN_TEMPLATES_DIR = fileURLToPath(new URL('../../templates/letters/', import.meta.url));

const FONT_FILES = { regular: 'NotoSans-Regular.ttf', bold: 'NotoSans-Bold.ttf' } as const;

export function templateFileName(kind: LetterKind): string {
  return `${kind}.txt`;
}

const BLOCK_DIRECTIVE = /^\{(if not|if|else|end|table:[^}]*)(?:\s+([^}]*))?\}$/;

interface Frame {
  block: Extract<TemplateBlock, { type: 'if' }>;
  line: number;
  inElse: boolean;
}

/** Parses one template; pushes every problem (with file:line) instead of stopping at the first. */
export function parseTemplate(kind: LetterKind, file: string, text: string, problems: string[]): LetterTemplate {
  const spec = fieldsFor(kind);
  const known = Object.keys(spec.fields).sort();
  const knownTables = Object.keys(spec.tables).sort();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const at = (n: number) => `${file}:${n}`;

  const first = lines[0] ?? '';
  const subjectMatch = /^Onderwerp:\s*(.+)$/.exec(first.trim());
  if (!subjectMatch) problems.push(`${at(1)}: the first line must be "Onderwerp: <subject>"`);

  const root: TemplateBlock[] = [];
  const stack: Frame[] = [];
  const target = (): TemplateBlock[] => {
    const top = stack[stack.length - 1];
    return top ? (top.inElse ? top.block.else : top.block.then) : root;
  };
  // The optional fields an enclosing {if field} guarantees to have a value here.
  const guarded = (): Set<string> => new Set(stack.filter((f) => !f.block.negate && !f.inElse).map((f) => f.block.field));

  const checkField = (name: string, n: number, mayBeEmpty: boolean): void => {
    const field = spec.fields[name];
    if (!field) {
      problems.push(`${at(n)}: unknown field "${name}" (known: ${known.join(', ')})`);
    } else if (field.optional && !mayBeEmpty && !guarded().has(name) && !(field.emptyWith && guarded().has(field.emptyWith))) {
      problems.push(`${at(n)}: field "${name}" may be empty: use it inside {if ${name}} … {end}`);
    }
  };

  const inline = (source: string, n: number): Span[] => {
    const spans: Span[] = [];
    let bold = false;
    let text = '';
    const flush = () => {
      if (text) spans.push({ text, bold });
      text = '';
    };
    for (let i = 0; i < source.length; i++) {
      const c = source[i]!;
      if (c === '{' && source[i + 1] === '{') {
        text += '{';
        i++;
      } else if (c === '}' && source[i + 1] === '}') {
        text += '}';
        i++;
      } else if (c === '*' && source[i + 1] === '*') {
        flush();
        bold = !bold;
        i++;
      } else if (c === '{') {
        const close = source.indexOf('}', i);
        if (close < 0) {
          problems.push(`${at(n)}: "{" without "}" (write {{ for a literal brace)`);
          text += source.slice(i);
          break;
        }
        const name = source.slice(i + 1, close).trim();
        if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) {
          problems.push(`${at(n)}: "{${name}}" is not a field name (known: ${known.join(', ')})`);
        } else {
          checkField(name, n, false);
          flush();
          spans.push({ field: name, bold });
        }
        i = close;
      } else {
        text += c;
      }
    }
    flush();
    if (bold) problems.push(`${at(n)}: "**" opened but not closed on this line`);
    return spans;
  };

  let paragraph: Extract<TemplateBlock, { type: 'paragraph' }> | null = null;
  let bullets: Extract<TemplateBlock, { type: 'bullets' }> | null = null;
  const endRun = () => {
    paragraph = null;
    bullets = null;
  };

  for (let i = subjectMatch ? 1 : 0; i < lines.length; i++) {
    const n = i + 1;
    const raw = lines[i]!;
    const line = raw.trim();
    if (line.startsWith('//')) continue;
    if (line === '') {
      endRun();
      const previous = i > 0 ? lines[i - 1]!.trim() : null;
      const container = target();
      if (previous === '' && container[container.length - 1]?.type !== 'space') container.push({ type: 'space' });
      continue;
    }
    const directive = BLOCK_DIRECTIVE.exec(line);
    if (directive) {
      endRun();
      const word = directive[1]!;
      const arg = (directive[2] ?? '').trim();
      if (word === 'if' || word === 'if not') {
        if (!spec.fields[arg]) problems.push(`${at(n)}: unknown field "${arg}" in {${word}} (known: ${known.join(', ')})`);
        const block: Extract<TemplateBlock, { type: 'if' }> = { type: 'if', field: arg, negate: word === 'if not', then: [], else: [] };
        target().push(block);
        stack.push({ block, line: n, inElse: false });
      } else if (word === 'else' || word === 'end') {
        const top = stack[stack.length - 1];
        if (!top) problems.push(`${at(n)}: {${word}} without {if}`);
        else if (word === 'else') {
          if (top.inElse) problems.push(`${at(n)}: a second {else} for the {if} of line ${top.line}`);
          top.inElse = true;
        } else stack.pop();
      } else {
        const name = word.slice('table:'.length).trim();
        if (!spec.tables[name]) {
          problems.push(
            `${at(n)}: unknown table "${name}" (known: ${knownTables.length ? knownTables.join(', ') : 'none in this letter'})`,
          );
        }
        target().push({ type: 'table', name });
      }
      continue;
    }
    if (line.startsWith('# ')) {
      endRun();
      target().push({ type: 'heading', spans: inline(line.slice(2).trim(), n) });
      continue;
    }
    if (line.startsWith('- ')) {
      paragraph = null;
      if (!bullets) {
        bullets = { type: 'bullets', items: [] };
        target().push(bullets);
      }
      bullets.items.push(inline(line.slice(2).trim(), n));
      continue;
    }
    bullets = null;
    if (!paragraph) {
      paragraph = { type: 'paragraph', lines: [] };
      target().push(paragraph);
    }
    paragraph.lines.push(inline(line, n));
  }
  for (const frame of stack) problems.push(`${at(frame.line)}: {if ${frame.block.field}} without {end}`);

  return { file, subject: subjectMatch ? inline(subjectMatch[1]!, 1) : [], blocks: root };
}

function readFont(dir: string, name: string): Uint8Array {
  // A corporation may put its house font in <dir>/fonts; else the built-in Noto Sans (covers ş, ı, ł, ñ).
  const own = join(dir, 'fonts', name);
  return new Uint8Array(readFileSync(existsSync(own) ? own : join(BUILT_IN_TEMPLATES_DIR, 'fonts', name)));
}

/** Reads and checks every letter's template; throws LetterTemplateError listing all problems. */
export function loadLetterTemplates(dir: string = BUILT_IN_TEMPLATES_DIR): LetterTemplates {
  const problems: string[] = [];
  const texts: Partial<Record<LetterKind, string>> = {};
  for (const kind of LETTER_KINDS) {
    const file = join(dir, templateFileName(kind));
    if (!existsSync(file)) {
      problems.push(`${file}: missing (every letter needs its template: ${LETTER_KINDS.map(templateFileName).join(', ')})`);
      continue;
    }
    texts[kind] = readFileSync(file, 'utf8');
  }
  if (problems.length) {
    // Every problem at once: the templates that are there are checked too.
    for (const [kind, text] of Object.entries(texts) as [LetterKind, string][])
      parseTemplate(kind, join(dir, templateFileName(kind)), text, problems);
    throw new LetterTemplateError(problems);
  }
  const fonts: LetterFonts = { regular: readFont(dir, FONT_FILES.regular), bold: readFont(dir, FONT_FILES.bold) };
  return letterTemplatesFromTexts(texts as Record<LetterKind, string>, fonts, dir);
}

/**
 * Templates from their texts: what loadLetterTemplates reads from a directory, or the texts the
 * database kept of a letter printed with templates since changed, to print it again exactly.
 */
export function letterTemplatesFromTexts(texts: Readonly<Record<LetterKind, string>>, fonts: LetterFonts, dir: string): LetterTemplates {
  const problems: string[] = [];
  const hash = createHash('sha256');
  const templates: Partial<Record<LetterKind, LetterTemplate>> = {};
  for (const kind of LETTER_KINDS) {
    const text = texts[kind];
    hash.update(`${templateFileName(kind)}\0${text}\0`);
    templates[kind] = parseTemplate(kind, join(dir, templateFileName(kind)), text, problems);
  }
  if (problems.length) throw new LetterTemplateError(problems);
  hash.update(fonts.regular).update(fonts.bold);
  return {
    sha256: hash.digest('hex'),
    dir,
    texts: Object.freeze({ ...texts }),
    templates: Object.freeze(templates as Record<LetterKind, LetterTemplate>),
    fonts,
  };
}
