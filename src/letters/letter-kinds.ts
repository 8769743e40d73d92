/** Every letter the procedure sends, in the order a case meets them. */
export const LETTER_KINDS = ['reminder', 'invitation', 'confirmation', 'card', 'last_warning', 'bailiff_handover'] as const;
export type LetterKind = (typeof LETTER_KINDS)[number];

/** The Dutch name of each letter, as the team and the dossier call it. */
export const LETTER_KIND_NL: Record<LetterKind, string> = {
  reminder: '14-dagenbrief',
  invitation: 'Uitnodiging voor een gesprek',
  confirmation: 'Bevestiging van afspraken',
  card: 'Brief na huisbezoek',
  last_warning: 'Laatste waarschuwing',
  bailiff_handover: 'Overdracht aan de deurwaarder',
};

/** The clause of the procedure each letter serves (PROCEDURE.md). */
export const LETTER_CLAUSE: Record<LetterKind, string> = {
  reminder: 'P1',
  invitation: 'P2',
  confirmation: 'P2.a.4',
  card: 'P2.d.2',
  last_warning: 'P4.a.1',
  bailiff_handover: 'P3.b',
};

export function isLetterKind(value: string): value is LetterKind {
  return (LETTER_KINDS as readonly string[]).includes(value);
}
