import { describe, expect, it } from 'vitest';
import type { TeamDigest } from '../../src/cases/messages.js';
import type { CaseStage } from '../../src/db/schema.js';
import type { Dossier, DossierCase } from '../../src/dossier/dossier.js';
import { caseCardBlocks, caseCardText, PRIVACY_REMINDER, stageReplyText, type CaseCardOptions } from '../../src/slack/blocks/case-card.js';
import { signalText } from '../../src/dossier/dossier-text.js';
import { digestBlocks } from '../../src/slack/blocks/digest.js';
import { clip, compactList, limitViolations, lowerFirst, type Block } from '../../src/slack/blocks/format.js';
import { voteBlocks, type VoteStepEvent, type VoteView } from '../../src/slack/blocks/vote.js';
import type { SignalStatus } from '../../src/domain/signal.js';
import { ACTIONS } from '../../src/slack/ids.js';

/**
 * The Block Kit builders are pure: these tests feed them hand-made dossiers, digests and vote
 * views and read the blocks back: texts, button ids and values, Slack's limits, and privacy
 * (nothing from the events or notes ever reaches a card).
 */

function dossier(over: Partial<Dossier> = {}, caseOver: Partial<DossierCase> = {}): Dossier {
  return {
    contractId: 'H-1004',
    team: 'noord',
    teamName: 'Wijkteam Noord',
    tenants: ['G. Groei'],
    address: 'Kerkstraat 4, 1234 AB Ergens',
    phone: '0612345678',
    email: 'g.groei@example.nl',
    monthlyRentCents: 71_235,
    startDate: '2020-01-01',
    endDate: null,
    earlierVerdictDate: null,
    balanceCents: 142_470,
    asOf: '2026-02-11',
    monthsInArrears: 2,
    probationUntil: null,
    ledger: { entries: 10, chargedCents: 0, paidCents: 0, lastPaymentOn: null, lastPaymentCents: null, months: [] },
    earlySignal: { state: 'offered', offeredOn: '2026-01-13', answeredOn: null, reportedOn: null, summonsWindow: 'not_reported' },
    case: {
      stage: 'contact',
      openedOn: '2026-01-13',
      stageSince: '2026-02-11',
      nextAction: 'Bel de huurder of nodig uit voor een gesprek',
      dueOn: '2026-02-18',
      ...caseOver,
    },
    events: [
      { on: '2026-01-13', type: 'case_opened', clause: 'P1', actor: 'daily', summary: '14-dagenbrief' },
      { on: '2026-02-12', type: 'note', clause: 'P2.a.1', actor: 'U0AAAAAAA1', summary: 'Notitie uit de casusdraad' },
    ],
    ...over,
  };
}

const OPTIONS: CaseCardOptions = {
  caseId: 7,
  version: 3,
  letter: { sentOn: '2026-01-13', receivedOn: '2026-01-14' },
};

function allText(blocks: Block[]): string {
  return JSON.stringify(blocks);
}

function buttons(blocks: Block[]): { action_id: string; text: string; value: string; style?: string }[] {
  return blocks.flatMap((b) =>
    b.type === 'actions'
      ? b.elements.map((e) => {
          const button = e as { action_id: string; text: { text: string }; value: string; style?: string };
          return { action_id: button.action_id, text: button.text.text, value: button.value, style: button.style };
        })
      : [],
  );
}

function texts(blocks: Block[]): string[] {
  return blocks.flatMap((b) => {
    if (b.type === 'section' || b.type === 'header') return [b.text!.text];
    if (b.type === 'context') return b.elements.map((e) => ('text' in e ? String(e.text) : ''));
    return [];
  });
}

