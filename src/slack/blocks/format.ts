import type { types } from '@slack/bolt';
import type { CaseStage } from '../../db/schema.js';
import { STAGE_NAMES_NL } from '../../domain/case-state.js';

/**
 * Small helpers for the messages the outbox posts (case card, digest, MT vote). Every builder
 * goes through them, so no text can exceed Slack's limits (STACK-NOTES.md) and every value a
 * person typed (names, addresses) is escaped: in mrkdwn `&`, `<` and `>` are control characters,
 * and `<!channel>` in a name would otherwise ping the whole channel.
 */

export type Block = types.KnownBlock;

export interface SlackMessage {
  /** The notification and fallback text: contract number and stage only, never names. */
  text: string;
  blocks: Block[];
}

export const LIMITS = Object.freeze({
  blocks: 50,
  sectionText: 3000,
  contextElements: 10,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  actionsElements: 25,
  confirmTitle: 100,
  confirmText: 300,
  /** Slack truncates longer fallback texts; notifications show far less anyway. */
  fallbackText: 3000,
});

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts to `max` characters with an ellipsis, never through an escape (`&amp;`) or a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const lastCode = cut.charCodeAt(cut.length - 1);
  if (lastCode >= 0xd800 && lastCode <= 0xdbff) cut = cut.slice(0, -1);
  cut = cut.replace(/&[a-z]{0,3}$/, '');
  return `${cut}…`;
}

export function section(text: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) } };
}

export function header(text: string): types.HeaderBlock {
  return { type: 'header', text: { type: 'plain_text', text: clip(text, LIMITS.headerText), emoji: true } };
}

export function context(texts: string[]): types.ContextBlock {
  return {
    type: 'context',
    elements: texts.slice(0, LIMITS.contextElements).map((text) => ({ type: 'mrkdwn' as const, text: clip(text, LIMITS.sectionText) })),
  };
}

export interface ButtonSpec {
  text: string;
  actionId: string;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: { title: string; text: string; confirm: string; deny: string };
}

export function button(spec: ButtonSpec): types.Button {
  const b: types.Button = {
    type: 'button',
    action_id: spec.actionId,
    text: { type: 'plain_text', text: clip(spec.text, LIMITS.buttonText), emoji: true },
    value: spec.value,
  };
  if (spec.value.length > LIMITS.buttonValue) throw new RangeError(`button value longer than ${LIMITS.buttonValue} characters`);
  if (spec.style) b.style = spec.style;
  if (spec.confirm) {
    b.confirm = {
      title: { type: 'plain_text', text: clip(spec.confirm.title, LIMITS.confirmTitle) },
      text: { type: 'plain_text', text: clip(spec.confirm.text, LIMITS.confirmText) },
      confirm: { type: 'plain_text', text: clip(spec.confirm.confirm, 30) },
      deny: { type: 'plain_text', text: clip(spec.confirm.deny, 30) },
    };
  }
  return b;
}

export function actions(blockId: string, buttons: types.Button[]): types.ActionsBlock {
  return { type: 'actions', block_id: blockId, elements: buttons.slice(0, LIMITS.actionsElements) };
}

/**
 * `a · b · c · … en nog 12`: as many items as fit in `maxChars`, then how many were left out, so
 * a long list never breaks a section and the reader still sees the total.
 */
export function compactList(items: readonly string[], maxChars: number, separator = ' · '): string {
  let out = '';
  for (let i = 0; i < items.length; i++) {
    const next = out ? `${out}${separator}${items[i]}` : items[i]!;
    const rest = items.length - i - 1;
    // Room for the tail that would follow if more items are left after this one.
    const tail = rest > 0 ? `${separator}… en nog ${rest}`.length : 0;
    if (next.length + tail > maxChars) {
      const left = items.length - i;
      return out ? `${out}${separator}… en nog ${left}` : `… en nog ${left}`;
    }
    out = next;
  }
  return out;
}

/** `Bel de huurder` → `bel de huurder` after "Volgende stap:"; acronyms (`MT`, `MaSS`) stay. */
export function lowerFirst(text: string): string {
  const word = /^\S+/.exec(text)?.[0] ?? '';
  const rest = word.slice(1);
  return rest.length > 0 && rest === rest.toLowerCase() ? text[0]!.toLowerCase() + text.slice(1) : text;
}

/** Short stage names for lists and thread replies; STAGE_LABELS adds the clause. */
export const STAGE_NAMES: Record<CaseStage, string> = { ...STAGE_NAMES_NL, closed: 'gesloten' };

/** Checks a message against the limits that Slack enforces by refusing the call. */
export function limitViolations(blocks: readonly Block[]): string[] {
  const problems: string[] = [];
  if (blocks.length > LIMITS.blocks) problems.push(`${blocks.length} blocks (max ${LIMITS.blocks})`);
  blocks.forEach((block, i) => {
    if (block.type === 'section' && block.text && block.text.text.length > LIMITS.sectionText) {
      problems.push(`block ${i}: section text of ${block.text.text.length} characters`);
    }
    if (block.type === 'header' && block.text.text.length > LIMITS.headerText) problems.push(`block ${i}: header too long`);
    if (block.type === 'context') {
      if (block.elements.length > LIMITS.contextElements) problems.push(`block ${i}: ${block.elements.length} context elements`);
      for (const e of block.elements) {
        if ('text' in e && typeof e.text === 'string' && e.text.length > LIMITS.sectionText) problems.push(`block ${i}: context too long`);
      }
    }
    if (block.type === 'actions') {
      for (const e of block.elements) {
        if (e.type === 'button') {
          if (e.text.text.length > LIMITS.buttonText) problems.push(`block ${i}: button text too long`);
          if ((e.value ?? '').length > LIMITS.buttonValue) problems.push(`block ${i}: button value too long`);
        }
      }
      const ids = block.elements.map((e) => ('action_id' in e ? e.action_id : undefined)).filter(Boolean);
      if (new Set(ids).size !== ids.length) problems.push(`block ${i}: duplicate action_id`);
    }
  });
  return problems;
}
