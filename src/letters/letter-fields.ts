import type { LetterKind } from './letter-kinds.js';

/**
 * The placeholders a template may use, per letter. One list serves both sides: buildLetterDocument
 * fills exactly these, and loadLetterTemplates refuses a template that names anything else, so a
 * typo in an adapted template is an error at start-up instead of a blank in a letter a judge reads.
 *
 * `optional` fields may be empty (a sender without IBAN, a case without arrangement): a template may
 * use them only inside `{if field}` … `{end}`, for the same reason.
 */
export interface FieldSpec {
  optional?: boolean;
  /** Has a value exactly when this other field has one: `{if other}` guards it too. */
  emptyWith?: string;
  /** For the documentation and the error message. */
  about: string;
}

const COMMON = {
  contractId: { about: 'contractnummer (ERP)' },
  letterDate: { about: 'datum van de brief, "4 december 2026"' },
  receivedOn: { about: 'aangenomen ontvangstdatum: de eerste werkdag na verzending' },
  tenantNames: { about: 'naam of namen van de huurder(s), "J. Jansen en M. Jansen"' },
  salutation: { about: 'aanhef, "Beste J. Jansen"' },
  address: { about: 'straat en huisnummer van het gehuurde' },
  postcode: { about: 'postcode, "1234 AB"' },
  city: { about: 'plaats' },
  monthlyRent: { about: 'huur per maand, "€ 712,35"' },
  balance: { about: 'openstaand saldo op de datum van de brief' },
  monthsInArrears: { about: 'achterstand in maanden huur, "2,0 maanden"' },
  senderName: { about: 'naam van de corporatie' },
  senderDepartment: { optional: true, about: 'afdeling die ondertekent' },
  senderSignatory: { optional: true, about: 'naam van wie ondertekent' },
  senderPhone: { optional: true, about: 'telefoonnummer van de corporatie' },
  senderEmail: { optional: true, about: 'e-mailadres van de corporatie' },
  senderUrl: { optional: true, about: 'website van de corporatie' },
  senderIban: { optional: true, about: 'IBAN voor betalingen' },
  senderVisitingAddress: { optional: true, about: 'bezoekadres van het kantoor' },
  senderOpeningHours: { optional: true, about: 'openingstijden of bereikbaarheid' },
  senderContact: { about: 'hoe de huurder de corporatie bereikt, "telefoon 020-1234567 of e-mail …"' },
  paymentReference: { about: 'betalingskenmerk, het contractnummer' },
  debtHelpName: { about: 'naam van de schuldhulporganisatie (Traverse)' },
  debtHelpPhone: { optional: true, about: 'telefoon van de schuldhulporganisatie' },
  debtHelpEmail: { optional: true, about: 'e-mail van de schuldhulporganisatie' },
  debtHelpUrl: { optional: true, about: 'website van de schuldhulporganisatie' },
  debtHelpAddress: { optional: true, about: 'adres van de schuldhulporganisatie' },
  debtHelpContact: { about: 'contactgegevens van de schuldhulporganisatie op één regel' },
} satisfies Record<string, FieldSpec>;

const ARREARS_TABLE = { arrears: 'openstaande huur per maand, met totaal' };