describe('case card', () => {
  it('shows contract, address, tenants, arrears with months, stage with clause and since, next step with due date', () => {
    const blocks = caseCardBlocks(dossier(), OPTIONS);
    const [head, details] = texts(blocks);
    expect(head).toBe('*H-1004* · Kerkstraat 4, 1234 AB Ergens · G. Groei');
    expect(details).toBe(
      'Achterstand € 1.424,70 (2,0 maanden) · Fase: contact (P2) sinds 11-02-2026\n' +
        'Volgende stap: bel de huurder of nodig uit voor een gesprek, uiterlijk 18-02-2026',
    );
    expect(texts(blocks).at(-1)).toBe(
      `14-dagenbrief 13-01-2026 (ontvangen 14-01-2026) · vroegsignalering: ${signalText(dossier().earlySignal!)}`,
    );
    expect(limitViolations(blocks)).toEqual([]);
    // The signal line's wording belongs to dossier-text.ts; the snapshot covers the card's own shape.
    expect(caseCardBlocks(dossier({ earlySignal: null }), OPTIONS)).toMatchSnapshot();
  });

  it('every button carries case, contract and version as JSON', () => {
    for (const b of buttons(caseCardBlocks(dossier(), OPTIONS))) {
      expect(JSON.parse(b.value)).toEqual({ caseId: 7, contractId: 'H-1004', version: 3 });
    }
  });

  // The default dossier's early signalling is offered and unanswered: every open stage can record the
  // tenant's answer, so "Vroegsignalering" comes after the stage's own actions, before Dossier.
  const SIGNAL: [string, string] = [ACTIONS.signalAnswer, 'Vroegsignalering'];
  const DOSSIER: [string, string] = [ACTIONS.openDossier, 'Dossier'];
  const expected: Record<Exclude<CaseStage, 'closed' | 'reminder'>, [string, string][]> = {
    contact: [
      [ACTIONS.recordConversation, 'Gesprek vastleggen'],
      [ACTIONS.noResponse, 'Geen reactie'],
      [ACTIONS.placeHold, 'Pauzeren'],
      SIGNAL,
      DOSSIER,
    ],
    visit: [
      [ACTIONS.homeVisit, 'Huisbezoek vastleggen'],
      [ACTIONS.recordConversation, 'Gesprek vastleggen'],
      [ACTIONS.placeHold, 'Pauzeren'],
      SIGNAL,
      DOSSIER,
    ],
    arrangement: [[ACTIONS.placeHold, 'Pauzeren'], SIGNAL, DOSSIER],
    escalation: [
      [ACTIONS.massDiscussion, 'MaSS-bespreking'],
      [ACTIONS.handToBailiff, 'Naar deurwaarder'],
      [ACTIONS.recordConversation, 'Gesprek vastleggen'],
      [ACTIONS.placeHold, 'Pauzeren'],
      SIGNAL,
      DOSSIER,
    ],
    bailiff: [SIGNAL, DOSSIER],
    mt_vote: [SIGNAL, DOSSIER],
    eviction_procedure: [[ACTIONS.registerVerdict, 'Vonnis registreren'], SIGNAL, DOSSIER],
    verdict: [SIGNAL, DOSSIER],
  };
  for (const [stage, want] of Object.entries(expected)) {
    it(`stage ${stage}: the buttons of its next actions`, () => {
      const blocks = caseCardBlocks(dossier({}, { stage: stage as CaseStage }), OPTIONS);
      expect(buttons(blocks).map((b) => [b.action_id, b.text])).toEqual(want);
      expect(limitViolations(blocks)).toEqual([]);
    });
  }

  it('P2.a.2 "Vroegsignalering" shows while an answer can be recorded: offered, answered (a change of mind), no reaction; never primary', () => {
    const signal = (state: SignalStatus, reportedOn: string | null = null): Dossier['earlySignal'] => ({
      state,
      offeredOn: state === 'none' ? null : '2026-01-13',
      answeredOn: state === 'objected' || state === 'agreed' ? '2026-01-20' : null,
      reportedOn,
      summonsWindow: reportedOn ? 'ok' : 'not_reported',
    });
    const shown = (earlySignal: Dossier['earlySignal'], stage: CaseStage = 'contact', options: Partial<CaseCardOptions> = {}) =>
      buttons(caseCardBlocks(dossier({ earlySignal }, { stage }), { ...OPTIONS, ...options })).some(
        (b) => b.action_id === ACTIONS.signalAnswer,
      );
    for (const state of ['offered', 'objected', 'agreed', 'no_reaction'] as const) expect(shown(signal(state)), state).toBe(true);
    expect(shown(signal('reported', '2026-02-01'))).toBe(false);
    expect(shown(signal('none'))).toBe(false);
    expect(shown(null)).toBe(false);
    // The card's own case signal wins over the dossier's (a newer case may exist).
    expect(shown(signal('offered'), 'contact', { signal: signal('reported', '2026-02-01') })).toBe(false);
    expect(shown(null, 'contact', { signal: signal('offered') })).toBe(true);
    // Also during a hold; a closed case has no buttons at all.
    expect(shown(signal('offered'), 'escalation', { hold: { reason: 'debt_help', until: '2026-04-30' } })).toBe(true);
    expect(shown(signal('offered'), 'closed')).toBe(false);
    for (const stage of ['bailiff', 'verdict'] as const) {
      const first = buttons(caseCardBlocks(dossier({}, { stage }), OPTIONS))[0]!;
      expect(first).toMatchObject({ action_id: ACTIONS.signalAnswer });
      expect(first.style).toBeUndefined();
    }
  });

  it('hands to the bailiff only after a confirmation', () => {
    const blocks = caseCardBlocks(dossier({}, { stage: 'escalation' }), OPTIONS);
    const bailiff = blocks
      .flatMap((b) => (b.type === 'actions' ? b.elements : []))
      .find((e) => 'action_id' in e && e.action_id === ACTIONS.handToBailiff);
    expect(bailiff).toMatchObject({ style: 'danger', confirm: { confirm: { text: 'Overdragen' } } });
  });

  it('a hold shows "Gepauzeerd tot ..." and Pauze opheffen instead of Pauzeren', () => {
    const blocks = caseCardBlocks(dossier({}, { stage: 'escalation' }), { ...OPTIONS, hold: { reason: 'debt_help', until: '2026-04-30' } });
    expect(texts(blocks)[1]).toContain('*Gepauzeerd tot en met 30-04-2026* (schuldhulpverlening)');
    expect(texts(blocks)[1]).not.toContain('Volgende stap');
    expect(buttons(blocks).map((b) => b.action_id)).toEqual([
      ACTIONS.massDiscussion,
      ACTIONS.handToBailiff,
      ACTIONS.recordConversation,
      ACTIONS.signalAnswer,
      ACTIONS.releaseHold,
      ACTIONS.openDossier,
    ]);
    expect(buttons(blocks).find((b) => b.action_id === ACTIONS.releaseHold)?.text).toBe('Pauze opheffen');
  });

  it('a closed case shows its reason and no buttons', () => {
    const blocks = caseCardBlocks(
      dossier(
        { balanceCents: 0, monthsInArrears: 0 },
        { stage: 'closed', closedReason: 'paid', closedOn: '2026-03-11', nextAction: null, dueOn: null },
      ),
      OPTIONS,
    );
    expect(texts(blocks)[1]).toBe('Geen achterstand · *Zaak gesloten* op 11-03-2026: betaald');
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('a case opened during probation says so (P4.a.3)', () => {
    const blocks = caseCardBlocks(dossier({ probationUntil: '2027-06-01' }, { stage: 'escalation' }), {
      ...OPTIONS,
      duringProbation: true,
    });
    expect(texts(blocks)[1]).toContain('Geopend tijdens de proeftijd (tot 01-06-2027): direct naar de teambespreking (P4.a.3)');
  });

  it('never shows events, notes, phone or e-mail; escapes what people typed', () => {
    const d = dossier({
      tenants: ['A & B <!channel>'],
      events: [
        {
          on: '2026-02-12',
          type: 'note',
          clause: null,
          actor: 'U1',
          summary: 'Notitie uit de casusdraad',
          text: 'verslaving, opgenomen in kliniek',
        },
      ],
    });
    const json = allText(caseCardBlocks(d, OPTIONS));
    expect(json).not.toContain('verslaving');
    expect(json).not.toContain('0612345678');
    expect(json).not.toContain('example.nl');
    expect(json).toContain('A &amp; B &lt;!channel&gt;');
    expect(json).not.toContain('<!channel>');
    expect(caseCardText(d, {})).toBe('H-1004 · contact (P2) · achterstand € 1.424,70 (2,0 maanden)');
  });

  it('stays within the limits with absurdly long names and a very long history', () => {
    const d = dossier({
      tenants: Array.from({ length: 200 }, (_, i) => `Huurder met een heel lange naam nummer ${i}`),
      address: 'Lange straat '.repeat(400),
      events: Array.from({ length: 5000 }, (_, i) => ({
        on: '2026-01-01',
        type: 'hold_placed',
        clause: null,
        actor: 'x',
        summary: `gebeurtenis ${i}`,
      })),
    });
    const blocks = caseCardBlocks(d, OPTIONS);
    expect(limitViolations(blocks)).toEqual([]);
    expect(texts(blocks)[0]!.length).toBeLessThanOrEqual(3000);
    expect(texts(blocks)[0]!.endsWith('…')).toBe(true);
  });

  it('the thread reply tells the stage, clause and summary; the reminder warns about sensitive data', () => {
    expect(stageReplyText('visit', 'P2.d', 'Geen reactie op de uitnodiging')).toBe(
      'Fase: huisbezoek (P2.d): Geen reactie op de uitnodiging',
    );
    expect(stageReplyText('contact', null, 'Gepauzeerd & meer')).toBe('Fase: contact: Gepauzeerd &amp; meer');
    expect(PRIVACY_REMINDER).toMatch(/geen medische of andere gevoelige gegevens/);
    expect(PRIVACY_REMINDER).toMatch(/MaSS-vragen/);
  });
});

describe('team digest', () => {
  const digest: TeamDigest = {
    team: 'oost',
    teamName: 'Wijkteam Oost',
    date: '2026-02-11',
    counts: { reminder: 12, contact: 5, visit: 1, arrangement: 8, escalation: 2 },
    newLetters: ['H-1001', 'H-1002', 'H-1003'],
    due: [
      { contractId: 'H-1002', stage: 'contact', dueOn: '2026-02-05', overdue: true },
      { contractId: 'H-1007', stage: 'contact', dueOn: '2026-02-11', overdue: false },
      { contractId: 'H-1012', stage: 'visit', dueOn: '2026-02-11', overdue: false },
      { contractId: 'H-1020', stage: 'bailiff', dueOn: '2026-02-11', overdue: false },
    ],
    text: 'ignored',
  };

  it('team and long date; new letters as a count and a list; counts per stage; today; deadlines passed', () => {
    const blocks = digestBlocks(digest);
    expect(texts(blocks)).toEqual([
      'Wijkteam Oost · woensdag 11 februari 2026',
      '*Nieuwe 14-dagenbrieven: 3*\nH-1001, H-1002, H-1003',
      '*Zaken per fase:* 14-dagenbrief 12 · contact 5 · huisbezoek 1 · betalingsregeling 8 · teambespreking 2',
      '*Vandaag (3):* H-1007 bellen of uitnodigen · H-1012 huisbezoek of kaart-termijn · H-1020 termijn deurwaarder verloopt',
      ':warning: *Termijn verstreken (1):* H-1002 bellen of uitnodigen (uiterlijk 05-02-2026)',
      '/achterstand toont het overzicht van het team, /huurder &lt;contract&gt; een dossier (alleen voor jou).',
    ]);
    expect(blocks[0]!.type).toBe('header');
    expect(limitViolations(blocks)).toEqual([]);
    expect(blocks).toMatchSnapshot();
  });

  it('P1 with the corporation configured, the letters follow as one PDF in the thread', () => {
    expect(texts(digestBlocks({ ...digest, lettersPdf: true }))[1]).toBe(
      '*Nieuwe 14-dagenbrieven: 3* (de brieven volgen in de thread, als één PDF om te printen)\nH-1001, H-1002, H-1003',
    );
  });

  it('a quiet day says so', () => {
    const blocks = digestBlocks({ ...digest, counts: {}, newLetters: [], due: [] });
    expect(texts(blocks).slice(1, 4)).toEqual([
      '*Nieuwe 14-dagenbrieven:* geen',
      '*Zaken per fase:* geen lopende zaken',
      '*Vandaag:* geen taken',
    ]);
  });

  it('thousands of letters and tasks stay within a section, with the count of what is left out', () => {
    const many = Array.from({ length: 3000 }, (_, i) => `H-${100000 + i}`);
    const blocks = digestBlocks({
      ...digest,
      newLetters: many,
      due: many.map((contractId, i) => ({ contractId, stage: 'contact' as const, dueOn: '2026-02-11', overdue: i % 2 === 0 })),
    });
    expect(limitViolations(blocks)).toEqual([]);
    expect(texts(blocks)[1]).toMatch(/^\*Nieuwe 14-dagenbrieven: 3000\*\nH-100000, H-100001, .* … en nog \d+$/);
    expect(texts(blocks)[3]).toMatch(/^\*Vandaag \(1500\):\* .* … en nog \d+$/);
  });
});

describe('MT vote', () => {
  const view: VoteView = {
    caseId: 9,
    contractId: 'H-1004',
    kind: 'eviction',
    status: 'open',
    openedOn: '2026-03-11',
    closesOn: '2026-03-16',
    decidedOn: null,
    tally: { for: 2, against: 0, abstain: 0 },
    quorum: 3,
    balanceCents: 213_705,
    monthsInArrears: 3,
    letter: { sentOn: '2026-01-13', receivedOn: '2026-01-14' },
    signal: { state: 'reported', reportedOn: '2026-01-20', summonsWindow: 'ok' },
    events: [
      { on: '2026-01-13', type: 'case_opened', clause: 'P1', from: null, to: 'reminder' },
      { on: '2026-02-10', type: 'stage_changed', clause: 'P2', from: 'reminder', to: 'contact' },
      { on: '2026-02-12', type: 'conversation_recorded', clause: 'P2.a', from: null, to: 'contact' },
      { on: '2026-02-13', type: 'note', clause: 'P2.a.1', from: null, to: null },
      { on: '2026-02-20', type: 'card_left', clause: 'P2.d.2', from: null, to: 'visit' },
      { on: '2026-02-25', type: 'stage_changed', clause: 'P3.b', from: 'escalation', to: 'bailiff' },
      { on: '2026-03-11', type: 'stage_changed', clause: 'P3.c', from: 'bailiff', to: 'mt_vote' },
      { on: '2026-03-12', type: 'mt_ballot', clause: 'P3.c', from: null, to: 'mt_vote' },
    ],
    massDiscussedOn: '2026-02-24',
    earlierVerdict: false,
  };

  it('question, arrears, report date and the 2-month window, steps with dates, flags, ballot buttons and the tally', () => {
    const blocks = voteBlocks(view);
    expect(texts(blocks)).toEqual([
      'MT-besluit: ontruimingsprocedure starten voor H-1004?',
      'Achterstand € 2.137,05 (3,0 maanden) · gemeld bij gemeente 20-01-2026 (2 maanden verstreken)',
      '*Stappen:* 14-dagenbrief 13-01-2026 · contact 10-02-2026 · gesprek 12-02-2026 · kaart 20-02-2026 · deurwaarder 25-02-2026 · termijn deurwaarder verstreken 11-03-2026',
      'MaSS besproken: ja (24-02-2026) · eerder vonnis: nee',
      'Stand: 2 voor · 0 tegen · 0 onthouding (quorum 3) · stemming sluit 16-03-2026',
    ]);
    expect(buttons(blocks).map((b) => [b.action_id, b.text])).toEqual([
      [ACTIONS.voteFor, 'Voor'],
      [ACTIONS.voteAgainst, 'Tegen'],
      [ACTIONS.voteAbstain, 'Onthouding'],
      [ACTIONS.voteDossier, 'Dossier'],
    ]);
    for (const b of buttons(blocks)) expect(JSON.parse(b.value)).toEqual({ caseId: 9 });
    expect(limitViolations(blocks)).toEqual([]);
    expect(blocks).toMatchSnapshot();
  });

  it('says when the report is too recent or missing', () => {
    expect(
      texts(voteBlocks({ ...view, signal: { state: 'reported', reportedOn: '2026-02-20', summonsWindow: 'too_early' } }))[1],
    ).toContain('gemeld bij gemeente 20-02-2026 (nog geen 2 maanden geleden: dagvaarden kan nog niet)');
    expect(texts(voteBlocks({ ...view, signal: { state: 'objected', reportedOn: null, summonsWindow: 'not_reported' } }))[1]).toContain(
      'niet gemeld bij de gemeente (huurder maakte bezwaar)',
    );
  });

  it('a closed vote shows the outcome and no ballot buttons', () => {
    const blocks = voteBlocks({
      ...view,
      status: 'approved',
      decidedOn: '2026-03-13',
      tally: { for: 3, against: 0, abstain: 0 },
      closesOn: null,
    });
    expect(buttons(blocks).map((b) => b.action_id)).toEqual([ACTIONS.voteDossier]);
    expect(texts(blocks)).toContain('*Besluit 13-03-2026:* ingestemd: de deurwaarder start de ontruimingsprocedure (P3.d)');
    expect(texts(blocks).at(-1)).toBe('Eindstand: 3 voor · 0 tegen · 0 onthouding (quorum 3) · stemming gesloten');
    const repeat = voteBlocks({ ...view, kind: 'repeat_verdict', status: 'no_quorum', decidedOn: '2026-03-16', earlierVerdict: true });
    expect(texts(repeat)[0]).toBe('MT-besluit: ontruimen na eerder vonnis voor H-1004?');
    expect(texts(repeat)).toContain('*Besluit 16-03-2026:* geen quorum: de zaak gaat terug naar de teambespreking');
    expect(texts(repeat)[3]).toContain('eerder vonnis: ja');
  });

  it('a very long history keeps the first and the latest steps within the limits', () => {
    const events: VoteStepEvent[] = Array.from({ length: 3000 }, (_, i) => ({
      on: '2026-02-01',
      type: i % 2 ? 'hold_placed' : 'hold_released',
      clause: null,
      from: null,
      to: 'contact',
    }));
    events.push({ on: '2026-03-11', type: 'stage_changed', clause: 'P3.c', from: 'bailiff', to: 'mt_vote' });
    const blocks = voteBlocks({ ...view, events });
    expect(limitViolations(blocks)).toEqual([]);
    const steps = texts(blocks)[2]!;
    expect(steps.startsWith('*Stappen:* 14-dagenbrief 13-01-2026 · pauze voorbij 01-02-2026')).toBe(true);
    expect(steps).toMatch(/ · … \d+ stappen … · /);
    expect(steps.endsWith('termijn deurwaarder verstreken 11-03-2026')).toBe(true);
    expect(steps.length).toBeLessThanOrEqual(3000);
  });
});

describe('format helpers', () => {
  it('clip never cuts an escape or a surrogate pair', () => {
    expect(clip('abc &amp; def', 7)).toBe('abc …');
    expect(clip('ab😀cd', 4)).toBe('ab…');
    expect(clip('kort', 10)).toBe('kort');
  });
  it('compactList counts what it leaves out', () => {
    expect(compactList(['a', 'b', 'c'], 100)).toBe('a · b · c');
    expect(compactList(['aaaa', 'bbbb', 'cccc', 'dddd'], 20)).toBe('aaaa · … en nog 3');
  });
  it('lowerFirst keeps acronyms', () => {
    expect(lowerFirst('Bel de huurder')).toBe('bel de huurder');
    expect(lowerFirst('MT stemt')).toBe('MT stemt');
    expect(lowerFirst('MaSS-bespreking')).toBe('MaSS-bespreking');
  });
});
