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

export const COMMANDS = {
  tenant: '/huurder',
  overview: '/achterstand',
} as const;

export type ActionId = (typeof ACTIONS)[keyof typeof ACTIONS];
export type CallbackId = (typeof CALLBACKS)[keyof typeof CALLBACKS];