const KIND_FIELDS = {
  reminder: {
    fields: {
      principal: { about: 'hoofdsom: de achterstand die de brief noemt (P1)' },
      costs: { about: 'wettelijke incassokosten die verschuldigd worden bij niet tijdig betalen' },
      principalPlusCosts: { about: 'hoofdsom plus incassokosten' },
      termDays: { about: 'betalingstermijn in dagen, "14"' },
      termStartsOn: { about: 'eerste dag van de termijn: de dag na ontvangst' },
      termEndsOn: { about: 'laatste dag van de termijn' },
    },
    tables: ARREARS_TABLE,
  },
  invitation: { fields: {}, tables: ARREARS_TABLE },
  confirmation: {
    fields: {
      agreedOn: { about: 'datum van het gesprek' },
      agreementPlace: { about: '"met u" of "tijdens ons huisbezoek met u"' },
      agreedArrears: { about: 'de achterstand waarover de afspraken gaan (P2.b)' },
      referralConsent: { optional: true, about: '"ja" als de huurder instemt met het meldingsformulier (P2.a.2)' },
      obligations: { optional: true, about: '"ja" als de huurder minstens één verplichting op zich nam (P2.b.1–4)' },
      obligationNoNewArrears: { optional: true, about: '"ja" bij verplichting P2.b.1' },
      obligationRegisterWithAid: { optional: true, about: '"ja" bij verplichting P2.b.2' },
      obligationReportRegistration: { optional: true, about: '"ja" bij verplichting P2.b.3' },
      obligationPaymentArrangement: { optional: true, about: '"ja" bij verplichting P2.b.4' },
      commitments: { optional: true, about: '"ja" als de corporatie minstens één toezegging deed (P2.c.1–4)' },
      commitmentPassDetailsOn: { optional: true, about: '"ja" bij toezegging P2.c.1' },
      commitmentNoCollection: { optional: true, about: '"ja" bij toezegging P2.c.2' },
      commitmentNoInterest: { optional: true, about: '"ja" bij toezegging P2.c.3' },
      commitmentAcceptArrangement: { optional: true, about: '"ja" bij toezegging P2.c.4' },
      maxArrangementMonths: { about: 'langste looptijd van een regeling, "6"' },
      arrangementTotal: { optional: true, about: 'totaal van de betalingsregeling' },
      arrangementCount: { optional: true, emptyWith: 'arrangementTotal', about: 'aantal termijnen' },
      arrangementFirstDue: { optional: true, emptyWith: 'arrangementTotal', about: 'eerste vervaldatum' },
      arrangementLastDue: { optional: true, emptyWith: 'arrangementTotal', about: 'laatste vervaldatum' },
    },
    tables: { installments: 'termijnen van de betalingsregeling' },
  },
  card: {
    fields: {
      visitedOn: { about: 'datum van het huisbezoek' },
      cardTermDays: { about: 'reactietermijn in dagen, "7"' },
      maxArrangementMonths: { about: 'langste looptijd van een regeling, "6"' },
      cardTermEndsOn: { about: 'laatste dag om te reageren (P2.d.2)' },
    },
    tables: ARREARS_TABLE,
  },
  last_warning: {
    fields: {
      verdictOn: { about: 'datum van het vonnis' },
      evictionOn: { about: 'geplande ontruimingsdatum die is uitgesteld' },
      verdictAmount: { about: 'bedrag van het vonnis inclusief kosten' },
      probationYears: { about: 'proeftijd, "2 jaar"' },
      probationStartsOn: { about: 'begin van de proeftijd' },
      probationUntil: { about: 'einde van de proeftijd (P4.a.1)' },
    },
    tables: {},
  },
  bailiff_handover: {
    fields: {
      handedOn: { about: 'datum van overdracht aan de deurwaarder' },
      bailiffName: { about: 'naam van het deurwaarderskantoor, of "de gerechtsdeurwaarder"' },
      caseOpenedOn: { optional: true, about: 'datum waarop de zaak is geopend' },
      reminderSentOn: { optional: true, about: 'verzenddatum 14-dagenbrief' },
      reminderReceivedOn: { optional: true, emptyWith: 'reminderSentOn', about: 'aangenomen ontvangst 14-dagenbrief' },
      reminderTermEndsOn: { optional: true, emptyWith: 'reminderSentOn', about: 'einde termijn 14-dagenbrief' },
      reminderPrincipal: { optional: true, emptyWith: 'reminderSentOn', about: 'hoofdsom in de 14-dagenbrief' },
      reminderCosts: { optional: true, emptyWith: 'reminderSentOn', about: 'incassokosten aangekondigd in de 14-dagenbrief' },
      noReminder: { optional: true, about: '"ja" als het dossier geen 14-dagenbrief bevat' },
      signalStatus: { about: 'stand van de vroegsignalering' },
      signalReportedOn: { optional: true, about: 'datum van de melding bij de gemeente' },
      signalWindow: { about: 'of de dagvaarding binnen 2 tot 6 maanden na de melding kan vallen' },
      earlierVerdict: { optional: true, about: 'datum van een eerder vonnis tot ontbinding/ontruiming' },
      mtDecision: { optional: true, about: 'MT-besluit met datum en stemmen' },
      mtApproved: { optional: true, about: '"ja" als het MT de ontruimingsprocedure heeft goedgekeurd (P3.d)' },
      probationNote: { optional: true, about: 'de zaak ontstond in een proeftijd (P4.a.3)' },
      arrangementAgreedOn: { optional: true, about: 'datum waarop de betalingsregeling is afgesproken' },
    },
    tables: {
      steps: 'de stappen uit het dossier met datum en artikel',
      arrears: 'openstaande huur per maand',
      installments: 'de betalingsregeling en hoe die is nagekomen',
      checklist: 'de controlelijst van wettelijke vereisten',
    },
  },
} satisfies Record<LetterKind, { fields: Record<string, FieldSpec>; tables: Record<string, string> }>;

export interface KindFields {
  fields: Readonly<Record<string, FieldSpec>>;
  tables: Readonly<Record<string, string>>;
}

export function fieldsFor(kind: LetterKind): KindFields {
  return { fields: { ...COMMON, ...KIND_FIELDS[kind].fields }, tables: KIND_FIELDS[kind].tables };
}
