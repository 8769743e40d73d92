/**
 * Every action, callback and block id of the Slack surface, in one place. A handler and the
 * block that triggers it import the same constant, so they cannot drift apart.
 */
export const ACTIONS = {
  // Case card buttons (team channel)
  recordConversation: 'case.record_conversation',
  noResponse: 'case.no_response',
  homeVisit: 'case.home_visit',
  massDiscussion: 'case.mass_discussion',
  handToBailiff: 'case.hand_to_bailiff',
  registerVerdict: 'case.register_verdict',
  placeHold: 'case.place_hold',
  releaseHold: 'case.release_hold',
  signalAnswer: 'case.signal_answer',
  openDossier: 'case.open_dossier',
  // MT vote buttons
  voteFor: 'vote.for',
  voteAgainst: 'vote.against',
  voteAbstain: 'vote.abstain',
  voteDossier: 'vote.dossier',
  // /huurder pick list
  pickTenancy: 'lookup.pick',
} as const;

export const CALLBACKS = {
  conversation: 'modal.conversation',
  homeVisit: 'modal.home_visit',
  massDiscussion: 'modal.mass_discussion',
  verdict: 'modal.verdict',
  hold: 'modal.hold',
  signalAnswer: 'modal.signal_answer',
} as const;

/**
 * Block ids (and the action id inside each input, which is the same string) of the modals' inputs.
 * The submission handlers read the values and place the service's field errors under them.
 */
export const FIELDS = {
  cause: 'cause',
  referral: 'referral_consent',
  consequences: 'consequences_explained',
  obligations: 'obligations',
  commitments: 'commitments',
  months: 'arrangement_months',
  firstDue: 'arrangement_first_due',
  installments: 'arrangement_installments',
  employee1: 'employee_1',
  employee2: 'employee_2',
  visitOutcome: 'visit_outcome',
  childrenInHome: 'mass_children_in_home',
  referralGrounds: 'mass_referral_grounds',
  nuisance: 'mass_nuisance',
  structuralProblems: 'mass_structural_problems',
  earlierVerdict: 'mass_earlier_verdict',
  verdictOn: 'verdict_on',
  evictionOn: 'eviction_on',
  amount: 'amount',
  holdReason: 'hold_reason',
  holdUntil: 'hold_until',
  holdNote: 'hold_note',
  signalAnswer: 'signal_answer',
} as const;

export type FieldBlock = (typeof FIELDS)[keyof typeof FIELDS];

export const COMMANDS = {
  tenant: '/huurder',
  overview: '/achterstand',
} as const;

export type ActionId = (typeof ACTIONS)[keyof typeof ACTIONS];
export type CallbackId = (typeof CALLBACKS)[keyof typeof CALLBACKS];
